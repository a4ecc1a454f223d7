"""Everything a project declares, from every source: requirements files, pyproject.toml, lock files."""

from __future__ import annotations

from pathlib import Path

from jettison.model.requirements import LockedPackage, RequirementLine, RequirementSet
from jettison.project.locks import read_poetry_lock, read_uv_lock
from jettison.project.pyproject import read_pyproject
from jettison.project.requirements_txt import dev_group_for, parse_requirements_file

_TOOLING_DIRS = {"docs", "doc", "ci", ".github", ".circleci", "benchmarks", "bench"}


def read_requirement_set(root: Path, requirement_files: list[str]) -> RequirementSet:
    """Read the given requirements files (relative to root) plus root pyproject.toml and lock files.

    Run-time files are read before development ones, so a line that both include keeps its run-time
    meaning; every file is read once even when several include it.
    """
    root = Path(root)
    lines: list[RequirementLine] = []
    constraints: list[RequirementLine] = []
    files: list[str] = []
    seen: set[Path] = set()
    ordered = sorted(
        requirement_files, key=lambda rel: (dev_group_for(Path(rel)) is not None, rel.count("/"), rel)
    )
    for rel in ordered:
        if (root / rel).resolve() in seen:
            continue
        # docs/requirements.txt (Sphinx) and CI tool files never run in the image.
        tooling = next((part for part in Path(rel).parts[:-1] if part in _TOOLING_DIRS), None)
        parsed = parse_requirements_file(root / rel, root, group=tooling, seen=seen)
        lines.extend(parsed.lines)
        constraints.extend(parsed.constraints)
        for path in parsed.files:
            try:
                files.append(str(path.resolve().relative_to(root.resolve())))
            except ValueError:
                files.append(str(path))
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        lines.extend(read_pyproject(pyproject, "pyproject.toml"))
        files.append("pyproject.toml")
    locked: list[LockedPackage] = []
    if (root / "uv.lock").is_file():
        locked.extend(read_uv_lock(root / "uv.lock", "uv.lock"))
        files.append("uv.lock")
    if (root / "poetry.lock").is_file():
        locked.extend(read_poetry_lock(root / "poetry.lock", "poetry.lock"))
        files.append("poetry.lock")
    return RequirementSet(tuple(lines), tuple(constraints), tuple(locked), tuple(files))
