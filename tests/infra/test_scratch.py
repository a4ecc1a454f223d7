"""Scratch space: one directory per run, gone after exit, Ctrl-C and SIGTERM, swept after SIGKILL.

Killed builds left /tmp/jettison-blobs-* behind (a decompressed docker-archive among them, gigabytes).
Each run here is a real child process with its own TMPDIR, so the sweep sees only what the test made.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

# Writes a blob to the default scratch blob directory, says where, then waits to be killed.
_CHILD = textwrap.dedent("""
    import sys, time
    from jettison.oci.layers import default_blob_directory
    from jettison.scratch import remove_on_signals, run_directory
    if "--handlers" in sys.argv:
        remove_on_signals()
    blobs = default_blob_directory()
    blobs.write_bytes(b"layer" * 1000)
    print(run_directory(), len(list(blobs.root.rglob("*"))), flush=True)
    if "--wait" in sys.argv:
        time.sleep(120)
""")


def _start(tmp: Path, *flags: str) -> tuple[subprocess.Popen[str], Path]:
    env = {**os.environ, "TMPDIR": str(tmp)}
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, *flags], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    assert child.stdout is not None
    line = child.stdout.readline().strip()
    assert line, child.stderr.read() if child.stderr else ""
    path, files = line.rsplit(" ", 1)
    run = Path(path)
    assert run.parent == tmp and run.name.startswith(f"jettison-{child.pid}-")
    assert int(files) > 0, "the blob went into the run's directory"
    return child, run


def _runs(tmp: Path) -> list[str]:
    return sorted(p.name for p in tmp.iterdir() if p.name.startswith("jettison-"))


def test_a_normal_exit_removes_the_run_directory(tmp_path):
    child, run = _start(tmp_path)
    assert child.wait(timeout=60) == 0
    assert not run.exists() and _runs(tmp_path) == []


@pytest.mark.parametrize(
    "number, flags, status",
    [(signal.SIGTERM, ("--handlers",), 128 + signal.SIGTERM), (signal.SIGINT, (), -signal.SIGINT)],
    ids=["sigterm", "sigint"],
)
def test_a_signal_removes_the_run_directory(tmp_path, number, flags, status):
    child, run = _start(tmp_path, "--wait", *flags)
    child.send_signal(number)
    assert child.wait(timeout=60) == status
    assert not run.exists() and _runs(tmp_path) == []


def test_after_sigkill_the_next_run_sweeps_the_dead_ones_directory(tmp_path):
    killed, stale = _start(tmp_path, "--wait")
    killed.kill()
    assert killed.wait(timeout=60) == -signal.SIGKILL
    assert stale.exists(), "SIGKILL cannot be caught: the directory stays until the next run"
    second = subprocess.run(
        [sys.executable, "-c", _CHILD], env={**os.environ, "TMPDIR": str(tmp_path)}, capture_output=True,
        text=True, timeout=60,
    )  # fmt: skip
    assert second.returncode == 0, second.stderr
    assert not stale.exists()
    assert _runs(tmp_path) == []  # and the second removed its own at exit


def test_a_live_run_is_never_swept(tmp_path):
    alive, first = _start(tmp_path, "--wait")
    try:
        second = subprocess.run(
            [sys.executable, "-c", _CHILD], env={**os.environ, "TMPDIR": str(tmp_path)},
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert second.returncode == 0, second.stderr
        assert first.exists() and any((first / "blobs").rglob("*"))
    finally:
        alive.kill()
        alive.wait(timeout=60)


def test_a_stranger_directory_of_the_same_shape_is_left_alone(tmp_path):
    stranger = tmp_path / "jettison-1-abc"  # no owner file: not a run's, or one being made
    stranger.mkdir()
    child, _ = _start(tmp_path)
    assert child.wait(timeout=60) == 0
    assert stranger.exists()


def test_any_cli_command_sweeps_what_a_killed_run_left(tmp_path):
    killed, stale = _start(tmp_path, "--wait")
    killed.kill()
    killed.wait(timeout=60)
    project = tmp_path / "project"
    project.mkdir()
    (project / "requirements.txt").write_text("flask\n")
    (project / "app.py").write_text("import flask\n")
    env = {**os.environ, "TMPDIR": str(tmp_path), "JETTISON_CACHE_DIR": str(tmp_path / "cache")}
    audit = subprocess.run(
        [sys.executable, "-c", "from jettison.cli import main; main()", "audit", "--offline", str(project)],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert audit.returncode == 0, audit.stdout + audit.stderr
    assert not stale.exists()  # audit needs no scratch of its own, and still sweeps
