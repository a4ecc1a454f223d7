"""The Django project in the layout of popular templates (settings split over star-importing modules,
apps in several joined lists, a database URL from the environment, a hasher needing bcrypt) gets the
verdicts its expected.toml lists. Network: the distributions' import names come from the index."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from jettison.deps.pipeline import audit_requirements
from jettison.model.audit import AuditOptions

PROJECT = Path(__file__).resolve().parent / "projects" / "django_split_settings"


@pytest.mark.network
def test_static_verdicts_match_the_expected_ones(tmp_path: Path) -> None:
    expected = tomllib.loads((PROJECT / "expected.toml").read_text(encoding="utf-8"))["static"]
    audit = audit_requirements(PROJECT, AuditOptions(cache=tmp_path / "cache"))
    verdicts = {v.name: v.verdict.value for v in audit.judgement.verdicts}
    assert {name for name, verdict in verdicts.items() if verdict == "used"} == set(expected["used"])
    assert {name for name, verdict in verdicts.items() if verdict == "unused"} == set(expected["unused"])
