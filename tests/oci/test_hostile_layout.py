"""Hostile OCI layouts and docker-archives: deeply nested or oversized index.json, manifest.json and
manifests are one located line with exit 2 (a RecursionError or a whole-file read before)."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from jettison.cli import main
from jettison.model.image import MAX_MANIFEST_BYTES, OCI_MANIFEST, REF_NAME

NESTED = b"[" * 100_000 + b"]" * 100_000


def _inspect(reference: str, tmp_path: Path) -> str:
    result = CliRunner().invoke(main, ["inspect", reference, "--project", str(tmp_path)])
    assert result.exit_code == 2, (result.output, result.exception)
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("jettison: "), result.output
    return lines[0]


def _layout(root: Path, index: bytes) -> Path:
    root.mkdir()
    (root / "oci-layout").write_text('{"imageLayoutVersion": "1.0.0"}')
    (root / "index.json").write_bytes(index)
    return root


def _blob(root: Path, data: bytes) -> str:
    digest = hashlib.sha256(data).hexdigest()
    (root / "blobs" / "sha256").mkdir(parents=True, exist_ok=True)
    (root / "blobs" / "sha256" / digest).write_bytes(data)
    return f"sha256:{digest}"


def _index(digest: str, size: int) -> bytes:
    entry = {"mediaType": OCI_MANIFEST, "digest": digest, "size": size, "annotations": {REF_NAME: "v1"}}
    return json.dumps({"schemaVersion": 2, "manifests": [entry]}).encode()


def test_a_deeply_nested_index_json_is_a_located_error(tmp_path):
    root = _layout(tmp_path / "layout", NESTED)
    line = _inspect(f"oci:{root}", tmp_path)
    assert f"{root}/index.json" in line and "nested too deeply" in line, line


def test_an_index_json_over_4_mib_is_refused(tmp_path):
    padding = b" " * (MAX_MANIFEST_BYTES + 10)
    root = _layout(tmp_path / "layout", b'{"schemaVersion": 2, "manifests": []}' + padding)
    line = _inspect(f"oci:{root}", tmp_path)
    assert "index.json" in line and "4 MiB" in line, line


def test_a_manifest_over_4_mib_is_refused_by_its_declared_size(tmp_path):
    root = tmp_path / "layout"
    manifest = json.dumps({"schemaVersion": 2, "padding": "x" * (MAX_MANIFEST_BYTES + 10)}).encode()
    digest = _blob(tmp_path, manifest)  # outside the layout: only the declared size is ever looked at
    _layout(root, _index(digest, len(manifest)))
    line = _inspect(f"oci:{root}:v1", tmp_path)
    assert digest in line and "4 MiB" in line, line


def test_a_deeply_nested_manifest_blob_is_a_located_error(tmp_path):
    root = tmp_path / "layout"
    root.mkdir()
    digest = _blob(root, NESTED)
    (root / "oci-layout").write_text('{"imageLayoutVersion": "1.0.0"}')
    (root / "index.json").write_bytes(_index(digest, len(NESTED)))
    line = _inspect(f"oci:{root}:v1", tmp_path)
    assert str(root) in line and "nested too deeply" in line, line


@pytest.mark.parametrize("manifest", [NESTED, b"[" + b" " * (MAX_MANIFEST_BYTES + 10) + b"]"],
                         ids=["nested", "oversized"])  # fmt: skip
def test_a_hostile_docker_archive_manifest_json_is_a_located_error(tmp_path, manifest):
    archive = tmp_path / "image.tar"
    with tarfile.open(archive, "w") as tar:
        info = tarfile.TarInfo("manifest.json")
        info.size = len(manifest)
        tar.addfile(info, io.BytesIO(manifest))
    line = _inspect(f"docker-archive:{archive}", tmp_path)
    assert str(archive) in line and "manifest.json" in line, line
