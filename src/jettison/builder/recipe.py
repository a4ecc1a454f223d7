"""What to build from a project directory: the same image the Dockerfile `jettison fix` writes.

With a Dockerfile and a planner (the CLI hands in `jettison.fix.plan_fix`, which sits beside this
package, not below it), the project is read through the fix plan (nothing is written): its
pruned requirements, generated gunicorn.conf.py, .dockerignore and run-time facts (port, workdir, ENV,
LABEL, EXPOSE, an entrypoint script) are exactly what the fixed Dockerfile would use, so `jettison
build` and `docker build` of the fixed recipe give equivalent images. Without one, the project's
requirements.txt (or a lock file) and a gunicorn.conf.py generated for `--app` are used.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement

from jettison.builder.plan import RuntimeSettings
from jettison.dockerfile.fixplan import FixOptions
from jettison.dockerfile.template import plan_template
from jettison.errors import JettisonError
from jettison.gunicorn.config import GunicornDefaults, render_gunicorn_conf
from jettison.model.requirements import normalize_name
from jettison.project.app_module import guess_app_module
from jettison.project.dockerignore import DockerIgnore, context_files

# Left out of the app layer when the project has no .dockerignore (Docker would send them).
_DEFAULT_IGNORE = (
    ".git", ".hg", ".venv", "venv", "**/__pycache__", "**/*.py[cod]", ".pytest_cache", ".mypy_cache",
    ".ruff_cache", ".tox", "*.egg-info", "Dockerfile*", ".dockerignore", ".env", "*.jettison-bak*",
)  # fmt: skip
PruneFunction = Callable[[Path, Path], str]
# (project root, requirements file or None, prune function or None) -> a jettison.fix.FixPlan.
FixPlanner = Callable[[Path, "str | None", "PruneFunction | None"], Any]


@dataclass(frozen=True)
class BuildRecipe:
    root: Path
    python_version: str | None  # what the project asks for (None: take the base's)
    requirements: str  # requirements.txt text to resolve
    requirements_source: str  # where it came from, for messages and the cache key
    # (context path, image path) of the application files: .dockerignore applied, gunicorn.conf.py
    # excluded (it has its own layer), placed where the recipe's COPY/ADD put them.
    app_layout: tuple[tuple[str, str], ...]
    replaced: dict[str, bytes] = field(default_factory=dict)  # context files with fixed contents
    executable: frozenset[str] = frozenset()  # replaced files that must run (an entrypoint script)
    gunicorn_conf: bytes | None = b""  # None: no config layer (the recipe's own command is kept)
    runtime: RuntimeSettings = field(default_factory=RuntimeSettings)
    notes: tuple[str, ...] = ()


def _lock_pins(path: Path, project_name: str | None) -> str:
    from jettison.project.locks import read_poetry_lock, read_uv_lock

    shown = path.name
    packages = read_uv_lock(path, shown) if path.name == "uv.lock" else read_poetry_lock(path, shown)
    pins = sorted(
        f"{p.name}=={p.version}" for p in packages if p.version and p.name != (project_name or "").lower()
    )
    return "".join(f"{pin}\n" for pin in pins)


def _project_name(root: Path) -> str | None:
    pyproject = root / "pyproject.toml"
    if not pyproject.is_file():
        return None
    from jettison.project.pyproject import load_toml

    name = load_toml(pyproject, "pyproject.toml").get("project", {}).get("name")
    return str(name).replace("_", "-") if name else None


UV_EXPORT_TIMEOUT = 120.0


def declared_runtime_requirements(root: Path) -> tuple[str, str] | None:
    """(requirements text, where from) for a project declared in a lock file or pyproject.toml.

    uv.lock goes through `uv export --frozen --no-dev` (uv's own reading of its lock: groups, extras,
    markers and workspace members as `uv sync --frozen --no-dev` installs them); poetry.lock's pins; else
    PEP 621 [project].dependencies. None when the project declares none of them.
    """
    import shutil
    import subprocess

    if (root / "uv.lock").is_file():
        uv = shutil.which("uv")
        if uv is None:
            raise JettisonError("reading uv.lock for the image needs uv (pip install uv)", root / "uv.lock")
        argv = [uv, "export", "--frozen", "--no-dev", "--no-hashes", "--no-emit-project",
                "--no-emit-workspace", "--no-header", "--no-annotate",
                "--format=requirements-txt"]  # fmt: skip
        try:
            done = subprocess.run(argv, cwd=root, capture_output=True, text=True, timeout=UV_EXPORT_TIMEOUT)
        except subprocess.TimeoutExpired as error:
            raise JettisonError("uv export took too long", root / "uv.lock") from error
        if done.returncode != 0:
            last = (done.stderr.strip().splitlines() or ["failed"])[-1]
            raise JettisonError(f"uv export failed: {last}", root / "uv.lock")
        lines = [line.strip() for line in done.stdout.splitlines()]
        return "".join(f"{line}\n" for line in lines if line and not line.startswith("#")), "uv.lock"
    if (root / "poetry.lock").is_file():
        return _lock_pins(root / "poetry.lock", _project_name(root)), "poetry.lock"
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        from jettison.project.pyproject import read_pyproject

        runtime = [line.text for line in read_pyproject(pyproject, "pyproject.toml") if line.group is None]
        if runtime:
            return "".join(f"{text}\n" for text in runtime), "pyproject.toml"
    return None


def requirements_text(root: Path, requirements: str) -> str:
    """The text to resolve from a requirements file or lock file, validated (bad line: file:line error)."""
    path = root / requirements
    if not path.is_file():
        raise JettisonError("requirements file not found", path)
    if path.name in ("uv.lock", "poetry.lock"):
        return _lock_pins(path, _project_name(root))
    from jettison.project.requirements_txt import parse_requirements_file

    parsed = parse_requirements_file(path, root)
    lines = []
    for line in parsed.lines:
        # Development files included from the runtime one stay out of the image.
        if line.group is not None and ("dev" in line.group or "test" in line.group):
            continue
        if line.editable:
            raise JettisonError("editable requirement cannot go into an image: " + line.text, path)
        lines.append(line.text.strip())
    return "".join(f"{text}\n" for text in lines)


def _name_of(line: str) -> str | None:
    try:
        return normalize_name(Requirement(line.split(" #", 1)[0].strip()).name)
    except InvalidRequirement:
        return None


def template_planner(
    root: Path, requirements: str | None, prune: object, dockerfile: str = "Dockerfile"
) -> object:
    """The template recipe's plan for the project (never written): what the build takes its recipe from."""
    options = FixOptions(requirements=requirements, prune=prune, dockerfile=dockerfile)  # type: ignore[arg-type]
    return plan_template(root, options)


def _prune_function(cache_dir: Path | None) -> PruneFunction | None:
    """The audit's pruning, cached under cache_dir."""
    from jettison.builder.prune_cache import cached_prune

    if cache_dir is not None:
        return cached_prune(cache_dir)
    from jettison.deps.prune import pruned_requirements

    return pruned_requirements


def _pruned(
    root: Path, requirements: str, text: str, prune: PruneFunction | None
) -> tuple[str, tuple[str, ...]]:
    """`text` without the requirements the requirements engine finds unused (when it is installed)."""
    if prune is None:
        return text, ("requirements not pruned (the requirements engine is not installed)",)
    try:
        kept_text = prune(root, root / requirements)
    except JettisonError as error:
        return text, (f"requirements not pruned: {error}",)
    kept = {name for line in kept_text.splitlines() if (name := _name_of(line))}
    out, dropped = [], []
    for line in text.splitlines():
        name = _name_of(line)
        # The server the image runs stays whether or not code imports it (its line keeps the user's pin).
        if name is None or name in kept or name == "gunicorn":
            out.append(line)
        else:
            dropped.append(name)
    notes = (f"left out, never imported: {', '.join(dropped)}",) if dropped else ()
    return "".join(f"{line}\n" for line in out), notes


def read_build_recipe(
    root: Path,
    *,
    requirements: str | None = None,
    app: str | None = None,
    prune: bool = True,
    cache_dir: Path | None = None,
    planner: FixPlanner | None = None,
    dockerfile: str = "Dockerfile",
) -> BuildRecipe:
    """The recipe for the project at `root` (reads files, may run the requirements engine, whose
    verdicts are cached under `cache_dir`). `dockerfile` is the recipe, relative to `root`, which stays
    the build context (`docker build -f docker/prod.Dockerfile .`)."""
    if not root.is_dir():
        raise JettisonError("not a directory", root)
    notes: tuple[str, ...] = ()
    if dockerfile != "Dockerfile" and not (root / dockerfile).is_file():
        raise JettisonError("no such Dockerfile", root / dockerfile)
    if (root / dockerfile).is_file():
        # The recipe read as fix's template reads it: run_build(path) from Python builds what the CLI does.
        chosen = planner or functools.partial(template_planner, dockerfile=dockerfile)
        return _from_fix_plan(root, requirements, prune, cache_dir, chosen, dockerfile)
    ignore = DockerIgnore.for_context(root) or DockerIgnore(list(_DEFAULT_IGNORE))
    paths = list(context_files(root, ignore))
    if requirements is None:
        for candidate in ("requirements.txt", "uv.lock", "poetry.lock"):
            if (root / candidate).is_file():
                requirements = candidate
                break
        else:
            raise JettisonError("no requirements.txt or lock file (give --requirements FILE)", root)
    text = requirements_text(root, requirements)
    if prune and not requirements.endswith(".lock"):
        text, pruned_note = _pruned(root, requirements, text, _prune_function(cache_dir))
        notes += pruned_note
    names = {re.split(r"[<>=!~\[; ]", line, maxsplit=1)[0].lower() for line in text.splitlines()}
    if "gunicorn" not in names:
        text += "gunicorn\n"  # the server the image runs, which the project did not declare
    app_module = app or guess_app_module(root, paths)
    if "gunicorn.conf.py" in paths:
        conf = (root / "gunicorn.conf.py").read_bytes()
        port = 8000
    else:
        defaults = GunicornDefaults(app_module=app_module)
        conf = render_gunicorn_conf(defaults).encode()
        port = defaults.port
    return BuildRecipe(
        root=root,
        python_version=None,
        requirements=text,
        requirements_source=requirements,
        app_layout=tuple((p, f"/app/{p}") for p in paths if p != "gunicorn.conf.py"),
        gunicorn_conf=conf,
        runtime=RuntimeSettings(port=port, app_module=app_module),
        notes=notes,
    )


def _layout(
    root: Path, paths: list[str], workdir: str, conf_rel: str, entrypoint: str | None,
    dockerfile: str = "Dockerfile",
) -> tuple[tuple[str, str], ...]:
    """Context files placed as the project's Dockerfile copies them (the whole context under WORKDIR
    when it does `COPY . .` or cannot be read); the generated gunicorn.conf.py is left to its layer."""
    placed = None
    try:
        from jettison.builder.placement import placements
        from jettison.dockerfile.model import build_model
        from jettison.dockerfile.parser import parse

        text = (root / dockerfile).read_text(encoding="utf-8")
        placed = placements(build_model(parse(text, str(root / dockerfile))), paths)
    except (ImportError, OSError, UnicodeDecodeError, JettisonError):
        placed = None
    if placed is None:
        placed = [(p, f"{workdir.rstrip('/')}/{p}") for p in paths]
    conf_image = conf_rel if conf_rel.startswith("/") else f"{workdir.rstrip('/')}/{conf_rel}"
    layout = dict(placed)
    if entrypoint and entrypoint not in layout:
        layout[entrypoint] = f"{workdir.rstrip('/')}/{entrypoint}"
    return tuple(sorted((c, i) for c, i in layout.items() if c != conf_rel and i != conf_image))


def _keep(_root: Path, path: Path) -> str:
    return path.read_text("utf-8")


def _from_fix_plan(
    root: Path, requirements: str | None, prune: bool, cache_dir: Path | None, planner: FixPlanner,
    dockerfile: str = "Dockerfile",
) -> BuildRecipe:
    plan = planner(root, requirements, _prune_function(cache_dir) if prune else _keep)
    facts = plan.facts
    if facts.unreproducible:
        # Never an exit-0 image without what the recipe makes: name the step and the way that works.
        line, what = facts.unreproducible[0]
        more = f" (and {len(facts.unreproducible) - 1} more)" if len(facts.unreproducible) > 1 else ""
        raise JettisonError(f"{what}{more}: jettison build cannot reproduce this step; use `jettison fix` "
                            "and docker build instead", root / dockerfile, line)  # fmt: skip
    requirements_rel = facts.requirements_file
    if (root / requirements_rel).is_file():
        requirements_text(root, requirements_rel)  # a malformed line is an error here, with its line
    change = plan.change_for(requirements_rel)
    text = change.new if change is not None else requirements_text(root, requirements_rel)
    notes: tuple[str, ...] = ()
    if not (root / requirements_rel).is_file():
        # The recipe installs from pyproject.toml / a lock file (uv sync, poetry install): take what the
        # project declares for run time, never a requirements.txt holding only what fix would add.
        declared = declared_runtime_requirements(root)
        if declared is None:
            raise JettisonError(
                f"{requirements_rel} not found and no pyproject.toml dependencies or lock file: give "
                "--requirements FILE", root,
            )  # fmt: skip
        declared_text, source = declared
        names = {name for line in declared_text.splitlines() if (name := _name_of(line))}
        added = [line for line in text.splitlines() if (name := _name_of(line)) and name not in names]
        text = declared_text + "".join(f"{line}\n" for line in added)
        requirements_rel = source
        notes = (f"requirements from {source} (run-time dependencies only; lock pins are not pruned)",)
    ignore_change = plan.change_for(".dockerignore")
    ignore = DockerIgnore.from_text(ignore_change.new, ".dockerignore") if ignore_change else None
    paths = list(context_files(root, ignore))
    conf_rel = facts.gunicorn_conf
    conf_change = plan.change_for(conf_rel)
    conf = conf_change.new.encode() if conf_change else render_gunicorn_conf(facts.gunicorn).encode()
    replaced: dict[str, bytes] = {}
    entrypoint: tuple[str, ...] | None = None
    if facts.entrypoint:
        script = plan.change_for(facts.entrypoint)
        if script is not None:
            replaced[facts.entrypoint] = script.new.encode()
        if facts.entrypoint not in paths:
            paths.append(facts.entrypoint)
    workdir = facts.workdir
    layout = _layout(root, paths, workdir, conf_rel, facts.entrypoint, dockerfile)
    if facts.entrypoint:
        entrypoint = (dict(layout).get(facts.entrypoint) or f"{workdir.rstrip('/')}/{facts.entrypoint}",)
    command = None
    executable = frozenset([facts.entrypoint]) if facts.entrypoint else frozenset()
    if facts.original_command is not None:
        # The recipe starts something jettison does not model (`fastapi run`, uvicorn, a script): keep
        # its ENTRYPOINT and CMD as they are, the project's own config files included, never guess.
        kept_entrypoint, kept_cmd = facts.original_command
        entrypoint = kept_entrypoint
        command = kept_cmd or ()
        replaced.clear()
        executable = frozenset()
        if facts.script and (root / facts.script).is_file():
            # Kept byte for byte; executable, as the recipe's own `RUN chmod +x` (which build drops) made it.
            replaced[facts.script] = (root / facts.script).read_bytes()
            executable = frozenset([facts.script])
            if facts.script not in dict(layout):
                layout = tuple(sorted({*layout, (facts.script, f"{workdir.rstrip('/')}/{facts.script}")}))
        # The project's own config file, byte for byte, or none: Gunicorn reads ./gunicorn.conf.py by
        # itself, so a generated one would change what the kept command runs.
        conf = (root / conf_rel).read_bytes() if (root / conf_rel).is_file() else None
        notes += ("the recipe starts its server through a script or a command other than Gunicorn: its "
                  "ENTRYPOINT, CMD and script are kept as they are",)
    runtime = RuntimeSettings(
        command=command,
        workdir=workdir,
        gunicorn_conf=conf_rel if conf_rel.startswith("/") else f"{workdir.rstrip('/')}/{conf_rel}",
        port=facts.gunicorn.port,
        app_module=facts.gunicorn.app_module,
        entrypoint=entrypoint,
        env=facts.env,
        labels=facts.labels,
        expose=facts.expose,
    )
    return BuildRecipe(
        root=root,
        python_version=facts.python_version,
        requirements=text,
        requirements_source=requirements_rel,
        app_layout=layout,
        replaced=replaced,
        executable=executable,
        gunicorn_conf=conf,
        runtime=runtime,
        notes=(*notes, *plan.notes),
    )
