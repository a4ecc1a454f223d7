"""OCI image layout directories (image-spec image-layout.md): write and read.

Writing follows go-containerregistry's layout package: every blob goes to a temporary file and is
renamed to its digest once verified; a blob already present with the right size is skipped; index.json,
which is what makes the new image visible, is written last and atomically. An interrupted write thus
leaves at most unreferenced blobs, never a tag pointing at missing content. Concurrent writers into
one layout take turns on index.json (`_index_lock`), so each keeps its tag.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from jettison.atomicfile import write_atomically
from jettison.errors import JettisonError
from jettison.model.image import (
    INDEX_TYPES,
    MANIFEST_TYPES,
    MAX_MANIFEST_BYTES,
    OCI_INDEX,
    REF_NAME,
    Descriptor,
    Index,
    Platform,
    canonical_json,
)
from jettison.oci.blobs import BlobDirectory, read_verified
from jettison.oci.image import Image, ImageIndex, host_platform, load_image

LAYOUT_FILE = {"imageLayoutVersion": "1.0.0"}
LOCK_FILE = ".jettison-index.lock"  # beside index.json; layout readers ignore files they do not know


def _write_image_blobs(blobs: BlobDirectory, image: Image) -> None:
    for layer in image.layers:
        if layer.local_path is not None and blobs.link_file(layer.local_path, layer.digest, layer.size):
            continue
        if not blobs.has(layer.digest, layer.size):
            with layer.open() as stream:
                blobs.write_stream(stream, layer.digest, layer.size, layer.what)
    blobs.write_bytes(image.config_bytes)
    blobs.write_bytes(image.manifest_bytes)


def write_oci_layout(target: Image | ImageIndex, directory: Path, tag: str | None = None) -> Descriptor:
    """Add an image (or an index of images) to the layout at `directory`, creating it if needed.

    With a tag, index.json's entry carrying that org.opencontainers.image.ref.name is replaced; without,
    the entry is added unless the same digest is already listed. Returns the entry written.
    """
    root = Path(directory)
    if root.exists() and not root.is_dir():
        raise JettisonError("OCI layout target exists and is not a directory", root)
    root.mkdir(parents=True, exist_ok=True)
    blobs = BlobDirectory(root / "blobs")
    images = target.images if isinstance(target, ImageIndex) else (target,)
    for image in images:
        _write_image_blobs(blobs, image)
    if isinstance(target, ImageIndex):
        blobs.write_bytes(target.index_bytes)
        descriptor = target.descriptor()
    else:
        descriptor = target.descriptor(platform=False)
    if tag:
        descriptor = Descriptor(
            descriptor.media_type, descriptor.digest, descriptor.size, {REF_NAME: tag}, descriptor.platform
        )
    with _index_lock(root):
        layout_file = root / "oci-layout"
        if not layout_file.exists():
            write_atomically(layout_file, canonical_json(LAYOUT_FILE), keep_backup=False)
        existing = _read_index(root) if (root / "index.json").exists() else Index(manifests=())
        kept = [
            entry
            for entry in existing.manifests
            if not (tag and entry.annotations.get(REF_NAME) == tag)
            and not (not tag and entry.digest == descriptor.digest and not entry.annotations.get(REF_NAME))
        ]
        index = Index(manifests=(*kept, descriptor), media_type=OCI_INDEX, annotations=existing.annotations)
        write_atomically(root / "index.json", index.to_json(), keep_backup=False)
    return descriptor


@contextlib.contextmanager
def _index_lock(root: Path) -> Iterator[None]:
    """An exclusive lock on the layout around index.json's read-modify-write.

    Without it, two writers read the same index and the later rename drops the other's tag. Blobs need
    none: each is written to a temporary name and renamed to its digest, so writers agree by content.
    The lock is flock on a file of its own (index.json itself is replaced, so a lock on it would be on
    an inode nobody opens next); the kernel releases it when a killed writer's descriptor closes.
    """
    try:
        descriptor = os.open(root / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as error:
        raise JettisonError(f"cannot lock the layout: {error.strerror or error}", root / LOCK_FILE) from None
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # closing releases the lock


def _read_index(root: Path) -> Index:
    path = root / "index.json"
    try:
        with open(path, "rb") as stream:  # one byte past the limit is enough to refuse it
            return Index.from_json(stream.read(MAX_MANIFEST_BYTES + 1))
    except FileNotFoundError:
        raise JettisonError("not an OCI image layout (no index.json)", root) from None
    except OSError as error:
        raise JettisonError(f"cannot read: {error.strerror or error}", path) from None
    except ValueError as error:
        raise JettisonError(f"bad index.json: {error}", path) from None


def layout_tags(directory: Path) -> list[str]:
    return [
        e.annotations[REF_NAME] for e in _read_index(Path(directory)).manifests if REF_NAME in e.annotations
    ]


class _LayoutBlobs:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.blobs = BlobDirectory(root / "blobs")
        self.where = f"oci:{root}"

    def _opener(self, digest: str) -> Callable[[], BinaryIO]:
        path = self.blobs.path(digest)

        def open_blob() -> BinaryIO:
            try:
                return open(path, "rb")
            except FileNotFoundError:
                raise JettisonError(f"{self.where}: blob {digest} is missing") from None

        return open_blob

    def read_manifest(self, descriptor: Descriptor) -> bytes:
        """A manifest or index blob, refused by its declared size before it is read."""
        if descriptor.size > MAX_MANIFEST_BYTES:
            raise JettisonError(
                f"{self.where}: manifest {descriptor.digest} of {descriptor.size:,} bytes is over the "
                "distribution spec's 4 MiB limit"
            )
        return self.read(descriptor)

    def read(self, descriptor: Descriptor) -> bytes:
        return read_verified(
            self._opener(descriptor.digest),
            descriptor.digest,
            descriptor.size,
            f"blob {descriptor.digest} in {self.where}",
        )

    def opener(self, descriptor: Descriptor) -> Callable[[], BinaryIO]:
        return self._opener(descriptor.digest)

    def check_present(self, image: Image) -> None:
        for layer in image.layers:
            if not self.blobs.has(layer.digest):
                raise JettisonError(
                    f"{self.where}: manifest {image.digest} names missing blob {layer.digest}"
                )


def _pick_entry(index: Index, tag: str | None, where: str) -> Descriptor:
    if tag is not None:
        for entry in index.manifests:
            if entry.annotations.get(REF_NAME) == tag or entry.digest == tag:
                return entry
        tags = ", ".join(e.annotations.get(REF_NAME, e.digest) for e in index.manifests)
        raise JettisonError(f"{where} has no image tagged {tag!r} (it has: {tags or 'nothing'})")
    if len(index.manifests) == 1:
        return index.manifests[0]
    if not index.manifests:
        raise JettisonError(f"{where} holds no image")
    tags = ", ".join(e.annotations.get(REF_NAME, e.digest) for e in index.manifests)
    raise JettisonError(f"{where} holds several images; name one with {where}:TAG ({tags})")


def read_oci_index(directory: Path, tag: str | None = None) -> ImageIndex | Image:
    """The tagged entry of a layout: an ImageIndex when it is an index, else an Image."""
    root = Path(directory)
    store = _LayoutBlobs(root)
    entry = _pick_entry(_read_index(root), tag, store.where)
    data = store.read_manifest(entry)
    if entry.media_type in INDEX_TYPES or (entry.media_type not in MANIFEST_TYPES and b'"manifests"' in data):
        try:
            nested = Index.from_json(data)
        except ValueError as error:
            raise JettisonError(f"{store.where}: bad index {entry.digest}: {error}") from None
        images = []
        for child in nested.manifests:
            if child.media_type in INDEX_TYPES:
                continue  # nested indexes of indexes are not images; skip like skopeo does
            image = load_image(store.read_manifest(child), store.read, store.opener, store.where)
            store.check_present(image)
            images.append(image)
        kept = Index(
            tuple(c for c in nested.manifests if c.media_type not in INDEX_TYPES),
            nested.media_type,
            nested.annotations,
        )
        index_bytes = data if len(kept.manifests) == len(nested.manifests) else kept.to_json()
        return ImageIndex(index_bytes, tuple(images), store.where)
    image = load_image(data, store.read, store.opener, store.where)
    store.check_present(image)
    return image


def read_oci_layout(directory: Path, tag: str | None = None, platform: Platform | str | None = None) -> Image:
    """One image from a layout, by tag (ref.name) and, for an index, by platform (default: this host's)."""
    found = read_oci_index(directory, tag)
    if isinstance(found, Image):
        return found
    if platform is None and len(found.images) == 1:
        return found.images[0]
    return found.image_for(platform or host_platform())
