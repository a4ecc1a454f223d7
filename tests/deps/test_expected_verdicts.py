"""Every sample project with an expected.toml gets exactly the verdicts it lists.

Sample projects: the bundled example (examples/analytics-server), tests/fixtures/projects/*, and the
small ones beside this file (tests/deps/fixtures/*). The unit run is offline (built-in table); the
network run resolves names through the package index and must agree.

expected.toml:  [target] python = "3.11"  and  [requirements.<verdict>] name = "why", for verdicts
used, transitive, unused, missing, optional. An absent section means none of that verdict.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from jettison.deps.pipeline import audit_requirements
from jettison.model.audit import AuditOptions
from jettison.model.requirements import Verdict, normalize_name

REPO = Path(__file__).resolve().parents[2]
PROJECTS = sorted(
    {p.parent for p in REPO.glob("examples/*/expected.toml")}
    | {p.parent for p in REPO.glob("tests/fixtures/projects/*/expected.toml")}
    | {p.parent for p in (REPO / "tests" / "deps" / "fixtures").glob("*/expected.toml")}
)
IDS = [str(p.relative_to(REPO)) for p in PROJECTS]


def expected_verdicts(project: Path) -> tuple[dict[str, str], str | None]:
    data = tomllib.loads((project / "expected.toml").read_text(encoding="utf-8"))
    sections = data.get("requirements", {})
    unknown = set(sections) - {v.value for v in Verdict}
    assert not unknown, f"unknown verdict sections {unknown}"
    expected = {normalize_name(name): verdict for verdict, names in sections.items() for name in names}
    return expected, data.get("target", {}).get("python")


def audit(project: Path, offline: bool, cache: Path) -> dict[str, str]:
    expected, python = expected_verdicts(project)
    options = AuditOptions(offline=offline, target_python=python or "3.11", cache=cache)
    result = audit_requirements(project, options)
    return {v.name: v.verdict.value for v in result.judgement.verdicts}


def breakers(expected: dict[str, str], got: dict[str, str]) -> list[str]:
    """Needed packages the audit would drop: the one mistake that breaks the service."""
    kept = {Verdict.USED.value, Verdict.TRANSITIVE.value, Verdict.OPTIONAL.value}
    return sorted(n for n, v in expected.items() if v in kept and got.get(n) == Verdict.UNUSED.value)


def test_there_are_sample_projects():
    assert len(PROJECTS) >= 5, PROJECTS


@pytest.mark.parametrize("project", PROJECTS, ids=IDS)
def test_offline_verdicts_match_expected(project, tmp_path):
    expected, _ = expected_verdicts(project)
    got = audit(project, offline=True, cache=tmp_path)
    assert breakers(expected, got) == []
    assert got == expected


@pytest.mark.network
@pytest.mark.parametrize("project", PROJECTS, ids=IDS)
def test_index_verdicts_match_expected(project, tmp_path_factory):
    cache = tmp_path_factory.getbasetemp() / "index-cache"  # shared by the parametrized runs
    expected, _ = expected_verdicts(project)
    got = audit(project, offline=False, cache=cache)
    assert breakers(expected, got) == []
    assert got == expected
