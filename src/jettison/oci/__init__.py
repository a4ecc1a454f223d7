"""The image core: blobs, layers, images and the stores that hold them (OCI layout, docker-archive, registry).

Public API (stable; build and inspect use it):

Values (jettison.model.image, no I/O): Descriptor, Platform (Platform.parse("linux/arm64")), Manifest,
Index, ImageConfig (+ History; .env, .labels, .with_runtime(**), .with_env(**)), media type constants
(OCI_*, DOCKER_*), REF_NAME.

Layers (jettison.oci.layers):
    Layer(digest, diff_id, size, media_type, opener, where, annotations, local_path)
                                lazy; nothing is read until opened; local_path (a blob file jettison
                                wrote or digested) lets layouts hard-link instead of copying
        .open()                 blob bytes (compressed), verified against digest+size at the end
        .open_uncompressed()    the layer's tar stream, verified against digest and diff_id
        .open_uncompressed_seekable()  the same, but an uncompressed layer in a file or docker-archive
                                comes back seekable (seek/tell within the layer; length checked,
                                digest not, since skipped bytes are never hashed); else as above
        .members()              iterate (Member, reader|None) safely (no extraction)
        .descriptor()
        Layer.from_directory(dir, prefix="/", exclude=fn, blobs=BlobDirectory|None,
                             compression="gzip"|"zstd"|"none", mtime=None (SOURCE_DATE_EPOCH|0), uid=0, gid=0)
        Layer.from_entries([TarEntry(path, kind, data=|source=, linkname=, mode=)], ...same options)
        Layer.from_blob_file(path, media_type, digest=None, diff_id=None)
    TarEntry.whiteout(path), TarEntry.opaque(dir)      whiteouts for building
    iter_members(tar_stream) -> (Member, reader)       Member.path normalized, .unsafe says why not to trust
    extract_layers(layers, dir) -> skipped             applies whiteouts; nothing escapes dir
    recompress(layer, "gzip") ; default_blob_directory() ; BlobDirectory(root)  (blobs as root/sha256/<hex>)
    open_decompressed(stream, "gzip"|"zstd"|"xz"|"bzip2"|"none", where)  (jettison.oci.decompress) every
                                reader's decompression, refused past JETTISON_MAX_UNPACKED_BYTES (16 GiB)
                                or 200:1 over 64 MiB (JETTISON_MAX_UNPACKED_RATIO)

Images (jettison.oci.image):
    Image(manifest_bytes, config_bytes, layers)   .manifest .config .digest .platform .history .size()
    Image.assemble(config, layers, annotations=None, docker=False)     config diff_ids set from layers
    append_layers(image, layers, history=[History(...)]), with_config(image, cfg | fn), with_annotations,
    as_oci(image)                                     all pure: they return new Images
    with_local_blobs(image, BlobDirectory(dir))       download/verify layers once, read locally after
    ImageIndex.of([images]) (.images, .image_for(platform), .digest)

Stores:
    write_oci_layout(image | index, dir, tag=None) -> Descriptor      (jettison.oci.layout)
    read_oci_layout(dir, tag=None, platform=None) -> Image ; read_oci_index(dir, tag) -> ImageIndex | Image
    write_docker_archive(image, file, tag=None) ; read_docker_archive(file, tag=None)  (jettison.oci.archive)
    Registry (jettison.oci.registry, network): RegistryClient(...).pull(ref, platform) / .push(image|index,
    ref, progress=cb, mount_from=[repos]) -> PushResult(uploaded, skipped, mounted, bytes_uploaded, digest,
    requests); .pull_index(ref); module-level pull(), push(). progress(event, digest, done, total) with
    events skip | mount | upload | uploaded | manifest. Layers pulled from a registry are mounted
    automatically when pushed to another repository of the same registry; dropped downloads resume.

Sources by string (below): read_image("oci:DIR[:tag]" | "docker-archive:FILE[:tag]" | "registry/repo:tag",
platform=None, client=None) -> Image, read_index(source) -> ImageIndex | Image, and write_image(image|index,
"oci:DIR[:tag]" | "docker-archive:FILE[:tag]" | registry ref) for the build command's --output/--push.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from jettison.errors import JettisonError
from jettison.model.image import Platform
from jettison.oci.archive import read_docker_archive, write_docker_archive
from jettison.oci.blobs import BlobDirectory
from jettison.oci.image import (
    Image,
    ImageIndex,
    append_layers,
    as_oci,
    host_platform,
    with_annotations,
    with_config,
    with_local_blobs,
)
from jettison.oci.layers import Layer, Member, TarEntry, extract_layers, iter_members, recompress
from jettison.oci.layout import read_oci_index, read_oci_layout, write_oci_layout
from jettison.oci.reference import Reference, parse_source

if TYPE_CHECKING:
    from jettison.oci.registry import RegistryClient

__all__ = [
    "BlobDirectory",
    "Image",
    "ImageIndex",
    "Layer",
    "Member",
    "Reference",
    "TarEntry",
    "append_layers",
    "as_oci",
    "extract_layers",
    "iter_members",
    "read_docker_archive",
    "read_image",
    "read_index",
    "read_oci_index",
    "read_oci_layout",
    "recompress",
    "with_annotations",
    "with_config",
    "with_local_blobs",
    "write_docker_archive",
    "write_image",
    "write_oci_layout",
]


def _platform(value: Platform | str | None) -> Platform | None:
    return Platform.parse(value) if isinstance(value, str) else value


def read_index(source: str, *, client: RegistryClient | None = None) -> ImageIndex | Image:
    """Whatever `source` names: an ImageIndex for a multi-platform image, else an Image."""
    parsed = parse_source(source)
    if parsed.kind == "oci":
        return read_oci_index(Path(parsed.path or "."), parsed.tag)
    if parsed.kind == "docker-archive":
        return read_docker_archive(Path(parsed.path or "."), parsed.tag)
    from jettison.oci.registry import RegistryClient

    assert parsed.reference is not None
    return (client or RegistryClient()).pull_index(parsed.reference)


def read_image(
    source: str, platform: Platform | str | None = None, *, client: RegistryClient | None = None
) -> Image:
    """One image from `source`; from an index, the entry for `platform` (default: this host's)."""
    parsed = parse_source(source)
    wanted = _platform(platform)
    if parsed.kind == "oci":
        return read_oci_layout(Path(parsed.path or "."), parsed.tag, wanted)
    if parsed.kind == "docker-archive":
        image = read_docker_archive(Path(parsed.path or "."), parsed.tag)
        if wanted is not None and not image.platform.matches(wanted):
            raise JettisonError(f"{source} is {image.platform}, not {wanted}")
        return image
    from jettison.oci.registry import RegistryClient

    assert parsed.reference is not None
    return (client or RegistryClient()).pull(parsed.reference, wanted or host_platform())


def write_image(
    target: Image | ImageIndex, destination: str, *, client: RegistryClient | None = None, **push_options: Any
) -> Any:
    """Write to `oci:DIR[:tag]`, `docker-archive:FILE[:tag]` or push to a registry reference.

    Returns the layout Descriptor, the archive Path, or the registry PushResult.
    """
    parsed = parse_source(destination)
    if parsed.kind == "oci":
        return write_oci_layout(target, Path(parsed.path or "."), parsed.tag)
    if parsed.kind == "docker-archive":
        if isinstance(target, ImageIndex):
            raise JettisonError(
                "a docker-archive holds one platform; write an index to oci:DIR or a registry"
            )
        return write_docker_archive(target, Path(parsed.path or "."), parsed.tag)
    from jettison.oci.registry import RegistryClient

    assert parsed.reference is not None
    return (client or RegistryClient()).push(target, parsed.reference, **push_options)
