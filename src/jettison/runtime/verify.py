"""Verify: jettison's image must pass every probe the original passes (runs subprocesses and containers
through the engine given as a parameter, runtime/engine.py).

Each image is started alone on the host network with the same environment (runtime/environment.py) and
PORT set to a free port; the port it really listens on is the one that opened after the start (an app
that binds another port is still probed, and the report says which port). Every wait is bounded: a
container that exits is "crashed on start", one that opens no port is "hung"; every container is removed
whatever happens. The table: probe, original status, new status. A probe the original passes and the new
image fails is a failure; so is a ModuleNotFoundError, ImportError or PermissionError in the new image's logs.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jettison.runtime.engine import DockerEngine
from jettison.runtime.probes import Probe
from jettison.scratch import run_directory

START_TIMEOUT = 90.0  # seconds for an image to open its port
PROBE_TIMEOUT = 10.0
_LOG_FAILURES = re.compile(r"(ModuleNotFoundError|ImportError|PermissionError)[^\n]*")
_MISSING_MODULE = re.compile(r"No module named '([\w.]+)'")


@dataclass(frozen=True)
class Started:
    """How an image came up: `status` up | crashed | hung | not built, a one-line detail, the port probed."""

    status: str
    detail: str
    port: int | None
    logs: str = ""


@dataclass(frozen=True)
class ProbeRow:
    probe: Probe
    original: str
    new: str

    @property
    def failed(self) -> bool:
        return _passes(self.original) and not _passes(self.new)

    def to_json(self) -> dict[str, Any]:
        return {"probe": str(self.probe), "source": self.probe.source, "original": self.original,
                "new": self.new, "failed": self.failed}  # fmt: skip


@dataclass
class VerifyReport:
    verified: bool  # False: no runtime, nothing was started
    original: Started | None = None
    new: Started | None = None
    rows: list[ProbeRow] = field(default_factory=list)
    log_failures: list[str] = field(default_factory=list)  # lines from the new image's logs
    missing_modules: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def failed(self) -> bool:
        if not self.verified:
            return False
        started_worse = self.original is not None and self.original.status == "up" and (
            self.new is None or self.new.status != "up"
        )  # fmt: skip
        return started_worse or any(r.failed for r in self.rows) or bool(self.log_failures)

    @property
    def proved(self) -> bool:
        """Something was shown: both images ran, the original passed a probe, the new one lost none."""
        return self.verified and not self.failed and any(_passes(r.original) for r in self.rows)

    def verdict(self) -> str:
        if not self.verified:
            return "nothing was verified: " + (self.notes[0] if self.notes else "no container runtime found")
        if self.failed:
            if self.new is not None and self.new.status == "not built":
                return f"verify failed: the new image does not build: {self.new.detail}"
            failing = [str(r.probe) for r in self.rows if r.failed]
            if failing:
                shown = ", ".join(failing[:5])
                return f"verify failed: {len(failing)} probe(s) the original passes fail: {shown}"
            if self.log_failures:
                return f"verify failed: the new image logs {self.log_failures[0]}"
            new = self.new
            return f"verify failed: new image {new.status}: {new.detail}" if new else "verify failed"
        passed = sum(_passes(r.original) for r in self.rows)
        if not passed:
            # Equal failures prove nothing: the original needs an environment the probes did not give it.
            return (f"nothing was verified: the original passes none of the {len(self.rows)} probes (give it "
                    "what it needs with --env-file)")  # fmt: skip
        return (f"verified: the new image passes every probe the original passes ({passed} of "
                f"{len(self.rows)} probes pass on the original)")  # fmt: skip

    def to_json(self) -> dict[str, Any]:
        def started(value: Started | None) -> dict[str, Any] | None:
            return (
                None
                if value is None
                else {"status": value.status, "detail": value.detail, "port": value.port}
            )

        return {"verified": self.verified, "failed": self.failed, "verdict": self.verdict(),
                "original": started(self.original), "new": started(self.new),
                "probes": [r.to_json() for r in self.rows], "log_failures": self.log_failures,
                "notes": self.notes, "seconds": round(self.seconds, 1)}  # fmt: skip


def _passes(status: str) -> bool:
    return status == "exit 0" or (status[:1] in ("2", "3") and status[:3].isdigit())


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _listening() -> dict[int, set[str]]:
    """Port -> socket inodes of the TCP sockets in LISTEN state in this network namespace (the host's,
    which --network=host shares)."""
    found: dict[int, set[str]] = {}
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) > 9 and fields[3] == "0A":
                found.setdefault(int(fields[1].rsplit(":", 1)[1], 16), set()).add(fields[9])
    return found


def listening_ports() -> set[int]:
    return set(_listening())


def _descends_from(pid: int, root: int) -> bool:
    for _ in range(64):  # a process tree deeper than this is not a server's
        if pid == root:
            return True
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            return False
        parent = next((line.split()[1] for line in status.splitlines() if line.startswith("PPid:")), "0")
        pid = int(parent)
        if pid <= 1:
            return False
    return False


def ports_of(root: int, ports: set[int]) -> set[int]:
    """Those of `ports` that a process of the container (a descendant of host pid `root`) listens on. With
    the host's network shared, any other service opening a port meanwhile must not be taken for the app's
    (realbench: a registry on 5000 was probed as microblog)."""
    wanted = {inode: port for port, inodes in _listening().items() if port in ports for inode in inodes}
    owned: set[int] = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or not wanted:
            continue
        try:
            links = [os.readlink(fd) for fd in (entry / "fd").iterdir()]
        except OSError:
            continue
        inodes = {link[8:-1] for link in links if link.startswith("socket:[")}
        hits = {wanted[i] for i in inodes if i in wanted}
        if hits and _descends_from(int(entry.name), root):
            owned |= hits
    return owned


def http_status(port: int, path: str, timeout: float = PROBE_TIMEOUT) -> str:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=timeout) as reply:
            return str(reply.status)
    except urllib.error.HTTPError as error:
        return str(error.code)
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        return f"error: {str(reason)[:60]}"


def _last_log_line(logs: str) -> str:
    lines = [line.strip() for line in logs.splitlines() if line.strip()]
    return lines[-1][:200] if lines else "no output"


def start_and_wait(
    engine: DockerEngine, image: str, env: dict[str, str], label: str, timeout: float = START_TIMEOUT,
) -> tuple[str, Started]:  # fmt: skip
    """Start `image`; wait until a new port listens, the container exits, or the deadline passes."""
    before = listening_ports()
    port = free_port()
    name = engine.start(image, {**env, "PORT": str(port)}, label)
    deadline = time.monotonic() + timeout
    root: int | None = None
    while True:
        root = root or engine.pid(name)
        opened = listening_ports() - before
        # Only the container's own sockets count (when its pid is known; else every new port, as before).
        opened = ports_of(root, opened) if root and opened else opened
        if port in opened:
            return name, Started("up", f"listening on PORT={port}", port)
        running, code = engine.state(name)
        if not running:
            logs = engine.logs(name)
            return name, Started("crashed", f"exited {code} on start: {_last_log_line(logs)}", None, logs)
        if opened and time.monotonic() > deadline - timeout + 5:
            other = min(opened)
            return name, Started("up", f"listening on {other}, not on PORT={port}", other)
        if time.monotonic() > deadline:
            logs = engine.logs(name)
            return name, Started(
                "hung", f"no port opened within {timeout:.0f} s: {_last_log_line(logs)}", None, logs
            )
        time.sleep(0.5)


def _probe(engine: DockerEngine, name: str, started: Started, probe: Probe) -> str:
    if started.status != "up":
        return started.status
    if probe.kind == "http":
        assert started.port is not None
        return http_status(started.port, probe.target)
    completed = engine.exec(name, [*probe.target.split(), "--help"], timeout=PROBE_TIMEOUT * 3)
    if completed.timed_out:
        return "hung"
    return "exit 0" if completed.returncode == 0 else f"exit {completed.returncode}"


def _warm_up(engine: DockerEngine, name: str, started: Started, probes: list[Probe], timeout: float) -> None:
    """Wait until the server answers HTTP at all. Gunicorn's master opens the port before its workers have
    imported the app (the bundled example: about 8 s for pandas and scikit-learn), and a probe sent then
    times out although the image serves: a false failure for the original and the new image alike."""
    first = next((probe for probe in probes if probe.kind == "http"), None)
    if first is None or started.port is None:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not http_status(started.port, first.target, timeout=PROBE_TIMEOUT).startswith("error"):
            return
        if not engine.state(name)[0]:
            return  # it exited: the probes say so
        time.sleep(1.0)


def run_image(
    engine: DockerEngine, image: str, env: dict[str, str], probes: list[Probe], label: str,
    start_timeout: float = START_TIMEOUT,
) -> tuple[Started, list[str]]:  # fmt: skip
    name = None
    try:
        name, started = start_and_wait(engine, image, env, label, start_timeout)
        if started.status == "up":
            _warm_up(engine, name, started, probes, start_timeout)
        results = [_probe(engine, name, started, probe) for probe in probes]
        if started.status == "up":
            time.sleep(0.5)  # let a worker that dies on its first request write its traceback
            started = Started(started.status, started.detail, started.port, engine.logs(name))
        return started, results
    finally:
        if name is not None:
            engine.remove(name)


def compare_images(
    engine: DockerEngine, original: str, new: str, env: dict[str, str], probes: list[Probe],
    start_timeout: float = START_TIMEOUT,
) -> VerifyReport:  # fmt: skip
    began = time.monotonic()
    report = VerifyReport(verified=True)
    try:
        report.original, before = run_image(engine, original, env, probes, "original", start_timeout)
        report.new, after = run_image(engine, new, env, probes, "new", start_timeout)
    finally:
        engine.remove_all()
    for probe, old_status, new_status in zip(probes, before, after, strict=True):
        report.rows.append(ProbeRow(probe, old_status, new_status))
    for match in _LOG_FAILURES.finditer(report.new.logs):
        line = match.group(0).strip()[:200]
        if line not in report.original.logs and line not in report.log_failures:
            report.log_failures.append(line)
    report.missing_modules = sorted(set(_MISSING_MODULE.findall(report.new.logs)) - set(
        _MISSING_MODULE.findall(report.original.logs)))  # fmt: skip
    report.seconds = time.monotonic() - began
    return report


def copy_project(root: Path, into: Path) -> Path:
    """A copy of the project to build a variant from (VCS and virtualenv folders left out)."""
    target = into / root.name
    skip = shutil.ignore_patterns(".git", ".venv", "venv", "node_modules", "__pycache__")
    shutil.copytree(root, target, symlinks=True, ignore=skip)
    return target


Builder = Callable[[Path], str]


def scratch_dir() -> tempfile.TemporaryDirectory[str]:
    return tempfile.TemporaryDirectory(prefix="verify-", dir=run_directory())
