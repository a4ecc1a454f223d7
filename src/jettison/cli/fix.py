"""`jettison fix PATH`: show (or with --write, apply) the optimized image recipe for a project."""

from __future__ import annotations

from pathlib import Path

import click

from jettison.cli.common import EXIT_CLEAN, EXIT_FINDINGS, console, user_errors_exit_2
from jettison.fix import FixOptions, apply, plan_fix


@click.command(name="fix")
@click.argument("path", type=click.Path(file_okay=False, path_type=Path), default=".")
@click.option("--dockerfile", default="Dockerfile", show_default=True, help="Dockerfile to rewrite, in PATH.")
@click.option(
    "--requirements", default=None, help="Requirements file to prune, in PATH (default: the one installed)."
)
@click.option("--write", is_flag=True, help="Apply the changes (the old files are kept as *.jettison-bak).")
@click.option("--dry-run", is_flag=True, help="Only show the diff (the default).")
@click.option("--trace", is_flag=True, help="Keep what the app's start-up path imports (see audit --trace).")
@click.option("--no-verify", is_flag=True, envvar="JETTISON_NO_VERIFY",
              help="With --write: skip building and probing both images before writing.")  # fmt: skip
@user_errors_exit_2
def command(
    path: Path, dockerfile: str, requirements: str | None, write: bool, dry_run: bool, trace: bool = False,
    no_verify: bool = False,
) -> None:  # fmt: skip
    """Write an optimized Dockerfile, .dockerignore, gunicorn.conf.py and pruned requirements."""
    if write and dry_run:
        raise click.UsageError("--write and --dry-run exclude each other")
    prune = None
    if trace:
        from jettison.runtime.verify_project import prune_keeping

        prune = prune_keeping(trace=True)
    plan = plan_fix(path, FixOptions(dockerfile=dockerfile, requirements=requirements, prune=prune))
    err = console(stderr=True)
    if write and plan.pending and not no_verify:
        plan = _verified(path, dockerfile, requirements, trace, plan)
    if not plan.pending:
        err.print("jettison fix: nothing to change")
    elif write:
        for written, backup in apply(plan):
            kept = f" (old version kept as {backup.name})" if backup else ""
            err.print(f"wrote {written}{kept}")
    else:
        click.echo(plan.diff(), nl=False)
    for note in plan.notes:
        err.print(f"note: {note}", markup=False)
    raise SystemExit(EXIT_CLEAN)


def _verified(path: Path, dockerfile: str, requirements: str | None, trace: bool, plan: object) -> object:
    """The last step before writing: jettison's image must pass every probe the original passes."""
    from jettison.cli.verify import render_verification
    from jettison.runtime.engine import find_engine
    from jettison.runtime.verify_project import prune_keeping, verify_project

    result = verify_project(path, find_engine(), dockerfile, trace=trace)
    render_verification(result)
    if result.report.failed:
        console(stderr=True).print("jettison fix: nothing written", markup=False)
        raise SystemExit(EXIT_FINDINGS)
    if result.restored:
        prune = prune_keeping(frozenset(result.restored), trace=trace)
        return plan_fix(path, FixOptions(dockerfile=dockerfile, requirements=requirements, prune=prune))
    return plan
