"""SARIF 2.1.0 output for code scanning (GitHub, GitLab, Azure DevOps).

One run, tool driver `jettison`, one reportingDescriptor per rule that has findings (with its
summary, rationale and help link when the caller passes rule descriptions), one result per finding
with a physical location relative to %SRCROOT%, and the estimated saving as a result property.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jettison import __version__
from jettison.model.findings import Finding, Severity

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"

_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.STYLE: "note", Severity.INFO: "note"}


def _rule_descriptor(rule_id: str, findings: list[Finding], info: Mapping[str, Any] | None) -> dict[str, Any]:
    first = findings[0]
    info = info or {}
    severity = info.get("severity", first.severity)
    level = _LEVEL[Severity.parse(severity) if isinstance(severity, str) else Severity(severity)]
    descriptor: dict[str, Any] = {
        "id": rule_id,
        "shortDescription": {"text": info.get("summary") or first.message},
        "defaultConfiguration": {"level": level},
    }
    if info.get("name"):
        descriptor["name"] = info["name"]
    if info.get("rationale"):
        descriptor["fullDescription"] = {"text": info["rationale"]}
    url = info.get("url") or first.url
    if url:
        descriptor["helpUri"] = url
    return descriptor


def _result(finding: Finding, rule_index: int) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.rule,
        "ruleIndex": rule_index,
        "level": _LEVEL[finding.severity],
        "message": {"text": finding.message},
    }
    location = finding.location
    if location is not None:
        physical: dict[str, Any] = {
            "artifactLocation": {"uri": quote(Path(location.path).as_posix()), "uriBaseId": "%SRCROOT%"}
        }
        if location.line is not None and location.line >= 1:
            region: dict[str, Any] = {"startLine": location.line}
            if location.column is not None and location.column >= 1:
                region["startColumn"] = location.column
            if location.end_line is not None and location.end_line >= location.line:
                region["endLine"] = location.end_line
            physical["region"] = region
        result["locations"] = [{"physicalLocation": physical}]
    properties: dict[str, Any] = {}
    if finding.saving is not None:
        if finding.saving.megabytes is not None:
            properties["savingMegabytes"] = round(finding.saving.megabytes, 1)
        if finding.saving.seconds is not None:
            properties["savingSeconds"] = round(finding.saving.seconds, 1)
    if finding.fix is not None:
        properties["fix"] = {"description": finding.fix.description, "safe": finding.fix.safe}
    if finding.data:
        properties["data"] = json.loads(json.dumps(finding.data, default=str))
    if properties:
        result["properties"] = properties
    return result


def sarif_log(
    findings: Iterable[Finding],
    root: Path | None = None,
    rules: Mapping[str, Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    """The SARIF log as a dict. `rules` maps rule ids to {name, summary, rationale, url, severity}."""
    ordered = sorted(
        findings,
        key=lambda f: (
            f.location.path if f.location else "",
            f.location.line or 0 if f.location else 0,
            f.rule,
        ),
    )
    by_rule: dict[str, list[Finding]] = {}
    for finding in ordered:
        by_rule.setdefault(finding.rule, []).append(finding)
    rule_ids = sorted(by_rule)
    index = {rule_id: i for i, rule_id in enumerate(rule_ids)}
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "jettison",
                "version": __version__,
                "rules": [_rule_descriptor(r, by_rule[r], (rules or {}).get(r)) for r in rule_ids],
            }
        },
        "results": [_result(finding, index[finding.rule]) for finding in ordered],
        "columnKind": "unicodeCodePoints",
    }
    if root is not None:
        run["originalUriBaseIds"] = {"%SRCROOT%": {"uri": root.resolve().as_uri() + "/"}}
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def render_sarif(
    findings: Iterable[Finding],
    root: Path | None = None,
    rules: Mapping[str, Mapping[str, Any]] | None = None,
) -> str:
    return json.dumps(sarif_log(findings, root, rules), indent=2, sort_keys=False) + "\n"
