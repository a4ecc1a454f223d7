"""Our .dockerignore semantics against Docker's own: the files `docker build` puts in a context.

Each case builds `FROM scratch` + `COPY . /` on the test Docker Engine and lists the image's files
(docker create + export), then compares with project.dockerignore.context_files. The cases are
seeded random trees and ignore files over a vocabulary rich in `*`, `**`, `?`, classes, `!`
exceptions, leading and trailing slashes, so differences in edge cases show up.
"""

from __future__ import annotations

import io
import os
import random
import subprocess
import tarfile
from pathlib import Path

import pytest

from jettison.project.dockerignore import DockerIgnore, context_files

pytestmark = pytest.mark.containers

SEGMENTS = ["a", "b", "src", "sub", "__pycache__", ".git", "keep"]
LEAVES = ["x.py", "y.txt", "data.csv", "keep.txt", ".env", "m.pyc"]
PATTERNS = [
    "a", "*.py", "**/*.py", "src/**", "!a/x.py", "**/__pycache__", "?", "sub/*", "/b", "!src/keep.txt",
    "*/x.py", "[ab]", "a/**/y.txt", "src/", "!**/y.txt", "data.csv", "**", "!keep", "*.pyc", ".git",
    "# comment", "!sub/**/keep.txt", "./b/../sub", "**/.env", "s?b/x.py", "!*/data.csv",
]  # fmt: skip
# What the container runtime adds to every exported filesystem.
RUNTIME_FILES = {".dockerenv", "etc/hostname", "etc/hosts", "etc/mtab", "etc/resolv.conf", "dev/console"}


def make_case(root: Path, rng: random.Random) -> None:
    for _ in range(rng.randint(6, 14)):
        parts = [rng.choice(SEGMENTS) for _ in range(rng.randint(0, 3))] + [rng.choice(LEAVES)]
        path = root.joinpath(*parts)
        if any(parent.is_file() for parent in path.parents):
            continue
        if path.is_dir():
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x\n")
    lines = [rng.choice(PATTERNS) for _ in range(rng.randint(1, 6))]
    (root / ".dockerignore").write_text("\n".join(lines) + "\n")


def docker_context(services, context: Path, dockerfile: Path, tag: str) -> set[str]:
    env = {**services.env, "DOCKER_BUILDKIT": "0"}
    docker = services.docker
    build = [docker, "build", "-q", "-t", tag, "-f", str(dockerfile), str(context)]
    subprocess.run(build, env=env, check=True, capture_output=True)
    try:
        container = subprocess.run([docker, "create", tag, "/none"], env=env, check=True, capture_output=True,
                                   text=True).stdout.strip()  # fmt: skip
        try:
            exported = subprocess.run(
                [docker, "export", container], env=env, check=True, capture_output=True
            ).stdout
        finally:
            subprocess.run([docker, "rm", container], env=env, capture_output=True)
    finally:
        subprocess.run([docker, "rmi", tag], env=env, capture_output=True)
    with tarfile.open(fileobj=io.BytesIO(exported)) as archive:
        names = {member.name.removeprefix("./") for member in archive.getmembers() if member.isfile()}
    return names - RUNTIME_FILES - {".dockerignore"}


@pytest.mark.parametrize("seed", range(int(os.environ.get("JETTISON_DOCKERIGNORE_CASES", "12"))))
def test_context_matches_docker_build(services, tmp_path, seed) -> None:
    context = tmp_path / "context"
    context.mkdir()
    make_case(context, random.Random(seed))
    (context / "main.py").write_text("x\n")  # a context is never empty
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("FROM scratch\nCOPY . /\n")
    ours = set(context_files(context, DockerIgnore.for_context(context))) - {".dockerignore"}
    theirs = docker_context(services, context, dockerfile, f"jettison-dockerignore-probe:{seed}")
    assert ours == theirs, (context / ".dockerignore").read_text()
