"""`jettison fix PATH`: show (or with --write, apply) the optimized image recipe for a project."""

from __future__ import annotations

from pathlib import Path

import click

from jettison.cli.common import EXIT_CLEAN, console, user_errors_exit_2
from jettison.fix import FixOptions, apply, plan_fix


@click.command(name="fix")
@click.argument("path", type=click.Path(file_okay=False, path_type=Path), default=".")
@click.option("--dockerfile", default="Dockerfile", show_default=True, help="Dockerfile to rewrite, in PATH.")
@click.option(
    "--requirements", default=None, help="Requirements file to prune, in PATH (default: the one installed)."
)
@click.option("--write", is_flag=True, help="Apply the changes (the old files are kept as *.jettison-bak).")
@click.option("--dry-run", is_flag=True, help="Only show the diff (the default).")
@user_errors_exit_2
def command(path: Path, dockerfile: str, requirements: str | None, write: bool, dry_run: bool) -> None:
    """Write an optimized Dockerfile, .dockerignore, gunicorn.conf.py and pruned requirements."""
    if write and dry_run:
        raise click.UsageError("--write and --dry-run exclude each other")
    plan = plan_fix(path, FixOptions(dockerfile=dockerfile, requirements=requirements))
    err = console(stderr=True)
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
