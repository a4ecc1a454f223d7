"""`jettison fix`: the files that turn a project's image recipe into the optimized one.

plan_fix() reads the project and returns a FixPlan: every file it would write (Dockerfile,
.dockerignore, gunicorn.conf.py, the pruned requirements, an entrypoint where one is needed) with its
old and new text, and a note for everything it could not carry over. Planning writes nothing; apply()
writes the plan atomically, keeping each replaced file beside it (jettison.atomicfile).
"""

from __future__ import annotations

import datetime
import difflib
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from jettison.atomicfile import write_atomically
from jettison.dockerfile.generate import ImageFacts, render_dockerfile, render_dockerignore
from jettison.dockerfile.image_facts import RecipeReading, read_recipe
from jettison.errors import JettisonError
from jettison.gunicorn.config import render_gunicorn_conf
from jettison.project.dockerignore import DockerIgnore, context_files

# (project root, requirements file) -> the pruned requirements text.
PruneFunction = Callable[[Path, Path], str]

_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
# Directories whose Python files are not the app's (searched for a health route, kept in the context).
_NOT_SOURCE = {".git", ".venv", "venv", "env", "__pycache__", "node_modules", ".tox", "build", "dist"}


@dataclass(frozen=True)
class FixOptions:
    dockerfile: str = "Dockerfile"
    requirements: str | None = None  # None: the file the Dockerfile installs, else requirements.txt
    prune: PruneFunction | None = None  # None: the requirements engine's, when it is installed
    today: datetime.date | None = None  # for the Python end-of-life check; tests fix it


@dataclass(frozen=True)
class FileChange:
    """One file of the plan: its old text (None when new) and new text."""

    path: Path
    relative: str
    old: str | None
    new: str
    executable: bool = False

    @property
    def changed(self) -> bool:
        return self.old != self.new

    @property
    def diff(self) -> str:
        old_lines = (self.old or "").splitlines(keepends=True)
        new_lines = self.new.splitlines(keepends=True)
        fromfile = f"a/{self.relative}" if self.old is not None else "/dev/null"
        lines = difflib.unified_diff(old_lines, new_lines, fromfile, f"b/{self.relative}")
        marker = "\n\\ No newline at end of file\n"
        return "".join(line if line.endswith("\n") else line + marker for line in lines)


@dataclass(frozen=True)
class FixPlan:
    root: Path
    changes: tuple[FileChange, ...]
    notes: tuple[str, ...] = ()
    facts: ImageFacts = field(default_factory=ImageFacts)

    @property
    def pending(self) -> tuple[FileChange, ...]:
        return tuple(change for change in self.changes if change.changed)

    def diff(self) -> str:
        return "".join(change.diff for change in self.pending)

    def change_for(self, relative: str) -> FileChange | None:
        for change in self.changes:
            if change.relative == relative:
                return change
        return None


def _read_text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        return None
    except UnicodeDecodeError as error:
        raise JettisonError("not a text file (UTF-8 expected)", path) from error


def _engine_prune() -> PruneFunction | None:
    """The requirements engine's pruning, when that part of jettison is present."""
    try:
        from jettison.deps.prune import pruned_requirements
    except ImportError:
        return None
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


def _with_packages(text: str, packages: list[str], why: str) -> tuple[str, list[str]]:
    """`text` with the packages it does not name appended under a comment; and those packages."""
    present = _requirement_names(text)
    missing = [p for p in packages if (_requirement_names(p) or {p}).isdisjoint(present)]
    if not missing:
        return text, []
    body = text if not text or text.endswith("\n") else text + "\n"
    return body + f"# {why}\n" + "".join(f"{package}\n" for package in missing), missing


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


def plan_fix(project_root: str | Path, options: FixOptions | None = None) -> FixPlan:
    """Everything `jettison fix` would write for the project at `project_root`. Writes nothing."""
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
    new_requirements, server = _with_packages(new_requirements, ["gunicorn"], "The server the image runs.")
    if added or server:
        notes.append(f"{requirements_rel}: added {', '.join(added + server)}, which the image runs but the "
                     "file did not list; pin them to the versions you run")
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
        notes.append("the entrypoint script only started Gunicorn: the new CMD starts it directly (the "
                     "script is no longer used and can be deleted)")

    changes.append(FileChange(dockerfile_path, options.dockerfile, dockerfile_text, render_dockerfile(facts)))

    ignore_file = render_dockerignore(ignore_text, needed + list(sources))
    for pattern in ignore_file.dropped:
        notes.append(f".dockerignore: `{pattern}` left out: it would exclude a file the image needs")
    changes.append(FileChange(root / ".dockerignore", ".dockerignore", ignore_text, ignore_file.text))
    return FixPlan(root=root, changes=tuple(changes), notes=tuple(notes), facts=facts)


def apply(plan: FixPlan) -> list[tuple[Path, Path | None]]:
    """Write the plan's changed files atomically; return each path with where its old version was kept."""
    written = []
    for change in plan.pending:
        backup = write_atomically(change.path, change.new)
        if change.executable:
            # The image runs the script as its ENTRYPOINT: COPY keeps the mode, so set it here.
            os.chmod(change.path, change.path.stat().st_mode | 0o111)
        written.append((change.path, backup))
    return written
