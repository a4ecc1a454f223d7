"""One reading of "is this Python's image, and which Python": the rules and the target agree."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jettison.model.image_names import parse_image
from jettison.project.target import python_of_image


@pytest.mark.parametrize(
    "name",
    ["python:3.12-slim", "docker.io/library/python:3.12", "mirror.gcr.io/library/python:3.12-slim-bookworm",
     "registry.example.com:5000/python:3.12@sha256:" + "a" * 64, " python:3.12 "],
)  # fmt: skip
def test_python_images_and_their_mirrors_are_python_for_rules_and_target(name: str) -> None:
    image = parse_image(name)
    assert image.is_python
    assert image.python_version == (3, 12)
    assert python_of_image(name) == ("3.12", True)


@pytest.mark.parametrize("name", ["pypy:3.10", "ghcr.io/astral-sh/uv:0.5", "mypython:3.12", "${BASE}"])
def test_other_images_are_not_python(name: str) -> None:
    assert not parse_image(name).is_python


def test_a_registry_port_is_not_a_tag() -> None:
    image = parse_image("localhost:5000/python")
    assert (image.repository, image.tag) == ("localhost:5000/python", None)


@given(st.text(max_size=60))
def test_any_from_text_reads_without_raising_and_both_readers_agree(text: str) -> None:
    image = parse_image(text)
    found = python_of_image(text)
    if found is not None and found[1] and image.is_python:
        assert image.python_version is not None and ".".join(map(str, image.python_version[:2])) == found[0]
