"""`jettison inspect IMAGE`: sizes, dive's figures, Python distributions, waste and secrets; CI budgets."""

from __future__ import annotations

import dataclasses
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import click
from rich.table import Table

from jettison.atomicfile import write_atomically
from jettison.cli.common import EXIT_CLEAN, EXIT_FINDINGS, console, user_errors_exit_2
from jettison.inspect.analysis import Analysis, analysis_to_json, analyze
from jettison.inspect.budgets import (
    Budgets,
    broken_budgets,
    config_budgets,
    parse_fraction,
    parse_size,
)
from jettison.inspect.secrets import image_secret_scanner
from jettison.inspect.source import open_image_input
from jettison.policy import apply_policy, exit_status
from jettison.project.config import JettisonConfig, load_config
from jettison.report.html import render_inspect_html

MB = 1_000_000


def _mb(value: int) -> str:
    return f"{value / MB:,.1f} MB"


def render_text(report: dict[str, Any], top: int = 20) -> None:
    out = console()
    image, eff = report["image"], report["efficiency"]
    out.print(f"[bold]{image['reference']}[/bold]")
    out.print(
        f"size {_mb(image['layers_size_bytes'])} ({_mb(image['compressed_size_bytes'])} compressed) in "
        f"{len(report['layers'])} layers; efficiency {eff['score']:.2%}, wasted {_mb(eff['wasted_bytes'])}, "
        f"user-wasted {eff['user_wasted_percent']:.2%}"
    )
    for item in eff["top_wasted"][:5]:
        if item["cumulative_bytes"]:
            out.print(
                f"  wasted: {item['path']} in {item['count']} layers, {_mb(item['cumulative_bytes'])}",
                markup=False,
            )
    layers = Table(title="Layers", title_justify="left")
    for name, justify in (
        ("#", "right"),
        ("size", "right"),
        ("compressed", "right"),
        ("files", "right"),
        ("created by", "left"),
    ):
        layers.add_column(name, justify=justify)  # type: ignore[arg-type]
    for layer in report["layers"]:
        layers.add_row(
            str(layer["index"]),
            _mb(layer["size_bytes"]),
            _mb(layer["compressed_bytes"]),
            str(layer["files"]),
            layer["created_by"][:90],
        )
    out.print(layers)
    dists = report["python"]["distributions"]
    if dists:
        table = Table(
            title=f"Python distributions ({len(dists)}, largest {min(top, len(dists))})", title_justify="left"
        )
        for name, justify in (
            ("distribution", "left"),
            ("version", "left"),
            ("size", "right"),
            ("files", "right"),
        ):
            table.add_column(name, justify=justify)  # type: ignore[arg-type]
        for dist in dists[:top]:
            table.add_row(dist["name"], dist["version"], _mb(dist["size_bytes"]), str(dist["files"]))
        out.print(table)
    unclaimed = report["python"]["unclaimed"]
    if unclaimed:
        total = sum(item["size_bytes"] for item in unclaimed)
        out.print(f"site-packages files no RECORD lists: {_mb(total)} in {len(unclaimed)} top-level names")
    for finding in report["findings"]:
        saving = f" (saves {_mb(finding['saving_bytes'])})" if finding["saving_bytes"] else ""
        out.print(f"{finding['rule']} {finding['severity']}: {finding['message']}{saving}", markup=False)


def image_policy(analysis: Analysis, config: JettisonConfig) -> Analysis:
    """The analysis with the project's policy applied to its findings by jettison.policy's one pass,
    as `jettison audit` applies it: `ignore` ids dropped, `severity` overrides set. Findings point into
    the image, not at project files, so neither pragmas nor the audit's `exclude` globs apply."""
    kept = apply_policy(analysis.findings, dataclasses.replace(config, exclude=()), lambda _path: None)
    return dataclasses.replace(analysis, findings=tuple(kept))


def failing_findings(analysis: Analysis, config: JettisonConfig) -> list[str]:
    """Rule ids (with counts) of the findings at or above `fail-on`; empty when none fails."""
    if not exit_status(analysis.findings, config):
        return []
    counts = Counter(f.rule for f in analysis.findings if f.severity >= config.fail_on)
    return [f"{rule} ({count})" if count > 1 else rule for rule, count in sorted(counts.items())]


@click.command("inspect")
@click.argument("image")
@click.option(
    "--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.option(
    "--html", "html_path", type=click.Path(dir_okay=False, path_type=Path), help="Write the HTML report."
)
@click.option("--max-size", help="Budget: largest image size (sum of layers), e.g. 400MB.")
@click.option("--min-efficiency", help="Budget: lowest dive efficiency score, e.g. 95% or 0.95.")
@click.option("--max-wasted", help="Budget: most dive wasted bytes, e.g. 20MB.")
@click.option("--max-package", help="Budget: largest Python distribution, e.g. 80MB.")
@click.option(
    "--project",
    "project_root",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Project whose [tool.jettison] applies: budgets, ignore, severity, fail-on (pyproject.toml or "
    "jettison.toml).",
)
@click.option("--platform", help="From an index, the image for this platform (default: this host's).")
@user_errors_exit_2
def command(
    image: str,
    output_format: str,
    html_path: Path | None,
    max_size: str | None,
    min_efficiency: str | None,
    max_wasted: str | None,
    max_package: str | None,
    project_root: Path,
    platform: str | None,
) -> None:
    """Analyse IMAGE (oci:DIR[:tag], docker-archive:FILE, or a registry reference), streaming its layers."""
    config = load_config(project_root)
    budgets = config_budgets(config, str(project_root)).merged_with(
        Budgets(
            max_size=parse_size(max_size, "--max-size") if max_size else None,
            min_efficiency=parse_fraction(min_efficiency, "--min-efficiency") if min_efficiency else None,
            max_wasted=parse_size(max_wasted, "--max-wasted") if max_wasted else None,
            max_package=parse_size(max_package, "--max-package") if max_package else None,
        )
    )
    analysis = analyze(open_image_input(image, platform), secret_scanner=image_secret_scanner())
    analysis = image_policy(analysis, config)
    report = analysis_to_json(analysis)
    if html_path is not None:
        write_atomically(html_path, render_inspect_html(report), keep_backup=False)
    if output_format == "json":
        click.echo(json.dumps(report, indent=2, sort_keys=True))
    else:
        render_text(report)
    # As `jettison audit`: findings at or above fail-on exit 1; so does a broken budget. Either way the
    # reasons go to stderr on one line, so a CI log shows why even under --format json.
    reasons = [f"budget broken: {reason}" for reason in broken_budgets(analysis, budgets)]
    failing = failing_findings(analysis, config)
    if failing:
        reasons.append(f"findings at or above {config.fail_on}: {', '.join(failing)}")
    if reasons:
        click.echo(f"jettison: {'; '.join(reasons)}", err=True)
        sys.exit(EXIT_FINDINGS)
    sys.exit(EXIT_CLEAN)
