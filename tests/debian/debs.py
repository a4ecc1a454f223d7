"""Test .debs and archives made here, byte by byte: ar + control.tar.gz + data.tar.{xz,gz,zst,none}."""

from __future__ import annotations

import gzip
import hashlib
import io
import lzma
import tarfile
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Item:
    """One member of a data.tar: kind file/dir/symlink/hardlink (or any tarfile type via `tartype`)."""

    name: str
    kind: str = "file"
    data: bytes = b""
    linkname: str = ""
    mode: int = 0o644
    tartype: bytes | None = None


def tar_bytes(items: Iterable[Item]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.GNU_FORMAT) as tar:
        for item in items:
            info = tarfile.TarInfo(item.name)
            info.mode = item.mode
            types = {"file": tarfile.REGTYPE, "dir": tarfile.DIRTYPE, "symlink": tarfile.SYMTYPE,
                     "hardlink": tarfile.LNKTYPE}  # fmt: skip
            info.type = item.tartype or types[item.kind]
            info.linkname = item.linkname
            if info.type == tarfile.REGTYPE:
                info.size = len(item.data)
                tar.addfile(info, io.BytesIO(item.data))
            else:
                tar.addfile(info)
    return buffer.getvalue()


def compress(data: bytes, compression: str) -> bytes:
    if compression == "xz":
        return lzma.compress(data)
    if compression == "gz":
        return gzip.compress(data, mtime=0)
    if compression == "zst":
        import zstandard

        return zstandard.ZstdCompressor().compress(data)
    return data


def ar(members: Iterable[tuple[str, bytes]]) -> bytes:
    out = [b"!<arch>\n"]
    for name, content in members:
        header = f"{name + '/':<16}{0:<12}{0:<6}{0:<6}{'100644':<8}{len(content):<10}`\n".encode()
        assert len(header) == 60
        out += [header, content, b"\n" if len(content) % 2 else b""]
    return b"".join(out)


def control_text(fields: dict[str, str]) -> str:
    return "".join(f"{k}: {v}\n" for k, v in fields.items())


def make_deb(fields: dict[str, str], items: Iterable[Item], compression: str = "xz") -> bytes:
    control = tar_bytes(
        [Item("./", "dir", mode=0o755), Item("./control", data=control_text(fields).encode())]
    )
    suffix = "" if compression == "none" else f".{compression}"
    return ar([
        ("debian-binary", b"2.0\n"),
        ("control.tar.gz", gzip.compress(control, mtime=0)),
        (f"data.tar{suffix}", compress(tar_bytes(items), compression)),
    ])  # fmt: skip


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
