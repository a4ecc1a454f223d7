"""Decompressing input jettison does not control, within limits: every gzip, zstd, xz and bzip2 stream it
reads (layer blobs, docker-archives compressed as a whole, .deb members) is opened by open_decompressed.

Compression lets a small file stand for a huge one: 1 GiB of zeros is 1 MB as gzip and 32 KB as zstd, so
a 4 MB `docker save | gzip` became a 4.3 GB scratch file (issue 10). Two limits hold while the stream is
read, so no more than they allow is ever written or kept:

- an absolute one per stream, JETTISON_MAX_UNPACKED_BYTES (default 16 GiB, beyond any real layer);
- a ratio: once the output passes 64 MiB, at most JETTISON_MAX_UNPACKED_RATIO (default 200; 0 turns it
  off) bytes out per compressed byte read. Layers of Python services compress 2-10:1; a stream far
  past 200:1 is filled with repeats, not files.

Either is a JettisonError naming the stream, raised from read() (the reader's own cleanup then runs).
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import os
from pathlib import Path
from typing import BinaryIO

from jettison.errors import JettisonError

GIB = 1 << 30
MIB = 1 << 20
DEFAULT_MAX_UNPACKED_BYTES = 16 * GIB
DEFAULT_MAX_RATIO = 200.0
RATIO_FLOOR = 64 * MIB  # below this much output the ratio is not judged: small files compress well
COMPRESSIONS = ("gzip", "zstd", "xz", "bzip2", "none")


def max_unpacked_bytes() -> int:
    return int(_setting("JETTISON_MAX_UNPACKED_BYTES", DEFAULT_MAX_UNPACKED_BYTES))


def max_ratio() -> float:
    return _setting("JETTISON_MAX_UNPACKED_RATIO", DEFAULT_MAX_RATIO)


def _setting(name: str, default: float) -> float:
    text = os.environ.get(name, "").strip().replace("_", "")
    if not text:
        return default
    try:
        value = float(text) if name.endswith("RATIO") else int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise JettisonError(f"{name}={os.environ[name]!r} is not a non-negative number")
    return value


def open_decompressed(stream: BinaryIO, compression: str, where: str | Path | None = None) -> BinaryIO:
    """`stream` decompressed ("gzip", "zstd", "xz", "bzip2" or "none"), read within the limits above;
    `where` names it in errors. gzip accepts several members and the zero padding some registries serve
    after the last one (Python's gzip skips it, as gzip(1) does)."""
    if compression == "none":
        return stream  # nothing expands: the caller bounds what it reads
    # Unbuffered, so the count is what the decompressor took (each reads 8-128 KiB at a time).
    counted = _Counted(stream)
    source: BinaryIO = counted  # type: ignore[assignment]
    decompressed: BinaryIO
    if compression == "gzip":
        decompressed = gzip.GzipFile(fileobj=source, mode="rb")  # type: ignore[assignment]
    elif compression == "xz":
        decompressed = lzma.LZMAFile(source)  # type: ignore[assignment]  # noqa: SIM115 - closed by _Bounded
    elif compression == "bzip2":
        decompressed = bz2.BZ2File(source)  # type: ignore[assignment]
    elif compression == "zstd":
        try:
            import zstandard
        except ImportError:
            raise JettisonError(
                "zstd layers need the zstandard package: pip install 'jettison[zstd]'", where
            ) from None
        decompressed = zstandard.ZstdDecompressor().stream_reader(source, read_across_frames=True)  # type: ignore[assignment]
    else:
        raise JettisonError(f"unknown compression {compression!r} ({', '.join(COMPRESSIONS)})", where)
    bounded = _Bounded(decompressed, counted, compression, where, max_unpacked_bytes(), max_ratio())
    return io.BufferedReader(bounded, MIB)  # type: ignore[arg-type, return-value]


class _Counted(io.RawIOBase):
    """Passes `source` through, counting the compressed bytes the decompressor has taken."""

    def __init__(self, source: BinaryIO) -> None:
        super().__init__()
        self._source = source
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self._source.read(len(buffer))
        buffer[: len(data)] = data
        self.count += len(data)
        return len(data)

    def close(self) -> None:
        if not self.closed:
            try:
                self._source.close()
            finally:
                super().close()


class _Bounded(io.RawIOBase):
    """The decompressed stream, refused (JettisonError) the moment it passes either limit."""

    def __init__(
        self,
        source: BinaryIO,
        compressed: _Counted,
        compression: str,
        where: str | Path | None,
        limit: int,
        ratio: float,
    ) -> None:
        super().__init__()
        self._source = source
        self._compressed = compressed
        self._compression = compression
        self._where = where
        self._limit = limit
        self._ratio = ratio
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        # Never ask for more than the absolute limit leaves (plus one byte to see it passed).
        data = self._source.read(min(len(buffer), self._limit - self.count + 1))
        self.count += len(data)
        if self.count > self._limit:
            raise JettisonError(
                f"{self._compression} stream expands past {_size(self._limit)}: refused "
                "(JETTISON_MAX_UNPACKED_BYTES sets the limit)",
                self._where,
            )
        compressed = max(self._compressed.count, 1)
        if self._ratio and self.count > RATIO_FLOOR and self.count > self._ratio * compressed:
            raise JettisonError(
                f"{self._compression} stream expands more than {self._ratio:g}:1 ({_size(self.count)} "
                f"from {_size(compressed)}): refused as a decompression bomb "
                "(JETTISON_MAX_UNPACKED_RATIO sets the ratio)",
                self._where,
            )
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed:
            try:
                self._source.close()
                self._compressed.close()
            finally:
                super().close()


def _size(count: int) -> str:
    for unit, scale in (("GiB", GIB), ("MiB", MIB), ("KiB", 1 << 10)):
        if count >= scale:
            return f"{count / scale:.1f} {unit}"
    return f"{count} bytes"
