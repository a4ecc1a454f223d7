"""`audit --trace` on a Flask app in microblog's style (realbench): a package WTForms imports only when a
form is checked is unused to the static pass and kept by the trace; a package nothing imports stays unused.
Network: the trace environment is installed from the index with uv."""

from __future__ import annotations

from pathlib import Path

import pytest

from jettison.model.audit import AuditOptions
from jettison.runtime.traced_audit import trace_project

PROJECT = Path(__file__).resolve().parent / "projects" / "flask_wtforms_email"


@pytest.mark.network
def test_the_trace_keeps_what_a_kept_package_imports_when_its_feature_runs(tmp_path: Path) -> None:
    traced = trace_project(PROJECT, AuditOptions(cache=tmp_path / "cache", target_python="3.11"))
    assert not traced.trace.failures(), [str(o) for o in traced.trace.outcomes]
    rows = {row.name: row for row in traced.rows}
    email = rows["email-validator"]
    assert (email.static, email.verdict) == ("unused", "used")
    assert any("inside a function of wtforms.validators" in line for line in email.evidence)
    assert rows["rich"].verdict == "unused"  # declared, imported by nothing: the trace keeps nothing extra
    assert rows["wtforms"].verdict == "used"
