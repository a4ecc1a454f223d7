"""The project's target Python with its Dockerfile in the chain: what audit, fix and build print.

`project_target_python(root)` reads the final stage's base image from the one semantic model of the
Dockerfile and hands it to jettison.project.target.resolve_target_python, which owns the chain. A
Dockerfile that is missing or does not parse simply leaves the base image out (the Dockerfile rules
report the parse error themselves).
"""

from __future__ import annotations

import datetime
from pathlib import Path

from jettison.dockerfile.model import DockerfileModel, build_model
from jettison.dockerfile.parser import parse
from jettison.errors import JettisonError
from jettison.project.target import TargetPython, resolve_target_python


def final_base(model: DockerfileModel, name: str = "Dockerfile") -> tuple[str, str] | None:
    """(the image the final stage builds on, `Dockerfile:LINE` of its FROM); None without stages."""
    final = model.final_stage
    if final is None:
        return None
    stage = final
    while stage.parent is not None:
        stage = model.stages[stage.parent]
    return stage.base, f"{name}:{stage.from_instruction.start_line}"


def read_model(root: Path, dockerfile: str = "Dockerfile") -> DockerfileModel | None:
    path = Path(root) / dockerfile
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    try:
        return build_model(parse(text, str(path)))
    except JettisonError:
        return None


def project_target_python(
    root: Path,
    *,
    explicit: str | None = None,
    dockerfile: str = "Dockerfile",
    model: DockerfileModel | None = None,
    today: datetime.date | None = None,
) -> TargetPython:
    """The one target Python of the project at `root` (give `model` when it is already parsed)."""
    if model is None and not explicit:
        model = read_model(root, dockerfile)
    base = final_base(model, dockerfile) if model is not None else None
    return resolve_target_python(
        root,
        explicit=explicit,
        base_image=base[0] if base else None,
        base_where=base[1] if base else None,
        today=today,
    )
