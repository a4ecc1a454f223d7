"""What `jettison fix` would write: FixPlan, its FileChanges and the changes each rule made.

Planning writes nothing; jettison.fixer.write.apply writes a plan.
"""

from __future__ import annotations

import datetime
import difflib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from jettison.dockerfile.generate import ImageFacts
from jettison.model.audit import AuditOptions

# (project root, requirements file) -> the pruned requirements text (the template planner's hook).
PruneFunction = Callable[[Path, Path], str]


@dataclass(frozen=True)
class FixOptions:
    dockerfile: str = "Dockerfile"
    requirements: str | None = None  # template planner: the file to prune (None: the one installed)
    prune: PruneFunction | None = None  # template planner only
    today: datetime.date | None = None  # for the Python end-of-life check; tests fix it
    unsafe: bool = False  # editor: also apply the fixes marked unsafe (--unsafe-fixes)
    keep: frozenset[str] = frozenset()  # editor: distributions never pruned (verify restores them)
    trace: bool = False  # editor: keep what the app's start-up path imports (audit --trace)
    audit: AuditOptions | None = None  # editor: how the audit runs (None: AuditOptions())
    rules: tuple | None = None  # editor: the Dockerfile rules of later passes (None: all)  # type: ignore[type-arg]


@dataclass(frozen=True)
class FileChange:
    """One file of the plan: its old text (None when new) and new text."""

    path: Path
    relative: str
    old: str | None
    new: str
    executable: bool = False

    @property
    def changed(self) -> bool:
        return self.old != self.new

    @property
    def diff(self) -> str:
        old_lines = (self.old or "").splitlines(keepends=True)
        new_lines = self.new.splitlines(keepends=True)
        fromfile = f"a/{self.relative}" if self.old is not None else "/dev/null"
        lines = difflib.unified_diff(old_lines, new_lines, fromfile, f"b/{self.relative}")
        marker = "\n\\ No newline at end of file\n"
        return "".join(line if line.endswith("\n") else line + marker for line in lines)


@dataclass(frozen=True)
class AppliedFix:
    """One fix the plan makes: the rule, where (the line in the text it was applied to) and why."""

    rule: str
    path: str
    line: int | None
    description: str
    safe: bool = True

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{self.rule} {where}: {self.description}" + ("" if self.safe else " (unsafe)")


@dataclass(frozen=True)
class FixPlan:
    root: Path
    changes: tuple[FileChange, ...]
    notes: tuple[str, ...] = ()
    facts: ImageFacts = field(default_factory=ImageFacts)
    fixes: tuple[AppliedFix, ...] = ()
    passes: int = 0

    @property
    def pending(self) -> tuple[FileChange, ...]:
        return tuple(change for change in self.changes if change.changed)

    def diff(self) -> str:
        return "".join(change.diff for change in self.pending)

    def change_for(self, relative: str) -> FileChange | None:
        for change in self.changes:
            if change.relative == relative:
                return change
        return None
