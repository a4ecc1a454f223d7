"""One streaming pass over each layer: sizes, the merged file system, dive's figures, and the few file
contents the Python analysis needs. Nothing is extracted and no layer is held in memory.

What is read of a file's content, and why:
- dist-info RECORD and METADATA, /var/lib/dpkg/status: the package analyses need them (small files);
- shared objects: the ELF header and section table, to tell stripped from unstripped;
- secret candidates (by name, up to 1 MiB): the secret rules work on (path, bytes);
- files of 4 KiB or more are hashed to find the same content at several paths. On a stream that can
  seek back (an uncompressed layer on disk), a file is hashed only once a second file of the same size
  appears — most sizes are unique, so most bytes are never read; on a forward-only stream every such
  file is hashed as it passes.
Every other byte is skipped (seeked over, or read and dropped on a compressed stream).
"""

from __future__ import annotations

import gzip
import hashlib
import posixpath
import re
import tarfile
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO

from jettison.errors import JettisonError
from jettison.inspect.efficiency import Efficiency, EfficiencyAccumulator
from jettison.inspect.elf import ElfSymbols, read_elf_symbols
from jettison.inspect.source import ImageInput, LayerInput, history_by_layer
from jettison.inspect.tree import LAYER_BITS, MergedTree, file_layer, file_size

DUPLICATE_MIN_SIZE = 4096
SECRET_MAX_SIZE = 1 << 20
MAX_LAYERS = (1 << LAYER_BITS) - 1  # the merged tree packs a layer index in LAYER_BITS
_CHUNK = 1 << 20
_SHARED_OBJECT = re.compile(r"\.so(\.\d+)*$")
_CAPTURED = re.compile(r"(\.dist-info/(RECORD|METADATA)|^var/lib/dpkg/status)$")
_CAPTURE_LIMIT = 32 << 20

SecretScanner = Callable[[str, bytes], Sequence[Any]]


@dataclass(frozen=True)
class LayerStats:
    index: int
    digest: str
    diff_id: str | None
    media_type: str
    compressed_size: int
    uncompressed_size: int  # bytes of the tar stream
    size: int  # sum of the entries' sizes, as dive reports a layer
    file_count: int  # entries that are not directories or whiteouts
    whiteouts: int
    created_by: str
    comment: str
    created: str


@dataclass(frozen=True)
class SecretHit:
    path: str
    layer: int
    deleted: bool  # removed or overwritten by a later layer, yet still shipped in `layer`
    detail: Any


@dataclass
class ImageScan:
    reference: str
    manifest_digest: str | None
    config: dict[str, Any]
    layers: list[LayerStats]
    tree: MergedTree
    efficiency: Efficiency
    captured: dict[str, bytes]  # path -> content, for paths that survive in the final file system
    duplicates: list[tuple[int, list[str]]]  # (size, paths) with identical content, surviving only
    unstripped: dict[str, ElfSymbols]
    secrets: list[SecretHit]


class _LayerStream:
    """The layer's uncompressed stream as tarfile wants it: read, tell, and seek — forward-only unless
    the layer allows random access, in which case seeks go straight to the file."""

    def __init__(self, raw: BinaryIO, random_access: bool) -> None:
        self.raw = raw
        self.random_access = random_access
        self.position = 0

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.position += len(data)
        return data

    def tell(self) -> int:
        return self.position

    def seek(self, offset: int, whence: int = 0) -> int:
        if whence == 1:
            offset += self.position
        if self.random_access:
            self.position = self.raw.seek(offset, whence if whence == 2 else 0)
            return self.position
        if whence == 2 or offset < self.position:
            raise ValueError("a forward-only layer stream cannot seek back")
        while self.position < offset:
            if not self.read(min(_CHUNK, offset - self.position)):
                break
        return self.position

    def size(self) -> int:
        if self.random_access:
            return self.raw.seek(0, 2)
        while self.read(_CHUNK):
            pass
        return self.position


class _MemberReader:
    """Reads one member's bytes forward, hashing everything that passes when asked to."""

    def __init__(self, stream: _LayerStream, offset: int, size: int, digest: bool) -> None:
        self.stream, self.start, self.size = stream, offset, size
        self.offset = 0
        self.hash = hashlib.sha256() if digest else None
        stream.seek(offset)

    def read(self, count: int = -1) -> bytes:
        count = self.size - self.offset if count < 0 else min(count, self.size - self.offset)
        data = self.stream.read(count)
        if len(data) < count:
            raise tarfile.ReadError("unexpected end of data")
        self.offset += len(data)
        if self.hash is not None:
            self.hash.update(data)
        return data

    def seek(self, position: int) -> None:
        if position < self.offset:
            raise ValueError("member readers only move forward")
        if self.hash is None and self.stream.random_access:
            self.offset = min(position, self.size)
            self.stream.seek(self.start + self.offset)
            return
        while self.offset < min(position, self.size):
            self.read(min(_CHUNK, position - self.offset))

    def digest(self) -> bytes:
        while self.offset < self.size:
            self.read(_CHUNK)
        assert self.hash is not None
        return self.hash.digest()[:16]


def normalize(name: str) -> str | None:
    """The path dive keys a tar entry by (Go's path.Clean, without the leading slash)."""
    path = posixpath.normpath(name).lstrip("/")
    return None if path in ("", ".") else path


_SECRET_NAMES = {
    ".env",
    ".netrc",
    ".pypirc",
    ".npmrc",
    ".git-credentials",
    "credentials",
    "id_rsa",
    "id_dsa",
    "id_ecdsa",
    "id_ed25519",
    "credentials.json",
    ".dockercfg",
    "config.json",
    "secrets.json",
}
_SECRET_SUFFIXES = (".pem", ".key", ".p12", ".pfx", ".env")
_CONFIG_SUFFIXES = (".json", ".yaml", ".yml", ".ini", ".cfg", ".conf", ".toml", ".properties", ".sh")
_SYSTEM_PREFIXES = ("usr/", "lib/", "lib64/", "bin/", "sbin/", "var/lib/", "var/cache/", "etc/ssl/", "proc/")


def is_secret_candidate(path: str, size: int) -> bool:
    """Worth reading for the secret detectors: key and credential files anywhere, and small config
    files outside the system and package trees (where an application's own files live)."""
    base = path.rpartition("/")[2].lower()
    if base in _SECRET_NAMES or base.startswith(".env.") or base.endswith(_SECRET_SUFFIXES):
        return not path.startswith(("usr/share/", "etc/ssl/certs/", "usr/lib/ssl/"))
    if path.endswith(".aws/credentials"):
        return True
    return (
        size <= 65536
        and base.endswith(_CONFIG_SUFFIXES)
        and not path.startswith(_SYSTEM_PREFIXES)
        and "site-packages/" not in path
        and "dist-packages/" not in path
    )


class _Scanner:
    def __init__(self, image: ImageInput, secret_scanner: SecretScanner | None) -> None:
        self.image = image
        self.efficiency = EfficiencyAccumulator()
        self.tree = MergedTree(lambda path, packed: self.efficiency.dropped("/" + path, file_size(packed)))
        self.secret_scanner = secret_scanner
        self.captured: dict[str, tuple[int, bytes]] = {}
        self.unstripped: dict[str, tuple[int, ElfSymbols]] = {}
        self.secrets: list[tuple[str, int, Any]] = []
        # size -> (layer, offset, path) of the one file of that size not hashed yet; None once hashed.
        self.first_of_size: dict[int, tuple[int, int, str] | None] = {}
        self.by_digest: dict[bytes, str | list[str]] = {}

    def _remember_digest(self, digest: bytes, layer: int, path: str) -> None:
        entry = f"{layer}:{path}"
        known = self.by_digest.get(digest)
        if known is None:
            self.by_digest[digest] = entry
        elif isinstance(known, str):
            self.by_digest[digest] = [known, entry]
        else:
            known.append(entry)

    def _hash_earlier(self, stream: _LayerStream, current: int, layer: int, offset: int, size: int) -> bytes:
        if layer == current:
            back = stream.tell()
            reader = _MemberReader(stream, offset, size, True)
            digest = reader.digest()
            stream.seek(back)
            return digest
        source = self.image.layers[layer]
        with source.open() as raw:
            return _MemberReader(_LayerStream(raw, True), offset, size, True).digest()

    def scan_layer(self, index: int, layer: LayerInput) -> tuple[int, int, int, int]:
        with layer.open() as raw:
            stream = _LayerStream(raw, layer.random_access and raw.seekable())
            try:
                archive = tarfile.open(fileobj=stream, mode="r:")  # type: ignore[call-overload]  # noqa: SIM115
            except tarfile.ReadError as error:
                raise JettisonError(f"layer {index} ({layer.digest}) is not a tar archive: {error}") from None
            dive_size = files = whiteouts = 0
            explicit_dirs: dict[str, int] = {}
            parents: set[str] = set()
            while True:
                member = archive.next()
                if member is None:
                    break
                # tarfile keeps every member it reads; we stream, so let them go.
                archive.members.clear()
                path = normalize(member.name)
                if path is None:
                    continue
                dive_size += member.size
                parent, _, base = path.rpartition("/")
                ancestor = parent
                while ancestor and ancestor not in parents:
                    parents.add(ancestor)
                    ancestor = ancestor.rpartition("/")[0]
                if base.startswith(".wh."):
                    whiteouts += 1
                    if base == ".wh..wh..opq":
                        self.tree.clear_below(parent.split("/") if parent else [], index)
                    elif not base.startswith(".wh..wh.."):
                        target = f"{parent}/{base[4:]}" if parent else base[4:]
                        below = self.tree.lookup(target.split("/"))
                        charged = self.tree.whiteout(target.split("/"), index)
                        if charged is None:
                            self.efficiency.visit_missing_whiteout("/" + target)
                        else:
                            previous = file_size(below) if isinstance(below, int) else None
                            self.efficiency.visit("/" + target, charged, previous)
                    continue
                parts = path.split("/")
                if member.isdir():
                    explicit_dirs[path] = member.size
                    self.tree.add_directory(parts, index)
                    continue
                files += 1
                replaced = self.tree.add_file(parts, member.size, index)
                previous = None if replaced is None else file_size(replaced)
                self.efficiency.visit_file("/" + path, member.size, previous)
                if member.isreg() and member.size:
                    self._read_content(stream, index, path, base, member)
            for path, size in explicit_dirs.items():
                if path not in parents:  # a leaf in this layer's own tree
                    self.efficiency.visit("/" + path, size)
            for path in parents:
                if path not in explicit_dirs:
                    self.tree.mark_implicit(path.split("/"))
            return dive_size, files, whiteouts, stream.size()

    def _read_content(
        self, stream: _LayerStream, index: int, path: str, base: str, member: tarfile.TarInfo
    ) -> None:
        size = member.size
        offset = member.offset_data
        need_hash = False
        if size >= DUPLICATE_MIN_SIZE:
            if not stream.random_access:
                need_hash = True
                # a seekable layer later holding a file of this size must hash it to compare
                self.first_of_size[size] = None
            elif size not in self.first_of_size:
                self.first_of_size[size] = (index, offset, path)
            else:
                need_hash = True
                first = self.first_of_size[size]
                if first is not None:
                    self.first_of_size[size] = None
                    digest = self._hash_earlier(stream, index, *first[:2], size)
                    self._remember_digest(digest, first[0], first[2])
        capture = _CAPTURED.search(path) is not None and size <= _CAPTURE_LIMIT
        secret = (
            self.secret_scanner is not None and size <= SECRET_MAX_SIZE and is_secret_candidate(path, size)
        )
        elf = _SHARED_OBJECT.search(base) is not None and size > 64
        if not (need_hash or capture or secret or elf):
            return
        reader = _MemberReader(stream, offset, size, need_hash)
        if capture or secret:
            data = reader.read()
            if capture:
                self.captured[path] = (index, data)
            if secret and self.secret_scanner is not None:
                for detail in self.secret_scanner(path, data):
                    self.secrets.append((path, index, detail))
        elif elf:
            symbols = read_elf_symbols(reader, size)  # type: ignore[arg-type]
            if symbols is not None and symbols.strippable_bytes:
                self.unstripped[path] = (index, symbols)
        if need_hash:
            self._remember_digest(reader.digest(), index, path)

    def alive(self, path: str, layer: int) -> bool:
        node = self.tree.lookup(path.split("/"))
        return isinstance(node, int) and file_layer(node) == layer


def scan_image(image: ImageInput, secret_scanner: SecretScanner | None = None) -> ImageScan:
    if len(image.layers) > MAX_LAYERS:
        raise JettisonError(
            f"{image.reference} has {len(image.layers)} layers; jettison reads up to {MAX_LAYERS}"
        )
    scanner = _Scanner(image, secret_scanner)
    history = history_by_layer(image.config, len(image.layers))
    stats: list[LayerStats] = []
    for index, layer in enumerate(image.layers):
        try:
            dive_size, files, whiteouts, uncompressed = scanner.scan_layer(index, layer)
        except JettisonError:
            raise
        except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile, ValueError) as error:
            raise JettisonError(f"layer {index} ({layer.digest}) is damaged: {error}") from None
        except OSError as error:
            raise JettisonError(f"layer {index} ({layer.digest}) cannot be read: {error}") from None
        entry = history[index]
        stats.append(
            LayerStats(
                index=index,
                digest=layer.digest,
                diff_id=layer.diff_id,
                media_type=layer.media_type,
                compressed_size=layer.compressed_size,
                uncompressed_size=uncompressed,
                size=dive_size,
                file_count=files,
                whiteouts=whiteouts,
                created_by=str(entry.get("created_by", "")),
                comment=str(entry.get("comment", "")),
                created=str(entry.get("created", "")),
            )
        )
    duplicates: list[tuple[int, list[str]]] = []
    for entries in scanner.by_digest.values():
        if isinstance(entries, str):
            continue
        paths = []
        for entry in entries:
            layer_text, _, path = entry.partition(":")
            if scanner.alive(path, int(layer_text)) and path not in paths:
                paths.append(path)
        if len(paths) > 1:
            node = scanner.tree.lookup(paths[0].split("/"))
            assert isinstance(node, int)
            duplicates.append((file_size(node), sorted(paths)))
    duplicates.sort(key=lambda item: (-item[0] * (len(item[1]) - 1), item[1]))
    return ImageScan(
        reference=image.reference,
        manifest_digest=image.manifest_digest,
        config=dict(image.config),
        layers=stats,
        tree=scanner.tree,
        efficiency=scanner.efficiency.result([layer.size for layer in stats]),
        captured={p: data for p, (layer, data) in scanner.captured.items() if scanner.alive(p, layer)},
        duplicates=duplicates,
        unstripped={p: s for p, (layer, s) in scanner.unstripped.items() if scanner.alive(p, layer)},
        secrets=[
            SecretHit(path, layer, not scanner.alive(path, layer), detail)
            for path, layer, detail in scanner.secrets
        ],
    )
