"""`audit --trace`: the static verdicts beside the traced ones, and the verdict that follows from both.

Runs subprocesses through runtime/venv.py and runtime/trace.py (the runner is a parameter). The rule
that joins them keeps a distribution when either pass keeps it: the trace proves what start-up loads,
the static pass sees code paths start-up does not run.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jettison.audit import RULE_UNUSED
from jettison.deps.index import cache_dir
from jettison.deps.pipeline import RequirementsAudit, audit_requirements
from jettison.model.audit import AuditOptions, AuditReport
from jettison.model.requirements import Verdict
from jettison.project.config import load_config
from jettison.runtime.environment import app_environment
from jettison.runtime.process import Runner, run_bounded
from jettison.runtime.startup import startup_steps
from jettison.runtime.trace import STEP_TIMEOUT, TraceResult, run_trace
from jettison.runtime.venv import trace_environment

KEPT = (Verdict.USED, Verdict.OPTIONAL, Verdict.TRANSITIVE)


@dataclass(frozen=True)
class SideBySide:
    name: str
    static: str  # the static verdict
    traced: str  # used | transitive | not loaded
    verdict: str  # the joined verdict: what fix and build act on
    evidence: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {"distribution": self.name, "static": self.static, "traced": self.traced,
                "verdict": self.verdict, "evidence": list(self.evidence)}  # fmt: skip


@dataclass(frozen=True)
class TracedAudit:
    trace: TraceResult
    rows: tuple[SideBySide, ...]
    seconds: float

    def kept_by_trace(self) -> set[str]:
        """Declared distributions the static pass calls unused that the trace keeps."""
        return {
            row.name for row in self.rows if row.static == Verdict.UNUSED.value and row.verdict != "unused"
        }

    def to_json(self) -> dict[str, Any]:
        environment = self.trace.environment
        steps = [
            {"step": o.step.label, "status": o.status, "detail": o.detail, "seconds": round(o.seconds, 2)}
            for o in self.trace.outcomes
        ]
        return {
            "environment": str(environment.path), "reused_environment": environment.reused, "steps": steps,
            "distributions": [row.to_json() for row in self.rows], "seconds": round(self.seconds, 2),
        }  # fmt: skip


def join_verdicts(audit: RequirementsAudit, trace: TraceResult) -> list[SideBySide]:
    rows = []
    for verdict in audit.judgement.verdicts:
        if verdict.verdict is Verdict.MISSING:
            continue
        name = verdict.name
        if name in trace.evidence:
            traced, evidence = "used", tuple(trace.evidence[name])
        elif name in trace.transitive:
            traced, evidence = "transitive", (trace.transitive[name],)
        else:
            traced, evidence = "not loaded", ()
        if verdict.verdict in KEPT:
            joined = verdict.verdict.value
        elif traced != "not loaded":
            joined = traced
        else:
            joined = "unused"
        static_evidence = tuple(str(e) for e in verdict.evidence[:2])
        rows.append(SideBySide(name, verdict.verdict.value, traced, joined, evidence + static_evidence))
    return rows


def traced_audit(
    root: Path, audit: RequirementsAudit, cache: Path, extra_commands: tuple[str, ...] = (),
    env_file: Path | None = None, runner: Runner = run_bounded, timeout: float = STEP_TIMEOUT,
) -> TracedAudit:  # fmt: skip
    import time

    started = time.monotonic()
    config = load_config(root)
    configured = config.table.get("trace", [])
    configured = tuple(configured) if isinstance(configured, list) else ((configured,) if configured else ())
    files = sorted([*audit.files.python, *audit.files.other])
    steps = startup_steps(root, files, extra_commands=extra_commands, configured=configured)
    environment = trace_environment(audit.requirements, audit.target.python, cache, runner)
    app_env = app_environment(root, files, env_file=env_file)
    imported = frozenset(imported.name for facts in audit.scan.facts for imported in facts.imports)
    trace = run_trace(root, files, steps, environment, app_env.values, runner, timeout, imported)
    rows = join_verdicts(audit, trace)
    return TracedAudit(trace, tuple(rows), time.monotonic() - started)


def trace_project(
    root: Path, options: AuditOptions, extra_commands: tuple[str, ...] = (), env_file: Path | None = None,
    runner: Runner = run_bounded, timeout: float = STEP_TIMEOUT,
) -> TracedAudit:  # fmt: skip
    """The static audit of `root` and its trace, joined."""
    audit = audit_requirements(root, options)
    return traced_audit(root, audit, options.cache or cache_dir(), extra_commands, env_file, runner, timeout)


def with_trace(report: AuditReport, traced: TracedAudit) -> AuditReport:
    """The audit report without the "unused" findings the trace disproves."""
    kept = traced.kept_by_trace()
    findings = tuple(
        f for f in report.findings if not (f.rule == RULE_UNUSED and f.data.get("distribution") in kept)
    )
    return dataclasses.replace(report, findings=findings)
