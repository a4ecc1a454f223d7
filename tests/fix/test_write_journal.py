"""`fix --write` is all or nothing (fixer/journal.py): a run killed with SIGKILL between two files is
finished or undone by the next jettison run, which says which; a failed write changes nothing.

The kills are real (a subprocess, SIGKILL at a point the test hooks JETTISON_TEST_KILL_AFTER_STAGED and
JETTISON_TEST_KILL_AFTER_RENAMES choose); the project is edited in three files by three rules.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from jettison.dockerfile.fixplan import FileChange, FixPlan
from jettison.errors import JettisonError
from jettison.fixer import apply
from jettison.fixer import journal as journal_module
from jettison.fixer.journal import JOURNAL_NAME, recover

DOCKERFILE = """\
FROM python:3.12-slim
WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY . .
USER 1000
CMD ["gunicorn", "app:app"]
"""


def project(root: Path) -> Path:
    """Three files to edit: Dockerfile (JD202), gunicorn.conf.py (JD704), requirements.txt (JR101)."""
    root.mkdir(parents=True)
    (root / "Dockerfile").write_text(DOCKERFILE)
    (root / "requirements.txt").write_text("flask\ngunicorn\nrequests\n")
    (root / "app.py").write_text("from flask import Flask\n\napp = Flask(__name__)\n")
    (root / "gunicorn.conf.py").write_text('bind = "0.0.0.0:8000"\n')
    (root / "gunicorn.conf.py").chmod(0o640)  # a mode of its own, to be kept
    return root


def files(root: Path) -> dict[str, tuple[bytes, int]]:
    return {
        path.relative_to(root).as_posix(): (path.read_bytes(), path.stat().st_mode & 0o7777)
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def jettison(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "JETTISON_OFFLINE": "1", "JETTISON_NO_VERIFY": "1", **env}
    return subprocess.run(
        [sys.executable, "-m", "jettison", *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def before_and_after(tmp_path) -> tuple[dict, dict]:
    """The project's files before fix --write and after an uninterrupted one (the two allowed states)."""
    clean = project(tmp_path / "clean")
    before = files(clean)
    done = jettison("fix", str(clean), "--write")
    assert done.returncode == 0, done.stderr
    after = files(clean)
    changed = [name for name in before if before[name] != after.get(name)]
    assert changed == ["Dockerfile", "gunicorn.conf.py", "requirements.txt"]
    return before, after


def killed(root: Path, **hook: str) -> None:
    run = jettison("fix", str(root), "--write", **hook)
    assert run.returncode == -signal.SIGKILL, run.stderr
    assert (root / JOURNAL_NAME).is_file()


def only_ours(state: dict, root: Path) -> None:
    names = set(state)
    assert not any(".jettison-" in name and name.endswith(".tmp") for name in names), names
    assert JOURNAL_NAME not in names


def test_a_kill_between_renames_is_finished_by_the_next_run(tmp_path, before_and_after):
    before, after = before_and_after
    root = project(tmp_path / "p")
    killed(root, JETTISON_TEST_KILL_AFTER_RENAMES="1")
    mixed = files(root)
    assert mixed["Dockerfile"] == after["Dockerfile"]  # the mix the journal exists for
    assert mixed["requirements.txt"] == before["requirements.txt"]
    audit = jettison("audit", str(root), "--offline")  # any command reading the project
    assert f"{root / JOURNAL_NAME}: finished the interrupted fix --write (3 file(s) written)" in audit.stderr
    assert files(root) == after
    only_ours(files(root), root)
    assert files(root)["gunicorn.conf.py"][1] == 0o640


def test_a_kill_while_staging_is_rolled_back(tmp_path, before_and_after):
    before, _ = before_and_after
    root = project(tmp_path / "p")
    killed(root, JETTISON_TEST_KILL_AFTER_STAGED="2")
    fix = jettison("fix", str(root))
    assert "rolled back the interrupted fix --write (3 file(s) as they were)" in fix.stderr, fix.stderr
    assert files(root) == before  # byte for byte and mode for mode; no backup left either


def test_a_staged_file_lost_after_a_rename_rolls_everything_back(tmp_path, before_and_after):
    before, _ = before_and_after
    root = project(tmp_path / "p")
    killed(root, JETTISON_TEST_KILL_AFTER_RENAMES="2")
    staged = json.loads((root / JOURNAL_NAME).read_text())["entries"][2]["staged"]
    (root / staged).unlink()
    assert "rolled back" in (line := recover(root) or "") and str(root / JOURNAL_NAME) in line
    assert files(root) == before


def test_temporary_files_of_earlier_kills_are_removed(tmp_path):
    root = project(tmp_path / "p")
    (root / ".requirements.txt.k2j_9x0a.tmp").write_text("mkstemp's name, as jettison wrote before\n")
    (root / ".Dockerfile.jettison-0123456789abcdef.tmp").write_text("staged\n")
    (root / ".notes.abcdefgh.tmp").write_text("no `notes` beside it: not ours\n")
    assert recover(root) == f"removed 2 temporary file(s) a killed jettison left in {root}"
    assert sorted(p.name for p in root.glob(".*.tmp")) == [".notes.abcdefgh.tmp"]


@pytest.mark.parametrize(
    "entry",
    [
        {"target": "../outside.txt", "staged": "../.outside.txt.jettison-0123456789abcdef.tmp"},
        {"target": "Dockerfile", "staged": "app.py"},
        {"target": "Dockerfile", "staged": ".Dockerfile.jettison-0123456789abcdef.tmp", "backup": "app.py"},
    ],
)
def test_a_journal_jettison_did_not_write_touches_nothing(tmp_path, entry):
    root = project(tmp_path / "p")
    (tmp_path / "outside.txt").write_text("not the project's\n")
    entry = {"backup": None, "old_sha256": None, "new_sha256": "0" * 64, **entry}
    if entry["backup"]:
        entry["old_sha256"] = "1" * 64
    journal = {"state": "staging", "token": "0123456789abcdef", "entries": [entry]}
    (root / JOURNAL_NAME).write_text(json.dumps(journal))
    before = files(root)
    run = jettison("audit", str(root), "--offline")
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert run.stderr.startswith(f"jettison: {root / JOURNAL_NAME}: not a journal jettison wrote")
    assert len(run.stderr.strip().splitlines()) == 1
    assert files(root) == before and (tmp_path / "outside.txt").read_text() == "not the project's\n"


def plan_of(root: Path, **texts: str) -> FixPlan:
    changes = []
    for name, text in texts.items():
        path = root / name.replace("__", "/")
        old = path.read_text() if path.exists() else None
        changes.append(FileChange(path, name, old, text, executable=name.endswith("_sh")))
    return FixPlan(root, tuple(changes))


def test_a_failing_rename_undoes_the_ones_before_it(tmp_path, monkeypatch):
    root = project(tmp_path / "p")
    before = files(root)
    real, calls = os.replace, []

    def second_fails(source, target):
        calls.append(target)
        if len(calls) == 2:
            raise OSError(28, "No space left on device", str(target))
        return real(source, target)

    monkeypatch.setattr(journal_module.os, "replace", second_fails)
    plan = plan_of(root, Dockerfile="FROM scratch\n", new_sh="#!/bin/sh\n", **{"requirements.txt": "flask\n"})
    with pytest.raises(JettisonError) as error:
        apply(plan)
    assert "No space left on device; nothing was changed" in str(error.value)
    monkeypatch.setattr(journal_module.os, "replace", real)
    assert files(root) == before


def test_new_files_and_scripts_get_their_modes(tmp_path):
    root = project(tmp_path / "p")
    written = apply(
        plan_of(root, new_txt="x\n", new_sh="#!/bin/sh\n", **{"gunicorn.conf.py": "workers = 2\n"})
    )
    state = files(root)
    assert state["new_txt"][1] == 0o644 and state["new_sh"][1] == 0o755
    assert state["gunicorn.conf.py"] == (b"workers = 2\n", 0o640)
    kept = [backup.name if backup else None for _, backup in written]
    assert kept == [None, None, "gunicorn.conf.py.jettison-bak"]
    only_ours(state, root)


@pytest.fixture
def read_only_project():
    """A project its writer may not change: as root, the child drops to nobody (tmp_path is root's 0700)."""
    scratch = Path(tempfile.mkdtemp(prefix="jettison-read-only-"))
    scratch.chmod(0o755)
    root = project(scratch / "p")
    for path in root.iterdir():
        path.chmod(path.stat().st_mode | 0o044)
    root.chmod(0o555)
    yield root
    root.chmod(0o755)
    shutil.rmtree(scratch)


# The child imports everything while it may (the interpreter can live under /root, mode 0700) by a dry
# run, then, as root, drops its effective uid to nobody, who cannot write the project.
_CHILD = """
import contextlib, io, os, sys
from jettison.cli import main
quiet = io.StringIO()
with contextlib.redirect_stdout(quiet), contextlib.redirect_stderr(quiet), contextlib.suppress(SystemExit):
    main(["fix", sys.argv[1]])  # a dry run first, importing what the run needs while it can
if os.geteuid() == 0:
    os.setegid(65534)
    os.seteuid(65534)
main(["fix", sys.argv[1], "--write", "--no-verify"])
"""


def test_a_read_only_project_is_one_line_and_unchanged(read_only_project):
    root = read_only_project
    before = files(root)
    cache = Path(tempfile.mkdtemp(prefix="jettison-cache-"))
    cache.chmod(0o777)
    env = {**os.environ, "JETTISON_OFFLINE": "1", "JETTISON_CACHE_DIR": str(cache), "TMPDIR": str(cache)}
    try:
        command = [sys.executable, "-c", _CHILD, str(root)]
        run = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    assert run.returncode == 2, run.stderr
    assert "Traceback" not in run.stderr and len(run.stderr.strip().splitlines()) == 1, run.stderr
    assert run.stderr == f"jettison: {root}: cannot write: Permission denied; nothing was changed\n"
    assert files(root) == before
