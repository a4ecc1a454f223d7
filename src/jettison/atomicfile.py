"""Writing the user's files without ever losing one.

A rewrite goes to a temporary file in the same directory, is fsynced, and replaces the target with
os.replace (atomic on POSIX). The previous content is kept beside it as `NAME.jettison-bak` (or a
numbered variant when that exists), so no run of `jettison fix --write` can lose a user's file.

Temporary files are named `.NAME.jettison-XXXXXXXX.tmp` beside NAME, so that one killed before its
rename is recognisably jettison's and the next run removes it (sweep_staged); fixer/journal.py stages a
run's files under the same names.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

# `.NAME.jettison-TOKEN.tmp`: a file staged for NAME. Before this naming, mkstemp's `.NAME.XXXXXXXX.tmp`
# (eight of its characters), recognised only beside an existing NAME.
_STAGED = re.compile(r"^\.(?P<name>.+)\.jettison-[A-Za-z0-9_]+\.tmp$")
_OLD_STAGED = re.compile(r"^\.(?P<name>.+)\.[a-z0-9_]{8}\.tmp$")


def staged_path(path: Path, token: str) -> Path:
    """Where a new version of `path` waits for its rename (same directory: the rename is atomic)."""
    return path.with_name(f".{path.name}.jettison-{token}.tmp")


def staged_for(name: str) -> str | None:
    """The file name a staged temporary of ours is for, or None when `name` is not one."""
    match = _STAGED.match(name)
    return match.group("name") if match else None


def sweep_staged(directory: Path) -> list[Path]:
    """Remove the temporary files a killed write left in `directory` (not recursive); return them."""
    removed = []
    try:
        names = os.listdir(directory)
    except OSError:
        return removed
    present = set(names)
    for name in names:
        old = _OLD_STAGED.match(name)
        if staged_for(name) is None and not (old and old.group("name") in present):
            continue
        path = Path(directory) / name
        try:
            if path.is_file() and not path.is_symlink():
                path.unlink()
                removed.append(path)
        except OSError:
            continue  # not ours to insist on: a read-only directory keeps it
    return removed


def backup_path(path: Path) -> Path:
    candidate = path.with_name(path.name + ".jettison-bak")
    n = 1
    while candidate.exists():
        candidate = path.with_name(f"{path.name}.jettison-bak.{n}")
        n += 1
    return candidate


NEW_FILE_MODE = 0o644
NEW_SCRIPT_MODE = 0o755


def write_atomically(
    path: Path, content: str | bytes, *, keep_backup: bool = True, new_mode: int = NEW_FILE_MODE
) -> Path | None:
    """Replace `path` with `content` atomically; return where the old file was kept, if any.

    A replaced file keeps its mode; a new one gets `new_mode` (0644: mkstemp's 0600 would leave it
    unreadable to an image's non-root user)."""
    path = Path(path)
    data = content.encode() if isinstance(content, str) else content
    directory = path.parent if str(path.parent) else Path(".")
    directory.mkdir(parents=True, exist_ok=True)
    old_mode = None
    backup = None
    if path.exists():
        old_mode = path.stat().st_mode & 0o7777
        if keep_backup:
            backup = backup_path(path)
            # A hard link keeps the old bytes under the backup name without copying them.
            try:
                os.link(path, backup)
            except OSError:
                backup.write_bytes(path.read_bytes())
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.jettison-", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, old_mode if old_mode is not None else new_mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return backup
