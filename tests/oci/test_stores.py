"""Images as values, OCI layout and docker-archive round trips, and their failure modes."""

from __future__ import annotations

import json
import os
import tarfile
from pathlib import Path

import pytest

from jettison.errors import JettisonError
from jettison.model.image import (
    DOCKER_LAYER,
    DOCKER_MANIFEST,
    OCI_INDEX,
    REF_NAME,
    History,
    ImageConfig,
    Platform,
)
from jettison.oci import (
    BlobDirectory,
    Image,
    ImageIndex,
    Layer,
    TarEntry,
    append_layers,
    read_docker_archive,
    read_image,
    read_index,
    with_config,
    write_docker_archive,
    write_image,
    write_oci_layout,
)
from jettison.oci.reference import Reference, parse_source

from .helpers import validate_image


@pytest.fixture
def blobs(tmp_path):
    return BlobDirectory(tmp_path / "scratch")


def small_image(blobs, arch="amd64", text=b"hello") -> Image:
    base = Layer.from_entries([TarEntry("etc/os-release", data=b"ID=debian\n")], blobs=blobs)
    app = Layer.from_entries([TarEntry("app/main.py", data=text)], blobs=blobs)
    config = ImageConfig(architecture=arch, config={"Cmd": ["python3", "/app/main.py"]})
    image = Image.assemble(config, [base], annotations={"org.opencontainers.image.source": "x"})
    image = append_layers(image, [app], [History(created_by="jettison: app", created="1970-01-01T00:00:00Z")])
    return with_config(image, lambda c: c.with_env(PYTHONUNBUFFERED="1"))


def test_assemble_and_mutate_are_pure_and_deterministic(blobs):
    one, two = small_image(blobs), small_image(blobs)
    assert one.digest == two.digest
    validate_image(one)
    assert one.config.env == {"PYTHONUNBUFFERED": "1"}
    assert one.config.history[-1].created_by == "jettison: app"
    assert one.manifest.annotations == {"org.opencontainers.image.source": "x"}
    changed = small_image(blobs, text=b"other")
    assert changed.layers[0] == one.layers[0] and changed.digest != one.digest


def test_oci_layout_round_trip_and_idempotence(tmp_path, blobs):
    image = small_image(blobs)
    out = tmp_path / "layout"
    write_oci_layout(image, out, "v1")
    write_oci_layout(image, out, "v1")
    index = json.loads((out / "index.json").read_text())
    assert [m["annotations"][REF_NAME] for m in index["manifests"]] == ["v1"]
    assert json.loads((out / "oci-layout").read_text()) == {"imageLayoutVersion": "1.0.0"}
    back = read_image(f"oci:{out}:v1")
    assert back.digest == image.digest and back.manifest_bytes == image.manifest_bytes
    validate_image(back)
    assert not [p for p in out.rglob(".tmp-*")]


def test_layout_with_an_index_selects_platforms(tmp_path, blobs):
    amd, arm = small_image(blobs, "amd64"), small_image(blobs, "arm64")
    index = ImageIndex.of([amd, arm])
    out = tmp_path / "multi"
    write_image(index, f"oci:{out}:app")
    assert read_image(f"oci:{out}:app", "linux/arm64").digest == arm.digest
    assert read_image(f"oci:{out}:app", Platform("linux", "amd64")).digest == amd.digest
    found = read_index(f"oci:{out}:app")
    assert isinstance(found, ImageIndex) and found.index.media_type == OCI_INDEX
    assert [str(e.platform) for e in found.index.manifests] == ["linux/amd64", "linux/arm64"]
    with pytest.raises(JettisonError, match="no image for linux/s390x"):
        read_image(f"oci:{out}:app", "linux/s390x")
    with pytest.raises(JettisonError, match="no image tagged 'nope'"):
        read_image(f"oci:{out}:nope")


def test_layout_missing_or_corrupt_blob(tmp_path, blobs):
    image = small_image(blobs)
    out = tmp_path / "layout"
    write_oci_layout(image, out, "v1")
    layer_path = out / "blobs" / "sha256" / image.layers[1].digest.split(":")[1]
    layer_path.write_bytes(layer_path.read_bytes()[:-3] + b"xyz")
    back = read_image(f"oci:{out}:v1")
    with pytest.raises(JettisonError, match="does not match its digest"):
        back.layers[1].open().read()
    layer_path.unlink()
    with pytest.raises(JettisonError, match="names missing blob"):
        read_image(f"oci:{out}:v1")
    config_path = out / "blobs" / "sha256" / image.config_digest.split(":")[1]
    config_path.write_bytes(b"{}")
    with pytest.raises(JettisonError, match="truncated|does not match"):
        read_image(f"oci:{out}:v1")


def test_docker_archive_round_trip(tmp_path, blobs):
    image = small_image(blobs)
    path = tmp_path / "img.tar"
    write_docker_archive(image, path, "app:1")
    with tarfile.open(path) as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile("manifest.json"))
    assert manifest[0]["RepoTags"] == ["app:1"] and "manifest.json" in names
    back = read_docker_archive(path, "app:1")
    assert back.media_type == DOCKER_MANIFEST
    assert back.config_bytes == image.config_bytes
    assert [layer.digest for layer in back.layers] == [layer.digest for layer in image.layers]
    validate_image(back)
    # deterministic archive bytes
    again = tmp_path / "again.tar"
    write_docker_archive(image, again, "app:1")
    assert again.read_bytes() == path.read_bytes()


def docker_save_style(tmp_path, image: Image, truncate: bool = False) -> Path:
    """An archive shaped like Docker 20.10's `docker save`: <id>/layer.tar, uncompressed, plus a symlink."""
    path = tmp_path / "saved.tar"
    with tarfile.open(path, "w") as tar:

        def add(name, data):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            import io

            tar.addfile(info, io.BytesIO(data))

        add("cfg.json", image.config_bytes)
        layer_names = []
        for i, layer in enumerate(image.layers):
            add(f"l{i}/layer.tar", layer.open_uncompressed().read())
            layer_names.append(f"l{i}/layer.tar")
        link = tarfile.TarInfo("dup/layer.tar")
        link.type, link.linkname = tarfile.SYMTYPE, "../l0/layer.tar"
        tar.addfile(link)
        add(
            "manifest.json",
            json.dumps(
                [
                    {
                        "Config": "cfg.json",
                        "RepoTags": ["python:3.11-slim"],
                        "Layers": ["dup/layer.tar", *layer_names[1:]],
                    }
                ]
            ).encode(),
        )
    if truncate:
        os.truncate(path, path.stat().st_size // 2)
    return path


def test_reads_docker_save_output(tmp_path, blobs):
    image = small_image(blobs)
    path = docker_save_style(tmp_path, image)
    back = read_image(f"docker-archive:{path}:python:3.11-slim")
    assert all(layer.media_type == DOCKER_LAYER for layer in back.layers)
    assert [layer.diff_id for layer in back.layers] == [layer.diff_id for layer in image.layers]
    validate_image(back)
    out = tmp_path / "converted"
    write_oci_layout(back, out, "x")
    validate_image(read_image(f"oci:{out}:x"))


def test_truncated_archive_is_an_error(tmp_path, blobs):
    path = docker_save_style(tmp_path, small_image(blobs), truncate=True)
    with pytest.raises(JettisonError):
        image = read_image(f"docker-archive:{path}")
        for layer in image.layers:
            layer.open().read()


def test_failed_archive_write_leaves_nothing(tmp_path, blobs):
    image = small_image(blobs)
    broken = Layer(
        image.layers[1].digest,
        image.layers[1].diff_id,
        image.layers[1].size,
        image.layers[1].media_type,
        lambda: open(tmp_path / "missing", "rb"),  # noqa: SIM115
    )
    bad = Image(image.manifest_bytes, image.config_bytes, (image.layers[0], broken))
    with pytest.raises(JettisonError):
        write_docker_archive(bad, tmp_path / "out.tar", "a:b")
    assert list(tmp_path.glob("*out.tar*")) == []


def test_references_and_sources():
    assert str(Reference.parse("python:3.11-slim")) == "docker.io/library/python:3.11-slim"
    ref = Reference.parse("127.0.0.1:5000/library/python@sha256:" + "a" * 64)
    assert ref.registry == "127.0.0.1:5000" and ref.scheme == "http" and ref.tag is None
    assert Reference.parse("ghcr.io/o/r").base_url == "https://ghcr.io/v2/o/r"
    assert Reference.parse("localhost:5000/x:1").scheme == "http"
    assert parse_source("oci:/tmp/x:tag").tag == "tag"
    assert parse_source("docker-archive:/a/b.tar").path == "/a/b.tar"
    with pytest.raises(JettisonError):
        Reference.parse("Bad/UPPER")


def test_failed_layout_write_keeps_the_previous_index(tmp_path, blobs):
    good = small_image(blobs)
    out = tmp_path / "layout"
    write_oci_layout(good, out, "v1")
    before = (out / "index.json").read_bytes()
    other = small_image(blobs, text=b"changed")
    layer = other.layers[1]
    corrupt = tmp_path / "corrupt.blob"
    corrupt.write_bytes(b"x" * layer.size)
    broken = Layer(layer.digest, layer.diff_id, layer.size, layer.media_type, lambda: open(corrupt, "rb"))  # noqa: SIM115
    bad = Image(other.manifest_bytes, other.config_bytes, (other.layers[0], broken))
    with pytest.raises(JettisonError, match="does not match its digest"):
        write_oci_layout(bad, out, "v1")
    assert (out / "index.json").read_bytes() == before
    assert not list(out.rglob(".tmp-*")) and not (out / "blobs" / "sha256" / layer.digest[7:]).exists()
    assert read_image(f"oci:{out}:v1").digest == good.digest


def test_layout_links_blobs_jettison_wrote(tmp_path, blobs):
    image = small_image(blobs)
    out = tmp_path / "layout"
    write_oci_layout(image, out, "v1")
    for layer in image.layers:
        written = out / "blobs" / "sha256" / layer.digest[7:]
        assert written.stat().st_ino == layer.local_path.stat().st_ino


def test_docker_base_with_a_zstd_layer_becomes_oci(tmp_path, blobs):
    docker = Image.assemble(
        ImageConfig(), [Layer.from_entries([TarEntry("a", data=b"1")], blobs=blobs)], docker=True
    )
    assert docker.media_type == DOCKER_MANIFEST
    zstd = Layer.from_entries([TarEntry("b", data=b"2")], blobs=blobs, compression="zstd")
    mixed = append_layers(docker, [zstd])
    assert mixed.media_type == "application/vnd.oci.image.manifest.v1+json"
    assert {d.media_type for d in mixed.manifest.layers} == {
        "application/vnd.oci.image.layer.v1.tar+gzip",
        "application/vnd.oci.image.layer.v1.tar+zstd",
    }
    validate_image(mixed)


def test_docker_archive_recompresses_zstd_layers_to_gzip(tmp_path, blobs):
    zstd = Layer.from_entries([TarEntry("z", data=b"zz" * 100)], blobs=blobs, compression="zstd")
    image = Image.assemble(ImageConfig(), [zstd])
    path = tmp_path / "z.tar"
    write_docker_archive(image, path, "z:1")
    back = read_docker_archive(path)
    assert back.layers[0].compression == "gzip" and back.layers[0].diff_id == zstd.diff_id
    validate_image(back)
