"""`jettison demo`: the story's journey on the bundled example, in one command and one table.

A copy of examples/analytics-server (or --project) goes through what a user would run, in order:
`jettison audit`, `jettison fix --write` (the safe edits), `jettison build` on the distroless
`debian://bookworm` base, and the built image started and asked for GET /health. Each step prints a
progress line; the table at the end sets the story's hand-measured figures beside what this run measured.
Nothing here measures on its own: every figure comes from the library call a subcommand makes.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import click

from jettison.cli.common import EXIT_CLEAN, EXIT_FINDINGS, console

# The story's figures, measured by hand by the team (README, "The story"): the demo prints them as
# theirs, beside its own, and never mixes the two.
STORY = {
    "requirements": "97 -> 39",
    "installed": "2.8 GB -> 368 MB",
    "image": "3.71 GB naive; 1.28 GB pruned; 655 MB on python:3.8-slim-buster",
}
HEALTH = "/health"


@dataclass
class DemoRun:
    """What each step measured; a step that could not run says why in `skipped`."""

    declared: int = 0
    used: int = 0
    unused: int = 0
    installed_before: int | None = None
    installed_after: int | None = None
    dockerfile_findings: int = 0
    fixes: int = 0
    unsafe_note: str = ""
    image_size: int | None = None
    image_gzip: int | None = None
    layers: int = 0
    python_packages: int | None = None
    health: str = ""
    seconds: dict[str, float] = field(default_factory=dict)


def bundled_example() -> Path | None:
    """examples/analytics-server of the checkout jettison runs from (pip install -e .), if it is there."""
    candidate = Path(__file__).resolve().parents[3] / "examples" / "analytics-server"
    return candidate if (candidate / "Dockerfile").is_file() else None


def _mb(size: int | None) -> str:
    if size is None:
        return "unknown"
    return f"{size / 1e9:.2f} GB" if size >= 1e9 else f"{size / 1e6:.0f} MB"


@click.command(name="demo")
@click.option("--project", type=click.Path(file_okay=False, exists=True, path_type=Path), default=None,
              help="Run the journey on this project instead of the bundled example (it is copied first).")
@click.option("--base", default="debian://bookworm", show_default=True,
              help="The base `jettison build` uses.")
@click.option("--keep", is_flag=True, help="Keep the working copy and the built image archive.")
def command(project: Path | None, base: str, keep: bool) -> None:  # fmt: skip
    """The whole journey on the bundled example: audit, fix, build on a distroless base, serve /health."""
    err = console(stderr=True)
    source = project or bundled_example()
    if source is None:
        raise click.UsageError("the bundled example is not here (install jettison from its repository "
                               "with pip install -e .), or give --project PATH")  # fmt: skip
    work = Path(tempfile.mkdtemp(prefix="jettison-demo-"))
    run = DemoRun()
    try:
        copy = work / source.name
        shutil.copytree(source, copy, ignore=shutil.ignore_patterns("__pycache__", "*.jettison-bak"))
        err.print(f"[1/4] audit {copy}", markup=False)
        _audit(copy, run)
        err.print(f"      {run.declared} requirements: {run.used} kept, {run.unused} unused; installed "
                  f"{_mb(run.installed_before)} -> {_mb(run.installed_after)}; "
                  f"{run.dockerfile_findings} Dockerfile findings", markup=False)  # fmt: skip
        err.print("[2/4] fix --write (safe edits)", markup=False)
        _fix(copy, run)
        err.print(f"      {run.fixes} edits written{'; ' + run.unsafe_note if run.unsafe_note else ''}",
                  markup=False)  # fmt: skip
        archive = work / "image.tar"
        err.print(f"[3/4] build on {base}", markup=False)
        _build(copy, base, archive, run)
        size = f"{_mb(run.image_size)} ({_mb(run.image_gzip)} gzip), {run.layers} layers"
        err.print(f"      {size}", markup=False)
        err.print(f"[4/4] start the image, GET {HEALTH}", markup=False)
        _serve(archive, run)
        err.print(f"      {run.health}", markup=False)
    finally:
        if keep:
            err.print(f"kept {work}", markup=False)
        else:
            shutil.rmtree(work, ignore_errors=True)
    click.echo(_table(run, base))
    raise SystemExit(EXIT_CLEAN if run.health.startswith("200") or "nothing was run" in run.health
                     else EXIT_FINDINGS)  # fmt: skip


def _audit(root: Path, run: DemoRun) -> None:
    from jettison.audit import run_audit
    from jettison.model.requirements import Verdict

    started = time.perf_counter()
    report = run_audit(root)
    summary = report.requirements
    if summary is not None:
        run.declared = sum(len(summary.by_verdict(v)) for v in Verdict if v is not Verdict.MISSING)
        run.unused = len(summary.by_verdict(Verdict.UNUSED))
        run.used = run.declared - run.unused
        run.installed_before, run.installed_after = summary.size_before, summary.size_after
    run.dockerfile_findings = sum(1 for f in report.findings if f.rule.startswith(("JD", "JC")))
    run.seconds["audit"] = time.perf_counter() - started


def _fix(root: Path, run: DemoRun) -> None:
    from jettison.fixer import FixOptions, apply, plan_fix

    started = time.perf_counter()
    plan = plan_fix(root, FixOptions())
    apply(plan)
    run.fixes = len(plan.fixes)
    run.unsafe_note = next((n.split(":", 1)[0] for n in plan.notes if "unsafe fix(es) available" in n), "")
    run.seconds["fix"] = time.perf_counter() - started


def _build(root: Path, base: str, archive: Path, run: DemoRun) -> None:
    from jettison.builder import run_build
    from jettison.inspect.analysis import analyze
    from jettison.inspect.source import open_image_input

    started = time.perf_counter()
    run_build(root, base=base, outputs=[f"docker-archive:{archive}"])
    run.seconds["build"] = time.perf_counter() - started
    analysis = analyze(open_image_input(f"docker-archive:{archive}", None))
    run.image_size, run.image_gzip = analysis.layers_size, analysis.compressed_size
    run.layers = len(analysis.scan.layers)
    run.python_packages = len(analysis.python.distributions)


def _serve(archive: Path, run: DemoRun) -> None:
    from jettison.runtime.engine import find_engine
    from jettison.runtime.probes import Probe
    from jettison.runtime.verify import run_image

    engine = find_engine()
    if engine is None:
        run.health = "nothing was run: no Docker Engine here (start one, or run the image under runc)"
        return
    started = time.perf_counter()
    tag = f"jettison-demo:{int(time.time())}"
    try:
        image = engine.load(f"docker-archive:{archive}", tag)
        state, results = run_image(engine, image, {}, [Probe("http", HEALTH, "demo")], "demo")
        run.health = f"{results[0]} (Docker Engine; {state.detail})" if state.status == "up" else \
            f"{state.status}: {state.detail}"
    finally:
        engine.remove_image(tag)
    run.seconds["serve"] = time.perf_counter() - started


def _table(run: DemoRun, base: str) -> str:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="jettison demo: the story's figures (by hand) and this run's (measured)")
    table.add_column("step")
    table.add_column("the story, by hand")
    table.add_column("jettison, this run")
    table.add_row("requirements", STORY["requirements"], f"{run.declared} -> {run.used}")
    table.add_row("installed packages", STORY["installed"],
                  f"{_mb(run.installed_before)} -> {_mb(run.installed_after)} (index sizes)")  # fmt: skip
    edits = f"{run.dockerfile_findings} findings; {run.fixes} safe edits written"
    if run.unsafe_note:
        edits += f"; {run.unsafe_note}"
    table.add_row("Dockerfile", "hand-edited, bugs left", edits)
    image = f"{_mb(run.image_size)} ({_mb(run.image_gzip)} gzip), {run.layers} layers"
    table.add_row("image", STORY["image"], f"{image}, {run.python_packages} Python distributions, on {base}")
    table.add_row(f"GET {HEALTH}", "-", run.health)
    timing = ", ".join(f"{step} {seconds:.0f} s" for step, seconds in run.seconds.items())
    table.caption = f"time: {timing}"
    out = Console(width=140, record=True, force_terminal=False, emoji=False)
    with out.capture() as captured:
        out.print(table)
    return captured.get()
