"""Decompression bombs (oci/decompress.py): a gzip, zstd or xz stream that expands past the absolute
limit or past 200:1 is one located error, found early, in bounded memory, leaving no scratch file.

The bombs are made here, streaming (never committed): 1 GiB of zeros is about 1 MB as gzip.
"""

from __future__ import annotations

import io
import lzma
import os
import struct
import subprocess
import sys
import time
import tracemalloc
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jettison.debian.deb import data_files
from jettison.errors import JettisonError
from jettison.model.image import OCI_LAYER_GZIP, OCI_LAYER_ZSTD
from jettison.oci import Layer
from jettison.oci.blobs import digest_file
from jettison.oci.decompress import RATIO_FLOOR, open_decompressed

from ..debian.debs import ar

MIB = 1 << 20
GIB = 1 << 30


def gzip_of_zeros(size: int) -> Iterator[bytes]:
    """A gzip member of `size` zero bytes (a multiple of 1 MiB): one MiB is deflated once and its block
    repeated, since a full flush leaves each block standing alone (so 1 GiB takes no 3 s of deflate)."""
    block = bytes(MIB)
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    piece = deflate.compress(block) + deflate.flush(zlib.Z_FULL_FLUSH)
    yield b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"  # gzip header: deflate, no name, mtime 0
    crc = 0
    for _ in range(size // MIB):
        crc = zlib.crc32(block, crc)
        yield piece
    yield deflate.flush() + struct.pack("<II", crc, size & 0xFFFFFFFF)


def write(path: Path, chunks: Iterator[bytes]) -> Path:
    with open(path, "wb") as out:
        for chunk in chunks:
            out.write(chunk)
    return path


@pytest.fixture(scope="module")
def gzip_bomb(tmp_path_factory) -> Path:
    return write(tmp_path_factory.mktemp("bombs") / "bomb.tar.gz", gzip_of_zeros(GIB))


def test_the_bomb_is_what_it_claims(tmp_path):
    small = b"".join(gzip_of_zeros(3 * MIB))
    assert zlib.decompress(small, 31) == bytes(3 * MIB)


def refused(read) -> tuple[JettisonError, float, int]:
    """The error `read()` raises, with the seconds and the traced peak bytes it took."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(JettisonError) as error:
            read()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return error.value, time.perf_counter() - started, peak


def test_gzip_layer_bomb_is_refused_early_in_bounded_memory(gzip_bomb):
    size = gzip_bomb.stat().st_size
    assert size < 2 * MIB
    error, seconds, peak = refused(lambda: Layer.from_blob_file(gzip_bomb, OCI_LAYER_GZIP))
    assert "decompression bomb" in error.message and "200:1" in error.message
    assert str(gzip_bomb) in str(error)  # names the blob
    assert seconds < 30 and peak < 32 * MIB, (seconds, peak)


def test_a_layer_read_as_members_is_refused_too(gzip_bomb):
    digest, size = digest_file(gzip_bomb)
    opener = gzip_bomb.open  # the layer closes what it opens
    layer = Layer(digest, "sha256:" + "0" * 64, size, OCI_LAYER_GZIP, lambda: opener("rb"), "test")
    error, seconds, peak = refused(lambda: list(layer.members()))
    assert "decompression bomb" in error.message and str(error).startswith(f"layer {digest} from test: ")
    assert seconds < 30 and peak < 32 * MIB


def test_zstd_layer_bomb_is_refused(tmp_path):
    zstandard = pytest.importorskip("zstandard")
    compressor = zstandard.ZstdCompressor(level=3).compressobj()

    def frames() -> Iterator[bytes]:
        for _ in range(GIB // MIB):
            yield compressor.compress(bytes(MIB))
        yield compressor.flush()

    path = write(tmp_path / "bomb.zst", frames())
    assert path.stat().st_size < MIB
    error, seconds, peak = refused(lambda: Layer.from_blob_file(path, OCI_LAYER_ZSTD))
    assert "zstd stream expands more than 200:1" in error.message
    assert seconds < 30 and peak < 32 * MIB


def test_deb_member_bomb_names_the_package(tmp_path):
    compressor = lzma.LZMACompressor(preset=0)
    block = bytes(MIB)
    xz = b"".join(compressor.compress(block) for _ in range(2 * RATIO_FLOOR // MIB)) + compressor.flush()
    deb = ar([("debian-binary", b"2.0\n"), ("data.tar.xz", xz)])
    error, _, peak = refused(lambda: data_files(deb, "bomb_1.0_amd64.deb"))
    assert str(error).startswith("bomb_1.0_amd64.deb data.tar.xz: xz stream expands more than 200:1")
    assert peak < 64 * MIB


def test_a_well_compressed_stream_under_the_floor_is_read(tmp_path):
    path = write(tmp_path / "zeros.gz", gzip_of_zeros(RATIO_FLOOR // 2))  # 1,000:1, but only 32 MiB
    with open_decompressed(open(path, "rb"), "gzip", path) as stream:
        assert sum(len(chunk) for chunk in iter(lambda: stream.read(MIB), b"")) == RATIO_FLOOR // 2


def test_the_ratio_can_be_turned_off(tmp_path, monkeypatch):
    monkeypatch.setenv("JETTISON_MAX_UNPACKED_RATIO", "0")
    path = write(tmp_path / "zeros.gz", gzip_of_zeros(2 * RATIO_FLOOR))
    with open_decompressed(open(path, "rb"), "gzip", path) as stream:
        assert sum(len(chunk) for chunk in iter(lambda: stream.read(MIB), b"")) == 2 * RATIO_FLOOR


def test_a_bad_limit_setting_is_a_user_error(monkeypatch):
    monkeypatch.setenv("JETTISON_MAX_UNPACKED_BYTES", "lots")
    with pytest.raises(JettisonError, match="JETTISON_MAX_UNPACKED_BYTES='lots'"):
        open_decompressed(io.BytesIO(b""), "gzip")


def compressed(data: bytes, compression: str) -> bytes:
    if compression == "gzip":
        return zlib.compress(data, 6, 31)
    if compression == "xz":
        return lzma.compress(data)
    if compression == "bzip2":
        import bz2

        return bz2.compress(data)
    import zstandard

    return zstandard.ZstdCompressor().compress(data)


@settings(max_examples=60, deadline=None)
@given(
    st.binary(max_size=4096) | st.integers(0, 50_000).map(bytes),
    st.integers(0, 60_000),
    st.sampled_from(["gzip", "xz", "bzip2", "zstd"]),
)
def test_the_absolute_limit_is_exact(data: bytes, limit: int, compression: str) -> None:
    """Whatever the stream, all of it is read when it fits the limit and a JettisonError stops it when it
    does not (the decompressed data is never longer than it was)."""
    if compression == "zstd":
        pytest.importorskip("zstandard")
    os.environ["JETTISON_MAX_UNPACKED_BYTES"] = str(limit)
    try:
        with open_decompressed(io.BytesIO(compressed(data, compression)), compression, "x") as stream:
            if len(data) <= limit:
                assert stream.read() == data
            else:
                with pytest.raises(JettisonError, match=f"^x: {compression} stream expands past "):
                    stream.read()
    finally:
        del os.environ["JETTISON_MAX_UNPACKED_BYTES"]


def test_compressed_docker_archive_bomb_is_one_line_and_leaves_no_scratch(gzip_bomb, tmp_path):
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {**os.environ, "TMPDIR": str(scratch)}
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "jettison", "inspect", f"docker-archive:{gzip_bomb}"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    seconds = time.perf_counter() - started
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert f"docker-archive:{gzip_bomb}" in lines[0] and "decompression bomb" in lines[0]
    assert seconds < 30
    assert list(scratch.iterdir()) == []  # the partial tar and the run's directory are gone
