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

from jettison.errors import JettisonError


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

    An uncompressed layer is opened as its raw blob so the scanner can seek over content it does not
    need; that skips the core's end-of-stream digest check, which only reading every byte could do.
    Compressed layers go through the core's verifying decompression.
    """
    layers = []
    for layer in image.layers:
        uncompressed = layer.compression == "none"
        layers.append(
            LayerInput(
                digest=layer.digest,
                compressed_size=layer.size,
                open=layer.opener if uncompressed else layer.open_uncompressed,
                media_type=layer.media_type,
                diff_id=layer.diff_id,
                random_access=uncompressed,
            )
        )
    config = json.loads(image.config_bytes)
    return ImageInput(reference=reference, layers=layers, config=config, manifest_digest=image.digest)


def open_image_input(reference: str) -> ImageInput:
    """IMAGE as the CLI takes it (oci:DIR[:tag], docker-archive:FILE, a registry reference)."""
    try:
        from jettison.oci import open_image  # type: ignore[attr-defined]
    except ImportError:
        raise JettisonError("reading images needs the OCI core readers (jettison.oci.open_image)") from None
    return image_input(open_image(reference), reference)
