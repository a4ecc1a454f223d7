"""A source the audit cannot read keeps every package: its imports are unknown, so nothing is pruned.

A file that does not parse, holds undecodable bytes or cannot be opened, and a directory that cannot be
listed, are reported (JR104), turn every would-be `unused` verdict into `unsure` and make `fix` delete no
requirement line. The permission cases run the audit as an unprivileged user, since root reads anything.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jettison.audit import run_audit
from jettison.deps.imports import scan_source
from jettison.deps.prune import pruned_requirements
from jettison.dockerfile.fixplan import FixOptions
from jettison.fixer.engine import plan_fix
from jettison.model.audit import AuditOptions
from jettison.model.requirements import Verdict

REQUIREMENTS = "flask==3.0.3\nmatplotlib==3.9.0\n"
OFFLINE = AuditOptions(offline=True, target_python="3.11")


def _project(root: Path, broken: bytes) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "requirements.txt").write_text(REQUIREMENTS)
    (root / "app.py").write_text("import flask\n")
    (root / "plots.py").write_bytes(broken)
    return root


def _verdicts(root: Path) -> dict[str, str]:
    report = run_audit(root, OFFLINE)
    return {v.name: v.verdict.value for v in report.requirements.verdicts}


def test_a_file_with_a_syntax_error_keeps_the_package_only_it_may_import(tmp_path, monkeypatch):
    monkeypatch.setenv("JETTISON_CACHE_DIR", str(tmp_path / "cache"))
    root = _project(tmp_path / "p", b"import matplotlib\ndef broken(:\n")
    report = run_audit(root, OFFLINE)
    verdicts = {v.name: v for v in report.requirements.verdicts}
    assert verdicts["flask"].verdict is Verdict.USED
    assert verdicts["matplotlib"].verdict is Verdict.UNSURE
    assert "kept (unsure: plots.py:2 could not be read" in verdicts["matplotlib"].reason
    assert not [f for f in report.findings if f.rule == "JR101"]
    skipped = [f for f in report.findings if f.rule == "JR104"]
    assert len(skipped) == 1 and skipped[0].location.path == "plots.py" and skipped[0].location.line == 2
    assert "no requirement is pruned: 1 kept unsure (matplotlib)" in skipped[0].message
    # Once the file reads, the verdict is the ordinary one again (the failed read was not cached).
    (root / "plots.py").write_text("import os\n")
    assert _verdicts(root)["matplotlib"] == "unused"


def test_fix_deletes_no_requirement_line_while_a_file_cannot_be_read(tmp_path, monkeypatch):
    monkeypatch.setenv("JETTISON_CACHE_DIR", str(tmp_path / "cache"))
    root = _project(tmp_path / "p", b"import matplotlib\n\xff\xfe = 1\n")
    (root / "Dockerfile").write_text(
        "FROM python:3.11-slim\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n"
        'COPY . .\nUSER 1000\nCMD ["python", "app.py"]\n'
    )
    plan = plan_fix(root, FixOptions(audit=OFFLINE))
    assert plan.change_for("requirements.txt") is None
    assert pruned_requirements(root, root / "requirements.txt", OFFLINE) == REQUIREMENTS


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=200))
def test_any_unparseable_bytes_prune_nothing(tmp_path_factory, data):
    source = b"import matplotlib\n" + data
    if scan_source(source, "plots.py").error is None:
        return  # it parses: the ordinary verdicts apply
    with tempfile.TemporaryDirectory(dir=tmp_path_factory.getbasetemp()) as scratch:
        os.environ["JETTISON_CACHE_DIR"] = str(Path(scratch) / "cache")
        try:
            root = _project(Path(scratch) / "p", source)
            assert pruned_requirements(root, root / "requirements.txt", OFFLINE) == REQUIREMENTS
            assert "unused" not in _verdicts(root).values()
        finally:
            del os.environ["JETTISON_CACHE_DIR"]


# The child imports everything while still root (the interpreter lives under /root, mode 0700), warms up
# on a readable copy, then drops its effective uid, which clears root's capability to read anything.
_CHILD = """
import contextlib, io, os, sys
from jettison.cli import main
warm, target = sys.argv[1:]
with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):
    main(["audit", "--offline", "--format", "json", warm])
os.setegid(65534)
os.seteuid(65534)
main(["audit", "--offline", "--format", "json", target])
"""


def _as_nobody(warm: Path, root: Path, cache: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "JETTISON_CACHE_DIR": str(cache)}
    command = [sys.executable, "-c", _CHILD, str(warm), str(root)]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture
def world_readable_dir():
    """A directory an unprivileged user can traverse (pytest's tmp_path is root's, mode 0700)."""
    if os.geteuid() != 0:
        pytest.skip("dropping to an unprivileged user needs root")
    path = Path(tempfile.mkdtemp(prefix="jettison-unreadable-"))
    path.chmod(0o755)
    yield path
    for directory, _, _ in os.walk(path):
        os.chmod(directory, 0o755)
    shutil.rmtree(path)


@pytest.mark.parametrize("what", ["file", "directory"])
def test_permission_denied_keeps_packages_and_gives_no_traceback(world_readable_dir, what):
    root = _project(world_readable_dir / "p", b"import os\n")
    cache = world_readable_dir / "cache"
    cache.mkdir(mode=0o777)
    cache.chmod(0o777)
    if what == "file":
        (root / "plots.py").write_text("import matplotlib\n")
        (root / "plots.py").chmod(0)
        expected = "plots.py"
    else:
        (root / "charts").mkdir()
        (root / "charts" / "draw.py").write_text("import matplotlib\n")
        (root / "charts").chmod(0)
        expected = "charts"
    for path in world_readable_dir.rglob("*"):
        if path.name not in ("plots.py", "charts") and path.parent.name != "charts":
            path.chmod(0o755 if path.is_dir() else 0o644)
    warm = _project(world_readable_dir / "warm", b"import os\n")
    result = _as_nobody(warm, root, cache)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode in (0, 1), result.stderr
    report = json.loads(result.stdout)
    verdicts = {d["name"]: d["verdict"] for d in report["requirements"]["distributions"]}
    assert verdicts == {"flask": "used", "matplotlib": "unsure"}
    assert [s["path"] for s in report["skipped_files"]] == [expected]
    assert "Permission denied" in report["skipped_files"][0]["reason"]
