"""One target Python: the chain flag > final base tag > requires-python > .python-version > default."""

from __future__ import annotations

import datetime

import pytest

from jettison.deps.target import Target
from jettison.dockerfile.python_target import project_target_python
from jettison.errors import JettisonError
from jettison.project.target import NEWEST_PYTHON, never_lowers, python_of_image, resolve_target_python

TODAY = datetime.date(2026, 12, 4)


@pytest.mark.parametrize(
    ("image", "version"),
    [
        ("python:3.14.5-slim-trixie", "3.14"),
        ("python:3.8-slim-buster", "3.8"),
        ("docker.io/library/python:3.11.4@sha256:" + "a" * 64, "3.11"),
        ("python:slim", NEWEST_PYTHON),
        ("python:latest", NEWEST_PYTHON),
        ("python", NEWEST_PYTHON),
        ("python:3-slim", NEWEST_PYTHON),
        ("ghcr.io/astral-sh/uv:python3.12-bookworm-slim", "3.12"),
    ],
)
def test_base_image_tags_name_their_python(image, version):
    found = python_of_image(image)
    assert found is not None and found[0] == version


def test_an_image_without_python_names_none():
    assert python_of_image("ubuntu:24.04") is None
    assert python_of_image("node:20-slim") is None


def test_the_chain_in_order(tmp_path):
    (tmp_path / ".python-version").write_text("3.12.3\n")
    assert resolve_target_python(tmp_path).version == "3.12"
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\nrequires-python = ">=3.13"\n')
    assert resolve_target_python(tmp_path, today=TODAY).version == "3.13"
    (tmp_path / "Dockerfile").write_text("FROM python:3.14-slim AS base\nFROM base\nCMD [\"x\"]\n")
    target = project_target_python(tmp_path, today=TODAY)
    assert target.version == "3.14"
    assert "Dockerfile:1" in target.source
    assert project_target_python(tmp_path, explicit="3.10").version == "3.10"


def test_python_slim_is_the_newest_known_and_says_so(tmp_path):
    (tmp_path / "Dockerfile").write_text("FROM python:slim\n")
    target = project_target_python(tmp_path)
    assert target.version == NEWEST_PYTHON
    assert "newest" in target.source


def test_requires_python_takes_the_oldest_supported_version_it_admits(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\nrequires-python = ">=3.8"\n')
    # 3.8-3.10 are past end of life on TODAY: the oldest still supported is 3.11.
    assert resolve_target_python(tmp_path, today=TODAY).version == "3.11"


def test_poetry_python_constraint(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.poetry.dependencies]\npython = "^3.12"\n')
    assert resolve_target_python(tmp_path, today=TODAY).version == "3.12"


def test_default_without_anything(tmp_path):
    target = resolve_target_python(tmp_path)
    assert target.version == "3.11"
    assert "default" in target.source


def test_bad_flag_is_a_user_error(tmp_path):
    with pytest.raises(JettisonError):
        resolve_target_python(tmp_path, explicit="three")


def test_a_fix_never_lowers_the_recipes_python():
    assert not never_lowers("python:slim", "3.11")
    assert never_lowers("python:slim", NEWEST_PYTHON)
    assert not never_lowers("python:3.14-slim", "3.13")
    assert never_lowers("python:3.8", "3.11")
    assert not never_lowers("myregistry/custom:1", "3.11")  # unknown Python: never moved


def test_stdlib_follows_the_target_not_the_host():
    assert "distutils" in Target("3.11").stdlib_modules
    assert "distutils" not in Target("3.12").stdlib_modules
    assert Target("3.12").stdlib_replacements("distutils") == ("setuptools",)
    assert Target("3.11").stdlib_replacements("distutils") == ()
    assert "telnetlib" not in Target("3.13").stdlib_modules
    assert "tomllib" not in Target("3.10").stdlib_modules
