"""`run_audit(path, options)`: every analyzer over one project, as one AuditReport.

The requirements audit is built in; other analyzers (Dockerfile rules, build context) plug in through
`ANALYZERS`: callables taking the project root and the options and returning findings. They run after
the requirements audit and their findings are appended in order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path

from jettison.deps.pipeline import audit_requirements
from jettison.deps.scan import line_from
from jettison.deps.verdicts import Judgement
from jettison.dockerfile.audit import dockerfile_findings
from jettison.dockerfile.python_target import project_target_python
from jettison.model.audit import AuditOptions, AuditReport, SkippedFile
from jettison.model.findings import Finding, Fix, Location, Saving, Severity
from jettison.model.requirements import RequirementVerdict, Verdict
from jettison.policy import apply_policy, policy_reader
from jettison.project.config import load_config

__all__ = ["ANALYZERS", "AuditOptions", "run_audit"]

Analyzer = Callable[[Path, AuditOptions], Iterable[Finding]]
# Further analyzers (Dockerfile rules, build context checks) register here.
ANALYZERS: list[Analyzer] = []

RULE_UNUSED = "JR101"
RULE_MISSING = "JR102"
RULE_OPTIONAL = "JR103"
RULE_SKIPPED_FILE = "JR104"
RULE_NO_METADATA = "JR105"
RULE_DEPENDENCY_ONLY = "JR106"


def run_audit(path: Path, options: AuditOptions | None = None) -> AuditReport:
    options = options or AuditOptions()
    root = Path(path)
    if options.target_python is None and root.is_dir():
        options = replace(options, target_python=project_target_python(root).version)
    audit = audit_requirements(root, options)
    findings = requirement_findings(audit.judgement, audit.scan.skipped, audit.resolver.problems)
    for analyzer in ANALYZERS:
        findings.extend(analyzer(root, options))
    # Dockerfile and build-context rules see which requirements are unused; then one policy pass
    # (pragmas, [tool.jettison] ignores and severity overrides) over every finding.
    config = load_config(root)
    unused = {f.data["distribution"]: f.data.get("size_bytes") for f in findings if f.rule == RULE_UNUSED}
    findings.extend(dockerfile_findings(root, config, unused))
    findings = apply_policy(findings, config, policy_reader(root))
    return AuditReport(
        str(root), tuple(findings), audit.summary, tuple(SkippedFile(p, r) for p, r in audit.scan.skipped),
        len(audit.files.python), tuple(audit.links),
    )  # fmt: skip


def _location(verdict: RequirementVerdict) -> Location | None:
    if verdict.lines:
        source = verdict.lines[0].source
        return Location(source.path, source.line)
    for evidence in verdict.evidence:
        if evidence.source is not None:
            return Location(evidence.source.path, evidence.source.line)
    return None


def _megabytes(size: int | None) -> float | None:
    return None if size is None else size / 1_000_000


def requirement_findings(
    judgement: Judgement, skipped: list[tuple[str, str]], problems: dict[str, str]
) -> list[Finding]:
    findings: list[Finding] = []
    for verdict in judgement.verdicts:
        data = {
            "distribution": verdict.name, "verdict": verdict.verdict.value, "version": verdict.version,
            "size_bytes": verdict.size_bytes, "mapping_source": verdict.mapping_source,
            "evidence": [str(e) for e in verdict.evidence],
        }  # fmt: skip
        if verdict.verdict is Verdict.UNUSED:
            shown = verdict.lines[0].text if verdict.lines else verdict.name
            # Every run-time line declaring it (requirements.txt and requirements/prod.txt): fix deletes
            # them all, or the package is still installed; development groups keep theirs.
            data["declared_at"] = [str(line.source) for line in verdict.lines if line.runtime]
            findings.append(Finding(
                RULE_UNUSED, Severity.WARNING,
                f"{shown} is not needed at run time: {verdict.reason}",
                _location(verdict), Saving(megabytes=_megabytes(verdict.size_bytes)),
                Fix(f"remove {verdict.name} from the requirements", safe=True), data=data,
            ))  # fmt: skip
        elif verdict.verdict is Verdict.MISSING:
            installed_anyway = any(e.kind == "required-by" for e in verdict.evidence)
            findings.append(Finding(
                RULE_DEPENDENCY_ONLY if installed_anyway else RULE_MISSING,
                Severity.WARNING if installed_anyway else Severity.ERROR,
                f"{verdict.name} is needed but not declared: {verdict.reason}"
                + ("; it is installed only as another package's dependency" if installed_anyway else ""),
                _location(verdict), fix=Fix(f"add {verdict.name} to the requirements"), data=data,
            ))  # fmt: skip
        elif verdict.verdict is Verdict.OPTIONAL:
            findings.append(Finding(
                RULE_OPTIONAL, Severity.INFO,
                f"{verdict.name} is imported only behind try/except ImportError: kept; {verdict.reason}",
                _location(verdict), data=data,
            ))  # fmt: skip
    newer = [(path, reason) for path, reason in skipped if reason.startswith("could not parse for")]
    if newer:  # one finding for all of them: the same cause, the same consequence
        first_path, first_reason = newer[0]
        others = f" and {len(newer) - 1} more file(s)" if len(newer) > 1 else ""
        findings.append(Finding(
            RULE_SKIPPED_FILE, Severity.INFO,
            f"{first_reason}{others}: their import lines were read one by one and the packages they name "
            "are kept",
            Location(first_path, None), data={"files": [path for path, _ in newer]},
        ))  # fmt: skip
    unsure = sorted(v.name for v in judgement.verdicts if v.verdict is Verdict.UNSURE)
    kept = (
        f", so no requirement is pruned: {len(unsure)} kept unsure ({_first_names(unsure)})" if unsure else ""
    )
    for path, reason in skipped:
        if reason.startswith("could not parse for"):
            continue
        findings.append(Finding(
            RULE_SKIPPED_FILE, Severity.WARNING, f"skipped: {reason}; its imports are unknown{kept}",
            Location(path, line_from(reason)), data={"kept_unsure": unsure},
        ))  # fmt: skip
    for name in judgement.unresolved:
        why = problems.get(name)
        findings.append(Finding(
            RULE_NO_METADATA, Severity.INFO,
            f"no dependency metadata for {name}" + (f" ({why})" if why else "")
            + ": packages only it requires may be reported unused",
            data={"distribution": name},
        ))  # fmt: skip
    return findings


def _first_names(names: list[str], shown: int = 4) -> str:
    return ", ".join(names[:shown]) + (", ..." if len(names) > shown else "")
