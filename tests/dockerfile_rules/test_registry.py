"""Every rule is registered once, documented, and has its own test file."""

from __future__ import annotations

import re
from pathlib import Path

from jettison.dockerfile import rules as rules_package
from jettison.dockerfile.rules import RULES, RULES_BY_ID

RULES_DIR = Path(rules_package.__file__).parent
TESTS_DIR = Path(__file__).parent


def test_ids_are_unique_and_follow_the_convention() -> None:
    assert len(RULES_BY_ID) == len(RULES)
    for rule in RULES:
        assert re.fullmatch(r"J(D[1-7]|C8)\d\d", rule.id), rule.id
    assert [rule.id for rule in RULES] == sorted((r.id for r in RULES), key=lambda i: (i[:2] == "JC", i))


def test_each_rule_is_documented() -> None:
    for rule in RULES:
        assert rule.summary and rule.rationale and rule.name, rule.id
        assert rule.url.startswith("https://"), rule.id


def test_one_module_and_one_test_file_per_rule() -> None:
    modules = sorted(p.stem for p in RULES_DIR.glob("j[dc][0-9]*.py"))
    assert sorted(m.split("_")[0].upper() for m in modules) == sorted(rule.id for rule in RULES)
    for module in modules:
        assert (TESTS_DIR / f"test_{module}.py").is_file(), module
