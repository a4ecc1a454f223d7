"""`jettison diff A B`: distributions added, removed and changed; layers shared and new; bytes to pull."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
from rich.table import Table

from jettison.atomicfile import write_atomically
from jettison.cli.common import EXIT_CLEAN, console, user_errors_exit_2
from jettison.inspect.analysis import analysis_to_json, analyze
from jettison.inspect.diff import diff_reports
from jettison.inspect.saved import read_saved_report
from jettison.inspect.source import open_image_input
from jettison.report.html import render_diff_html


def _mb(value: int) -> str:
    return f"{value / 1_000_000:+,.1f} MB" if value else "0 MB"


def _report(reference: str) -> dict[str, Any]:
    """An image reference, or a saved `jettison inspect --format json` file (ending in .json)."""
    if reference.endswith(".json") and Path(reference).is_file():
        return read_saved_report(reference)
    return analysis_to_json(analyze(open_image_input(reference)))


def render_text(diff: dict[str, Any]) -> None:
    out = console()
    before, after = diff["before"], diff["after"]
    out.print(f"[bold]{before['reference']}[/bold] -> [bold]{after['reference']}[/bold]")
    out.print(
        f"size {before['size_bytes'] / 1e6:,.1f} MB -> {after['size_bytes'] / 1e6:,.1f} MB "
        f"({_mb(diff['size_delta'])}); "
        f"layers shared {len(diff['layers']['shared'])}, new {len(diff['layers']['new'])}; "
        f"a node holding the first pulls {diff['pull_bytes'] / 1e6:,.1f} MB"
    )
    dists = diff["distributions"]
    table = Table(title="Distributions", title_justify="left")
    for name, justify in (
        ("change", "left"),
        ("distribution", "left"),
        ("version", "left"),
        ("size", "right"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for item in dists["added"]:
        table.add_row("added", item["name"], item["version"], _mb(item["size_delta"]))
    for item in dists["removed"]:
        table.add_row("removed", item["name"], item["version"], _mb(item["size_delta"]))
    for item in dists["changed"]:
        table.add_row("changed", item["name"], f"{item['from']} -> {item['to']}", _mb(item["size_delta"]))
    out.print(table)


@click.command("diff")
@click.argument("before")
@click.argument("after")
@click.option(
    "--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.option(
    "--html", "html_path", type=click.Path(dir_okay=False, path_type=Path), help="Write the HTML report."
)
@user_errors_exit_2
def command(before: str, after: str, output_format: str, html_path: Path | None) -> None:
    """Compare image BEFORE with image AFTER (references, or saved `inspect --format json` files)."""
    diff = diff_reports(_report(before), _report(after))
    if html_path is not None:
        write_atomically(html_path, render_diff_html(diff), keep_backup=False)
    if output_format == "json":
        click.echo(json.dumps(diff, indent=2, sort_keys=True))
    else:
        render_text(diff)
    sys.exit(EXIT_CLEAN)
