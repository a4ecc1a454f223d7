"""Hostile Dockerfiles: every limit is one located JettisonError, never a RecursionError or minutes."""

from __future__ import annotations

import pytest

from jettison.dockerfile.expand import expand
from jettison.dockerfile.model import build_model
from jettison.dockerfile.parser import MAX_DOCKERFILE_BYTES, MAX_LINES, parse
from jettison.errors import JettisonError


def test_deeply_nested_expansion_is_a_located_error():
    text = "FROM python:3.11-slim\nARG a=1\nENV b=" + "${a:-" * 500 + "x" + "}" * 500 + "\n"
    with pytest.raises(JettisonError) as error:
        build_model(parse(text))
    assert error.value.line == 3 and "nested" in error.value.message


def test_moderate_nesting_still_expands():
    word = "${a:-" * 30 + "x" + "}" * 30
    build_model(parse(f"FROM python:3.11-slim\nENV b={word}\n"))
    assert expand(word, {}).value == "x"


def test_too_many_lines_is_refused_before_parsing():
    text = "FROM python:3.11-slim\n" + "\n" * (MAX_LINES + 5)
    with pytest.raises(JettisonError) as error:
        parse(text)
    assert error.value.line == MAX_LINES + 1 and "lines" in error.value.message


def test_too_many_bytes_is_refused():
    with pytest.raises(JettisonError) as error:
        parse("FROM scratch\n" + "#x\n" * (MAX_DOCKERFILE_BYTES // 3 + 1))
    assert "too large" in error.value.message
