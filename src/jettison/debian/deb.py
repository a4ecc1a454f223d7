"""A .deb as data: its ar members, its control file, and its data.tar.* as layer entries.

A .deb is an ar archive ("!<arch>\\n", then 60-byte headers) holding debian-binary, control.tar.* and
data.tar.*, compressed with xz, zstd (the optional `zstandard` package), gzip or not at all. The data
tar is read member by member (jettison.oci.layers.iter_members: paths normalized inside the root, unsafe
members flagged) and turned into TarEntry values for the deterministic layer writer; maintainer scripts in
control.tar are never run.
"""

from __future__ import annotations

import io
import lzma
import tarfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from jettison.debian.control import parse_paragraphs
from jettison.errors import JettisonError
from jettison.oci.decompress import open_decompressed
from jettison.oci.layers import iter_members, normalize_path

AR_MAGIC = b"!<arch>\n"
_READ_ERRORS: tuple[type[BaseException], ...] = (
    lzma.LZMAError,
    EOFError,
    tarfile.TarError,
    zlib.error,
    OSError,
)
try:
    import zstandard

    _READ_ERRORS += (zstandard.ZstdError,)
except ImportError:  # zstd members then say how to install it
    pass


def ar_members(data: bytes, where: str) -> Iterator[tuple[str, bytes]]:
    """(name, content) of each member of an ar archive (the common format dpkg writes)."""
    if not data.startswith(AR_MAGIC):
        raise JettisonError("not a .deb (no ar header)", where)
    offset = len(AR_MAGIC)
    while offset < len(data):
        header = data[offset : offset + 60]
        if len(header) < 60 or header[58:60] != b"`\n":
            raise JettisonError(f"truncated or malformed ar header at byte {offset}", where)
        name = header[:16].decode("ascii", "replace").strip().rstrip("/")
        try:
            size = int(header[48:58].decode("ascii").strip())
        except ValueError:
            raise JettisonError(f"bad ar member size at byte {offset}", where) from None
        start = offset + 60
        if start + size > len(data):
            raise JettisonError(f"ar member {name!r} runs past the end of the file", where)
        yield name, data[start : start + size]
        offset = start + size + (size & 1)


def _decompressed(name: str, content: bytes, where: str) -> BinaryIO:
    stream = io.BytesIO(content)
    if name.endswith(".xz"):
        return open_decompressed(stream, "xz", f"{where} {name}")
    if name.endswith(".gz"):
        return open_decompressed(stream, "gzip", f"{where} {name}")
    if name.endswith(".zst"):
        try:
            import zstandard  # noqa: F401
        except ImportError:
            raise JettisonError(
                f"{name} is zstd-compressed: pip install zstandard (or 'jettison[zstd]')", where
            ) from None
        return open_decompressed(stream, "zstd", f"{where} {name}")
    if name.endswith(".tar"):
        return stream
    raise JettisonError(f"unsupported .deb member compression {name!r}", where)


def _member(data: bytes, prefix: str, where: str) -> tuple[str, bytes]:
    found = [(name, content) for name, content in ar_members(data, where) if name.startswith(prefix)]
    if len(found) != 1:
        raise JettisonError(f"expected one {prefix}* member, found {len(found)}", where)
    return found[0]


def control_fields(data: bytes, where: str) -> dict[str, str]:
    """The `control` file of the package (Package, Version, Depends, ...)."""
    name, content = _member(data, "control.tar", where)
    with _decompressed(name, content, where) as stream:
        for member, reader in iter_members(stream, f"{where} {name}"):
            if member.path == "control" and reader is not None:
                text = reader.read().decode("utf-8", "replace")
                for fields in parse_paragraphs(text, f"{where} control"):
                    return fields
    raise JettisonError("control.tar has no control file", where)


@dataclass(frozen=True)
class DebFile:
    """A data.tar member worth keeping: path (relative), kind, content or link target, mode."""

    path: str
    kind: str  # file, dir, symlink, hardlink
    data: bytes | None
    linkname: str
    mode: int


def data_files(data: bytes, where: str, keep: Callable[[str], bool] | None = None) -> list[DebFile]:
    """The members of data.tar.* that `keep(path)` accepts. Refused, naming the package: a path or hard
    link leaving the root, a relative symlink climbing above it, a member under a symlink (a write through
    the link), devices and FIFOs (a package for a container base has none), a hard link to a member not
    before it. A kept hard link whose target `keep` drops becomes a copy of the target's content."""
    name, content = _member(data, "data.tar", where)
    files: list[DebFile] = []
    symlinks: set[str] = set()
    parents: set[str] = set()  # every directory some member before lies under
    bodies: dict[str, tuple[bytes, int]] = {}  # every regular file seen, kept or not (hard link targets)
    try:
        with _decompressed(name, content, where) as stream:
            for member, reader in iter_members(stream, f"{where} {name}"):
                if not member.path:
                    continue
                if member.unsafe in (
                    "path leaves the root",
                    "hard link leaves the root",
                    "symlink leaves the root",
                ):
                    raise JettisonError(f"member {member.raw_path!r}: {member.unsafe}", where)
                if member.kind not in ("file", "dir", "symlink", "hardlink"):
                    raise JettisonError(
                        f"member {member.raw_path!r} is a {member.unsafe or member.kind} (a base has none)",
                        where,
                    )
                parts = member.path.split("/")
                under = next(
                    ("/".join(parts[:i]) for i in range(1, len(parts)) if "/".join(parts[:i]) in symlinks),
                    None,
                )
                if under is not None:
                    raise JettisonError(f"member {member.raw_path!r} is under the symlink {under!r}", where)
                if member.kind == "symlink":
                    # A symlink over a directory that earlier members went into would leave those
                    # members under the link in the layer: dpkg refuses the same package.
                    if member.path in parents:
                        raise JettisonError(
                            f"symlink {member.raw_path!r} replaces a directory earlier members are in", where
                        )
                    symlinks.add(member.path)
                else:
                    symlinks.discard(member.path)
                parents.update("/".join(parts[:i]) for i in range(1, len(parts)))
                body = reader.read() if reader is not None else None
                if member.kind == "file":
                    bodies[member.path] = (body or b"", member.mode)
                if keep is not None and not keep(member.path):
                    continue
                link = member.linkname
                if member.kind == "hardlink":
                    link = normalize_path(link)
                    if link not in bodies:
                        raise JettisonError(
                            f"hard link {member.raw_path!r} points to {member.linkname!r}, no file before it",
                            where,
                        )
                    if keep is not None and not keep(link):
                        target, mode = bodies[link]
                        files.append(DebFile(member.path, "file", target, "", mode))
                        continue
                files.append(DebFile(member.path, member.kind, body, link, member.mode))
    except _READ_ERRORS as error:
        raise JettisonError(f"cannot read {name}: {error}", where) from None
    return files
