"""An unsafe fix that moves the recipe's Python is made only if the pins install on the new one."""

from __future__ import annotations

from pathlib import Path

import pytest

from jettison.fixer import FixOptions, plan_fix
from jettison.model.audit import AuditOptions

DOCKERFILE = (
    "FROM python:3.7\nCOPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\n"
    'COPY . .\nCMD ["gunicorn", "app:app"]\n'
)


def project(root: Path, requirements: str) -> Path:
    root.mkdir()
    (root / "Dockerfile").write_text(DOCKERFILE)
    (root / "requirements.txt").write_text(requirements)
    (root / "app.py").write_text("import scipy\nfrom flask import Flask\n\napp = Flask(__name__)\n")
    return root


def test_offline_the_move_is_not_made_and_says_why(tmp_path: Path) -> None:
    root = project(tmp_path / "p", "flask==2.0.3\ngunicorn==20.1.0\nscipy==1.7.3\n")
    plan = plan_fix(root, FixOptions(audit=AuditOptions(offline=True), unsafe=True))
    new = plan.change_for("Dockerfile").new
    assert new.startswith("FROM python:3.7-slim\n")  # the slim tag of the same Python is still made
    assert any("JD104" in n and "not made" in n and "offline" in n for n in plan.notes)


@pytest.mark.network
def test_pins_without_wheels_for_the_new_python_block_the_move(tmp_path: Path) -> None:
    """scipy 1.7.3 has wheels up to 3.10 and `Requires-Python <3.11`, which uv resolves loosely from its
    sdist; a build on 3.11 would need a Fortran compiler. The wheels decide."""
    root = project(tmp_path / "p", "flask==2.0.3\ngunicorn==20.1.0\nscipy==1.7.3\n")
    plan = plan_fix(root, FixOptions(audit=AuditOptions(cache=tmp_path / "c"), unsafe=True))
    assert plan.change_for("Dockerfile").new.startswith("FROM python:3.7-slim\n")
    assert any("has no wheels for Python 3.11" in n for n in plan.notes)
    movable = project(tmp_path / "q", "flask==3.1.3\ngunicorn==23.0.0\nscipy==1.15.3\n")
    plan = plan_fix(movable, FixOptions(audit=AuditOptions(cache=tmp_path / "c"), unsafe=True))
    assert plan.change_for("Dockerfile").new.startswith("FROM python:3.11-slim\n")
