"""The semantic model over hand-built syntax trees (independent of the parser)."""

from __future__ import annotations

from jettison.dockerfile.ast import Dockerfile, Instruction
from jettison.dockerfile.model import build_model, is_legacy_env


def instruction(
    line: int, keyword: str, *args: str, raw: str = "", flags: tuple[str, ...] = ()
) -> Instruction:
    raw = raw or " ".join(args)
    return Instruction(keyword, args, flags=flags, raw_args=raw, original=f"{keyword} {raw}", start_line=line)


def dockerfile(*instructions: Instruction) -> Dockerfile:
    return Dockerfile("Dockerfile", tuple(instructions))


def test_global_args_scope_from_and_redeclaration() -> None:
    model = build_model(
        dockerfile(
            instruction(1, "ARG", "PY=3.11"),
            instruction(2, "FROM", "python:${PY}-slim", "AS", "Base"),
            instruction(3, "LABEL", "a=$PY"),
            instruction(4, "ARG", "PY"),
            instruction(5, "LABEL", "b=$PY"),
        )
    )
    (stage,) = model.stages
    assert stage.base == "python:3.11-slim" and stage.name == "base"
    assert stage.steps[0].expansion.missing == ["PY"]  # not redeclared yet
    assert stage.steps[2].expansion.value == "b=3.11"


def test_build_arg_overrides_default() -> None:
    model = build_model(
        dockerfile(instruction(1, "ARG", "PY=3.11"), instruction(2, "FROM", "python:$PY")), {"PY": "3.12"}
    )
    assert model.stages[0].base == "python:3.12"


def test_env_wins_over_arg_and_is_inherited_by_child_stage() -> None:
    model = build_model(
        dockerfile(
            instruction(1, "FROM", "python:3.11", "AS", "base"),
            instruction(2, "ARG", "PORT=1"),
            instruction(3, "ENV", "PORT", "2", raw="PORT=2"),
            instruction(4, "EXPOSE", "$PORT"),
            instruction(5, "FROM", "base"),
            instruction(6, "LABEL", "p=$PORT"),
        )
    )
    base, child = model.stages
    assert base.steps[2].expansion.value == "2"
    assert child.parent == 0 and model.root_image(child) == "python:3.11"
    assert child.steps[0].expansion.value == "p=2"


def test_copy_from_stage_and_image() -> None:
    model = build_model(
        dockerfile(
            instruction(1, "FROM", "python:3.11", "AS", "build"),
            instruction(2, "FROM", "python:3.11-slim"),
            instruction(3, "COPY", "/venv", "/venv", flags=("--from=build",)),
            instruction(4, "COPY", "/x", "/x", flags=("--from=busybox:1",)),
            instruction(5, "COPY", "a", "b", "/dst/"),
        )
    )
    final = model.final_stage
    stage_copy, image_copy, local = model.copies(final)
    assert stage_copy.from_stage == 0 and image_copy.from_image == "busybox:1"
    assert local.sources == ("a", "b") and local.from_context
    assert model.stages_used_by_final() == {0, 1}


def test_legacy_env_detection() -> None:
    assert is_legacy_env(instruction(1, "ENV", "A", "b c", raw="A b c"))
    assert not is_legacy_env(instruction(1, "ENV", "A", "b", raw="A=b"))
