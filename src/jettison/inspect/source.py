"""What the analysis needs from an image: descriptor facts and a way to open each layer.

A layer here is a recipe, not bytes: `open` returns a fresh stream of its *uncompressed* tar each time
it is called, so the scanner can pass each layer once and, for a seekable stream, come back to a file it
skipped. `image_input()` adapts the OCI core's Image (jettison.oci) to this shape.
"""

from __future__ import annotations

import io
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
                open=_seekable_opener(layer.opener) if uncompressed else layer.open_uncompressed,
                media_type=layer.media_type,
                diff_id=layer.diff_id,
                random_access=uncompressed,
            )
        )
    config = json.loads(image.config_bytes)
    return ImageInput(reference=reference, layers=layers, config=config, manifest_digest=image.digest)


class _Window(io.RawIOBase):
    """`size` bytes of an open file from `start`, seekable."""

    def __init__(self, owner: BinaryIO, handle: BinaryIO, start: int, size: int) -> None:
        super().__init__()
        self.owner = owner  # the stream that owns `handle`: closing it (or losing it) closes the file
        self.handle, self.start, self.size, self.position = handle, start, size, 0
        self.at = -1  # where `handle` stands, to skip the seek when reads follow each other

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        count = min(len(buffer), self.size - self.position)
        if count <= 0:
            return 0
        if self.at != self.start + self.position:
            self.handle.seek(self.start + self.position)
        data = self.handle.read(count)
        buffer[: len(data)] = data
        self.position += len(data)
        self.at = self.start + self.position
        return len(data)

    def seek(self, offset: int, whence: int = 0) -> int:
        base = {0: 0, 1: self.position, 2: self.size}[whence]
        self.position = max(0, min(self.size, base + offset))
        return self.position

    def close(self) -> None:
        if not self.closed:
            self.owner.close()
            super().close()


def _seekable_opener(opener: Callable[[], BinaryIO]) -> Callable[[], BinaryIO]:
    """The core's docker-archive layers are forward-only slices of the archive (a BufferedReader over
    a raw slice holding the open file and the bytes left). Until jettison.oci makes them seekable, see
    through that one shape to a seekable window on the same file; anything else is returned as is."""

    def open_seekable() -> BinaryIO:
        stream = opener()
        raw = getattr(stream, "raw", None)
        handle, left = getattr(raw, "_handle", None), getattr(raw, "_left", None)
        if stream.seekable() or handle is None or not isinstance(left, int) or not handle.seekable():
            return stream
        return _Window(stream, handle, handle.tell(), left)  # type: ignore[return-value]

    return open_seekable


def open_image_input(reference: str, platform: str | None = None) -> ImageInput:
    """IMAGE as the CLI takes it (oci:DIR[:tag], docker-archive:FILE[:tag], a registry reference)."""
    from jettison.oci import read_image

    return image_input(read_image(reference, platform), reference)
