"""The generated recipe: jettison's own Dockerfile for a project, from a template.

`jettison fix` edits a project's own Dockerfile (jettison.fixer.engine); this template is used only
when the project has none (new_project_plan, like `docker init`), and by `jettison build`, which
reads the project through plan_template's FixPlan.facts (nothing is written). plan_template reads the
project's Dockerfile and returns every file the template recipe would use (Dockerfile, .dockerignore,
gunicorn.conf.py, the pruned requirements, an entrypoint where one is needed) with its old and new
text, and a note for everything it could not carry over.
"""

from __future__ import annotations

import re
from pathlib import Path

from jettison.dockerfile.fixplan import FileChange, FixOptions, FixPlan, PruneFunction
from jettison.dockerfile.generate import ImageFacts, render_dockerfile, render_dockerignore
from jettison.dockerfile.image_facts import RecipeReading, read_recipe
from jettison.errors import JettisonError
from jettison.gunicorn.config import render_gunicorn_conf
from jettison.model.requirements import declaring_line
from jettison.project.app_module import guess_app_module
from jettison.project.dockerignore import DockerIgnore, context_files

_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
# Directories whose Python files are not the app's (searched for a health route, kept in the context).
_NOT_SOURCE = {".git", ".venv", "venv", "env", "__pycache__", "node_modules", ".tox", "build", "dist"}


def _read_text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        return None
    except UnicodeDecodeError as error:
        raise JettisonError("not a text file (UTF-8 expected)", path) from error


def _engine_prune() -> PruneFunction:
    """The requirements engine's pruning (imported on first use: it pulls in the audit pipeline)."""
    from jettison.deps.prune import pruned_requirements

    return lambda root, requirements: pruned_requirements(root, requirements)


def _requirement_names(text: str) -> set[str]:
    names = set()
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith(("#", "-")):
            continue
        match = _NAME.match(stripped)
        if match:
            names.add(re.sub(r"[-_.]+", "-", match.group(1)).lower())
    return names


def _with_packages(text: str, packages: list[str], why: str, declared: str = "") -> tuple[str, list[str]]:
    """`text` with the packages it does not name appended under a comment; and those packages. A package
    the project `declared` (pruned since) comes back with its own line, pin and markers included."""
    present = _requirement_names(text)
    missing = [p for p in packages if (_requirement_names(p) or {p}).isdisjoint(present)]
    if not missing:
        return text, []
    restored = [declaring_line(declared, p) or p for p in missing]
    body = text if not text or text.endswith("\n") else text + "\n"
    return body + f"# {why}\n" + "".join(f"{line}\n" for line in restored), missing


def _source_files(root: Path, ignore: DockerIgnore | None) -> tuple[str, ...]:
    files = []
    for path in context_files(root, ignore):
        parts = path.split("/")
        if path.endswith(".py") and not _NOT_SOURCE.intersection(parts[:-1]):
            files.append(path)
    return tuple(sorted(files))


def _parse_model(text: str, path: str):  # noqa: ANN202 - the model type lives in jettison.dockerfile
    from jettison.dockerfile.model import build_model
    from jettison.dockerfile.parser import parse

    return build_model(parse(text, path))


def plan_template(project_root: str | Path, options: FixOptions | None = None) -> FixPlan:
    """Every file of the template recipe for the project at `project_root`. Writes nothing."""
    options = options or FixOptions()
    root = Path(project_root)
    if not root.is_dir():
        raise JettisonError("not a directory", root)
    dockerfile_path = root / options.dockerfile
    dockerfile_text = _read_text(dockerfile_path)
    if dockerfile_text is None:
        raise JettisonError("no such Dockerfile (use --dockerfile to name it)", dockerfile_path)
    ignore_text = _read_text(root / ".dockerignore")
    ignore = DockerIgnore.from_text(ignore_text, str(root / ".dockerignore")) if ignore_text else None
    sources = _source_files(root, ignore)

    def read_file(relative: str) -> str | None:
        candidate = (root / relative).resolve()
        if root.resolve() not in candidate.parents:
            return None
        return _read_text(candidate)

    model = _parse_model(dockerfile_text, str(dockerfile_path))
    reading: RecipeReading = read_recipe(
        model,
        read_file,
        today=options.today,
        requirements_file=options.requirements,
        source_files=sources,
        name=options.dockerfile,
    )
    notes = list(reading.notes)
    facts = reading.facts
    changes: list[FileChange] = []

    # Requirements: pruned by the engine, plus what the old recipe installed beside the file.
    requirements_rel = facts.requirements_file
    requirements_path = root / requirements_rel
    old_requirements = _read_text(requirements_path)
    if old_requirements is None:
        notes.append(f"{requirements_rel}: not found; written with only the packages the recipe installed")
        new_requirements = ""
    else:
        prune = options.prune or _engine_prune()
        if prune is None:
            notes.append(f"{requirements_rel}: not pruned (the requirements engine is not installed)")
            new_requirements = old_requirements
        else:
            new_requirements = prune(root, requirements_path)
    added: list[str] = []
    if reading.extra_packages:
        new_requirements, added = _with_packages(
            new_requirements, list(reading.extra_packages), "Installed by the old Dockerfile itself."
        )
    new_requirements, server = _with_packages(
        new_requirements, ["gunicorn"], "The server the image runs.", old_requirements or ""
    )
    kept = [p for p in server if declaring_line(old_requirements or "", p)]
    server = [p for p in server if p not in kept]
    if kept:
        notes.append(f"{requirements_rel}: kept {', '.join(kept)} as declared (its pin): no code imports "
                     "it, the image runs it")  # fmt: skip
    if added or server:
        notes.append(
            f"{requirements_rel}: added {', '.join(added + server)}, which the image runs but the "
            "file did not list; pin them to the versions you run"
        )
    changes.append(FileChange(requirements_path, requirements_rel, old_requirements, new_requirements))

    # gunicorn.conf.py: the CMD names it, so it lives at the root of the app directory.
    conf_rel = facts.gunicorn_conf
    conf_text = render_gunicorn_conf(facts.gunicorn)
    changes.append(FileChange(root / conf_rel, conf_rel, _read_text(root / conf_rel), conf_text))

    needed = [requirements_rel, conf_rel]
    script = reading.entrypoint
    if facts.entrypoint and script is not None and script.text is not None:
        path = root / facts.entrypoint
        changes.append(FileChange(path, facts.entrypoint, _read_text(path), script.text, executable=True))
        needed.append(facts.entrypoint)
    elif script is not None:
        notes.append(
            "the entrypoint script only started Gunicorn: the new CMD starts it directly (the "
            "script is no longer used and can be deleted)"
        )

    changes.append(FileChange(dockerfile_path, options.dockerfile, dockerfile_text, render_dockerfile(facts)))

    ignore_file = render_dockerignore(ignore_text, needed + list(sources))
    for pattern in ignore_file.dropped:
        notes.append(f".dockerignore: `{pattern}` left out: it would exclude a file the image needs")
    changes.append(FileChange(root / ".dockerignore", ".dockerignore", ignore_text, ignore_file.text))
    return FixPlan(root=root, changes=tuple(changes), notes=tuple(notes), facts=facts)


def new_project_plan(root: Path, options: FixOptions) -> FixPlan:
    """A project without a Dockerfile: write one from the template (and a .dockerignore), as
    `docker init` does; a gunicorn.conf.py only when the project has none (the CMD names it)."""
    from jettison.dockerfile.python_target import project_target_python
    from jettison.gunicorn.config import GunicornDefaults

    requirements_rel = options.requirements or "requirements.txt"
    requirements = _read_text(root / requirements_rel)
    if requirements is None:
        return FixPlan(root, (), notes=(
            f"no {options.dockerfile} and no {requirements_rel}: jettison fix writes a Dockerfile only for a "
            "project installed from a requirements file; nothing written",
        ))  # fmt: skip
    if "gunicorn" not in _requirement_names(requirements):
        return FixPlan(root, (), notes=(
            f"no {options.dockerfile}, and {requirements_rel} does not list gunicorn, which the Dockerfile "
            "jettison writes runs: add it and run fix again; nothing written",
        ))  # fmt: skip
    ignore_text = _read_text(root / ".dockerignore")
    ignore = DockerIgnore.from_text(ignore_text, str(root / ".dockerignore")) if ignore_text else None
    sources = _source_files(root, ignore)
    target = project_target_python(root, today=options.today)
    version = ".".join(str(target.version).split(".")[:2])
    facts = ImageFacts(
        python_version=version, requirements_file=requirements_rel,
        gunicorn=GunicornDefaults(app_module=guess_app_module(root, list(sources))),
    )  # fmt: skip
    notes = [
        f"no {options.dockerfile}: written from jettison's template (Python {version}, app "
        f"{facts.gunicorn.app_module}); check the app module and the port before building"
    ]
    changes = [FileChange(root / options.dockerfile, options.dockerfile, None, render_dockerfile(facts))]
    conf = _read_text(root / facts.gunicorn_conf)
    if conf is None:
        changes.append(FileChange(root / facts.gunicorn_conf, facts.gunicorn_conf, None,
                                  render_gunicorn_conf(facts.gunicorn)))  # fmt: skip
        notes.append(f"{facts.gunicorn_conf}: written (the new Dockerfile's CMD reads it)")
    needed = [requirements_rel, facts.gunicorn_conf]
    ignore_file = render_dockerignore(ignore_text, needed + list(sources))
    for pattern in ignore_file.dropped:
        notes.append(f".dockerignore: `{pattern}` left out: it would exclude a file the image needs")
    changes.append(FileChange(root / ".dockerignore", ".dockerignore", ignore_text, ignore_file.text))
    return FixPlan(root=root, changes=tuple(changes), notes=tuple(notes), facts=facts)
