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
    # offline: the static pass cannot read wtforms' code from the index, so only the trace can see it
    options = AuditOptions(cache=tmp_path / "cache", target_python="3.11", offline=True)
    traced = trace_project(PROJECT, options)
    assert not traced.trace.failures(), [str(o) for o in traced.trace.outcomes]
    rows = {row.name: row for row in traced.rows}
    email = rows["email-validator"]
    assert (email.static, email.verdict) == ("unused", "used")
    assert any("inside a function of wtforms.validators" in line for line in email.evidence)
    assert rows["rich"].verdict == "unused"  # declared, imported by nothing: the trace keeps nothing extra
    assert rows["wtforms"].verdict == "used"


@pytest.mark.network
def test_the_static_pass_reads_the_imported_feature_from_the_wheel(tmp_path: Path) -> None:
    from jettison.deps.pipeline import audit_requirements

    audit = audit_requirements(PROJECT, AuditOptions(cache=tmp_path / "cache", target_python="3.11"))
    verdicts = {v.name: v for v in audit.judgement.verdicts}
    assert verdicts["email-validator"].verdict.value == "used"
    assert any("inside wtforms.validators" in str(e) for e in verdicts["email-validator"].evidence)
    assert verdicts["rich"].verdict.value == "unused"
