"""An unsafe fix that moves the recipe's Python (JD104: an end-of-life 3.7 to 3.11) is proposed only if the
project's pinned requirements resolve for the new Python: `uv pip compile` of each run-time requirements
file for that version. Pins frozen for an old Python often have no release for the new one, and the image
would not build; when the check cannot run (offline, no uv), the move is not proposed either: unsure,
keep the recipe's Python and say so.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from jettison.model.findings import Finding
from jettison.project.target import python_of_image

CHECK_TIMEOUT = 180  # seconds per requirements file


def new_python(finding: Finding) -> str | None:
    """The Python the finding's edit moves the base to (`FROM python:3.11-slim` -> "3.11")."""
    for edit in finding.fix.edits if finding.fix else ():
        words = edit.content.split()
        image = words[0] if words and words[0].upper() != "FROM" else (words[1] if len(words) > 1 else "")
        found = python_of_image(image) if image else None
        if found is not None:
            return found[0]
    return None


def _compile(uv: str, root: Path, rel: str, python: str) -> str | None:
    """None when `rel` resolves to wheels for `python` (what installs without a compiler), else why not."""
    command = [uv, "pip", "compile", rel, "--python-version", python, "--only-binary", ":all:", "--quiet",
               "--no-header", "--no-annotate", "--output-file", "-"]  # fmt: skip
    try:
        done = subprocess.run(command, cwd=root, capture_output=True, text=True, timeout=CHECK_TIMEOUT,
                              check=False)  # fmt: skip
    except (subprocess.TimeoutExpired, OSError) as error:
        return f"could not be checked ({error.__class__.__name__})"
    if done.returncode == 0:
        return None
    lines = [line.strip() for line in done.stderr.splitlines() if line.strip()]
    fallback = lines[-1] if lines else "?"
    return next((line for line in lines if "wheel" in line or "requires" in line), fallback)[:160]


def pins_block_move(
    root: Path, requirement_files: list[str], python: str, offline: bool, current: str | None = None
) -> str | None:
    """Why the requirements cannot move to `python` (or cannot be checked), or None when they can.

    Wheels are what tells: uv takes an upper bound of Requires-Python loosely (scipy 1.7.3, `<3.11`,
    resolves for 3.11 from its sdist, which then needs a Fortran compiler). A file that has wheels for the
    `current` Python and none for the new one blocks the move; one without wheels for either (psycopg2
    built by the recipe's own compiler) does not, since the recipe compiles it already."""
    files = [f for f in requirement_files if f.endswith(".txt") and (root / f).is_file()]
    if not files:
        return None  # nothing pinned in a requirements file: the recipe's own install decides
    uv = shutil.which("uv")
    if uv is None or offline:
        return "its pins could not be checked for that Python (" + ("offline" if offline else "no uv") + ")"
    for rel in files:
        why = _compile(uv, root, rel, python)
        if why is None:
            continue
        if current is not None and _compile(uv, root, rel, current) is not None:
            continue  # no wheels on the current Python either: the recipe compiles them today
        return f"{rel} has no wheels for Python {python} ({why})"
    return None
