"""`jettison audit PATH`: requirements (and, through audit.ANALYZERS, Dockerfile) findings for a project."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from jettison.audit import AuditOptions, run_audit
from jettison.cli.common import EXIT_CLEAN, EXIT_FINDINGS, console, print_target, user_errors_exit_2
from jettison.dockerfile.python_target import project_target_python
from jettison.dockerfile.rules import rule_descriptions
from jettison.project.config import load_config
from jettison.report.json import render_json
from jettison.report.sarif import render_sarif
from jettison.report.text import render_text


@click.command("audit")
@click.argument("path", type=click.Path(path_type=Path), default=Path("."))
@click.option(
    "--format", "output_format", type=click.Choice(["text", "json", "sarif"]), default="text",
    show_default=True, help="sarif: SARIF 2.1.0 for code scanning.",
)
@click.option(
    "--offline", is_flag=True, envvar="JETTISON_OFFLINE",
    help="Never use the network: installed metadata or the built-in table only ($JETTISON_OFFLINE=1).",
)
@click.option("--python", "python", type=click.Path(path_type=Path, dir_okay=False),
              help="An interpreter whose installed distributions map import names.")  # fmt: skip
@click.option("--target-python", default=None,
              help="Python version of the image (default: the Dockerfile's base, requires-python, "
              ".python-version, else 3.11).")  # fmt: skip
@click.option("--platform", default="linux/amd64", show_default=True, help="linux/amd64 or linux/arm64.")
@click.option("--exclude", multiple=True, metavar="GLOB", help="Skip paths matching GLOB (repeatable).")
@click.option(
    "--include-tests", is_flag=True, help="Count imports in tests too (they are skipped by default)."
)
@click.option("-v", "--verbose", is_flag=True, help="List used and transitive packages with their evidence.")
@click.option("--trace", is_flag=True, help="Also install the requirements in a throwaway environment (uv) "
              "and record what the app's start-up path imports; traced packages are kept.")  # fmt: skip
@click.option("--trace-cmd", multiple=True, metavar="CMD", help="Another command to trace (repeatable).")
@click.option("--env-file", type=click.Path(path_type=Path, dir_okay=False), help="Environment for --trace.")
@user_errors_exit_2
def command(
    path: Path, output_format: str, offline: bool, python: Path | None, target_python: str | None,
    platform: str, exclude: tuple[str, ...], include_tests: bool, verbose: bool, trace: bool = False,
    trace_cmd: tuple[str, ...] = (), env_file: Path | None = None,
) -> None:  # fmt: skip
    """Audit PATH: which requirements the service needs at run time, which it does not, what that costs."""
    target = project_target_python(path, explicit=target_python) if path.is_dir() else None
    options = AuditOptions(
        offline=offline, python=python, target_python=target.version if target else target_python,
        platform=platform, exclude=exclude, include_tests=include_tests,
    )  # fmt: skip
    report = run_audit(path, options)
    traced = None
    if trace or trace_cmd:
        from jettison.runtime.traced_audit import trace_project, with_trace

        traced = trace_project(path, options, trace_cmd, env_file)
        report = with_trace(report, traced)
    fail_on = load_config(path).fail_on
    if output_format == "json" and traced is not None:
        document = json.loads(render_json(report, fail_on))
        document["trace"] = traced.to_json()
        click.echo(json.dumps(document, indent=2))
    elif output_format == "json":
        click.echo(render_json(report, fail_on), nl=False)
    elif output_format == "sarif":
        click.echo(render_sarif(report.findings, path, rule_descriptions()), nl=False)
    else:
        render_text(report, console(), verbose, fail_on)
        if traced is not None:
            from jettison.report.trace import render_trace_text

            render_trace_text(traced, console(), verbose)
        if target is not None:  # JSON and SARIF carry it in the document
            print_target(target)
    sys.exit(EXIT_FINDINGS if report.has_problems(fail_on) else EXIT_CLEAN)
