"""Writing the user's files without ever losing one.

A rewrite goes to a temporary file in the same directory, is fsynced, and replaces the target with
os.replace (atomic on POSIX). The previous content is kept beside it as `NAME.jettison-bak` (or a
numbered variant when that exists), so no run of `jettison fix --write` can lose a user's file.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


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
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
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
