"""Bounded child processes (runs subprocesses): every run has a deadline, and on the deadline the whole
process group is killed, so nothing jettison starts outlives it.

`run_bounded()` is the default `Runner`; the modules of this package take a runner as a parameter, so a
test can hand in one that records what would run, or the real one with a short deadline.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

# How long a terminated process group gets between SIGTERM and SIGKILL.
KILL_GRACE_SECONDS = 2.0
# Output kept from each stream: enough for a traceback, bounded for a chatty app.
MAX_OUTPUT_CHARS = 200_000


@dataclass(frozen=True)
class Completed:
    """How a bounded run ended. `returncode` is None when it was killed on its deadline."""

    argv: tuple[str, ...]
    returncode: int | None
    stdout: str
    stderr: str
    seconds: float
    timed_out: bool = False

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out

    def last_line(self) -> str:
        """The line that says why it failed: the last non-empty line of stderr, else of stdout."""
        for text in (self.stderr, self.stdout):
            lines = [line.strip() for line in text.splitlines() if line.strip()]
            if lines:
                return lines[-1][:300]
        return "no output"


class Runner(Protocol):
    def __call__(
        self, argv: Sequence[str], *, timeout: float, env: Mapping[str, str] | None = None,
        cwd: Path | str | None = None,
    ) -> Completed: ...  # fmt: skip


def _kill_group(process: subprocess.Popen[str]) -> None:
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(KILL_GRACE_SECONDS)
            # The leader is gone; its children may not be: kill what is left of the group.
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            return
        except subprocess.TimeoutExpired:
            continue
        return


def run_bounded(
    argv: Sequence[str], *, timeout: float, env: Mapping[str, str] | None = None,
    cwd: Path | str | None = None,
) -> Completed:  # fmt: skip
    """Run argv in its own process group; kill the group when it outlives `timeout` seconds."""
    started = time.monotonic()
    try:
        process = subprocess.Popen(
            list(argv), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            errors="replace", env=dict(env) if env is not None else None, cwd=cwd, start_new_session=True,
        )  # fmt: skip
    except OSError as error:
        return Completed(tuple(argv), 127, "", f"cannot run {argv[0]}: {error.strerror or error}", 0.0)
    try:
        stdout, stderr = process.communicate(timeout=timeout)
        timed_out = False
    except subprocess.TimeoutExpired:
        _kill_group(process)
        stdout, stderr = process.communicate()
        timed_out = True
    finally:
        if process.poll() is None:  # interrupted (KeyboardInterrupt): leave nothing behind
            _kill_group(process)
    # A daemonised grandchild would keep the group alive after the leader exits: end it too.
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    return Completed(
        tuple(argv), None if timed_out else process.returncode, stdout[-MAX_OUTPUT_CHARS:],
        stderr[-MAX_OUTPUT_CHARS:], time.monotonic() - started, timed_out,
    )  # fmt: skip
