"""What the analysis needs from an image: descriptor facts and a way to open each layer.

A layer here is a recipe, not bytes: `open` returns a fresh stream of its *uncompressed* tar each time
it is called, so the scanner can pass each layer once and, for a seekable stream, come back to a file it
skipped. `image_input()` adapts the OCI core's Image (jettison.oci) to this shape.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, BinaryIO


@dataclass(frozen=True)
class LayerInput:
    digest: str  # as the manifest names the blob (compressed digest; the diff_id for docker-archives)
    compressed_size: int  # bytes a registry would send
    open: Callable[[], BinaryIO]  # a new stream of the uncompressed tar
    media_type: str = "application/vnd.oci.image.layer.v1.tar"
    diff_id: str | None = None
    # True when `open` gives a seekable, uncompressed stream (a tar blob on disk): the scanner then
    # seeks over content instead of reading it.
    random_access: bool = False


@dataclass(frozen=True)
class ImageInput:
    reference: str
    layers: Sequence[LayerInput]
    config: Mapping[str, Any] = field(default_factory=dict)
    manifest_digest: str | None = None


def history_by_layer(config: Mapping[str, Any], layer_count: int) -> list[dict[str, Any]]:
    """The history entry that created each layer: non-empty entries map to layers in order.

    As dive (image_archive.go ToImage) and the image spec do: entries with empty_layer true made no
    layer; a layer without a matching entry gets an empty dict.
    """
    entries = [entry for entry in config.get("history") or [] if not entry.get("empty_layer")]
    return [dict(entries[index]) if index < len(entries) else {} for index in range(layer_count)]


def image_input(image: Any, reference: str) -> ImageInput:
    """Adapt an OCI core Image (jettison.oci.image.Image) to what the analysis reads.

    Every layer opens through the core's open_uncompressed_seekable(): an uncompressed layer on disk
    (a layout blob, a slice of a docker-archive) comes back seekable, so the scanner seeks over content
    it does not need; that skips the core's end-of-stream digest check, which only reading every byte
    could do. Compressed layers and registry streams come back verified and forward-only.
    """
    layers = [
        LayerInput(
            digest=layer.digest,
            compressed_size=layer.size,
            open=layer.open_uncompressed_seekable,
            media_type=layer.media_type,
            diff_id=layer.diff_id,
            random_access=layer.compression == "none",
        )
        for layer in image.layers
    ]
    config = json.loads(image.config_bytes)
    return ImageInput(reference=reference, layers=layers, config=config, manifest_digest=image.digest)


def open_image_input(reference: str, platform: str | None = None) -> ImageInput:
    """IMAGE as the CLI takes it (oci:DIR[:tag], docker-archive:FILE[:tag], a registry reference)."""
    from jettison.oci import read_image

    return image_input(read_image(reference, platform), reference)
