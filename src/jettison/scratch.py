"""Scratch space: one directory per run, removed when the run ends, swept at the next start if it could
not be (the process was killed).

Everything a run writes only for itself (downloaded and decompressed blobs, staged locks, trace output)
goes under `run_directory()`: `$TMPDIR/jettison-<pid>-<random>`, mode 0700. It is removed at exit, which
covers normal ends, errors and Ctrl-C (KeyboardInterrupt unwinds to exit), and on SIGTERM once the CLI
has called `remove_on_signals()`. SIGKILL cannot be caught, so each run holds an flock on a file inside
its directory for as long as it lives; the kernel drops the lock when the process dies, whatever pid
namespace it ran in, so the next run's sweep removes exactly the directories nobody holds. A reused pid
or a live run in another container sharing /tmp is never mistaken for a dead one.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import os
import re
import shutil
import signal
import tempfile
import threading
from pathlib import Path
from types import FrameType

PREFIX = "jettison-"
_RUN_NAME = re.compile(r"jettison-\d+-[A-Za-z0-9_]+")
OWNER_FILE = ".owner"  # flocked by the living run

_lock = threading.Lock()
_run: tuple[int, Path, int] | None = None  # (pid, directory, owner lock descriptor)


def run_directory(name: str | None = None) -> Path:
    """This process's scratch directory (made, and stale ones swept, on first use); `name`: a
    subdirectory of it, made if needed."""
    global _run
    with _lock:
        if _run is None or _run[0] != os.getpid():  # a forked child gets its own
            sweep_stale()
            root = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-"))
            # Locked before it has its name: a sweep can never open it unlocked.
            owner = os.open(root / f"{OWNER_FILE}.new", os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(owner, fcntl.LOCK_EX)
            os.rename(root / f"{OWNER_FILE}.new", root / OWNER_FILE)
            _run = (os.getpid(), root, owner)
            atexit.register(_remove, os.getpid())
        root = _run[1]
    if name is None:
        return root
    path = root / name
    path.mkdir(parents=True, exist_ok=True)
    return path


def sweep_stale(parent: Path | None = None) -> list[Path]:
    """Remove the run directories under `parent` (default: the temp directory) whose run is dead."""
    parent = Path(parent or tempfile.gettempdir())
    removed = []
    try:
        entries = sorted(os.scandir(parent), key=lambda e: e.name)
    except OSError:
        return removed
    for entry in entries:
        if not _RUN_NAME.fullmatch(entry.name) or not entry.is_dir(follow_symlinks=False):
            continue
        try:
            if entry.stat(follow_symlinks=False).st_uid != os.geteuid():
                continue  # another user's: not ours to judge
            owner = os.open(os.path.join(entry.path, OWNER_FILE), os.O_RDWR)
        except OSError:
            continue  # no owner file: being made this instant, or not one of ours
        try:
            fcntl.flock(owner, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            continue  # held: that run is alive
        finally:
            os.close(owner)
        shutil.rmtree(entry.path, ignore_errors=True)
        removed.append(Path(entry.path))
    return removed


def _remove(pid: int) -> None:
    global _run
    if _run is None or _run[0] != pid or os.getpid() != pid:
        return  # a forked child exiting must not remove its parent's directory
    _, root, owner = _run
    _run = None
    shutil.rmtree(root, ignore_errors=True)
    with contextlib.suppress(OSError):
        os.close(owner)


def remove_on_signals(signals: tuple[int, ...] = (signal.SIGTERM, signal.SIGHUP)) -> None:
    """Turn these signals into SystemExit, so `finally` blocks and the exit-time removal run.

    For the CLI's main thread only, and only where nobody installed a handler of their own. SIGINT
    needs none: Python already raises KeyboardInterrupt for it.
    """
    if threading.current_thread() is not threading.main_thread():
        return
    for number in signals:
        if signal.getsignal(number) is signal.SIG_DFL:
            signal.signal(number, _exit_on_signal)


def _exit_on_signal(number: int, frame: FrameType | None) -> None:
    signal.signal(number, signal.SIG_DFL)  # a second one ends the process at once
    raise SystemExit(128 + number)
