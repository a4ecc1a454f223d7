"""What `jettison audit` returns: findings from every analyzer plus the requirement summary."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from jettison.model.findings import Finding, Severity, reaches
from jettison.model.requirements import RequirementSummary


@dataclass(frozen=True)
class SkippedFile:
    path: str
    reason: str


@dataclass(frozen=True)
class AuditReport:
    root: str
    findings: tuple[Finding, ...] = ()
    requirements: RequirementSummary | None = None
    skipped: tuple[SkippedFile, ...] = ()
    files_scanned: int = 0
    mapping_sources: tuple[str, ...] = field(default=())  # links of the name-resolution chain used

    def has_problems(self, threshold: Severity = Severity.WARNING) -> bool:
        """Findings at or above `threshold` make the audit fail (exit 1)."""
        return reaches(self.findings, threshold)


def _offline_default() -> bool:
    return os.environ.get("JETTISON_OFFLINE", "") not in ("", "0")


@dataclass(frozen=True)
class AuditOptions:
    """How to audit. `offline` defaults to $JETTISON_OFFLINE (set it in CI without network)."""

    offline: bool = field(default_factory=_offline_default)
    python: Path | None = None  # an interpreter whose installed distributions answer name lookups
    target_python: str | None = None  # None: the project's (jettison.project.target)
    platform: str = "linux/amd64"
    exclude: tuple[str, ...] = ()
    include_tests: bool = False
    cache: Path | None = None  # None: $JETTISON_CACHE_DIR or ~/.cache/jettison
    index_url: str = "https://pypi.org/simple"
