"""Helpers for the rule tests: Dockerfile text -> parser -> model -> one rule's findings."""

from __future__ import annotations

import datetime
import textwrap

import pytest

from jettison.dockerfile.facts import ProjectFacts
from jettison.dockerfile.model import build_model
from jettison.dockerfile.rules import RULES_BY_ID, RuleContext
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
