"""`jettison fix PATH`: show (or with --write, apply) the edits the audit's fixes make to the project."""

from __future__ import annotations

from pathlib import Path

import click

from jettison.cli.common import EXIT_CLEAN, EXIT_FINDINGS, console, print_target, user_errors_exit_2
from jettison.dockerfile.python_target import project_target_python
from jettison.fixer import FixOptions, FixPlan, apply, plan_fix


@click.command(name="fix")
@click.argument("path", type=click.Path(file_okay=False, path_type=Path), default=".")
@click.option("--dockerfile", default="Dockerfile", show_default=True, help="The Dockerfile, in PATH.")
@click.option("--requirements", default=None,
              help="Without a Dockerfile: the requirements file the new one installs.")  # fmt: skip
@click.option("--write", is_flag=True, help="Apply the changes (the old files are kept as *.jettison-bak).")
@click.option("--dry-run", is_flag=True, help="Only show the diff (the default).")
@click.option(
    "--unsafe-fixes", is_flag=True, help="Also apply the fixes that may change the app's behaviour."
)
@click.option("--trace", is_flag=True, help="Keep what the app's start-up path imports (see audit --trace).")
@click.option("--target", default=None, help="For verify: the Dockerfile stage that is the image.")
@click.option("--no-verify", is_flag=True, envvar="JETTISON_NO_VERIFY",
              help="With --write: skip building and probing both images before writing.")  # fmt: skip
@user_errors_exit_2
def command(
    path: Path, dockerfile: str, requirements: str | None, write: bool, dry_run: bool,
    unsafe_fixes: bool = False, trace: bool = False, target: str | None = None, no_verify: bool = False,
) -> None:  # fmt: skip
    """Apply the audit's fixes as edits of the project's own files (a Dockerfile from a template only
    when the project has none)."""
    if write and dry_run:
        raise click.UsageError("--write and --dry-run exclude each other")
    options = FixOptions(dockerfile=dockerfile, requirements=requirements, unsafe=unsafe_fixes, trace=trace)
    plan = plan_fix(path, options)
    err = console(stderr=True)
    if write and plan.pending and not no_verify:
        plan = _verified(path, options, plan, target)
    if not plan.pending:
        err.print("jettison fix: nothing to change")
    elif write:
        for written, backup in apply(plan):
            kept = f" (old version kept as {backup.name})" if backup else " (new file)"
            err.print(f"wrote {written}{kept}", markup=False)
    else:
        click.echo(plan.diff(), nl=False)
    for fix in plan.fixes:
        err.print(str(fix), markup=False)
    for note in plan.notes:
        err.print(f"note: {note}", markup=False)
    print_target(project_target_python(path, dockerfile=dockerfile))
    raise SystemExit(EXIT_CLEAN)


def _verified(path: Path, options: FixOptions, plan: FixPlan, target: str | None = None) -> FixPlan:
    """The last step before writing: the fixed image must pass every probe the original passes."""
    from dataclasses import replace

    from jettison.cli.verify import render_verification
    from jettison.runtime.engine import find_engine
    from jettison.runtime.verify_project import verify_project

    engine = find_engine()
    result = verify_project(path, engine, options.dockerfile, trace=options.trace,
                            unsafe_fixes=options.unsafe, target=target)  # fmt: skip
    render_verification(result)
    if result.report.failed:
        console(stderr=True).print("jettison fix: nothing written", markup=False)
        raise SystemExit(EXIT_FINDINGS)
    if engine is not None and not result.report.proved:
        # A runtime was there and still nothing was shown (the original does not build or serve, or passes
        # no probe): writing would be advice nobody checked. Without any runtime, verify said so and the
        # user knows; here they would not.
        console(stderr=True).print("jettison fix: nothing written: nothing was verified (`jettison verify "
                                   "--env-file` gives the original what it needs; --no-verify writes the "
                                   "edits unchecked)", markup=False)  # fmt: skip
        raise SystemExit(EXIT_FINDINGS)
    if result.restored:
        return plan_fix(path, replace(options, keep=options.keep | frozenset(result.restored)))
    return plan
