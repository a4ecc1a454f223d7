"""`jettison build PATH`: build the project's image without a daemon, reproducibly."""

from __future__ import annotations

import re
import time
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from jettison.cli.common import EXIT_CLEAN, console, print_target, user_errors_exit_2
from jettison.dockerfile.python_target import project_target_python


class RichProgress:
    """Bars on a terminal (resolve, download, layers, push); nothing but the notes when piped."""

    def __init__(self, err: Console) -> None:
        self._err = err
        self._live = err.is_terminal
        self._progress = Progress(
            SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
            console=err, transient=False, disable=not self._live,
        )  # fmt: skip
        self._tasks: dict[str, int] = {}
        self.notes: list[str] = []

    def __enter__(self) -> RichProgress:
        self._progress.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.__exit__(None, None, None)

    def start(self, task: str, total: int | None = None) -> None:
        self._tasks[task] = self._progress.add_task(task, total=total)

    def advance(self, task: str, amount: int = 1) -> None:
        if task in self._tasks:
            self._progress.advance(self._tasks[task], amount)

    def finish(self, task: str, detail: str = "") -> None:
        if task in self._tasks:
            task_id = self._tasks[task]
            total = self._progress.tasks[task_id].total or 1
            self._progress.update(task_id, completed=total, total=total,
                                  description=f"{task}: {detail}" if detail else task)  # fmt: skip

    def note(self, text: str) -> None:
        self.notes.append(text)


@click.command(name="build")
@click.argument("path", type=click.Path(file_okay=False, path_type=Path), default=".")
@click.option("--base", default=None, help="Base image: REF, oci:DIR[:TAG] or docker-archive:FILE "
              "(default python:<project version>-slim).")  # fmt: skip
@click.option("--platform", "platforms", default="", help="Comma-separated, e.g. linux/amd64,linux/arm64.")
@click.option("--output", "outputs", multiple=True, help="oci:DIR[:TAG] or docker-archive:FILE (repeatable).")
@click.option("--push", "push", default=None, help="Push the result to this registry reference.")
@click.option("--cache-repo", default=None, help="Registry repository holding shared dependency layers.")
@click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Local cache (default $JETTISON_CACHE_DIR or ~/.cache/jettison).")  # fmt: skip
@click.option("--compile/--no-compile", "compile_", default=False, show_default=True,
              help="Compile dependency bytecode (unchecked-hash .pyc; needs a host Python of that version).")
@click.option("--requirements", default=None, help="Requirements or lock file (default: the project's).")
@click.option("--prune/--no-prune", default=True, show_default=True, help="Drop requirements never imported.")
@click.option("--app", default=None, help="WSGI app MODULE:VARIABLE when the project has no Dockerfile.")
@click.option("--dockerfile", default="Dockerfile", show_default=True,
              help="The recipe, in PATH (PATH stays the build context, as with docker build -f).")
@click.option("--dep-layers", type=click.IntRange(1, 4), default=3, show_default=True,
              help="Most dependency layers (large packages apart from small ones).")
@click.option("--large-package-mb", type=float, default=8.0, show_default=True,
              help="Installed size from which a package counts as large.")
@click.option("--user", default=None, help="Numeric UID[:GID] to run as (default 65532:65532).")
@click.option("--compression", type=click.Choice(["gzip", "zstd"]), default="gzip", show_default=True)
@click.option("--index-url", default=None, help="Package index (default: uv's, i.e. PyPI or UV_INDEX_URL).")
@click.option("--find-links", multiple=True, help="Extra wheel directories or pages.")
@click.option("--no-index", is_flag=True, help="Only --find-links, no index.")
@click.option("--substitute/--no-substitute", default=True, show_default=True,
              help="Install psycopg2-binary where psycopg2 has no wheel for the target.")
@click.option("--refresh", is_flag=True, help="Resolve again even when the dependency layers are cached.")
@click.option("--no-verify", is_flag=True, envvar="JETTISON_NO_VERIFY",
              help="Skip starting the project's image and this one and comparing probes.")  # fmt: skip
@user_errors_exit_2
def command(
    path: Path, base: str | None, platforms: str, outputs: tuple[str, ...], push: str | None,
    cache_repo: str | None, cache_dir: Path | None, compile_: bool, requirements: str | None, prune: bool,
    app: str | None, dockerfile: str, dep_layers: int, large_package_mb: float, user: str | None,
    compression: str,
    index_url: str | None, find_links: tuple[str, ...], no_index: bool, substitute: bool, refresh: bool,
    no_verify: bool = False,
) -> None:  # fmt: skip
    """Build PATH's image (base | dependencies | source | gunicorn.conf.py) without a daemon, reproducibly."""
    from jettison.builder import run_build
    from jettison.builder.assemble import BuildOptions
    from jettison.builder.plan import DependencySplit
    from jettison.builder.wheels import IndexOptions

    if not outputs and not push:
        raise click.UsageError("give --output oci:DIR, --output docker-archive:FILE or --push REF")
    if user is not None and not re.fullmatch(r"[1-9][0-9]*(:[0-9]+)?", user):
        # Numeric and non-root, so runc and Kubernetes' runAsNonRoot can check it without /etc/passwd.
        raise click.BadParameter("a numeric non-root UID[:GID], e.g. 65532:65532", param_hint="--user")
    err = console(stderr=True)
    options = BuildOptions(
        compile_bytecode=compile_,
        split=DependencySplit(large_bytes=int(large_package_mb * 1024 * 1024), max_layers=dep_layers),
        index=IndexOptions(index_url, tuple(find_links), no_index),
        compression=compression,
        user=user,
        refresh=refresh,
        substitute_binaries=substitute,
    )
    started = time.perf_counter()
    with RichProgress(err) as progress:
        summary = run_build(
            path, base=base, platforms=[p for p in platforms.split(",") if p.strip()], outputs=list(outputs),
            push=push, cache_repo=cache_repo, cache_dir=cache_dir, options=options, requirements=requirements,
            prune=prune, app=app, progress=progress, dockerfile=dockerfile,
        )  # fmt: skip
    for note in progress.notes + summary.notes:
        err.print(f"note: {note}", markup=False)
    for line in summary.written:
        err.print(f"wrote {line}", markup=False)
    click.echo(summary.digest)
    err.print(f"built in {time.perf_counter() - started:.2f} s", markup=False)
    print_target(project_target_python(path, dockerfile=dockerfile))  # a base of another Python was noted
    if not no_verify and (path / dockerfile).is_file():
        raise SystemExit(_verify_output(path, outputs, dockerfile))
    raise SystemExit(EXIT_CLEAN)


def _verify_output(path: Path, outputs: tuple[str, ...], dockerfile: str = "Dockerfile") -> int:
    """The last step: the built image must pass every probe the project's own image passes."""
    from jettison.cli.common import EXIT_FINDINGS
    from jettison.cli.verify import render_verification
    from jettison.runtime.engine import find_engine
    from jettison.runtime.verify_project import verify_project

    local = [o for o in outputs if o.startswith(("oci:", "docker-archive:"))]
    if not local:
        console(stderr=True).print("note: nothing was verified: no local --output to start", markup=False)
        return EXIT_CLEAN
    engine = find_engine()
    result = verify_project(path, engine, dockerfile, new_image=local[0])
    render_verification(result)
    if result.report.failed:
        return EXIT_FINDINGS
    if engine is not None and not result.report.proved:
        err = console(stderr=True)
        err.print("note: the image was written, but nothing was verified, which is not a pass (see `jettison "
                  "verify --env-file` to give the original what it needs)", markup=False)  # fmt: skip
        return EXIT_FINDINGS
    return EXIT_CLEAN
