"""The registry client against the real registry on 127.0.0.1:5000 (through a counting, fault-injecting
proxy), and our layouts and archives read by skopeo, umoci and docker."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import uuid

import pytest

from jettison.errors import JettisonError
from jettison.model.image import ImageConfig
from jettison.oci import (
    Image,
    ImageIndex,
    Layer,
    TarEntry,
    append_layers,
    read_image,
    write_docker_archive,
    write_oci_layout,
)
from jettison.oci.registry import DockerCredentials, NoCredentials, RegistryClient

from .helpers import validate_image
from .proxy import FaultProxy

pytestmark = pytest.mark.containers


def client(**options) -> RegistryClient:
    options.setdefault("credentials", NoCredentials())
    return RegistryClient(sleep=lambda _s: None, **options)


def unique(name: str) -> str:
    return f"jettison-test/{name}-{uuid.uuid4().hex[:8]}"


def app_image(text: str, arch: str = "amd64", size: int = 3000) -> Image:
    base = Layer.from_entries([TarEntry("etc/os-release", data=b"ID=debian\n" * 50)])
    deps = Layer.from_entries([TarEntry("opt/venv/lib/big.bin", data=bytes(range(256)) * (size // 256 + 1))])
    app = Layer.from_entries([TarEntry("app/main.py", data=text.encode())])
    return Image.assemble(ImageConfig(architecture=arch, config={"Cmd": ["/bin/true"]}), [base, deps, app])


@pytest.fixture
def proxy(services):
    with FaultProxy(services.registry) as running:
        yield running


def test_push_then_skopeo_reads_it_and_we_pull_it_back(services, proxy, tmp_path):
    repo = unique("app")
    image = app_image("v1")
    result = client().push(image, f"{proxy.address}/{repo}:1")
    assert result.digest == image.digest
    assert sorted(result.uploaded) == sorted([*(layer.digest for layer in image.layers), image.config_digest])
    ref = f"docker://{services.registry}/{repo}:1"
    inspected = json.loads(
        subprocess.run(
            ["skopeo", "inspect", "--tls-verify=false", ref], check=True, capture_output=True
        ).stdout
    )
    assert inspected["Digest"] == image.digest
    assert inspected["Layers"] == [layer.digest for layer in image.layers]
    subprocess.run(
        ["skopeo", "copy", "--src-tls-verify=false", ref, f"oci:{tmp_path / 'copy'}:x"],
        check=True,
        capture_output=True,
    )
    copied = read_image(f"oci:{tmp_path / 'copy'}:x")
    assert copied.config_bytes == image.config_bytes
    validate_image(copied)
    pulled = client().pull(f"{services.registry}/{repo}:1")
    assert pulled.manifest_bytes == image.manifest_bytes
    validate_image(pulled)
    by_digest = client().pull(f"{services.registry}/{repo}@{image.digest}")
    assert by_digest.digest == image.digest


def test_second_push_uploads_only_the_changed_layer_config_and_manifest(proxy):
    repo = unique("incremental")
    first, second = app_image("v1"), app_image("v2 with an edit")
    client().push(first, f"{proxy.address}/{repo}:1")
    proxy.log.clear()
    result = client().push(second, f"{proxy.address}/{repo}:2")
    app_layer = second.layers[-1]
    assert result.uploaded == [app_layer.digest, second.config_digest]
    assert sorted(result.skipped) == sorted(layer.digest for layer in second.layers[:2])
    received = proxy.bytes_received()
    assert received == app_layer.size + len(second.config_bytes) + len(second.manifest_bytes)
    assert result.bytes_uploaded == app_layer.size + len(second.config_bytes)


def test_chunked_upload_and_cross_repository_mount(services, proxy):
    source, target = unique("source"), unique("target")
    image = app_image("mount me", size=200_000)
    client().push(image, f"{proxy.address}/{source}:1")
    proxy.log.clear()
    result = client(chunk_size=64 * 1024).push(
        append_layers(
            image, [Layer.from_entries([TarEntry("extra", data=os.urandom(150_000))], compression="none")]
        ),
        f"{proxy.address}/{target}:1",
        mount_from=[source],
    )
    assert sorted(result.mounted) == sorted(layer.digest for layer in image.layers)
    patches = proxy.requests("PATCH")
    assert len(patches) >= 3 and all(r.status == 202 for r in patches)
    assert proxy.requests("POST", "mount=")
    pulled = client().pull(f"{services.registry}/{target}:1")
    validate_image(pulled)


def test_pulled_base_layers_are_mounted_when_pushing_to_another_repository(services, proxy):
    base = client().pull(f"{proxy.address}/library/python:3.11-slim")
    assert base.platform.os == "linux"
    image = append_layers(base, [Layer.from_entries([TarEntry("app/a.py", data=uuid.uuid4().bytes)])])
    proxy.log.clear()
    result = client().push(image, f"{proxy.address}/{unique('onbase')}:1")
    assert result.mounted == [layer.digest for layer in base.layers]
    assert proxy.bytes_received() < 10_000  # the 80 MB base layer was never sent


def test_transient_failures_are_retried_and_the_push_completes(proxy):
    repo = unique("retry")
    proxy.fault("PUT", r"/blobs/uploads/", 500, times=2)
    proxy.fault("HEAD", r"/blobs/", "drop", times=1)
    proxy.fault("POST", r"/blobs/uploads/", 429, times=1)
    proxy.fault("PUT", r"/manifests/", 503, times=1)
    image = app_image("retry")
    result = client().push(image, f"{proxy.address}/{repo}:1")
    assert result.digest == image.digest
    assert all(f.times == 0 for f in proxy.state.faults)
    validate_image(client().pull(f"{proxy.address}/{repo}:1"))


def test_a_blob_that_keeps_failing_means_no_manifest_is_pushed(services, proxy):
    repo = unique("broken")
    image = app_image("never")
    proxy.fault("PATCH", r"/blobs/uploads/", "drop", times=100)
    proxy.fault("PUT", r"/blobs/uploads/", 500, times=100)
    with pytest.raises(
        JettisonError, match=r"uploading blob sha256:[0-9a-f]{64} to 127\.0\.0\.1:\d+/" + repo
    ):
        client(retries=2).push(image, f"{proxy.address}/{repo}:1")
    assert proxy.requests("PUT", "/manifests/") == []
    with pytest.raises(JettisonError, match="not found"):
        client().pull(f"{services.registry}/{repo}:1")


def test_registry_errors_are_one_line_errors(services, proxy):
    repo = unique("errors")
    image = app_image("errors")
    client().push(image, f"{proxy.address}/{repo}:1")
    with pytest.raises(JettisonError, match="not found on registry"):
        client().pull(f"{proxy.address}/{repo}:nope")
    proxy.fault("GET", r"/manifests/", 500, times=10)
    with pytest.raises(JettisonError, match=r"500 .*after 3 attempts"):
        client(retries=2).pull(f"{proxy.address}/{repo}:1")
    proxy.state.faults.clear()
    pulled = client().pull(f"{proxy.address}/{repo}:1")
    proxy.fault("GET", r"/blobs/", "truncate", times=1)  # a dropped download resumes with a Range request
    assert len(pulled.layers[1].open().read()) == pulled.layers[1].size
    assert proxy.requests("GET", "/blobs/")[-1].status == 206
    proxy.fault("GET", r"/blobs/", "truncate", times=10)
    with pytest.raises(JettisonError, match=r"blob sha256:\w+ from 127.0.0.1:\d+/.*connection dropped after"):
        client(retries=2).pull(f"{proxy.address}/{repo}:1").layers[1].open().read()
    proxy.state.faults.clear()
    proxy.fault("GET", r"/blobs/", "corrupt", times=1)
    with pytest.raises(JettisonError, match="does not match its digest"):
        pulled.layers[1].open().read()
    proxy.fault("GET", r"/blobs/", 404, times=1)
    with pytest.raises(JettisonError, match="does not have it"):
        pulled.layers[1].open().read()
    proxy.fault("GET", r"/manifests/", "drop", times=1)  # a dropped connection is retried
    assert client().pull(f"{proxy.address}/{repo}:1").digest == image.digest


def test_bearer_token_flow_with_credentials_from_docker_config(services, proxy, tmp_path):
    proxy.state.auth = "bearer"
    repo = unique("auth")
    image = app_image("auth")
    with pytest.raises(JettisonError, match="refused a token"):
        client().push(image, f"{proxy.address}/{repo}:1")
    config = tmp_path / "config.json"
    auth = "amV0OnMzY3JldA=="  # jet:s3cret
    config.write_text(json.dumps({"auths": {proxy.address: {"auth": auth}}}))
    result = client(credentials=DockerCredentials(config)).push(image, f"{proxy.address}/{repo}:1")
    assert result.digest == image.digest
    tokens = [r for r in proxy.log if r.status == "token"]
    assert len(tokens) == 2  # one failed anonymous try above, then one token for the whole push


def test_basic_auth_and_credential_helpers(services, proxy, tmp_path, monkeypatch):
    proxy.state.auth = "basic"
    helper = tmp_path / "bin" / "docker-credential-jettest"
    helper.parent.mkdir()
    helper.write_text('#!/bin/sh\nread server\necho "{\\"Username\\":\\"jet\\",\\"Secret\\":\\"s3cret\\"}"\n')
    helper.chmod(helper.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{helper.parent}:{os.environ['PATH']}")
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"credHelpers": {proxy.address: "jettest"}}))
    image = app_image("basic")
    repo = unique("basic")
    result = client(credentials=DockerCredentials(config)).push(image, f"{proxy.address}/{repo}:1")
    assert result.digest == image.digest
    config.write_text(json.dumps({"credsStore": "jettest"}))
    assert (
        client(credentials=DockerCredentials(config)).pull(f"{proxy.address}/{repo}:1").digest == image.digest
    )
    with pytest.raises(JettisonError, match="wants a login"):
        client().pull(f"{proxy.address}/{repo}:1")


def test_index_of_two_platforms_round_trips_through_the_registry(services, proxy):
    repo = unique("multi")
    index = ImageIndex.of([app_image("x", "amd64"), app_image("x", "arm64")])
    result = client().push(index, f"{proxy.address}/{repo}:1")
    assert result.digest == index.digest
    arm = client().pull(f"{services.registry}/{repo}:1", "linux/arm64")
    assert arm.platform.architecture == "arm64" and arm.digest == index.images[1].digest
    raw = subprocess.run(
        ["skopeo", "inspect", "--raw", "--tls-verify=false", f"docker://{services.registry}/{repo}:1"],
        check=True,
        capture_output=True,
    ).stdout
    assert raw == index.index_bytes


def test_real_tools_read_our_layout_and_archive(services, tmp_path):
    base = read_image(f"oci:{services.oci_layout}:3.11-slim")
    script = b"#!/bin/sh\necho hello from jettison\n"
    image = append_layers(base, [Layer.from_entries([TarEntry("app/hello.sh", data=script, mode=0o755)])])
    layout = tmp_path / "layout"
    write_oci_layout(image, layout, "app")
    inspected = json.loads(
        subprocess.run(["skopeo", "inspect", f"oci:{layout}:app"], check=True, capture_output=True).stdout
    )
    assert inspected["Digest"] == image.digest
    bundle = tmp_path / "bundle"
    subprocess.run(
        ["umoci", "unpack", "--image", f"{layout}:app", str(bundle)], check=True, capture_output=True
    )
    unpacked = bundle / "rootfs" / "app" / "hello.sh"
    assert unpacked.read_bytes() == script and unpacked.stat().st_mode & 0o777 == 0o755
    assert (bundle / "rootfs" / "usr" / "bin" / "python3").exists()
    archive = tmp_path / "app.tar"
    tag = f"{unique('loaded')}:1"
    write_docker_archive(image, archive, tag)
    subprocess.run(["skopeo", "inspect", f"docker-archive:{archive}"], check=True, capture_output=True)
    loaded = subprocess.run(
        [services.docker, "load", "-i", str(archive)],
        env=services.env,
        check=True,
        capture_output=True,
        text=True,
    )
    try:
        assert tag in loaded.stdout
        run = subprocess.run(
            [services.docker, "run", "--rm", "--network=host", tag, "/app/hello.sh"],
            env=services.env,
            capture_output=True,
            text=True,
        )
        assert run.stdout.strip() == "hello from jettison", run.stderr
    finally:
        subprocess.run([services.docker, "rmi", tag], env=services.env, capture_output=True)


def test_stand_in_bases_read_from_every_store(services):
    from_archive = read_image(f"docker-archive:{services.slim_archive}")
    from_layout = read_image(f"oci:{services.oci_layout}:3.11-slim")
    from_registry = client().pull(f"{services.registry}/library/python:3.11-slim")
    diff_ids = {tuple(i.config.diff_ids) for i in (from_archive, from_layout, from_registry)}
    assert len(diff_ids) == 1
    validate_image(from_registry)
    members = sum(1 for _ in from_archive.layers[0].members())
    assert members > 1000


def test_skopeo_selects_a_platform_from_our_multi_platform_layout(services, tmp_path):
    index = ImageIndex.of([app_image("m", "amd64"), app_image("m", "arm64")])
    write_oci_layout(index, tmp_path / "multi", "m")
    for arch in ("amd64", "arm64"):
        inspected = json.loads(
            subprocess.run(
                ["skopeo", "inspect", "--override-arch", arch, f"oci:{tmp_path / 'multi'}:m"],
                check=True,
                capture_output=True,
            ).stdout
        )
        assert inspected["Architecture"] == arch and inspected["Digest"] == index.digest
