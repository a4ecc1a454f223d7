"""docker-archive tars: the `docker load` / `docker save` format.

An archive holds manifest.json (a list of {Config, RepoTags, Layers} naming files in the tar), the config
as a file, and one file per layer. `docker load` decompresses gzip layers itself, so we write layer
blobs as they are (no recompression) under their digest. We read what `docker save` writes: Docker
20.10's `<id>/layer.tar` (uncompressed, sometimes as symlinks to another layer's file) and Docker 25's
`blobs/sha256/<hex>` layout alike. Reading does not unpack: each layer is a slice of the archive file,
opened when someone reads it, and seekable within its bounds. An archive compressed as a whole
(`docker save | gzip`) is first decompressed once into a scratch file (see _decompressed).

Writing goes to a temporary file beside the target, renamed into place once complete, so a failed
write never leaves a half-written archive under the target name.
"""

from __future__ import annotations

import io
import json
import os
import posixpath
import tarfile
import tempfile
from pathlib import Path
from typing import BinaryIO

from jettison.errors import JettisonError
from jettison.model.image import (
    DOCKER_CONFIG,
    DOCKER_LAYER,
    DOCKER_LAYER_GZIP,
    DOCKER_MANIFEST,
    MAX_CONFIG_BYTES,
    MAX_MANIFEST_BYTES,
    OCI_CONFIG,
    OCI_LAYER_ZSTD,
    OCI_MANIFEST,
    Descriptor,
    ImageConfig,
    Manifest,
)
from jettison.oci.blobs import CHUNK, HashingWriter, digest_hex, sha256_digest
from jettison.oci.decompress import open_decompressed
from jettison.oci.image import Image
from jettison.oci.layers import Layer, default_blob_directory, recompress


def normalize_tag(tag: str) -> str:
    """`name[:tag]` as docker lists it in RepoTags (`:latest` added when no tag is given)."""
    last = tag.rsplit("/", 1)[-1]
    return tag if ":" in last else f"{tag}:latest"


def _info(name: str, size: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mode = 0o644
    info.mtime = 0
    info.uname = info.gname = ""
    return info


def write_docker_archive(image: Image, file: Path, tag: str | None = None) -> Path:
    """Write `image` as a tar that `docker load` accepts; returns the path written."""
    target = Path(file)
    target.parent.mkdir(parents=True, exist_ok=True)
    # Docker 20.10's `docker load` cannot decompress zstd; the diff_ids (all docker checks) stay the same.
    image = Image(
        image.manifest_bytes,
        image.config_bytes,
        tuple(recompress(layer, "gzip") if layer.compression == "zstd" else layer for layer in image.layers),
        image.where,
    )
    config_name = f"{digest_hex(image.config_digest)}.json"
    layer_names = []
    for layer in image.layers:
        suffix = {"gzip": ".tar.gz", "zstd": ".tar.zst", "none": ".tar"}[layer.compression]
        layer_names.append(digest_hex(layer.digest) + suffix)
    entry = {"Config": config_name, "RepoTags": [normalize_tag(tag)] if tag else None, "Layers": layer_names}
    manifest_json = json.dumps([entry], separators=(",", ":")).encode()
    fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with (
            os.fdopen(fd, "wb") as handle,
            tarfile.open(fileobj=handle, mode="w", format=tarfile.PAX_FORMAT) as tar,
        ):
            tar.addfile(_info(config_name, len(image.config_bytes)), io.BytesIO(image.config_bytes))
            written: set[str] = set()
            for layer, name in zip(image.layers, layer_names, strict=True):
                if name in written:
                    continue  # the same blob twice in one image: docker resolves both to one file
                written.add(name)
                with layer.open() as stream:
                    tar.addfile(_info(name, layer.size), stream)
            tar.addfile(_info("manifest.json", len(manifest_json)), io.BytesIO(manifest_json))
        os.replace(temporary, target)
    except BaseException:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        raise
    return target


class _Slice(io.RawIOBase):
    """`size` bytes of `path` from `offset`: one layer inside an archive, read without extracting it.

    Seekable within those bounds (positions are relative to the layer's first byte and clamped to
    [0, size]), so a reader that needs only some members of an uncompressed layer can skip the rest.
    """

    def __init__(self, path: Path, offset: int, size: int) -> None:
        super().__init__()
        self._handle = open(path, "rb")  # noqa: SIM115 - owned and closed by this reader
        self._start = offset
        self._size = size
        self._position = 0
        self._handle.seek(offset)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence == io.SEEK_SET:
            base = 0
        elif whence == io.SEEK_CUR:
            base = self._position
        elif whence == io.SEEK_END:
            base = self._size
        else:
            raise ValueError(f"invalid whence ({whence})")
        target = base + offset
        if target < 0:
            raise ValueError(f"negative seek position {target}")
        self._position = min(target, self._size)
        self._handle.seek(self._start + self._position)
        return self._position

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        left = self._size - self._position
        if left <= 0:
            return 0
        count = self._handle.readinto(memoryview(buffer)[: min(len(buffer), left)])
        self._position += count or 0
        return count or 0

    def close(self) -> None:
        if not self.closed:
            self._handle.close()
            super().close()


def _compression_of(head: bytes) -> str:
    if head[:2] == b"\x1f\x8b":
        return "gzip"
    if head[:4] == b"\x28\xb5\x2f\xfd":
        return "zstd"
    return "none"


# `docker save | gzip` (or xz, bzip2, zstd) is a common way to keep an image. Layers are read lazily as
# slices of the archive, which needs random access that a compressed stream cannot give, so a compressed
# archive is decompressed once, streaming, into a scratch file (removed at exit) and read from there:
# disk the size of the plain tar (within oci/decompress.py's limits: a bomb stops there), memory one
# chunk. docker load does the same decompression.
_ARCHIVE_MAGIC = (
    (b"\x1f\x8b", "gzip"),
    (b"\x28\xb5\x2f\xfd", "zstd"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"BZh", "bzip2"),
)
_decompressed_archives: dict[tuple[str, int, int], Path] = {}


def _archive_compression(path: Path) -> str:
    with open(path, "rb") as handle:
        head = handle.read(6)
    return next((kind for magic, kind in _ARCHIVE_MAGIC if head.startswith(magic)), "none")


def _decompressed(path: Path, compression: str) -> Path:
    """The plain tar of a compressed archive, in a scratch file made once per archive and process."""
    status = path.stat()
    key = (str(path.resolve()), status.st_size, status.st_mtime_ns)
    if key in _decompressed_archives and _decompressed_archives[key].exists():
        return _decompressed_archives[key]
    scratch = default_blob_directory().root / "archives"
    scratch.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f"{path.name}.", suffix=".tar", dir=scratch)
    try:
        with (
            os.fdopen(fd, "wb") as out,
            open_decompressed(open(path, "rb"), compression, f"docker-archive:{path}") as stream,  # noqa: SIM115
        ):
            while True:
                try:
                    chunk = stream.read(CHUNK)
                except JettisonError:
                    raise
                except Exception as error:  # zlib, lzma, bz2 and zstandard each raise their own kind
                    raise JettisonError(
                        f"{compression}-compressed docker archive is damaged or truncated: {error}", path
                    ) from None
                if not chunk:
                    break
                out.write(chunk)
    except BaseException:
        os.unlink(name)
        raise
    _decompressed_archives[key] = Path(name)
    return Path(name)


def read_docker_archive(file: Path, tag: str | None = None) -> Image:
    """The image tagged `tag` (or the only image) in a docker-archive tar, with lazy layers.

    The archive may be compressed as a whole (`docker save | gzip`; also xz, bzip2, zstd): it is then
    decompressed once into a scratch file first (see _decompressed)."""
    path = Path(file)
    where = f"docker-archive:{path}"
    try:
        compression = _archive_compression(path)
    except FileNotFoundError:
        raise JettisonError("docker archive not found", path) from None
    except IsADirectoryError:
        raise JettisonError("docker archive is a directory (an OCI layout? use oci:DIR)", path) from None
    if compression != "none":
        path = _decompressed(path, compression)
    try:
        tar = tarfile.open(path, mode="r:")  # noqa: SIM115 - closed by the with block below
    except tarfile.TarError as error:
        raise JettisonError(f"not a docker archive (tar, plain or compressed): {error}", file) from None
    with tar:
        try:
            members = {posixpath.normpath(m.name.lstrip("/")): m for m in tar.getmembers()}
        except (tarfile.TarError, EOFError) as error:
            raise JettisonError(f"archive is damaged or truncated: {error}", path) from None

        def member(name: str, seen: int = 0) -> tarfile.TarInfo:
            found = members.get(posixpath.normpath(name.lstrip("/")))
            if found is None:
                raise JettisonError(f"{where}: manifest.json names {name!r}, which the archive lacks")
            if found.issym() and seen < 8:
                return member(posixpath.join(posixpath.dirname(found.name), found.linkname), seen + 1)
            if found.islnk() and seen < 8:
                return member(found.linkname, seen + 1)
            if not found.isfile():
                raise JettisonError(f"{where}: {name!r} is not a regular file in the archive")
            return found

        def read_member(name: str, limit: int = MAX_CONFIG_BYTES) -> bytes:
            info = member(name)
            if info.size > limit:  # JSON documents only: refused by their header, never read
                raise JettisonError(f"{where}: {name!r} of {info.size:,} bytes is over the {limit:,} allowed")
            extracted = tar.extractfile(info)
            assert extracted is not None
            data = extracted.read()
            if len(data) != info.size:
                raise JettisonError(f"{where}: {name!r} is truncated")
            return data

        try:
            entries = json.loads(read_member("manifest.json", MAX_MANIFEST_BYTES))
        except ValueError as error:
            raise JettisonError(f"{where}: bad manifest.json: {error}") from None
        except RecursionError:
            raise JettisonError(f"{where}: bad manifest.json: nested too deeply") from None
        if not isinstance(entries, list) or not entries:
            raise JettisonError(f"{where}: manifest.json lists no image")
        entry = _pick(entries, tag, where)
        config_bytes = read_member(entry["Config"])
        try:
            config = ImageConfig.from_json(config_bytes)
        except ValueError as error:
            raise JettisonError(f"{where}: bad image config: {error}") from None
        layer_files = list(entry.get("Layers") or [])
        if len(layer_files) != len(config.diff_ids):
            raise JettisonError(
                f"{where}: manifest.json names {len(layer_files)} layers, the config {len(config.diff_ids)}"
            )
        layers = []
        for name, diff_id in zip(layer_files, config.diff_ids, strict=True):
            info = member(name)
            if info.offset_data + info.size > path.stat().st_size:
                raise JettisonError(f"{where}: layer {name!r} is truncated")
            layers.append(_archive_layer(path, info, diff_id, where))
    compressions = {layer.compression for layer in layers}
    docker = "zstd" not in compressions
    manifest = Manifest(
        config=Descriptor(
            DOCKER_CONFIG if docker else OCI_CONFIG, sha256_digest(config_bytes), len(config_bytes)
        ),
        layers=tuple(layer.descriptor() for layer in layers),
        media_type=DOCKER_MANIFEST if docker else OCI_MANIFEST,
    )
    image = Image(manifest.to_json(), config_bytes, tuple(layers), where)
    image._parsed.update(manifest=manifest, config=config)
    return image


def _pick(entries: list[dict], tag: str | None, where: str) -> dict:
    if tag is None:
        if len(entries) == 1:
            return entries[0]
        tags = ", ".join(t for e in entries for t in (e.get("RepoTags") or []))
        raise JettisonError(f"{where} holds {len(entries)} images; name one with {where}:TAG ({tags})")
    wanted = {normalize_tag(tag), tag}
    for candidate in entries:
        for repo_tag in candidate.get("RepoTags") or []:
            short = repo_tag.removeprefix("docker.io/").removeprefix("library/")
            if repo_tag in wanted or short in wanted or normalize_tag(short) in wanted:
                return candidate
    raise JettisonError(f"{where} has no image tagged {tag!r}")


def _archive_layer(path: Path, info: tarfile.TarInfo, diff_id: str, where: str) -> Layer:
    offset, size = info.offset_data, info.size

    def opener() -> BinaryIO:
        return io.BufferedReader(_Slice(path, offset, size), CHUNK)  # type: ignore[return-value]

    with opener() as head_stream:
        compression = _compression_of(head_stream.read(4))
    if compression == "none":
        # An uncompressed layer's blob digest is its diff_id; opening it verifies that.
        return Layer(diff_id, diff_id, size, DOCKER_LAYER, opener, where)
    hasher = HashingWriter()
    with opener() as stream:
        for chunk in iter(lambda: stream.read(CHUNK), b""):
            hasher.write(chunk)
    media = DOCKER_LAYER_GZIP if compression == "gzip" else OCI_LAYER_ZSTD
    return Layer(hasher.digest, diff_id, size, media, opener, where)


def archive_manifest(file: Path) -> list[dict]:
    """The manifest.json of an archive, as data (for listing its tags)."""
    with tarfile.open(file, mode="r:") as tar:
        extracted = tar.extractfile("manifest.json")
        if extracted is None:
            raise JettisonError("archive has no manifest.json", file)
        return json.loads(extracted.read())
