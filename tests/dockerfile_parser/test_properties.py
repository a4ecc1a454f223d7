"""Random Dockerfile-like text and random bytes give a Dockerfile or a JettisonError, never a traceback."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jettison.dockerfile.ast import Dockerfile
from jettison.dockerfile.parser import dump, parse
from jettison.errors import JettisonError

_FRAGMENTS = [
    "FROM", "RUN", "COPY", "ADD", "ENV", "ARG", "LABEL", "CMD", "ENTRYPOINT", "HEALTHCHECK", "ONBUILD",
    "MAINTAINER", "SHELL", "VOLUME", "EXPOSE", "USER", "WORKDIR", "STOPSIGNAL", "run", "FROBNICATE",
    " ", "  ", "\t", "\n", "\r\n", "\n\n", "\\", "\\\n", "`", "`\n", "#", "# ", "# escape=`\n",
    "# syntax=docker/dockerfile:1\n", "# check=error=true\n", "--mount=type=cache,target=/x", "--from=b",
    "--chmod=755", "--link", "--", "-", "=", "a=b", "KEY", "value", "python:3.11-slim", "AS", "build",
    "[", "]", '"', "'", ",", '["a", "b"]', "[1]", "[[", "{", "}", "$", "${A:-x}", "${", "<<", "<<EOF",
    "<<-EOF", "<<'EOF'", '<<"E"', "EOF", "\tEOF", "<< EOF", "3<<EOF", "CMD", "NONE", "pip install x",
    "&&", "é", "\u00a0", "\u2028", "\x85", "\ufeff", "\u0130", "\x0b", "\x0c", "\udcff",
]  # fmt: skip

dockerfile_text = st.lists(st.sampled_from(_FRAGMENTS) | st.text(max_size=4), max_size=40).map("".join)


def _check(data: str | bytes) -> None:
    try:
        dockerfile = parse(data, "Dockerfile")
    except JettisonError as error:
        assert error.path == "Dockerfile" and error.line is not None and error.line >= 1
        assert "\n" not in error.message
        return
    assert isinstance(dockerfile, Dockerfile) and dockerfile.instructions
    previous_end = 0
    for instruction in dockerfile.instructions:
        assert previous_end < instruction.start_line <= instruction.end_line
        assert instruction.start_column >= 1 and instruction.end_column >= 1
        assert instruction.original
        for text in (*instruction.args, *instruction.flags, instruction.raw_args, instruction.original):
            text.encode("utf-8")  # nothing a report cannot print
        previous_end = instruction.end_line
    assert dump(dockerfile).count("\n") == len(dockerfile.instructions) - 1


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dockerfile_text)
def test_random_dockerfile_text(text: str) -> None:
    _check(text)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_random_bytes(data: bytes) -> None:
    _check(data)


@settings(max_examples=200, deadline=None)
@given(dockerfile_text)
def test_random_text_as_utf8_bytes_parses_like_text(text: str) -> None:
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:
        return
    try:
        expected = dump(parse(text))
    except JettisonError:
        return
    assert dump(parse(data)) == expected
