"""A throwaway environment holding every declared requirement, for the target Python (runs subprocesses:
uv, and the interpreter it finds; the runner is a parameter).

Environments are cached by a hash of what goes in (the requirement lines, the lock pins, the target
Python): tracing the same project again reuses the environment and installs nothing. An environment is
built in a temporary directory and renamed into place when complete, so an interrupted install never
leaves a half environment that a later run would trust.
"""

from __future__ import annotations

import fcntl
import glob
import hashlib
import json
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from jettison.errors import JettisonError
from jettison.model.requirements import RequirementSet
from jettison.runtime.process import Runner, run_bounded

ENV_VERSION = 1
INSTALL_TIMEOUT = 1200.0  # seconds: a cold install of a data-science freeze takes minutes
_COMPLETE = ".jettison-complete"


@dataclass(frozen=True)
class TraceEnvironment:
    path: Path
    python: Path
    key: str
    reused: bool

    @property
    def bin(self) -> Path:
        return self.python.parent

    def site_packages(self) -> list[Path]:
        return sorted(Path(p) for p in glob.glob(str(self.path / "lib" / "python*" / "site-packages")))


def requirement_lines(requirements: RequirementSet) -> tuple[list[str], list[str]]:
    """(requirements, constraints) to install: the run-time lines as written, the lock pins."""
    wanted = []
    for line in requirements.lines:
        if not line.runtime or line.requirement is None:
            continue  # dev groups stay out; `-e .` / local paths are the project's own code (on sys.path)
        wanted.append(str(line.requirement))
    pins = [
        f"{package.name}=={package.version}"
        for package in requirements.locked
        if package.name and package.version
    ]
    pins += [str(c.requirement) for c in requirements.constraints if c.requirement is not None]
    return sorted(set(wanted)), sorted(set(pins))


def environment_key(requirements: list[str], constraints: list[str], python: str) -> str:
    payload = json.dumps([ENV_VERSION, python, requirements, constraints], sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:20]


def find_interpreter(version: str, runner: Runner = run_bounded) -> Path:
    """An interpreter of the target Python on this machine (PATH, then pyenv's and the usual prefixes)."""
    if f"{sys.version_info[0]}.{sys.version_info[1]}" == version:
        return Path(sys.executable)
    candidates = [shutil.which(f"python{version}")]
    home = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    candidates += sorted(glob.glob(str(home / "versions" / f"{version}*" / "bin" / f"python{version}")))
    candidates += [f"{prefix}/bin/python{version}" for prefix in ("/usr", "/usr/local", "/opt/python")]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            probe = runner([candidate, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"], timeout=20)
            if probe.ok and probe.stdout.strip() == version:
                return Path(candidate)
    raise JettisonError(
        f"no Python {version} on this machine for the trace environment "
        f"(install one: uv python install {version})"
    )


def trace_environment(
    requirements: RequirementSet, python: str, cache: Path, runner: Runner = run_bounded,
    uv: str | None = None, timeout: float = INSTALL_TIMEOUT,
) -> TraceEnvironment:  # fmt: skip
    """The cached environment for these requirements on Python `python`, built with uv when absent."""
    wanted, pins = requirement_lines(requirements)
    key = environment_key(wanted, pins, python)
    home = cache / "trace-envs"
    path = home / key
    interpreter = path / "bin" / "python"
    if (path / _COMPLETE).is_file() and interpreter.exists():
        return TraceEnvironment(path, interpreter, key, reused=True)
    uv = uv or shutil.which("uv")
    if uv is None:
        raise JettisonError("--trace needs uv on PATH (pip install uv)")
    base = find_interpreter(python, runner)
    home.mkdir(parents=True, exist_ok=True)
    # Built in place (console scripts name their interpreter's path), under a lock; the marker written
    # last is what makes a later run trust it, so an interrupted install is rebuilt, never reused.
    with open(home / f"{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (path / _COMPLETE).is_file() and interpreter.exists():
            return TraceEnvironment(path, interpreter, key, reused=True)
        shutil.rmtree(path, ignore_errors=True)
        made = runner([uv, "venv", "--quiet", "--python", str(base), str(path)], timeout=120)
        if not made.ok:
            raise JettisonError(f"uv venv failed: {made.last_line()}")
        (path / "requirements.txt").write_text("".join(f"{w}\n" for w in wanted), encoding="utf-8")
        (path / "constraints.txt").write_text("".join(f"{p}\n" for p in pins), encoding="utf-8")
        argv = [uv, "pip", "install", "--quiet", "--python", str(interpreter),
                "-r", str(path / "requirements.txt")]  # fmt: skip
        if pins:
            argv += ["-c", str(path / "constraints.txt")]
        env = {**os.environ, "VIRTUAL_ENV": str(path)}
        env.setdefault("SSL_CERT_FILE", "/etc/ssl/certs/ca-certificates.crt")
        installed = runner(argv, timeout=timeout, env=env) if wanted else made
        if installed.timed_out:
            raise JettisonError(f"installing the declared requirements took over {timeout:.0f} s")
        if not installed.ok:
            raise JettisonError(
                f"cannot install the declared requirements for Python {python}: {installed.last_line()}"
            )
        (path / _COMPLETE).write_text(key, encoding="utf-8")
    return TraceEnvironment(path, interpreter, key, reused=False)
