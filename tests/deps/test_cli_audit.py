"""`jettison audit`: exit codes, one-line user errors, JSON that follows the documented schema."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from jettison.cli import main
from jettison.report.json import schema

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.setenv("JETTISON_CACHE_DIR", str(tmp_path / "cache"))

    def invoke(*args: str):
        return CliRunner().invoke(main, ["audit", "--offline", *args], catch_exceptions=False)

    return invoke


def project(tmp_path: Path, requirements: str, files: dict[str, str]) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    (root / "requirements.txt").write_text(requirements)
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


def test_clean_project_exits_0(run, tmp_path):
    root = project(tmp_path, "flask\nwerkzeug\n", {"app.py": "import flask\n"})
    result = run(str(root))
    assert result.exit_code == 0, result.output
    assert "clean" in result.output


def test_unused_requirement_exits_1_with_its_size(run, tmp_path):
    root = project(tmp_path, "flask\nmatplotlib==3.9.0\n", {"app.py": "import flask\n"})
    result = run(str(root))
    assert result.exit_code == 1, result.output
    assert "matplotlib==3.9.0" in result.output
    assert "installed packages:" in result.output and "->" in result.output


def test_malformed_requirement_is_one_line_and_exit_2(run, tmp_path):
    root = project(tmp_path, "flask\nflask = 1.0\n", {"app.py": "import flask\n"})
    result = CliRunner().invoke(main, ["audit", "--offline", str(root)])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("jettison: requirements.txt:2: invalid requirement 'flask = 1.0': ")
    assert "Traceback" not in result.output


def test_missing_directory_exits_2(run, tmp_path):
    result = CliRunner().invoke(main, ["audit", "--offline", str(tmp_path / "nope")])
    assert result.exit_code == 2 and "no such file or directory" in result.output


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.iterdir() if p.is_dir()))
def test_json_output_follows_the_schema(run, name):
    result = run("--format", "json", str(FIXTURES / name))
    document = json.loads(result.output)
    jsonschema.validate(document, schema())
    assert document["schema_version"] == 1
    distributions = {d["name"]: d for d in document["requirements"]["distributions"]}
    assert all(d["mapping_source"] for d in distributions.values())
    assert result.exit_code == (1 if document["summary"]["failed"] else 0)


def test_json_records_the_string_that_proves_a_use(run):
    document = json.loads(run("--format", "json", str(FIXTURES / "strings")).output)
    gevent = next(d for d in document["requirements"]["distributions"] if d["name"] == "gevent")
    assert gevent["verdict"] == "used"
    assert gevent["evidence"][0]["rule"] == "gunicorn-worker-class"
    assert gevent["evidence"][0]["path"] == "gunicorn.conf.py"


def test_plain_output_without_a_terminal_has_no_escape_codes(run, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    result = run(str(FIXTURES / "name-mismatch"))
    assert "\x1b[" not in result.output


REPO = Path(__file__).resolve().parents[2]
ERROR_PROJECTS = sorted(p.parent for p in REPO.glob("tests/fixtures/projects/*/error.toml"))


@pytest.mark.parametrize("root", ERROR_PROJECTS, ids=[p.name for p in ERROR_PROJECTS])
def test_projects_that_must_be_refused(root, tmp_path, monkeypatch):
    import tomllib

    expected = tomllib.loads((root / "error.toml").read_text())
    monkeypatch.setenv("JETTISON_CACHE_DIR", str(tmp_path))
    result = CliRunner().invoke(main, ["audit", "--offline", str(root)])
    assert result.exit_code == expected["exit_code"]
    (line,) = result.output.strip().splitlines()
    assert line.startswith(f"jettison: {expected['path']}:{expected['line']}: ")


def test_a_finding_on_line_100_prints_its_line_number(tmp_path):
    """rich read `Dockerfile:100:` as the :100: emoji code and printed `Dockerfile💯` (realbench)."""
    from click.testing import CliRunner

    from jettison.cli import main

    lines = ["FROM python:3.11", *(f"# {n}" for n in range(2, 100)), "RUN pip install flask"]
    (tmp_path / "Dockerfile").write_text("\n".join(lines) + "\n")
    result = CliRunner().invoke(main, ["audit", str(tmp_path), "--offline"])
    assert "Dockerfile:100:" in result.output and "\N{HUNDRED POINTS SYMBOL}" not in result.output
