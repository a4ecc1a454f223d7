"""What real tools make of our images: runc (via umoci), Docker Engine, skopeo, a registry.

Marked `containers` (the test services) and `network` (wheels come from PyPI through uv). The project is
examples/analytics-server when present, else a small Flask service under tests/builder/fixtures.
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

from jettison.builder import run_build
from jettison.builder.assemble import BuildOptions

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
    return run_build(
        project, base=base, outputs=outputs, push=push, cache_dir=cache_dir, options=BuildOptions(),
    )  # fmt: skip


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


def test_push_is_read_back_by_skopeo(services, project, cache_dir, tmp_path):
    repository = f"{services.registry}/jettison-test/build-{os.getpid()}"
    summary = _build(project, cache_dir, f"oci:{services.oci_layout}:3.11-slim", [], push=f"{repository}:v1")
    inspected = subprocess.run(
        ["skopeo", "inspect", "--tls-verify=false", f"docker://{repository}:v1"],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    assert json.loads(inspected.stdout)["Digest"] == summary.digest
    copied = tmp_path / "copied"
    subprocess.run(
        ["skopeo", "copy", "--src-tls-verify=false", f"docker://{repository}:v1", f"oci:{copied}:v1"],
        check=True, capture_output=True,
    )  # fmt: skip
    from jettison.oci.layout import read_oci_layout

    assert read_oci_layout(copied, "v1").digest == summary.digest


def test_push_after_an_edit_sends_only_app_layer_config_and_manifest(services, project, cache_dir, tmp_path):
    from tests.builder.counting_proxy import CountingProxy

    work = tmp_path / "edited"
    shutil.copytree(project, work)
    base = f"oci:{services.oci_layout}:3.11-slim"
    with CountingProxy(services.registry) as proxy:
        repository = f"{proxy.address}/jettison-test/incremental-{os.getpid()}"
        first = _build(work, cache_dir, base, [f"oci:{tmp_path / 'out'}:app"], push=f"{repository}:1")
        app_py = next(p for p in sorted(work.rglob("*.py")) if p.name != "gunicorn.conf.py")
        app_py.write_text(app_py.read_text() + "\n# edited\n")
        proxy.traffic.reset()
        started = time.perf_counter()
        second = _build(work, cache_dir, base, [f"oci:{tmp_path / 'out'}:app"], push=f"{repository}:2")
        elapsed = time.perf_counter() - started
        print(f"\nrebuild + push after editing {app_py.name}: {elapsed:.2f} s")
        assert second.dependency_cache == {"linux/amd64": "local"}
        assert second.digest != first.digest
        pushed = second.pushed
        from jettison.oci.layout import read_oci_layout

        image = read_oci_layout(tmp_path / "out", "app")
        app_layer = image.layers[-2]
        assert pushed.uploaded == [app_layer.digest, image.config_digest]
        assert pushed.mounted == []
        uploads = proxy.traffic.uploads()
        sent = sum(r.sent for r in uploads)
        expected = app_layer.size + len(image.config_bytes) + len(image.manifest_bytes)
        assert sent == expected, [(r.method, r.path, r.sent) for r in uploads]
        assert len(proxy.traffic.manifests_put()) == 1


def test_registry_cache_lets_another_runner_skip_uv_and_mount_layers(
    services, project, tmp_path, monkeypatch
):
    base = f"oci:{services.oci_layout}:3.11-slim"
    cache_repo = f"{services.registry}/jettison-test/depcache-{os.getpid()}"
    first = run_build(
        project, base=base, outputs=[], push=f"{services.registry}/jettison-test/runner-a-{os.getpid()}:1",
        cache_repo=cache_repo, cache_dir=tmp_path / "runner-a", options=BuildOptions(refresh=True),
    )  # fmt: skip
    assert first.dependency_cache == {"linux/amd64": "built"}

    def no_uv(*args, **kwargs):
        raise AssertionError("uv ran although the registry cache had the dependency layers")

    monkeypatch.setattr("jettison.builder.wheels._run_uv", no_uv)
    second = run_build(
        project, base=base, outputs=[], push=f"{services.registry}/jettison-test/runner-b-{os.getpid()}:1",
        cache_repo=cache_repo, cache_dir=tmp_path / "runner-b", options=BuildOptions(),
    )  # fmt: skip
    assert second.dependency_cache == {"linux/amd64": "remote"}
    assert second.digest == first.digest
    assert len(second.pushed.mounted) >= 1  # the dependency layers came across without an upload
    assert not (tmp_path / "runner-b" / "blobs").exists()  # and were never downloaded


def test_missing_registry_base_is_one_line_exit_2(services, project, tmp_path):
    from click.testing import CliRunner

    from jettison.cli import main

    result = CliRunner().invoke(main, [
        "build", str(project), "--base", f"{services.registry}/jettison-test/no-such-base:1",
        "--output", f"oci:{tmp_path / 'out'}", "--cache-dir", str(tmp_path / "cache"),
    ])  # fmt: skip
    assert result.exit_code == 2, result.output
    assert result.output.startswith("jettison: ") and result.output.count("\n") == 1
    assert not (tmp_path / "out").exists()
