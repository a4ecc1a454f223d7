"""On the bundled example, jettison reports each problem of the story's two Dockerfiles."""

from __future__ import annotations

import importlib.util
import json
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from jettison.cli import main

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "analytics-server"
PROBLEMS = tomllib.loads((Path(__file__).parent / "story_problems.toml").read_text())["problem"]

pytestmark = [
    pytest.mark.skipif(not (EXAMPLE / "Dockerfile.improved").is_file(), reason="example not on main yet"),
    pytest.mark.skipif(
        importlib.util.find_spec("jettison.dockerfile.parser") is None, reason="parser not on main yet"
    ),
]


@pytest.fixture(scope="module")
def unused() -> dict[str, int | None]:
    from jettison.audit import AuditOptions, run_audit

    report = run_audit(EXAMPLE, AuditOptions(offline=True))
    return {f.data["distribution"]: f.data.get("size_bytes") for f in report.findings if f.rule == "JR101"}


@pytest.fixture(scope="module")
def rules_by_dockerfile(unused) -> dict[str, set[str]]:
    from jettison.dockerfile.audit import lint_dockerfile, read_dockerfile
    from jettison.dockerfile.facts import ProjectFacts

    project = ProjectFacts.from_directory(EXAMPLE, unused=unused)
    result = {}
    for name in sorted({problem["dockerfile"] for problem in PROBLEMS}):
        findings = lint_dockerfile(read_dockerfile(EXAMPLE / name, name), name, project)
        result[name] = {finding.rule for finding in findings}
    return result


@pytest.mark.parametrize("problem", PROBLEMS, ids=[f"{p['dockerfile']}: {p['problem']}" for p in PROBLEMS])
def test_each_story_problem_is_reported(problem, rules_by_dockerfile) -> None:
    assert set(problem["jettison"]) & rules_by_dockerfile[problem["dockerfile"]]


def test_jettison_audit_reports_them_all_with_exit_1(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("JETTISON_OFFLINE", "1")
    result = CliRunner().invoke(main, ["audit", str(EXAMPLE), "--format", "json"])
    assert result.exit_code == 1, result.output
    reported = {finding["rule"] for finding in json.loads(result.output)["findings"]}
    expected = {rule for problem in PROBLEMS for rule in problem["jettison"]}
    assert expected <= reported


def test_sarif_output_of_the_example_validates(monkeypatch) -> None:
    import jsonschema

    monkeypatch.setenv("JETTISON_OFFLINE", "1")
    result = CliRunner().invoke(main, ["audit", str(EXAMPLE), "--format", "sarif"])
    assert result.exit_code == 1
    log = json.loads(result.stdout)
    schema = json.loads((REPO / "tests" / "report_sarif" / "sarif-schema-2.1.0.json").read_text())
    jsonschema.validate(log, schema, format_checker=jsonschema.FormatChecker())
    rules = {rule["id"]: rule for rule in log["runs"][0]["tool"]["driver"]["rules"]}
    assert rules["JD601"]["helpUri"].startswith("https://") and "fullDescription" in rules["JD601"]
