"""docs/rules.md is generated from the registry (golden file, updated with JETTISON_UPDATE_GOLDEN=1)."""

from __future__ import annotations

import os
from pathlib import Path

from jettison.dockerfile.rules import RULES
from jettison.dockerfile.rules.catalog import rules_markdown

DOC = Path(__file__).parents[2] / "docs" / "rules.md"


def test_rules_doc_is_up_to_date() -> None:
    text = rules_markdown()
    if os.environ.get("JETTISON_UPDATE_GOLDEN"):
        DOC.write_text(text)
    assert DOC.read_text() == text
    for rule in RULES:
        assert f"### {rule.id}" in text
