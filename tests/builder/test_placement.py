"""Files land where the project's Dockerfile copies them."""

from __future__ import annotations

import pytest

from jettison.builder.placement import placements

parser = pytest.importorskip("jettison.dockerfile.parser", reason="the Dockerfile parser is not installed")
from jettison.dockerfile.model import build_model  # noqa: E402

PATHS = ["gunicorn.conf.py", "requirements.txt", "src/main.py", "src/pkg/__init__.py", "tools/x.sh"]


def placed(text: str) -> dict[str, str] | None:
    result = placements(build_model(parser.parse(text, "Dockerfile")), PATHS)
    return dict(result) if result is not None else None


def test_a_directory_source_copies_its_content():
    got = placed("FROM python:3.11\nADD ./src /www\nADD requirements.txt /www/requirements.txt\n")
    assert got == {"src/main.py": "/www/main.py", "src/pkg/__init__.py": "/www/pkg/__init__.py",
                   "requirements.txt": "/www/requirements.txt"}  # fmt: skip


def test_relative_destinations_follow_workdir_and_trailing_slash_means_into():
    got = placed("FROM python:3.11\nWORKDIR /app\nCOPY gunicorn.conf.py requirements.txt ./\n"
                 "COPY tools/x.sh bin/\n")
    assert got == {"gunicorn.conf.py": "/app/gunicorn.conf.py", "requirements.txt": "/app/requirements.txt",
                   "tools/x.sh": "/app/bin/x.sh"}  # fmt: skip


def test_copy_dot_places_the_whole_context_and_no_copy_means_none():
    assert placed("FROM python:3.11\nWORKDIR /srv\nCOPY . .\n") == {p: f"/srv/{p}" for p in PATHS}
    assert placed("FROM python:3.11\nRUN true\n") is None


def test_only_the_final_stage_and_only_the_context_count():
    text = "FROM python:3.11 AS b\nCOPY . /build\nFROM python:3.11\n"
    text += "COPY --from=b /build/src /app\nCOPY *.txt /cfg/\n"
    assert placed(text) == {"requirements.txt": "/cfg/requirements.txt"}
