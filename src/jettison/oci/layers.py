"""Layers: lazy blobs with their digests, a deterministic layer writer, and safe tar reading.

A Layer is a recipe, not bytes (go-containerregistry's tarball.Layer): its descriptor fields plus a
callable that reopens its compressed bytes. A layer from a registry downloads nothing until opened; a
layer jettison writes lives as one file in a content-addressed blob directory.

The writer makes the same bytes from the same content, whatever the host did to the files: paths are
sorted with parents first, owner is uid/gid 0 (configurable) with empty user and group names, every mtime
is SOURCE_DATE_EPOCH (or 0), modes are 0o755/0o644 by the exec bit only (umask-proof), hard links stay
links and symlinks stay symlinks. The archive is POSIX ustar; Python's tarfile in PAX format adds an
extended header only for a member that needs one (a long or non-ASCII path), so ordinary layers carry
none. gzip is written with no name and mtime 0 at a fixed level; zstd (the optional `zstandard`
package) at a fixed level with no content size. The tar stream is hashed (diff_id) and compressed and
hashed again (digest) in the one pass that writes the blob file, which is renamed to its digest last.

Reading never trusts a tar: member paths are normalized inside the root (`../` and absolute paths are
clamped and flagged), and extract_layers() writes only inside its target: devices are skipped, hard
links must point inside, and nothing is written through a symlink that leaves the directory.
"""

from __future__ import annotations

import gzip
import io
import os
import posixpath
import shutil
import stat
import tarfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from jettison.errors import JettisonError
from jettison.model.image import Descriptor, layer_compression, layer_media_type
from jettison.oci.blobs import CHUNK, BlobDirectory, HashingWriter, VerifyingReader, digest_file, verified
from jettison.oci.decompress import max_unpacked_bytes, open_decompressed
from jettison.scratch import run_directory

GZIP_LEVEL = 6
ZSTD_LEVEL = 3
WHITEOUT_PREFIX = ".wh."
OPAQUE_WHITEOUT = ".wh..wh..opq"

_default_blobs: BlobDirectory | None = None


def default_blob_directory() -> BlobDirectory:
    """A per-process scratch blob directory in the run's scratch space (jettison.scratch: removed at
    exit, swept after a kill); callers wanting a cache pass their own."""
    global _default_blobs
    if _default_blobs is None:
        _default_blobs = BlobDirectory(run_directory("blobs"))
    return _default_blobs


def source_date_epoch() -> int:
    """SOURCE_DATE_EPOCH (reproducible-builds.org) when set and valid, else 0."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    try:
        return max(0, int(value)) if value else 0
    except ValueError:
        raise JettisonError(f"SOURCE_DATE_EPOCH={value!r} is not an integer") from None


@dataclass(frozen=True, eq=False)
class Layer:
    """One layer: digest and size of its blob, diff_id of its tar, media type, and how to reopen it.

    `opener` returns the raw blob bytes; open() and open_uncompressed() wrap them so that reading to the
    end verifies the digest (and the diff_id). `where` names the source in errors.
    """

    digest: str
    diff_id: str
    size: int
    media_type: str
    opener: Callable[[], BinaryIO] = field(repr=False)
    where: str = ""
    annotations: dict[str, str] = field(default_factory=dict)
    # The blob's own file, when jettison wrote it or digested it itself: stores may hard-link it.
    local_path: Path | None = field(default=None, compare=False)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Layer) and (self.digest, self.diff_id) == (other.digest, other.diff_id)

    def __hash__(self) -> int:
        return hash((self.digest, self.diff_id))

    @property
    def compression(self) -> str:
        return layer_compression(self.media_type)

    @property
    def what(self) -> str:
        return f"layer {self.digest}" + (f" from {self.where}" if self.where else "")

    def descriptor(self) -> Descriptor:
        return Descriptor(self.media_type, self.digest, self.size, dict(self.annotations))

    def _open_raw(self) -> BinaryIO:
        try:
            return self.opener()
        except JettisonError:
            raise
        except OSError as error:
            raise JettisonError(f"cannot open {self.what}: {error}") from None

    def open(self) -> BinaryIO:
        """The blob's bytes (compressed, as stored), verified against digest and size at the end."""
        return verified(self._open_raw(), self.digest, self.size, self.what)

    def open_uncompressed(self) -> BinaryIO:
        """The layer's tar stream, verified against the blob digest and the diff_id at the end."""
        stream = open_decompressed(self.open(), self.compression, self.what)
        if self.compression == "none":
            return stream
        inner = VerifyingReader(stream, self.diff_id, None, f"uncompressed {self.what} (diff_id)")
        return io.BufferedReader(inner, CHUNK)  # type: ignore[return-value]

    def open_uncompressed_seekable(self) -> BinaryIO:
        """The layer's tar stream, seekable where the store allows it; check `.seekable()`.

        An uncompressed blob in a file (a layout, a blob directory) or inside a docker-archive comes
        back as its store opens it: seek() and tell() work within the layer, so a reader that wants a
        few members skips the rest without reading it. That trades away the digest check, since bytes
        seeked over are never hashed; only the length is checked against the descriptor here. A
        compressed layer, or one from a store that streams forward only (a registry), gets
        open_uncompressed() instead: verified at the end, and not seekable.
        """
        if self.compression != "none":
            return self.open_uncompressed()
        raw = self._open_raw()
        if not raw.seekable():
            return verified(raw, self.digest, self.size, self.what)
        try:
            length = raw.seek(0, io.SEEK_END)
            raw.seek(0)
        except BaseException:
            raw.close()
            raise
        if length != self.size:
            raw.close()
            raise JettisonError(f"{self.what} is {length} bytes, its descriptor says {self.size}")
        return raw

    def members(self) -> Iterator[tuple[Member, BinaryIO | None]]:
        """Each tar member of this layer, read safely (see iter_members)."""
        with self.open_uncompressed() as stream:
            yield from iter_members(stream, self.what)

    def with_media_type(self, media_type: str) -> Layer:
        """The same blob under another media type of the same compression (OCI <-> Docker names)."""
        if layer_compression(media_type) != self.compression:
            raise ValueError(f"{media_type} is not {self.compression}-compressed")
        return Layer(
            self.digest,
            self.diff_id,
            self.size,
            media_type,
            self.opener,
            self.where,
            self.annotations,
            self.local_path,
        )

    # ---- constructors -------------------------------------------------------------------------------

    @classmethod
    def from_blob_file(
        cls, path: Path, media_type: str, *, digest: str | None = None, diff_id: str | None = None
    ) -> Layer:
        """A layer stored in a file. Missing digest/diff_id are computed by reading it once."""
        path = Path(path)
        size = path.stat().st_size
        trusted = None
        if digest is None:
            digest, size = digest_file(path)
            trusted = path  # digested here, so a store may link it instead of copying and re-hashing
        layer = cls(
            digest, diff_id or "", size, media_type, _file_opener(path), str(path), local_path=trusted
        )
        if diff_id is None:
            if layer.compression == "none":
                diff_id = digest
            else:
                hasher = HashingWriter()
                try:
                    with open_decompressed(layer.open(), layer.compression, layer.what) as stream:
                        for chunk in iter(lambda: stream.read(CHUNK), b""):
                            hasher.write(chunk)
                except JettisonError:
                    raise
                except Exception as error:  # gzip/zlib/zstandard each raise their own kind
                    raise JettisonError(f"cannot decompress {layer.what}: {error}") from None
                diff_id = hasher.digest
            layer = cls(digest, diff_id, size, media_type, layer.opener, str(path), local_path=trusted)
        return layer

    @classmethod
    def from_entries(
        cls,
        entries: Iterable[TarEntry],
        *,
        blobs: BlobDirectory | None = None,
        compression: str = "gzip",
        mtime: int | None = None,
        uid: int = 0,
        gid: int = 0,
        parents: bool = True,
        docker_media_type: bool = False,
        level: int | None = None,
    ) -> Layer:
        """Write a deterministic layer from entries (any order; duplicates: the last one wins)."""
        return write_layer(
            entries,
            blobs=blobs,
            compression=compression,
            mtime=mtime,
            uid=uid,
            gid=gid,
            parents=parents,
            docker_media_type=docker_media_type,
            level=level,
        )

    @classmethod
    def from_directory(
        cls,
        directory: Path,
        *,
        prefix: str = "/",
        exclude: Callable[[str], bool] | None = None,
        blobs: BlobDirectory | None = None,
        compression: str = "gzip",
        mtime: int | None = None,
        uid: int = 0,
        gid: int = 0,
        parents: bool = True,
        docker_media_type: bool = False,
        level: int | None = None,
    ) -> Layer:
        """Write a deterministic layer holding the tree under `directory`, placed at `prefix` in the image.

        `exclude(relative_posix_path)` drops a file or a whole directory (e.g. .dockerignore matching).
        """
        entries = entries_from_directory(directory, prefix=prefix, exclude=exclude)
        return write_layer(
            entries,
            blobs=blobs,
            compression=compression,
            mtime=mtime,
            uid=uid,
            gid=gid,
            parents=parents,
            docker_media_type=docker_media_type,
            level=level,
        )


def recompress(layer: Layer, compression: str, *, blobs: BlobDirectory | None = None) -> Layer:
    """The same tar (same diff_id) stored with another compression, e.g. a docker-save layer as gzip."""
    if compression == layer.compression:
        return layer
    blobs = blobs or default_blob_directory()
    handle, temporary = blobs.temporary()
    try:
        with handle:
            compressed = HashingWriter(handle)
            writer = _compressor(compressed, compression)
            with layer.open_uncompressed() as stream:
                for chunk in iter(lambda: stream.read(CHUNK), b""):
                    writer.write(chunk)
            _finish(writer, compression)
        path = blobs.commit(temporary, compressed.digest)
    except BaseException:
        blobs.discard(temporary)
        raise
    media = layer_media_type(compression, docker="docker" in layer.media_type)
    opener = _file_opener(path)
    return Layer(compressed.digest, layer.diff_id, compressed.size, media, opener, str(path), local_path=path)


# ---- entries and the deterministic writer ----------------------------------------------------------


@dataclass(frozen=True)
class TarEntry:
    """One member to write. `kind`: file, dir, symlink, hardlink. File content comes from `data` or from
    the file at `source`. `mode` None means the normal mode for the kind; for files only the exec bit of
    a given mode counts unless `exact_mode` (for e.g. a sticky /tmp or a setuid helper)."""

    path: str
    kind: str = "file"
    data: bytes | None = None
    source: Path | None = None
    linkname: str = ""
    mode: int | None = None
    exact_mode: bool = False
    uid: int | None = None
    gid: int | None = None

    @classmethod
    def whiteout(cls, path: str) -> TarEntry:
        """Deletes `path` (a file or a directory) of the layers below."""
        parent, name = posixpath.split(normalize_path(path))
        return cls(posixpath.join(parent, WHITEOUT_PREFIX + name), data=b"")

    @classmethod
    def opaque(cls, directory: str) -> TarEntry:
        """Hides everything the layers below have in `directory` (the directory itself stays)."""
        return cls(posixpath.join(normalize_path(directory), OPAQUE_WHITEOUT), data=b"")


def normalize_path(path: str) -> str:
    """A member path relative to the root: no leading '/' or './', no '..' above the root."""
    normalized, _escaped = _normalize(path)
    return normalized


def _normalize(path: str) -> tuple[str, bool]:
    parts: list[str] = []
    escaped = path.startswith("/")
    for part in path.replace("\\", "/").split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if parts:
                parts.pop()
            else:
                escaped = True
            continue
        parts.append(part)
    return "/".join(parts), escaped


def _normal_mode(kind: str, mode: int | None, exact: bool) -> int:
    if exact and mode is not None:
        return mode & 0o7777
    if kind == "dir":
        return 0o755
    if kind == "symlink":
        return 0o777
    return 0o755 if mode is not None and mode & 0o111 else 0o644


def entries_from_directory(
    directory: Path, *, prefix: str = "/", exclude: Callable[[str], bool] | None = None
) -> list[TarEntry]:
    """Entries for the tree under `directory` (not followed through symlinks), placed under `prefix`.

    Files sharing an inode become one file and hard links to it (the first path in sorted order holds the
    content, so the result does not depend on directory listing order). Sockets, FIFOs and devices are
    left out: they have no place in an application layer.
    """
    root = Path(directory)
    if not root.is_dir():
        raise JettisonError("not a directory", root)
    base = normalize_path(prefix)
    found: list[tuple[str, Path, os.stat_result]] = []

    def walk(current: Path, relative: str) -> None:
        try:
            children = sorted(os.scandir(current), key=lambda e: e.name)
        except OSError as error:
            raise JettisonError(f"cannot list directory: {error.strerror}", current) from None
        for child in children:
            rel = f"{relative}/{child.name}" if relative else child.name
            if exclude is not None and exclude(rel):
                continue
            info = child.stat(follow_symlinks=False)
            found.append((rel, Path(child.path), info))
            if stat.S_ISDIR(info.st_mode):
                walk(Path(child.path), rel)

    walk(root, "")
    found.sort(key=lambda item: item[0].split("/"))
    entries: list[TarEntry] = []
    first_of_inode: dict[tuple[int, int], str] = {}
    for rel, path, info in found:
        target = posixpath.join(base, rel) if base else rel
        mode = info.st_mode
        if stat.S_ISDIR(mode):
            entries.append(TarEntry(target, "dir"))
        elif stat.S_ISLNK(mode):
            entries.append(TarEntry(target, "symlink", linkname=os.readlink(path)))
        elif stat.S_ISREG(mode):
            key = (info.st_dev, info.st_ino)
            if info.st_nlink > 1 and key in first_of_inode:
                entries.append(TarEntry(target, "hardlink", linkname=first_of_inode[key]))
                continue
            first_of_inode[key] = target
            entries.append(TarEntry(target, "file", source=path, mode=mode))
    return entries


def _compressor(sink: HashingWriter, compression: str, level: int | None = None) -> BinaryIO:
    if compression == "gzip":
        # filename="" and mtime=0 keep the name and the time out of the gzip header.
        return gzip.GzipFile(filename="", mode="wb", fileobj=sink, compresslevel=level or GZIP_LEVEL, mtime=0)  # type: ignore[arg-type,return-value]
    if compression == "zstd":
        try:
            import zstandard
        except ImportError:
            raise JettisonError(
                "zstd layers need the zstandard package: pip install 'jettison[zstd]'"
            ) from None
        compressor = zstandard.ZstdCompressor(level=level or ZSTD_LEVEL, write_content_size=False)
        return compressor.stream_writer(sink, closefd=False)  # type: ignore[return-value]
    if compression == "none":
        return sink  # type: ignore[return-value]
    raise JettisonError(f"unknown layer compression {compression!r} (gzip, zstd or none)")


def _finish(writer: BinaryIO, compression: str) -> None:
    if compression == "gzip":
        writer.close()
    elif compression == "zstd":
        import zstandard

        writer.flush(zstandard.FLUSH_FRAME)  # type: ignore[call-arg]


def _file_opener(path: Path) -> Callable[[], BinaryIO]:
    return lambda: open(path, "rb")


def _prepare(entries: Iterable[TarEntry], parents: bool) -> list[TarEntry]:
    by_path: dict[str, TarEntry] = {}
    for entry in entries:
        path = normalize_path(entry.path)
        if not path:
            continue  # the root itself is never a member (as in docker's layers)
        if entry.kind not in ("file", "dir", "symlink", "hardlink"):
            raise JettisonError(f"layer entry {entry.path!r} has unknown kind {entry.kind!r}")
        if entry.kind == "hardlink":
            entry = TarEntry(path, "hardlink", linkname=normalize_path(entry.linkname))
        by_path[path] = entry if entry.path == path else _with_path(entry, path)
    if parents:
        for path in list(by_path):
            parent = posixpath.dirname(path)
            while parent and parent not in by_path:
                by_path[parent] = TarEntry(parent, "dir")
                parent = posixpath.dirname(parent)
    ordered = sorted(by_path.values(), key=lambda e: e.path.split("/"))
    seen: set[str] = set()
    for entry in ordered:
        if entry.kind == "hardlink" and entry.linkname not in seen:
            # A link must follow its target in the stream; a link to a later or missing path is an error.
            target = by_path.get(entry.linkname)
            if target is None or target.kind != "file":
                raise JettisonError(f"hard link {entry.path!r} points to {entry.linkname!r}, not a file here")
            raise JettisonError(f"hard link {entry.path!r} sorts before its target {entry.linkname!r}")
        seen.add(entry.path)
    return ordered


def _with_path(entry: TarEntry, path: str) -> TarEntry:
    from dataclasses import replace

    return replace(entry, path=path)


def write_layer(
    entries: Iterable[TarEntry],
    *,
    blobs: BlobDirectory | None = None,
    compression: str = "gzip",
    mtime: int | None = None,
    uid: int = 0,
    gid: int = 0,
    parents: bool = True,
    docker_media_type: bool = False,
    level: int | None = None,
) -> Layer:
    """Write entries as one deterministic layer blob and return its Layer (see the module docstring).

    `level` is the compression level (default gzip 6, zstd 3); like every other input it changes the
    digest, so a caller choosing one must always choose the same."""
    blobs = blobs or default_blob_directory()
    when = source_date_epoch() if mtime is None else mtime
    ordered = _prepare(entries, parents)
    handle, temporary = blobs.temporary()
    try:
        with handle:
            compressed = HashingWriter(handle)
            writer = _compressor(compressed, compression, level)
            uncompressed = HashingWriter(writer) if compression != "none" else compressed
            with tarfile.TarFile(fileobj=uncompressed, mode="w", format=tarfile.PAX_FORMAT) as tar:  # type: ignore[arg-type]
                for entry in ordered:
                    _add(tar, entry, when, uid, gid)
            _finish(writer, compression)
        path = blobs.commit(temporary, compressed.digest)
    except BaseException:
        blobs.discard(temporary)
        raise
    media = layer_media_type(compression, docker=docker_media_type)
    return Layer(
        compressed.digest,
        uncompressed.digest,
        compressed.size,
        media,
        _file_opener(path),
        str(path),
        local_path=path,
    )


def _add(tar: tarfile.TarFile, entry: TarEntry, mtime: int, uid: int, gid: int) -> None:
    info = tarfile.TarInfo(entry.path)
    info.mtime = mtime
    info.uid = uid if entry.uid is None else entry.uid
    info.gid = gid if entry.gid is None else entry.gid
    info.uname = info.gname = ""
    info.mode = _normal_mode(entry.kind, entry.mode, entry.exact_mode)
    if entry.kind == "dir":
        info.type = tarfile.DIRTYPE
        tar.addfile(info)
    elif entry.kind == "symlink":
        info.type = tarfile.SYMTYPE
        info.linkname = entry.linkname
        tar.addfile(info)
    elif entry.kind == "hardlink":
        info.type = tarfile.LNKTYPE
        info.linkname = entry.linkname
        tar.addfile(info)
    elif entry.source is not None:
        try:
            with open(entry.source, "rb") as content:
                info.size = os.fstat(content.fileno()).st_size
                tar.addfile(info, content)
        except OSError as error:
            raise JettisonError(f"cannot read file for layer: {error.strerror}", entry.source) from None
    else:
        data = entry.data or b""
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))


# ---- safe reading ----------------------------------------------------------------------------------

_KINDS = {
    tarfile.REGTYPE: "file",
    tarfile.AREGTYPE: "file",
    tarfile.CONTTYPE: "file",
    tarfile.DIRTYPE: "dir",
    tarfile.SYMTYPE: "symlink",
    tarfile.LNKTYPE: "hardlink",
    tarfile.CHRTYPE: "char",
    tarfile.BLKTYPE: "block",
    tarfile.FIFOTYPE: "fifo",
}


@dataclass(frozen=True)
class Member:
    """A tar member as data. `path` is normalized inside the root; `unsafe` says why extracting the member
    as it stands would be unsafe (None when it is harmless). `whiteout` is the path it deletes, and
    `opaque` marks a directory whose lower content it hides."""

    path: str
    kind: str
    size: int
    mode: int
    uid: int
    gid: int
    mtime: int
    linkname: str
    raw_path: str
    unsafe: str | None = None
    whiteout: str | None = None
    opaque: bool = False


def _member(info: tarfile.TarInfo) -> Member:
    path, escaped = _normalize(info.name)
    kind = _KINDS.get(info.type, "other")
    unsafe = None
    if escaped:
        unsafe = "path leaves the root"
    elif kind in ("char", "block", "fifo", "other"):
        unsafe = f"{kind} device" if kind in ("char", "block") else kind
    elif kind == "symlink" and info.linkname.startswith("/"):
        unsafe = "absolute symlink"
    elif kind == "symlink":
        _target, link_escaped = _normalize(posixpath.join(posixpath.dirname(path), info.linkname))
        if link_escaped:
            unsafe = "symlink leaves the root"
    elif kind == "hardlink":
        _target, link_escaped = _normalize(info.linkname)
        if link_escaped:
            unsafe = "hard link leaves the root"
    if info.mode & (stat.S_ISUID | stat.S_ISGID) and unsafe is None:
        unsafe = "setuid/setgid"
    name = posixpath.basename(path)
    whiteout = None
    opaque = False
    if name == OPAQUE_WHITEOUT:
        opaque = True
    elif name.startswith(WHITEOUT_PREFIX):
        whiteout = posixpath.join(posixpath.dirname(path), name[len(WHITEOUT_PREFIX) :])
    return Member(
        path=path,
        kind=kind,
        size=info.size if kind == "file" else 0,
        mode=info.mode,
        uid=info.uid,
        gid=info.gid,
        mtime=int(info.mtime),
        linkname=info.linkname,
        raw_path=info.name,
        unsafe=unsafe,
        whiteout=whiteout,
        opaque=opaque,
    )


def iter_members(stream: BinaryIO, what: str = "layer") -> Iterator[tuple[Member, BinaryIO | None]]:
    """Each member of the tar on `stream`, in order, with a reader for a regular file's content (valid
    until the next member). Nothing touches the filesystem; a malformed tar is a JettisonError."""
    try:
        with tarfile.open(fileobj=stream, mode="r|") as tar:
            for info in tar:
                member = _member(info)
                content = tar.extractfile(info) if member.kind == "file" else None
                yield member, content  # type: ignore[misc]
        # tarfile stops at the end-of-archive marker; read the padding after it too, so that a
        # verifying stream reaches its end and checks the digest of everything we just yielded.
        while stream.read(CHUNK):
            pass
    except tarfile.TarError as error:
        raise JettisonError(f"{what} is not a valid tar: {error}") from None
    except EOFError as error:
        raise JettisonError(f"{what} is truncated: {error}") from None


def _inside(root: Path, path: Path) -> bool:
    try:
        return os.path.commonpath([os.path.realpath(path), str(root)]) == str(root)
    except ValueError:
        return False


def _remove(path: Path) -> None:
    if path.is_symlink() or not path.is_dir():
        path.unlink(missing_ok=True)
    else:
        shutil.rmtree(path)


def extract_layers(layers: Iterable[Layer], target: Path) -> list[tuple[str, str]]:
    """Unpack layers in order into `target`, applying whiteouts, without ever writing outside it.

    Members that would be unsafe are skipped: paths leaving the root, devices and FIFOs, hard links
    out of the tree, and anything whose parent resolves (through symlinks) outside `target`. Symlinks are
    created as they are (also absolute ones: they are never followed while writing). Setuid/setgid bits
    are dropped. Returns the skipped members as (path, reason).
    """
    root = Path(os.path.realpath(target))
    root.mkdir(parents=True, exist_ok=True)
    skipped: list[tuple[str, str]] = []
    # Bytes this extraction may write in all: a sparse member of a small layer can claim terabytes of
    # holes, which reading it would write out as zeros. The same limit as a decompressed stream's.
    budget = max_unpacked_bytes()
    for layer in layers:
        for member, content in layer.members():
            if not member.path:
                continue
            if member.kind == "file" and member.size > budget:
                raise JettisonError(
                    f"{layer.where or 'layer'}: {member.raw_path!r} would unpack past the "
                    f"{max_unpacked_bytes()} bytes allowed (JETTISON_MAX_UNPACKED_BYTES sets the limit)"
                )
            if member.kind == "file":
                budget -= member.size
            if member.unsafe and member.unsafe != "setuid/setgid" and member.kind != "symlink":
                skipped.append((member.raw_path, member.unsafe))
                continue
            if member.unsafe == "path leaves the root":
                skipped.append((member.raw_path, member.unsafe))
                continue
            destination = root / member.path
            if not _inside(root, destination.parent):
                skipped.append((member.raw_path, "parent directory resolves outside the target"))
                continue
            if member.opaque:
                parent = destination.parent
                if parent.is_dir() and not parent.is_symlink():
                    for child in parent.iterdir():
                        _remove(child)
                continue
            if member.whiteout is not None:
                victim = root / member.whiteout
                if _inside(root, victim.parent) and (victim.exists() or victim.is_symlink()):
                    _remove(victim)
                continue
            destination.parent.mkdir(parents=True, exist_ok=True)
            if not _inside(root, destination.parent):
                skipped.append((member.raw_path, "parent directory resolves outside the target"))
                continue
            if member.kind == "dir":
                if destination.is_symlink() or (destination.exists() and not destination.is_dir()):
                    _remove(destination)
                destination.mkdir(exist_ok=True)
                os.chmod(destination, (member.mode & 0o1777) | 0o700)
                continue
            if destination.exists() or destination.is_symlink():
                _remove(destination)
            if member.kind == "symlink":
                os.symlink(member.linkname, destination)
            elif member.kind == "hardlink":
                source = root / normalize_path(member.linkname)
                if source.is_symlink() or not source.is_file() or not _inside(root, source):
                    skipped.append((member.raw_path, "hard link target is not a file inside the tree"))
                    continue
                os.link(source, destination)
            elif member.kind == "file" and content is not None:
                flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
                fd = os.open(destination, flags, 0o600)
                with os.fdopen(fd, "wb") as handle:
                    shutil.copyfileobj(content, handle, CHUNK)
                os.chmod(destination, member.mode & 0o777)
    return skipped
