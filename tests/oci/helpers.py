"""validate_image(): the one check every image test runs (layers match digests and sizes, diff_ids match)."""

from __future__ import annotations

from jettison.oci import Image
from jettison.oci.blobs import HashingWriter, sha256_digest


def validate_image(image: Image) -> None:
    manifest = image.manifest
    assert manifest.config.digest == sha256_digest(image.config_bytes)
    assert manifest.config.size == len(image.config_bytes)
    assert [d.digest for d in manifest.layers] == [layer.digest for layer in image.layers]
    assert list(image.config.diff_ids) == [layer.diff_id for layer in image.layers]
    for layer in image.layers:
        compressed = HashingWriter()
        with layer.open() as stream:
            for chunk in iter(lambda: stream.read(1 << 20), b""):
                compressed.write(chunk)
        assert (compressed.digest, compressed.size) == (layer.digest, layer.size)
        uncompressed = HashingWriter()
        with layer.open_uncompressed() as stream:
            for chunk in iter(lambda: stream.read(1 << 20), b""):
                uncompressed.write(chunk)
        assert uncompressed.digest == layer.diff_id
