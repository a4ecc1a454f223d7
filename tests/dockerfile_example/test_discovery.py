"""Which files `jettison audit` treats as Dockerfiles, and per-Dockerfile ignore files."""

from __future__ import annotations

import importlib.util

import pytest

from jettison.dockerfile.audit import dockerfile_findings, find_dockerfiles


def test_finds_dockerfiles_by_docker_naming_and_skips_lookalikes(tmp_path) -> None:
    names = ["Dockerfile", "Dockerfile.prod", "api.Dockerfile", "docker/worker.dockerfile"]
    names += ["Dockerfile.jettison-bak", "Dockerfile.dockerignore", "Dockerfile.md", "venv/Dockerfile"]
    names += [".git/Dockerfile", "notes.txt"]
    for name in names:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("FROM scratch\n")
    found = [p.relative_to(tmp_path).as_posix() for p in find_dockerfiles(tmp_path)]
    assert found == ["Dockerfile", "Dockerfile.prod", "api.Dockerfile", "docker/worker.dockerfile"]
    assert [p.name for p in find_dockerfiles(tmp_path, exclude=["docker/*"])] == [
        "Dockerfile", "Dockerfile.prod", "api.Dockerfile",
    ]  # fmt: skip


@pytest.mark.skipif(
    importlib.util.find_spec("jettison.dockerfile.parser") is None, reason="parser not on main yet"
)
def test_per_dockerfile_ignore_file_wins(tmp_path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM python:3.12-slim\nCOPY . /app\n")
    (tmp_path / ".env").write_text("DB_PASSWORD=hunter2\n")
    assert "JC802" in {f.rule for f in dockerfile_findings(tmp_path)}
    (tmp_path / "Dockerfile.dockerignore").write_text(".env\n")
    assert "JC802" not in {f.rule for f in dockerfile_findings(tmp_path)}


@pytest.mark.skipif(
    importlib.util.find_spec("jettison.dockerfile.parser") is None, reason="parser not on main yet"
)
def test_context_is_the_dockerfiles_directory_unless_its_sources_live_higher(tmp_path) -> None:
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc" / "Dockerfile").write_text(
        'FROM python:3.12-slim\nCOPY . /app\nENTRYPOINT ["/app/run.sh"]\n'
    )
    (tmp_path / "svc" / "run.sh").write_text("#!/bin/sh\ngunicorn app:app\n")
    (tmp_path / "docker").mkdir()
    (tmp_path / "docker" / "Dockerfile").write_text(
        'FROM python:3.12-slim\nCOPY src/ /app/\nCMD ["/app/start.sh"]\n'
    )
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "start.sh").write_text("#!/bin/sh\ngunicorn app:app\n")
    (tmp_path / ".env").write_text(
        "DB_PASSWORD=hunter2\n"
    )  # outside svc/'s context, and not copied by docker/
    findings = dockerfile_findings(tmp_path)
    scripts = sorted(f.location.path for f in findings if f.rule == "JD602")
    assert scripts == ["src/start.sh", "svc/run.sh"]
    assert "JC802" not in {f.rule for f in findings}
