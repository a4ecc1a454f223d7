"""Shared scopes (dockerfile/scope.py): each step's view reads as the dict copy it replaced, and a long
stage costs memory and expansions in proportion to its length."""

from __future__ import annotations

import tracemalloc

from hypothesis import given
from hypothesis import strategies as st

from jettison.dockerfile import model as model_module
from jettison.dockerfile.model import build_model
from jettison.dockerfile.parser import parse
from jettison.dockerfile.scope import Assignments, Layered

NAMES = st.sampled_from(["A", "B", "PATH", "a", "_x"])
ASSIGNMENTS = st.lists(st.tuples(NAMES, st.sampled_from(["", "1", "two", "$A"])), max_size=30)


def reads_as(view: object, expected: dict[str, str]) -> None:
    assert dict(view) == expected  # type: ignore[call-overload]
    assert list(view) == list(expected)  # type: ignore[call-overload]
    assert len(view) == len(expected)  # type: ignore[arg-type]
    assert view == expected
    for name in ("A", "B", "PATH", "a", "_x", "missing"):
        assert (name in view) == (name in expected)  # type: ignore[operator]
        assert view.get(name) == expected.get(name)  # type: ignore[attr-defined]


@given(ASSIGNMENTS, st.dictionaries(NAMES, st.sampled_from(["", "inherited"])))
def test_each_snapshot_reads_as_a_copy_taken_then(assignments: list[tuple[str, str]], initial: dict) -> None:
    log = Assignments(initial)
    copy = dict(initial)
    taken = [(log.snapshot(), dict(copy))]
    for name, value in assignments:
        log.set(name, value)
        copy[name] = value
        taken.append((log.snapshot(), dict(copy)))
    for snapshot, expected in taken:
        reads_as(snapshot, expected)


@given(ASSIGNMENTS, ASSIGNMENTS)
def test_layered_reads_as_the_merged_dict(args: list[tuple[str, str]], env: list[tuple[str, str]]) -> None:
    args_log, env_log = Assignments(dict(args)), Assignments(dict(env))
    reads_as(Layered(env_log.snapshot(), args_log.snapshot()), {**dict(args), **dict(env)})


def long_stage(blocks: int) -> str:
    lines = ["FROM python:3.11-slim AS app"]
    for block in range(blocks):
        lines += [
            f"ARG VERSION_{block}=1.{block}",
            f"ENV SETTING_{block}=value-{block} PATH_{block}=/opt/{block}",
            f'RUN echo "${{VERSION_{block}}} $SETTING_{block}"',
            f"COPY src/part{block % 10}/ /app/part{block}/",
        ]
    return "\n".join(lines) + "\n"


def test_a_long_stage_keeps_no_copy_of_its_scope_per_step() -> None:
    # 6,001 lines, 4,500 variables: a dict per step traced 372 MB here; shared scopes 5 MB.
    tree = parse(long_stage(1500), "Dockerfile")
    tracemalloc.start()
    try:
        model = build_model(tree)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 32_000_000, f"{peak:,} bytes traced"
    last = model.stages[0].steps[-1]
    assert last.scope["VERSION_1499"] == "1.1499" and len(last.scope) == 4500
    assert model.stages[0].steps[0].scope == {"VERSION_0": "1.0"}  # an ARG is in scope from itself on


def test_copies_are_expanded_once_per_stage(monkeypatch) -> None:
    model = build_model(parse(long_stage(50), "Dockerfile"))
    calls = 0
    real = model_module.expand

    def counting(*args, **kwargs):
        nonlocal calls
        calls += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(model_module, "expand", counting)
    first = model.copies(model.stages[0])
    after_first = calls
    assert model.copies(model.stages[0]) == first and calls == after_first
    assert [copy.destination for copy in first[:2]] == ["/app/part0/", "/app/part1/"]
