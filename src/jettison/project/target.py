"""The one target Python of a project: the version audit, fix and build all work for.

The chain, first answer wins, each answer naming where it came from:

    explicit flag (--target-python)
    > the final stage's base image tag   python:3.14.5-slim-trixie -> 3.14; python:slim, python:latest
                                          -> the newest Python this jettison knows (NEWEST_PYTHON), named
    > requires-python in pyproject.toml  the oldest known version it admits that upstream still supports
    > .python-version                    3.12, 3.12.1, cpython-3.12
    > DEFAULT_PYTHON

The base image reference is handed in by the caller (jettison.dockerfile.python_target reads it from the
one semantic model of the Dockerfile), so this module stays pure apart from reading pyproject.toml and
.python-version.

For the Dockerfile rules (H1's JD101 and the fixer): `never_lowers(base_image, proposed)` says whether
rewriting a base to `python:<proposed>...` keeps the recipe's Python; a fix must not lower it
(`python:slim` is the newest Python, never 3.11). `python_of_image(ref)` is the one reader of the
Python a base image tag names.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from pathlib import Path

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import Version

from jettison.errors import JettisonError
from jettison.model.image_names import parse_image
from jettison.model.pythons import KNOWN_PYTHONS, NEWEST_PYTHON, PYTHON_END_OF_LIFE, version_key
from jettison.project.pyproject import load_toml

DEFAULT_PYTHON = "3.11"

# End of upstream support (https://devguide.python.org/versions/, PEP 602: five years). The newest key
# is the newest Python this jettison knows: what `python:slim` and `python:latest` run.

_VERSION_TAG = re.compile(r"^(?:python-?)?(\d+)\.(\d+)(?:[.\w+-]*)?$")
_EMBEDDED = re.compile(r"(?:^|[-_])python-?(\d+)\.(\d+)(?:$|[.\-_])")  # uv:python3.12-bookworm-slim


@dataclass(frozen=True)
class TargetPython:
    """A minor version ("3.14") and the sentence saying which link of the chain decided it."""

    version: str
    source: str

    def __str__(self) -> str:
        return f"Python {self.version} ({self.source})"


def python_of_image(reference: str) -> tuple[str, bool] | None:
    """(minor version, named by the tag) for a base image; None when the image names no Python.

    `python:3.14.5-slim-trixie` -> ("3.14", True); `python:slim`, `python:latest`, `python` ->
    (NEWEST_PYTHON, False); `ghcr.io/astral-sh/uv:python3.12-bookworm-slim` -> ("3.12", True).
    """
    image = parse_image(reference)
    tag = image.tag
    if image.is_python:
        if tag is None or not tag[0].isdigit():
            return NEWEST_PYTHON, False  # slim, latest, alpine, bookworm...: the newest release
        if re.match(r"^3(?:-|$)", tag):  # `python:3-slim`: the newest 3.x
            return NEWEST_PYTHON, False
        match = _VERSION_TAG.match(tag)
        if match is None:
            return None
        return f"{match.group(1)}.{match.group(2)}", True
    if tag and (match := _EMBEDDED.search(tag)):
        return f"{match.group(1)}.{match.group(2)}", True
    return None


def never_lowers(base_image: str, proposed: str) -> bool:
    """True when moving `base_image` to Python `proposed` keeps or raises the recipe's Python.

    A base whose Python cannot be read is never moved (False): a fix cannot know what it would lower.
    """
    current = python_of_image(base_image)
    if current is None:
        return False
    return version_key(proposed) >= version_key(current[0])


def _from_requires_python(spec_text: str, today: datetime.date) -> str | None:
    try:
        spec = SpecifierSet(spec_text)
    except InvalidSpecifier:
        return None
    # Each known minor version is tested by its first release: `<3.14` excludes 3.14.
    admitted = [v for v in KNOWN_PYTHONS if spec.contains(Version(f"{v}.0"), prereleases=True)]
    if not admitted:
        return None
    supported = [v for v in admitted if PYTHON_END_OF_LIFE[v] > today]
    return supported[0] if supported else admitted[-1]


def _python_version_file(text: str) -> str | None:
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        match = re.match(r"^(?:cpython-|python-?)?(\d+)\.(\d+)", line)
        return f"{match.group(1)}.{match.group(2)}" if match else None
    return None


def check_version(text: str, where: str = "--target-python") -> str:
    """A minor version ("3.11") from user input, or a JettisonError naming `where`."""
    match = re.fullmatch(r"\s*(\d+)\.(\d+)(?:\.\d+)?\s*", text)
    if match is None:
        raise JettisonError(f"{where} must look like 3.11, got {text!r}")
    return f"{match.group(1)}.{match.group(2)}"


def resolve_target_python(
    root: Path,
    *,
    explicit: str | None = None,
    base_image: str | None = None,
    base_where: str | None = None,
    today: datetime.date | None = None,
) -> TargetPython:
    """The chain above. `base_image` is the final stage's (expanded) root image, `base_where` its
    `Dockerfile:LINE`; `today` decides which versions requires-python still has supported."""
    if explicit:
        return TargetPython(check_version(explicit), "--target-python")
    if base_image:
        found = python_of_image(base_image)
        where = f"{base_where} " if base_where else ""
        if found is not None:
            version, named = found
            if named:
                return TargetPython(version, f"{where}FROM {base_image}")
            return TargetPython(
                version, f"{where}FROM {base_image}: the newest Python this jettison knows"
            )
    root = Path(root)
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        data = load_toml(pyproject, "pyproject.toml")
        requires = data.get("project", {}).get("requires-python")
        if not isinstance(requires, str):
            poetry_python = data.get("tool", {}).get("poetry", {}).get("dependencies", {}).get("python")
            requires = _poetry_python(poetry_python) if isinstance(poetry_python, str) else None
        if isinstance(requires, str):
            version = _from_requires_python(requires, today or datetime.date.today())
            if version is not None:
                return TargetPython(version, f"pyproject.toml requires-python {requires.strip()!r}")
    version_file = root / ".python-version"
    if version_file.is_file():
        try:
            version = _python_version_file(version_file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            version = None
        if version is not None:
            return TargetPython(version, ".python-version")
    return TargetPython(DEFAULT_PYTHON, "default: nothing in the project names a Python")


def _poetry_python(constraint: str) -> str | None:
    """Poetry's `^3.11` / `~3.11` / `>=3.10,<4` as a PEP 440 specifier (lower bound is what matters)."""
    text = constraint.strip()
    match = re.fullmatch(r"[\^~]=?\s*(\d+\.\d+)(?:\.\d+)?", text)
    if match:
        return f">={match.group(1)}"
    return text if re.fullmatch(r"[<>=!~\d.,\s*]+", text) else None
