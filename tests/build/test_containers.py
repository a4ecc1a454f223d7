"""What real tools make of our images: runc (via umoci), Docker Engine, skopeo, a registry.

Marked `containers` (the test services) and `network` (wheels come from PyPI through uv). The project is
examples/analytics-server when present, else a small Flask service under tests/build/fixtures.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from jettison.build import run_build
from jettison.build.builder import BuildOptions

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "analytics-server"
FIXTURE = Path(__file__).parent / "fixtures" / "flask-service"

pytestmark = [pytest.mark.containers, pytest.mark.network]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_health(port: int, timeout: float = 30.0) -> int:
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as reply:
                return reply.status
        except OSError as error:
            last = error
            time.sleep(0.3)
    raise AssertionError(f"/health never answered on port {port}: {last}")


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    source = EXAMPLE if (EXAMPLE / "requirements.txt").is_file() else FIXTURE
    copy = tmp_path_factory.mktemp("project") / source.name
    shutil.copytree(source, copy, ignore=shutil.ignore_patterns("__pycache__", ".venv"))
    return copy


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("cache")


def _build(project: Path, cache_dir: Path, base: str, outputs: list[str], push: str | None = None):
    options = BuildOptions()
    return run_build(project, base=base, outputs=outputs, push=push, cache_dir=cache_dir, options=options)


def test_oci_output_runs_under_runc(services, project, cache_dir, tmp_path):
    base = f"oci:{services.oci_layout}:3.11-slim"
    _build(project, cache_dir, base, [f"oci:{tmp_path / 'layout'}:app"])
    bundle = tmp_path / "bundle"
    subprocess.run(["umoci", "unpack", "--image", f"{tmp_path / 'layout'}:app", str(bundle)], check=True,
                   capture_output=True)  # fmt: skip
    config_path = bundle / "config.json"
    config = json.loads(config_path.read_text())
    port = free_port()
    process = config["process"]
    process.pop("rlimits", None)
    process["terminal"] = False
    process["env"] = [e for e in process["env"] if not e.startswith("PORT=")] + [f"PORT={port}"]
    assert process["user"]["uid"] == 65532
    config["linux"]["namespaces"] = [n for n in config["linux"]["namespaces"] if n["type"] != "network"]
    config_path.write_text(json.dumps(config))
    name = f"jettison-test-{os.getpid()}-{port}"
    log_path = tmp_path / "runc.log"
    with open(log_path, "wb") as log:
        command = ["runc", "run", "-b", str(bundle), name]
        runner = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    try:
        assert wait_for_health(port) == 200
    finally:
        subprocess.run(["runc", "kill", name, "TERM"], capture_output=True)
        try:
            runner.wait(timeout=15)
        except subprocess.TimeoutExpired:
            subprocess.run(["runc", "kill", name, "KILL"], capture_output=True)
            runner.wait(timeout=5)
        subprocess.run(["runc", "delete", "-f", name], capture_output=True)


def test_docker_archive_loads_and_serves(services, project, cache_dir, tmp_path):
    tag = f"jettison-test/app:{os.getpid()}"
    archive = tmp_path / "app.tar"
    _build(project, cache_dir, f"docker-archive:{services.slim_archive}", [f"docker-archive:{archive}:{tag}"])
    docker = [services.docker]
    subprocess.run([*docker, "load", "-i", str(archive)], env=services.env, check=True, capture_output=True)
    port = free_port()
    started = subprocess.run(
        [*docker, "run", "-d", "--rm", "--network=host", "-e", f"PORT={port}", tag],
        env=services.env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    container = started.stdout.strip()
    try:
        assert wait_for_health(port) == 200
    finally:
        subprocess.run([*docker, "stop", "-t", "5", container], env=services.env, capture_output=True)
        subprocess.run([*docker, "rmi", tag], env=services.env, capture_output=True)
