"""Finding a project's files: Python sources, and the command/config files string rules read.

The walk never follows symlinked directories (so a symlink loop cannot hang it), skips virtualenvs,
build output, caches and tests (tests do not run in the image), and whatever the user excludes with
glob patterns matched against the path relative to the root.
"""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_EXCLUDED_DIRS = frozenset({
    ".git", ".hg", ".svn", ".venv", "venv", ".direnv", "__pycache__", "node_modules", "build", "dist",
    ".tox", ".nox", ".mypy_cache", ".pytest_cache", ".ruff_cache", "site-packages", ".eggs",
    "tests", "test", "testing", ".ipynb_checkpoints", ".idea", ".vscode",
})  # fmt: skip
# Test modules import test tooling that never ships in the image.
DEFAULT_EXCLUDED_FILES = ("test_*.py", "*_test.py", "conftest.py", "noxfile.py", "setup.py")

# Files that name packages in strings: process commands, compose files, config files.
_COMMAND_FILE_NAMES = ("Dockerfile*", "*.Dockerfile", "*.dockerfile", "Containerfile*", "Procfile*",
                       "*.sh", "docker-compose*.y*ml", "compose*.y*ml", "supervisord*.conf", "*.ini",
                       "*.cfg", ".env*", "*.env", "*.yaml", "*.yml", "*.json", "app.json")  # fmt: skip
_NOT_CONFIG = ("package.json", "package-lock.json", "tsconfig.json", "*.ipynb")


@dataclass
class ProjectFiles:
    root: Path
    python: list[str] = field(default_factory=list)  # relative posix paths, sorted
    other: list[str] = field(default_factory=list)  # command/config files for string rules
    requirement_files: list[str] = field(default_factory=list)
    # Directories the walk could not list, with why: code in them may import anything.
    unreadable: list[tuple[str, str]] = field(default_factory=list)


def _is_venv(directory: str, names: list[str]) -> bool:
    return "pyvenv.cfg" in names or os.path.isfile(os.path.join(directory, "conda-meta", "history"))


def excluded(relative: str, patterns: tuple[str, ...]) -> bool:
    """A user pattern matches the relative path, any of its leading directories, or its name."""
    parts = relative.split("/")
    for pattern in patterns:
        pattern = pattern.rstrip("/")
        if fnmatch.fnmatch(relative, pattern) or fnmatch.fnmatch(parts[-1], pattern):
            return True
        for index in range(1, len(parts)):
            if fnmatch.fnmatch("/".join(parts[:index]), pattern):
                return True
    return False


def is_requirements_file(name: str) -> bool:
    return fnmatch.fnmatch(name, "requirements*.txt") or fnmatch.fnmatch(name, "requirements*.in")


def walk_project(root: Path, exclude: tuple[str, ...] = (), include_tests: bool = False) -> ProjectFiles:
    root = Path(root)
    files = ProjectFiles(root)
    excluded_dirs = DEFAULT_EXCLUDED_DIRS - ({"tests", "test", "testing"} if include_tests else set())
    excluded_files = () if include_tests else DEFAULT_EXCLUDED_FILES

    def unlisted(error: OSError) -> None:
        where = os.path.relpath(error.filename or root, root).replace(os.sep, "/")
        files.unreadable.append((where, f"cannot read directory: {error.strerror or error}"))

    for directory, dirnames, filenames in os.walk(root, onerror=unlisted, followlinks=False):
        rel_dir = os.path.relpath(directory, root)
        rel_dir = "" if rel_dir == "." else rel_dir.replace(os.sep, "/")
        keep = []
        for name in dirnames:
            rel = f"{rel_dir}/{name}" if rel_dir else name
            full = os.path.join(directory, name)
            if name in excluded_dirs or name.endswith(".egg-info") or os.path.islink(full):
                continue
            if excluded(rel, exclude):
                continue
            try:
                if _is_venv(full, os.listdir(full)):
                    continue
            except OSError:
                pass  # os.walk meets it again and reports it through `unlisted`
            keep.append(name)
        dirnames[:] = sorted(keep)
        for name in filenames:
            rel = f"{rel_dir}/{name}" if rel_dir else name
            full = os.path.join(directory, name)
            if not os.path.isfile(full) or excluded(rel, exclude):
                continue  # dangling symlinks, sockets, fifos
            if name.endswith(".py"):
                if any(fnmatch.fnmatch(name, pattern) for pattern in excluded_files):
                    continue
                files.python.append(rel)
            elif is_requirements_file(name) or (
                rel_dir.rsplit("/", 1)[-1] == "requirements" and name.endswith((".txt", ".in"))
            ):
                files.requirement_files.append(rel)
            elif any(fnmatch.fnmatch(name, p) for p in _COMMAND_FILE_NAMES) and not any(
                fnmatch.fnmatch(name, p) for p in _NOT_CONFIG
            ):
                files.other.append(rel)
    files.python.sort()
    files.other.sort()
    files.requirement_files.sort()
    return files


MAX_SOURCE_BYTES = 5 * 1024 * 1024


def read_source(path: Path) -> tuple[bytes | None, str | None]:
    """The bytes of a source file, or None and why it was skipped (too large, binary, unreadable)."""
    try:
        size = path.stat().st_size
        if size > MAX_SOURCE_BYTES:
            return None, f"larger than {MAX_SOURCE_BYTES // (1024 * 1024)} MB"
        data = path.read_bytes()
    except OSError as error:
        return None, f"cannot read: {error.strerror or error}"
    if b"\0" in data[:8192]:
        return None, "binary file"
    return data, None
