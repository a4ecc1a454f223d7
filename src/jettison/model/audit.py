"""What `jettison audit` returns: findings from every analyzer plus the requirement summary."""

from __future__ import annotations

from dataclasses import dataclass, field

from jettison.model.findings import Finding, Severity
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
        return any(finding.severity >= threshold for finding in self.findings)
