"""Writing a FixPlan: every changed file atomically, the old one kept as NAME.jettison-bak.

A replaced file keeps its mode; a new file is 0644, a new script (FileChange.executable) 0755.
"""

from __future__ import annotations

import os
from pathlib import Path

from jettison.atomicfile import NEW_FILE_MODE, NEW_SCRIPT_MODE, write_atomically
from jettison.dockerfile.fixplan import FixPlan


def apply(plan: FixPlan, *, keep_backup: bool = True) -> list[tuple[Path, Path | None]]:
    """Write the plan's changed files; return each path with where its old version was kept."""
    written = []
    for change in plan.pending:
        mode = NEW_SCRIPT_MODE if change.executable else NEW_FILE_MODE
        backup = write_atomically(change.path, change.new, keep_backup=keep_backup, new_mode=mode)
        if change.executable and change.old is not None:
            # The image runs the script: COPY keeps the mode, so it must be executable here.
            os.chmod(change.path, change.path.stat().st_mode | 0o111)
        written.append((change.path, backup))
    return written
