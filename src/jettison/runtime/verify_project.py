"""`jettison verify PATH` end to end (runs containers through the engine given as a parameter): build the
project's original image and jettison's (`fix` applied to a copy, or an image `build` wrote), compare them
(runtime/verify.py), and when the new image fails with ModuleNotFoundError for a distribution the fix
pruned, put that distribution back, rebuild and compare again, saying so.

The new image is built from a copy with `jettison fix`'s edits applied (jettison.fixer.plan_fix with
`keep`: the distributions put back are never pruned again).
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from pathlib import Path

from jettison.deps.pipeline import audit_requirements
from jettison.errors import JettisonError
from jettison.model.audit import AuditOptions
from jettison.model.requirements import Verdict
from jettison.project.config import load_config
from jettison.project.sources import walk_project
from jettison.runtime.engine import DockerEngine
from jettison.runtime.environment import app_environment
from jettison.runtime.probes import Probe, declared_routes, health_probe
from jettison.runtime.startup import startup_steps
from jettison.runtime.verify import (
    START_TIMEOUT,
    ProbeRow,
    Started,
    VerifyReport,
    compare_images,
    copy_project,
    run_image,
    scratch_dir,
)

MAX_RESTORES = 3


def project_probes(root: Path, dockerfile: str = "Dockerfile") -> list[Probe]:
    files = walk_project(root, (), False)
    routes = declared_routes(root, files.python)
    try:
        text = (root / dockerfile).read_text(encoding="utf-8", errors="replace")
    except OSError:
        text = None
    configured = load_config(root).table.get("health")
    health = health_probe(root, routes, text, configured if isinstance(configured, str) else None)
    probes = ([health] if health else []) + [r for r in routes if r != health]
    all_files = sorted([*files.python, *files.other])
    for step in startup_steps(root, all_files, dockerfile):
        if step.kind == "command" and step.help:
            probes.append(Probe("command", step.argument, step.source))
    return probes


@dataclass
class ProjectVerification:
    report: VerifyReport
    restored: list[str] = field(default_factory=list)  # distributions put back after ModuleNotFoundError
    notes: list[str] = field(default_factory=list)


def _tag(root: Path, label: str) -> str:
    digest = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:12]
    return f"jettison-verify/{label}:{digest}"


def _build(engine: DockerEngine, context: Path, dockerfile: str, tag: str, target: str | None = None) -> str:
    built = engine.build(context, dockerfile, tag, target=target)
    if built.timed_out:
        raise JettisonError("docker build took too long", str(context / dockerfile))
    if not built.ok:
        raise JettisonError(f"docker build failed: {built.last_line()}", str(context / dockerfile))
    return tag


def _fixed_copy(
    root: Path, into: Path, dockerfile: str, keep: frozenset[str], trace: bool, unsafe: bool = False
) -> Path:
    """A copy of the project with `jettison fix`'s edits applied (the `keep` distributions never pruned)."""
    from jettison.fixer import FixOptions, apply, plan_fix

    copy = copy_project(root, into)
    apply(plan_fix(copy, FixOptions(dockerfile=dockerfile, keep=keep, trace=trace, unsafe=unsafe)),
          keep_backup=False)  # fmt: skip
    return copy


def _pruned_provider(root: Path, module: str) -> str | None:
    """The declared distribution providing `module` that the audit calls unused (so fix pruned it)."""
    audit = audit_requirements(root, AuditOptions())
    top = module.split(".")[0]
    for verdict in audit.judgement.verdicts:
        if verdict.verdict is Verdict.UNUSED and any(m.split(".")[0] == top for m in verdict.modules):
            return verdict.name
    return None


def _not_built(
    engine: DockerEngine, original: str, env: dict[str, str], probes: list[Probe], start_timeout: float,
    why: str,
) -> VerifyReport:  # fmt: skip
    began = time.monotonic()
    report = VerifyReport(True, new=Started("not built", why.splitlines()[0][:300], None))
    try:
        report.original, before = run_image(engine, original, env, probes, "original", start_timeout)
    finally:
        engine.remove_all()
    report.rows = [ProbeRow(probe, status, "not built") for probe, status in zip(probes, before, strict=True)]
    report.seconds = time.monotonic() - began
    return report


def verify_project(
    root: Path, engine: DockerEngine | None, dockerfile: str = "Dockerfile", new_image: str | None = None,
    original_image: str | None = None, env_file: Path | None = None, start_timeout: float = START_TIMEOUT,
    keep: frozenset[str] = frozenset(), trace: bool = False, unsafe_fixes: bool = False,
    target: str | None = None,
) -> ProjectVerification:  # fmt: skip
    """Compare the project's own image with jettison's; restore pruned distributions the new one misses."""
    root = Path(root).resolve()
    if engine is None:
        return ProjectVerification(VerifyReport(False, notes=["no container runtime found (Docker Engine)"]))
    files = walk_project(root, (), False)
    env = app_environment(root, sorted([*files.python, *files.other]), env_file=env_file).values
    probes = project_probes(root, dockerfile)
    result = ProjectVerification(VerifyReport(True))
    with scratch_dir() as scratch:
        try:
            original = original_image or _build(engine, root, dockerfile, _tag(root, "original"), target)
        except JettisonError as error:
            # Without the original's behaviour there is nothing to compare with: say so, never guess.
            return ProjectVerification(VerifyReport(False, notes=[f"the project's own image: {error}"]))
        original = (
            engine.load(original, _tag(root, "original-loaded"))
            if ":" in original and original.split(":")[0] in ("oci", "docker-archive")
            else original
        )
        for attempt in range(MAX_RESTORES + 1):
            if new_image is not None:
                new = engine.load(new_image, _tag(root, "new"))
            else:
                into = Path(scratch) / f"fixed{attempt}"
                copy = _fixed_copy(root, into, dockerfile, keep, trace, unsafe_fixes)
                try:
                    new = _build(engine, copy, dockerfile, _tag(root, "new"), target)
                except JettisonError as error:
                    # A verdict, not an error: the original is still run, so the table shows what is lost.
                    result.report = _not_built(engine, original, env, probes, start_timeout, str(error))
                    break
            report = compare_images(engine, original, new, env, probes, start_timeout)
            result.report = report
            if not report.failed or new_image is not None or attempt == MAX_RESTORES:
                break
            restore = [name for module in report.missing_modules if (name := _pruned_provider(root, module))]
            restore = [name for name in restore if name not in keep]
            if not restore:
                break
            keep = keep | frozenset(restore)
            result.restored += restore
            for name in restore:
                result.notes.append(
                    f"put {name} back (the new image failed with ModuleNotFoundError); rebuilt"
                )
    return result
