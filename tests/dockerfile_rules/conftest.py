"""Helpers for the rule tests: Dockerfile text -> parser -> model -> one rule's findings."""

from __future__ import annotations

import datetime
import textwrap

import pytest

from jettison.dockerfile.facts import ProjectFacts
from jettison.dockerfile.model import build_model
from jettison.dockerfile.rules import RULES_BY_ID, RuleContext
from jettison.model.edits import apply_edits
from jettison.model.findings import Finding

# The parser is written alongside these rules; until it is on main these tests skip, saying why.
try:
    from jettison.dockerfile.parser import parse
except ImportError:  # pragma: no cover - only while the parser is not merged
    parse = None


def run_rule(
    rule_id: str,
    dockerfile: str,
    files: dict[str, str | bytes] | None = None,
    **facts: object,
) -> list[Finding]:
    if parse is None:
        pytest.skip("jettison.dockerfile.parser is not on main yet")
    model = build_model(parse(textwrap.dedent(dockerfile).lstrip("\n"), "Dockerfile"))
    facts.setdefault("today", datetime.date(2026, 11, 29))
    project = ProjectFacts.from_mapping(files or {}, **facts)
    return RULES_BY_ID[rule_id].run(RuleContext(model, project))


@pytest.fixture
def lint():
    return run_rule


@pytest.fixture
def parse_dockerfile():
    if parse is None:
        pytest.skip("jettison.dockerfile.parser is not on main yet")
    return lambda text: parse(textwrap.dedent(text).lstrip("\n"), "Dockerfile")


def apply_fix(
    rule_id: str,
    dockerfile: str,
    files: dict[str, str | bytes] | None = None,
    *,
    within: bool = True,
    **facts: object,
) -> str:
    """Apply the edits of the rule's findings once; check the result parses, the rule is quiet on it
    (a fixpoint), and every line outside the instructions the findings name is kept byte for byte."""
    text = textwrap.dedent(dockerfile).lstrip("\n")
    findings = run_rule(rule_id, text, files, **facts)
    assert findings, f"{rule_id} does not fire"
    edits = [edit for finding in findings for edit in finding.fix.edits]
    assert edits, f"{rule_id} has no edit"
    assert all(edit.path == finding.location.path for finding in findings for edit in finding.fix.edits)
    fixed, _, skipped = apply_edits(text, edits)
    assert not skipped
    parse(fixed, "Dockerfile")
    assert run_rule(rule_id, fixed, files, **facts) == []
    if within:  # each edit stays inside the instruction its finding names
        for finding in findings:
            location = finding.location
            for edit in finding.fix.edits:
                assert location.line <= edit.line and edit.end_line <= (location.end_line or location.line)
    return fixed


@pytest.fixture
def fix_once():
    return apply_fix
