"""Writing a FixPlan: all its files or none (fixer/journal.py), the old ones kept as NAME.jettison-bak.

A replaced file keeps its mode; a new file is 0644, a new script (FileChange.executable) 0755.
"""

from __future__ import annotations

from pathlib import Path

from jettison.atomicfile import NEW_FILE_MODE, NEW_SCRIPT_MODE
from jettison.dockerfile.fixplan import FixPlan
from jettison.fixer.journal import NewFile, write_all


def apply(plan: FixPlan, *, keep_backup: bool = True) -> list[tuple[Path, Path | None]]:
    """Write the plan's changed files; return each path with where its old version was kept."""
    files = [
        NewFile(
            change.path,
            change.new.encode(),
            NEW_SCRIPT_MODE if change.executable else NEW_FILE_MODE,
            # The image runs the script: COPY keeps the mode, so it must be executable here.
            add_mode=0o111 if change.executable else 0,
        )
        for change in plan.pending
    ]
    backups = write_all(plan.root, files, keep_backup=keep_backup)
    return [(file.path, backup) for file, backup in zip(files, backups, strict=True)]
