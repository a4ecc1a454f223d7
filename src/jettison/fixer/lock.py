"""Keeping uv.lock consistent with an edited pyproject.toml: `uv lock` in a staged copy (the project's
own files are not touched until the plan is written)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from jettison.scratch import run_directory

LOCK_TIMEOUT = 180  # seconds
# What `uv lock` of a project reads besides pyproject.toml (a package's metadata may name its readme).
_STAGED = ("uv.lock", ".python-version", "README.md", "README.rst", "README.txt", "README", "LICENSE")


def relock(project: Path, pyproject_text: str, *, offline: bool = False) -> tuple[str | None, str | None]:
    """(the new uv.lock text, None) or (None, why it could not be made)."""
    uv = shutil.which("uv")
    if uv is None:
        return None, "the project has uv.lock and uv is not installed to lock it again"
    with tempfile.TemporaryDirectory(prefix="lock-", dir=run_directory()) as staging:
        stage = Path(staging)
        (stage / "pyproject.toml").write_text(pyproject_text, encoding="utf-8")
        for name in _STAGED:
            if (project / name).is_file():
                shutil.copy2(project / name, stage / name)
        command = [uv, "lock", "--no-progress"] + (["--offline"] if offline else [])
        try:
            done = subprocess.run(command, cwd=stage, capture_output=True, text=True, timeout=LOCK_TIMEOUT,
                                  check=False)  # fmt: skip
        except subprocess.TimeoutExpired:
            return None, f"`uv lock` took longer than {LOCK_TIMEOUT} s"
        except OSError as error:
            return None, f"`uv lock` could not run ({error})"
        if done.returncode != 0:
            last = (done.stderr.strip().splitlines() or ["no output"])[-1]
            return None, f"`uv lock` failed ({last})"
        return (stage / "uv.lock").read_text(encoding="utf-8"), None
