"""Docker's variable expansion: the forms BuildKit's shell lexer supports."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jettison.dockerfile.expand import expand, references

ENV = {"A": "1", "EMPTY": "", "PY": "3.11"}


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("$A", "1"),
        ("${A}", "1"),
        ("python:${PY}-slim", "python:3.11-slim"),
        ("${MISSING:-x}", "x"),
        ("${EMPTY:-x}", "x"),
        ("${EMPTY-x}", ""),
        ("${A:-x}", "1"),
        ("${A:+set}", "set"),
        ("${MISSING:+set}", ""),
        ("${EMPTY:+set}", ""),
        ("${EMPTY+set}", "set"),
        ("\\$A", "$A"),
        ("'$A'", "$A"),
        ('"$A"', "1"),
        ('"\\$A"', "$A"),
        ("$", "$"),
        ("a$-b", "a$-b"),
        ("${MISSING:-${A}}", "1"),
    ],
)
def test_expansion_matches_buildkit(text, value) -> None:
    assert expand(text, ENV).value == value


def test_missing_records_only_unset_names_without_default() -> None:
    result = expand("$A ${B} ${C:-d} ${D:+e} $E", ENV)
    assert result.used == ["A", "B", "C", "D", "E"]
    assert result.missing == ["B", "E"]


def test_backtick_escape_directive() -> None:
    assert expand("`$A", ENV, escape="`").value == "$A"


def test_references() -> None:
    assert references("COPY $SRC/${DEST:-x} '$NOT'") == ["SRC", "DEST"]


@given(st.text(max_size=60))
def test_never_raises(text) -> None:
    expand(text, ENV)
