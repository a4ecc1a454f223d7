"""Findings: what every analyzer returns and every reporter renders."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from jettison.model.edits import Edit


class Severity(enum.IntEnum):
    """Ordered so that thresholds compare: INFO < STYLE < WARNING < ERROR."""

    INFO = 1
    STYLE = 2
    WARNING = 3
    ERROR = 4

    @classmethod
    def parse(cls, text: str) -> Severity:
        return cls[text.strip().upper()]

    def __str__(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, order=True)
class Location:
    """Where a finding points: a file, optionally a line range and column (1-based)."""

    path: str
    line: int | None = None
    column: int | None = None
    end_line: int | None = None

    def __str__(self) -> str:
        if self.line is None:
            return self.path
        return f"{self.path}:{self.line}"


@dataclass(frozen=True)
class Saving:
    """What fixing a finding is estimated to save. Either figure may be unknown (None)."""

    megabytes: float | None = None
    seconds: float | None = None

    def __str__(self) -> str:
        parts = []
        if self.megabytes is not None:
            precision = ",.0f" if self.megabytes >= 10 else ".1f"
            parts.append(f"~{self.megabytes:{precision}} MB")
        if self.seconds is not None:
            parts.append(f"~{self.seconds:,.0f} s")
        return ", ".join(parts)


@dataclass(frozen=True)
class Fix:
    """A suggested change and the edits that make it (jettison.model.edits).

    `safe` fixes keep the app's behaviour and are applied by `jettison fix --write`; unsafe ones may
    change it and need `--unsafe-fixes`. A Fix without edits is advice only: fix shows it as a note.
    """

    description: str
    safe: bool = False
    edits: tuple[Edit, ...] = ()


@dataclass(frozen=True)
class Finding:
    """One problem found by one rule.

    `rule` is a stable id (e.g. `JT-DF-001` or `unused-requirement`); `data` carries rule-specific
    facts for JSON/SARIF output (the distribution, the string that proves a use, ...).
    """

    rule: str
    severity: Severity
    message: str
    location: Location | None = None
    saving: Saving | None = None
    fix: Fix | None = None
    url: str | None = None
    data: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


def reaches(findings: Iterable[Finding], threshold: Severity) -> bool:
    """The one failure rule (audit's and inspect's exit 1): some finding at or above `threshold`."""
    return any(finding.severity >= threshold for finding in findings)
