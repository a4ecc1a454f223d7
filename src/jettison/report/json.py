"""`--format json`: the audit report as a documented, versioned document (docs/json-schema.md).

The shape is described by report/audit.schema.json (JSON Schema 2020-12). Adding a field keeps
`schema_version`; renaming or removing one bumps it.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from jettison import __version__
from jettison.model.audit import AuditReport
from jettison.model.findings import Finding, Severity
from jettison.model.requirements import RequirementSummary, RequirementVerdict, Verdict

SCHEMA_VERSION = 1


def schema() -> dict[str, Any]:
    text = resources.files("jettison.report").joinpath("audit.schema.json").read_text(encoding="utf-8")
    return json.loads(text)


def finding_to_json(finding: Finding) -> dict[str, Any]:
    location = finding.location
    return {
        "rule": finding.rule,
        "severity": str(finding.severity),
        "message": finding.message,
        "location": None if location is None else _location(location.path, location.line, location.column,
                                                             location.end_line),
        "saving": None if finding.saving is None else {
            "megabytes": finding.saving.megabytes, "seconds": finding.saving.seconds,
        },
        "fix": None if finding.fix is None else {
            "description": finding.fix.description, "safe": finding.fix.safe,
            "edits": [
                {"path": edit.path, "line": edit.line, "column": edit.column, "end_line": edit.end_line,
                 "end_column": edit.end_column, "content": edit.content}
                for edit in finding.fix.edits
            ],
        },
        "url": finding.url,
        "data": _plain(finding.data),
    }  # fmt: skip


def _location(path: str, line: int | None, column: int | None, end_line: int | None) -> dict[str, Any]:
    return {"path": path, "line": line, "column": column, "end_line": end_line}


def verdict_to_json(verdict: RequirementVerdict) -> dict[str, Any]:
    return {
        "name": verdict.name,
        "verdict": verdict.verdict.value,
        "version": verdict.version,
        "size_bytes": verdict.size_bytes,
        "modules": list(verdict.modules),
        "mapping_source": verdict.mapping_source,
        "lines": [
            {"path": line.source.path, "line": line.source.line, "text": line.text} for line in verdict.lines
        ],
        "evidence": [
            {
                "kind": e.kind,
                "detail": e.detail,
                "rule": e.rule,
                "path": e.source.path if e.source else None,
                "line": e.source.line if e.source else None,
            }  # fmt: skip
            for e in verdict.evidence
        ],
    }


def summary_to_json(summary: RequirementSummary) -> dict[str, Any]:
    saved = None
    if summary.size_before is not None and summary.size_after is not None:
        saved = summary.size_before - summary.size_after
    return {
        "files": list(summary.files),
        "target": summary.target,
        "counts": summary.counts(),
        "installed_bytes_before": summary.size_before,
        "installed_bytes_after": summary.size_after,
        "installed_bytes_saved": saved,
        "unknown_sizes": list(summary.unknown_sizes),
        "unresolved": list(summary.unresolved),
        "distributions": [verdict_to_json(v) for v in summary.verdicts],
    }


def report_to_json(report: AuditReport, fail_on: Severity = Severity.WARNING) -> dict[str, Any]:
    by_severity = {str(s): sum(1 for f in report.findings if f.severity is s) for s in Severity}
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "jettison", "version": __version__},
        "root": report.root,
        "files_scanned": report.files_scanned,
        "mapping_chain": list(report.mapping_sources),
        "summary": {
            "findings": len(report.findings),
            "by_severity": by_severity,
            "failed": report.has_problems(fail_on),
        },
        "requirements": None if report.requirements is None else summary_to_json(report.requirements),
        "findings": [finding_to_json(f) for f in report.findings],
        "skipped_files": [{"path": s.path, "reason": s.reason} for s in report.skipped],
    }


def render_json(report: AuditReport, fail_on: Severity = Severity.WARNING) -> str:
    """`fail_on`: the severity that makes the audit fail (the CLI's exit status 1)."""
    return json.dumps(report_to_json(report, fail_on), indent=2, sort_keys=False) + "\n"


def _plain(value: Any) -> Any:
    """Finding.data may hold enums, paths, tuples: make it JSON."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [_plain(v) for v in value]
        return sorted(items, key=str) if isinstance(value, (set, frozenset)) else items
    if isinstance(value, (Verdict, Severity)):
        return str(value)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)
