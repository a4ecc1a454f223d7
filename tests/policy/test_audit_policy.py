"""Pragmas and [tool.jettison] act on `jettison audit` as a whole."""

from __future__ import annotations

import importlib.util
import json

import pytest
from click.testing import CliRunner

from jettison.cli import main

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("jettison.dockerfile.parser") is None, reason="parser not on main yet"
)

DOCKERFILE = """\
# jettison: ignore=JD603
FROM python:3.12-slim
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . /app
# jettison: ignore=JD704
CMD ["gunicorn", "app:app"]
"""


def audit(tmp_path, monkeypatch) -> tuple[int, set[str]]:
    monkeypatch.setenv("JETTISON_OFFLINE", "1")
    result = CliRunner().invoke(main, ["audit", str(tmp_path), "--format", "json"])
    return result.exit_code, {finding["rule"] for finding in json.loads(result.stdout)["findings"]}


@pytest.fixture
def project(tmp_path):
    (tmp_path / "app.py").write_text("import flask\napp = flask.Flask(__name__)\n")
    (tmp_path / "requirements.txt").write_text("flask==3.0.0\ngunicorn==22.0.0\n")
    (tmp_path / ".dockerignore").write_text(".git\n")
    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    return tmp_path


def test_pragmas_silence_their_instruction(project, monkeypatch) -> None:
    code, rules = audit(project, monkeypatch)
    assert "JD603" not in rules and "JD704" not in rules


def test_config_ignore_severity_and_threshold(project, monkeypatch) -> None:
    (project / "Dockerfile").write_text(DOCKERFILE.replace("# jettison: ignore=JD603\n", ""))
    code, rules = audit(project, monkeypatch)
    assert "JD603" in rules and code == 1
    (project / "pyproject.toml").write_text('[tool.jettison]\nignore = ["JD603"]\n')
    code, rules = audit(project, monkeypatch)
    assert "JD603" not in rules
    (project / "pyproject.toml").write_text(
        '[tool.jettison]\nfail-on = "error"\n[tool.jettison.severity]\nJD603 = "info"\n'
    )
    code, rules = audit(project, monkeypatch)
    assert "JD603" in rules and code == 0


def test_bad_config_is_a_user_error(project, monkeypatch) -> None:
    (project / "pyproject.toml").write_text("[tool.jettison\nignore = 1\n")
    monkeypatch.setenv("JETTISON_OFFLINE", "1")
    result = CliRunner().invoke(main, ["audit", str(project)])
    # Whichever reader meets the file first (requirements or config) names the file and the line.
    assert result.exit_code == 2 and "pyproject.toml" in result.output
    assert "pyproject.toml:1:" in result.output or "line 1" in result.output
