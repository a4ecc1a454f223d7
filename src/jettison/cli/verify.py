"""`jettison verify PATH`: start the project's own image and jettison's, probe both, compare."""

from __future__ import annotations

import json
from pathlib import Path

import click

from jettison.cli.common import EXIT_CLEAN, EXIT_FINDINGS, console, user_errors_exit_2


@click.command(name="verify")
@click.argument("path", type=click.Path(file_okay=False, exists=True, path_type=Path), default=".")
@click.option(
    "--dockerfile", default="Dockerfile", show_default=True, help="The project's Dockerfile, in PATH."
)
@click.option(
    "--image",
    "new_image",
    default=None,
    help="jettison's image: REF, oci:DIR[:TAG] or docker-archive:FILE (default: fix applied to a copy).",
)
@click.option("--original-image", default=None, help="The original image (default: PATH's Dockerfile built).")
@click.option("--target", default=None, help="The Dockerfile stage that is the image (build --target).")
@click.option(
    "--env-file", type=click.Path(path_type=Path, dir_okay=False), help="Environment for both images."
)
@click.option(
    "--start-timeout", type=float, default=90.0, show_default=True, help="Seconds to wait for a port."
)
@click.option(
    "--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@user_errors_exit_2
def command(path: Path, dockerfile: str, new_image: str | None, original_image: str | None,
            target: str | None, env_file: Path | None, start_timeout: float,
            output_format: str) -> None:  # fmt: skip
    """Verify that jettison's image passes every probe PATH's own image passes."""
    from jettison.runtime.engine import find_engine
    from jettison.runtime.verify_project import verify_project

    result = verify_project(
        path, find_engine(), dockerfile, new_image, original_image, env_file, start_timeout, target=target
    )
    if output_format == "json":
        click.echo(json.dumps({**result.report.to_json(), "restored": result.restored}, indent=2))
    else:
        render_verification(result)
    raise SystemExit(EXIT_FINDINGS if result.report.failed else EXIT_CLEAN)


def render_verification(result: object) -> None:
    """The probe table and the one-line verdict, on stderr beside the other commands' notes."""
    from rich.table import Table

    report = result.report  # type: ignore[attr-defined]
    err = console(stderr=True)
    if report.verified:
        for label, started in (("original", report.original), ("new", report.new)):
            if started is not None:
                err.print(f"{label}: {started.status} — {started.detail}", markup=False)
        table = Table(title="verify")
        for column in ("probe", "original", "new"):
            table.add_column(column)
        for row in report.rows:
            table.add_row(str(row.probe), row.original, ("[red]" if row.failed else "") + row.new)
        err.print(table)
        for line in report.log_failures:
            err.print(f"new image log: {line}", markup=False)
    for note in result.notes:  # type: ignore[attr-defined]
        err.print(f"note: {note}", markup=False)
    err.print(report.verdict(), markup=False)
