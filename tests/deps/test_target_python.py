"""The audit works for the image's Python: stdlib removals, and source newer than the host's parser."""

from __future__ import annotations

import json
import sys

import pytest
from click.testing import CliRunner

from jettison.audit import run_audit
from jettison.cli import main
from jettison.model.audit import AuditOptions

# PEP 695 syntax: parses on 3.12+, not on a 3.11 host.
NEW_SYNTAX = "import flask\nfrom distutils.version import LooseVersion\n\ntype Pair = tuple[int, int]\n"


def _project(tmp_path, base: str, source: str):
    root = tmp_path / "svc"
    root.mkdir()
    (root / "requirements.txt").write_text("flask==3.0.3\nsetuptools==75.1.0\n")
    (root / "app.py").write_text(source)
    (root / "Dockerfile").write_text(f"FROM {base}\nCOPY . .\nCMD [\"gunicorn\", \"app:app\"]\n")
    return root


def _verdicts(report):
    return {v.name: v.verdict.value for v in report.requirements.verdicts}


def test_distutils_needs_setuptools_on_312_and_later(tmp_path):
    root = _project(tmp_path, "python:3.12-slim", "import flask\nimport distutils.version\n")
    verdicts = _verdicts(run_audit(root, AuditOptions(offline=True, cache=tmp_path / "c")))
    assert verdicts.get("setuptools") != "unused"
    assert verdicts["flask"] == "used"


def test_distutils_is_stdlib_on_311(tmp_path):
    root = _project(tmp_path, "python:3.11-slim", "import flask\nimport distutils.version\n")
    verdicts = _verdicts(run_audit(root, AuditOptions(offline=True, cache=tmp_path / "c")))
    assert verdicts.get("setuptools") == "unused"


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="the host parses 3.12 syntax itself")
def test_newer_syntax_is_reported_once_and_its_packages_kept(tmp_path):
    root = _project(tmp_path, "python:3.14-slim", NEW_SYNTAX)
    generic = "import flask\n\ndef first[T](items: list[T]) -> T:\n    return items[0]\n"
    (root / "other.py").write_text(generic)
    report = run_audit(root, AuditOptions(offline=True, cache=tmp_path / "c"))
    verdicts = _verdicts(report)
    assert verdicts["flask"] == "used"
    assert verdicts.get("setuptools") != "unused"
    newer = [f for f in report.findings if "could not parse for 3.14" in f.message]
    assert len(newer) == 1
    assert sorted(newer[0].data["files"]) == ["app.py", "other.py"]


def test_audit_prints_the_target_and_its_source(tmp_path, monkeypatch):
    monkeypatch.setenv("JETTISON_CACHE_DIR", str(tmp_path / "cache"))
    root = _project(tmp_path, "python:3.14.5-slim-trixie", "import flask\nimport distutils\n")
    result = CliRunner().invoke(main, ["audit", "--offline", str(root)])
    assert "target: Python 3.14 (Dockerfile:1 FROM python:3.14.5-slim-trixie)" in result.output
    as_json = CliRunner().invoke(main, ["audit", "--offline", "--format", "json", str(root)])
    assert "Python 3.14" in json.loads(as_json.stdout)["requirements"]["target"]
