"""The registry client against an in-memory registry (httpx.MockTransport): push order, skip, mount,
chunks, retries, auth and credentials, pulls with platform selection; no network needed."""

from __future__ import annotations

import ast
import base64
import json
import subprocess
from pathlib import Path

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from jettison.errors import JettisonError
from jettison.model.image import DOCKER_MANIFEST_LIST, ImageConfig
from jettison.oci import Image, ImageIndex, Layer, TarEntry, append_layers, read_image
from jettison.oci.reference import Reference
from jettison.oci.registry import DockerCredentials, NoCredentials, RegistryClient, _parse_challenge

from .fake_registry import FakeRegistry
from .helpers import validate_image

HOST = "127.0.0.1:9"


def image_for(text: str, arch: str = "amd64", docker: bool = False, variant: str | None = None) -> Image:
    base = Layer.from_entries([TarEntry("etc/os-release", data=b"ID=debian\n")])
    app = Layer.from_entries([TarEntry("app/main.py", data=text.encode())])
    config = ImageConfig(architecture=arch, variant=variant, config={"Cmd": ["python3"]})
    return Image.assemble(config, [base, app], docker=docker)


@pytest.fixture
def registry():
    return FakeRegistry()


def make_client(registry: FakeRegistry, sleeps: list[float] | None = None, **options) -> RegistryClient:
    options.setdefault("credentials", NoCredentials())
    record = sleeps.append if sleeps is not None else (lambda _s: None)
    return RegistryClient(transport=registry.transport(), sleep=record, **options)


def test_push_uploads_blobs_then_manifest_and_pull_reads_it_back(registry):
    image = image_for("v1")
    result = make_client(registry).push(image, f"{HOST}/app:1")
    assert result.digest == image.digest and result.skipped == [] and result.mounted == []
    assert result.bytes_uploaded == sum(layer.size for layer in image.layers) + len(image.config_bytes)
    methods = [(m, p.split("/")[-2] if "/manifests/" in p else "") for m, p, _ in registry.log]
    manifest_at = methods.index(("PUT", "manifests"))
    assert manifest_at == len(registry.log) - 1  # the manifest is the very last request
    pulled = make_client(registry).pull(f"{HOST}/app:1")
    assert pulled.manifest_bytes == image.manifest_bytes
    validate_image(pulled)
    assert read_image(f"{HOST}/app:1", client=make_client(registry)).digest == image.digest


def test_second_push_skips_what_the_registry_has(registry):
    first, second = image_for("v1"), image_for("v2")
    client = make_client(registry)
    client.push(first, f"{HOST}/app:1")
    result = client.push(second, f"{HOST}/app:2")
    assert result.skipped == [first.layers[0].digest]
    assert result.uploaded == [second.layers[1].digest, second.config_digest]


def test_mount_from_another_repository_and_chunked_upload(registry):
    image = image_for("mounted")
    make_client(registry).push(image, f"{HOST}/base:1")
    bigger = append_layers(
        image, [Layer.from_entries([TarEntry("blob", data=bytes(range(256)) * 40)], compression="none")]
    )
    registry.log.clear()
    result = make_client(registry, chunk_size=1000).push(bigger, f"{HOST}/other:1", mount_from=["base"])
    assert result.mounted == [layer.digest for layer in image.layers]
    patches = [p for m, p, s in registry.log if m == "PATCH"]
    expected = -(-bigger.layers[-1].size // 1000) + -(-len(bigger.config_bytes) // 1000)
    assert len(patches) == expected  # the new layer and the config, in 1000-byte chunks
    validate_image(make_client(registry).pull(f"{HOST}/other:1"))


def test_transient_failures_are_retried_with_backoff(registry):
    failures = {"PUT": 2, "HEAD": 1, "POST": 1}

    def flaky(request: httpx.Request) -> httpx.Response | None:
        if failures.get(request.method, 0) > 0 and "/blobs/" in request.url.path:
            failures[request.method] -= 1
            if request.method == "HEAD":
                raise httpx.ConnectError("connection refused")
            return httpx.Response(503 if request.method == "PUT" else 429)
        return None

    registry.before = flaky
    sleeps: list[float] = []
    image = image_for("retry")
    assert make_client(registry, sleeps).push(image, f"{HOST}/app:1").digest == image.digest
    assert failures == {"PUT": 0, "HEAD": 0, "POST": 0}
    assert sleeps and all(s in (0.25, 0.5, 1.0) for s in sleeps)


def test_persistent_failure_never_pushes_a_manifest(registry):
    def broken(request: httpx.Request) -> httpx.Response | None:
        if request.method == "PUT" and "/uploads/" in request.url.path:
            return httpx.Response(500, json={"errors": [{"code": "UNKNOWN", "message": "disk full"}]})
        return None

    registry.before = broken
    sleeps: list[float] = []
    with pytest.raises(JettisonError) as caught:
        make_client(registry, sleeps, retries=3).push(image_for("x"), f"{HOST}/app:1")
    message = str(caught.value)
    assert f"to {HOST}/app" in message and "disk full" in message and "after 4 attempts" in message
    assert "\n" not in message
    assert sleeps == [0.25, 0.5, 1.0]
    assert not [p for m, p, _ in registry.log if m == "PUT" and "/manifests/" in p]


def test_registry_rejecting_a_blob_is_an_error_not_a_retry(registry):
    def reject(request: httpx.Request) -> httpx.Response | None:
        if request.method == "PUT" and "/uploads/" in request.url.path:
            return httpx.Response(400, json={"errors": [{"code": "DIGEST_INVALID", "message": "bad"}]})
        return None

    registry.before = reject
    with pytest.raises(JettisonError, match="DIGEST_INVALID"):
        make_client(registry).push(image_for("x"), f"{HOST}/app:1")
    assert len([1 for m, p, _ in registry.log if m == "PUT"]) == 1


def test_docker_manifest_list_pull_selects_the_platform(registry):
    amd = image_for("x", "amd64", docker=True)
    arm = image_for("x", "arm64", docker=True, variant="v8")
    index = ImageIndex.of([amd, arm])
    assert index.media_type == DOCKER_MANIFEST_LIST
    client = make_client(registry)
    client.push(index, f"{HOST}/multi:1")
    assert client.pull(f"{HOST}/multi:1", "linux/arm64").digest == arm.digest
    assert client.pull(f"{HOST}/multi:1", "linux/arm64/v8").digest == arm.digest
    assert client.pull(f"{HOST}/multi:1", "linux/amd64").digest == amd.digest
    with pytest.raises(JettisonError, match="no image for linux/riscv64"):
        client.pull(f"{HOST}/multi:1", "linux/riscv64")
    found = client.pull_index(f"{HOST}/multi:1")
    assert isinstance(found, ImageIndex) and found.digest == index.digest


def test_manifest_and_blob_corruption_are_caught(registry):
    image = image_for("x")
    client = make_client(registry)
    client.push(image, f"{HOST}/app:1")

    def tamper(request: httpx.Request) -> httpx.Response | None:
        if request.method == "GET" and "/manifests/" in request.url.path:
            return httpx.Response(
                200, content=image.manifest_bytes + b" ", headers={"Content-Type": image.media_type}
            )
        return None

    registry.before = tamper
    with pytest.raises(JettisonError, match="does not match its digest"):
        client.pull(f"{HOST}/app@{image.digest}")
    registry.before = None
    del registry.blobs["app"][image.layers[1].digest]
    pulled = client.pull(f"{HOST}/app:1")
    with pytest.raises(
        JettisonError, match=r"blob sha256:\w+ from 127.0.0.1:9/app: the registry does not have it"
    ):
        pulled.layers[1].open().read()


def bearer_gate(registry: FakeRegistry, user: str = "jet", password: str = "pw", refresh: str = "rt"):
    tokens: list[str] = []

    def gate(request: httpx.Request) -> httpx.Response | None:
        if request.url.path == "/token":
            basic = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
            form = dict(httpx.QueryParams(request.content.decode())) if request.method == "POST" else {}
            if request.headers.get("authorization") == basic or form.get("refresh_token") == refresh:
                scope = request.url.params.get_list("scope") or [form.get("scope", "")]
                tokens.append(" ".join(scope))
                return httpx.Response(200, json={"access_token": "tok"})
            return httpx.Response(401, json={"details": "no"})
        if request.headers.get("authorization") != "Bearer tok":
            challenge = f'Bearer realm="http://{HOST}/token",service="fake",scope="repository:app:pull"'
            return httpx.Response(401, headers={"WWW-Authenticate": challenge})
        return None

    registry.before = gate
    return tokens


def test_bearer_flow_with_docker_config_auths_and_identity_tokens(registry, tmp_path):
    tokens = bearer_gate(registry)
    config = tmp_path / "config.json"
    with pytest.raises(JettisonError, match="refused a token for app anonymously"):
        make_client(registry).push(image_for("x"), f"{HOST}/app:1")
    config.write_text(json.dumps({"auths": {f"http://{HOST}": {"username": "jet", "password": "pw"}}}))
    client = make_client(registry, credentials=DockerCredentials(config))
    client.push(image_for("x"), f"{HOST}/app:1")
    assert tokens == ["repository:app:pull,push repository:app:pull"]  # one token served the whole push
    config.write_text(json.dumps({"auths": {HOST: {"identitytoken": "rt"}}}))
    assert make_client(registry, credentials=DockerCredentials(config)).pull(f"{HOST}/app:1")


def test_credentials_from_helpers_and_stores(tmp_path):
    calls: list[tuple[list[str], bytes]] = []

    def run(argv, input, capture_output, timeout):
        calls.append((argv, input))
        if argv[0] == "docker-credential-gone":
            return subprocess.CompletedProcess(argv, 1, b"", b"credentials not found")
        return subprocess.CompletedProcess(
            argv, 0, json.dumps({"Username": "u", "Secret": "s"}).encode(), b""
        )

    config = tmp_path / "config.json"
    config.write_text(
        json.dumps(
            {
                "auths": {"https://index.docker.io/v1/": {"auth": base64.b64encode(b"hub:pw").decode()}},
                "credHelpers": {"ghcr.io": "gh", "quay.io": "gone"},
                "credsStore": "desktop",
            }
        )
    )
    creds = DockerCredentials(config, run=run)
    assert creds.get("docker.io") == ("hub", "pw")
    assert creds.get("ghcr.io") == ("u", "s") and calls[-1] == (["docker-credential-gh", "get"], b"ghcr.io")
    assert creds.get("quay.io") is None
    assert creds.get("example.com") == ("u", "s") and calls[-1][0] == ["docker-credential-desktop", "get"]
    assert DockerCredentials(tmp_path / "missing.json").get("x.io") is None
    config.write_text("{not json")
    with pytest.raises(JettisonError, match="cannot read docker config"):
        DockerCredentials(config).get("x.io")


def test_parse_challenge():
    scheme, params = _parse_challenge(
        'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:a/b:pull,push"'
    )
    assert scheme == "bearer" and params["scope"] == "repository:a/b:pull,push"
    assert params["realm"] == "https://auth.docker.io/token"
    assert _parse_challenge('Basic realm="Registry"') == ("basic", {"realm": "Registry"})


component = st.from_regex(r"[a-z0-9]+([._-][a-z0-9]+)?", fullmatch=True)


@given(
    host=st.sampled_from(["", "ghcr.io/", "127.0.0.1:5000/", "localhost:5000/", "registry.example.com:443/"]),
    path=st.lists(component, min_size=1, max_size=3),
    tag=st.one_of(st.none(), st.from_regex(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,10}", fullmatch=True)),
    digest=st.one_of(st.none(), st.from_regex(r"[0-9a-f]{64}", fullmatch=True)),
)
def test_reference_parse_round_trips(host, path, tag, digest):
    text = host + "/".join(path) + (f":{tag}" if tag else "") + (f"@sha256:{digest}" if digest else "")
    ref = Reference.parse(text)
    assert Reference.parse(str(ref)) == ref
    assert ref.tag == (tag or (None if digest else "latest"))
    if not host and len(path) == 1:
        assert ref.repository == f"library/{path[0]}"


def test_model_does_no_io_and_imports_nothing_above_it():
    source = Path(__file__).resolve().parents[2] / "src" / "jettison" / "model" / "image.py"
    imported = set()
    for node in ast.walk(ast.parse(source.read_text())):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module or "")
    assert imported <= {"__future__", "json", "re", "dataclasses", "typing"}


def test_a_layer_that_cannot_be_read_stops_the_push_before_the_manifest(registry, tmp_path):
    image = image_for("x")
    layer = image.layers[1]
    missing = tmp_path / "gone"
    broken = Layer(layer.digest, layer.diff_id, layer.size, layer.media_type, lambda: open(missing, "rb"))  # noqa: SIM115
    with pytest.raises(JettisonError, match=f"cannot open layer {layer.digest}"):
        make_client(registry).push(
            Image(image.manifest_bytes, image.config_bytes, (image.layers[0], broken)), f"{HOST}/a:1"
        )
    assert not [p for m, p, _ in registry.log if "/manifests/" in p]
    assert layer.digest not in registry.blobs.get("a", {})


def test_credentials_never_go_to_an_upload_location_on_another_host(registry, tmp_path):
    tokens = bearer_gate(registry)
    gate = registry.before
    registry.before = lambda request: None if request.url.host == "127.0.0.2" else gate(request)
    registry.upload_origin = "http://127.0.0.2:9"
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"auths": {HOST: {"username": "jet", "password": "pw"}}}))
    image = image_for("elsewhere")
    assert make_client(registry, credentials=DockerCredentials(config)).push(image, f"{HOST}/app:1").digest
    elsewhere = [r for r in registry.requests if r.url.host == "127.0.0.2"]
    assert elsewhere and all("authorization" not in r.headers for r in elsewhere)
    assert tokens


def test_with_local_blobs_downloads_once_and_still_mounts(registry, tmp_path):
    from jettison.oci import BlobDirectory, with_local_blobs

    image = image_for("cached")
    client = make_client(registry)
    client.push(image, f"{HOST}/base:1")
    pulled = client.pull(f"{HOST}/base:1")
    blobs = BlobDirectory(tmp_path / "cache")
    local = with_local_blobs(pulled, blobs)
    gets = len([1 for m, p, _ in registry.log if m == "GET" and "/blobs/" in p])
    again = with_local_blobs(client.pull(f"{HOST}/base:1"), blobs)
    validate_image(again)
    assert (
        len([1 for m, p, _ in registry.log if m == "GET" and "/blobs/" in p]) == gets + 1
    )  # the config only
    assert all(layer.local_path and layer.local_path.exists() for layer in local.layers)
    result = client.push(
        append_layers(local, [Layer.from_entries([TarEntry("x", data=b"1")])]), f"{HOST}/app:1"
    )
    assert result.mounted == [layer.digest for layer in image.layers]
