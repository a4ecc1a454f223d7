"""Reading what other tools hand us: seekable docker-archive layers, gzip layers padded with zeros, and
archives compressed as a whole (`docker save | gzip`)."""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import os
import tarfile

import pytest

from jettison.errors import JettisonError
from jettison.model.image import DOCKER_LAYER_GZIP, ImageConfig
from jettison.oci import (
    BlobDirectory,
    Image,
    Layer,
    TarEntry,
    read_docker_archive,
    read_image,
    write_oci_layout,
)
from jettison.oci.blobs import sha256_digest

from .helpers import validate_image
from .test_stores import docker_save_style, small_image


@pytest.fixture
def blobs(tmp_path):
    return BlobDirectory(tmp_path / "scratch")


def plain_archive(tmp_path, blobs) -> tuple[Image, Image]:
    """(original, read back) for an archive whose layers are uncompressed tars, as Docker 20.10 saves."""
    image = small_image(blobs)
    return image, read_image(f"docker-archive:{docker_save_style(tmp_path, image)}")


# ---- seekable layer slices -------------------------------------------------------------------------


def test_archive_layer_slice_seeks_within_its_bounds(tmp_path, blobs):
    image, back = plain_archive(tmp_path, blobs)
    layer = back.layers[1]
    expected = image.layers[1].open_uncompressed().read()
    assert layer.size == len(expected) > 1024
    with layer.opener() as stream:
        assert stream.seekable() and stream.tell() == 0
        assert stream.read(10) == expected[:10] and stream.tell() == 10
        assert stream.seek(512) == 512 and stream.read(100) == expected[512:612]
        assert stream.seek(-20, io.SEEK_END) == len(expected) - 20
        assert stream.read() == expected[-20:]
        assert stream.read() == b""  # the end of the layer, not of the archive that follows
        assert stream.seek(5, io.SEEK_SET) == 5 and stream.seek(3, io.SEEK_CUR) == 8
        assert stream.read(4) == expected[8:12]
        assert stream.seek(len(expected) + 1000) == len(expected)  # clamped to the layer
        assert stream.read(1) == b""
        assert stream.seek(0) == 0 and stream.read() == expected
        with pytest.raises((ValueError, OSError)):
            stream.seek(-1)


def test_open_uncompressed_seekable(tmp_path, blobs):
    image, back = plain_archive(tmp_path, blobs)
    for original, layer in zip(image.layers, back.layers, strict=True):
        expected = original.open_uncompressed().read()
        with layer.open_uncompressed_seekable() as stream:
            assert stream.seekable()
            stream.seek(len(expected) // 2)
            assert stream.read() == expected[len(expected) // 2 :]
            stream.seek(0)
            assert stream.read() == expected
    # a gzip layer (as jettison writes them) comes back verified and forward-only
    gzipped = image.layers[0]
    with gzipped.open_uncompressed_seekable() as stream:
        assert not stream.seekable()
        assert sha256_digest(stream.read()) == gzipped.diff_id


def test_open_uncompressed_seekable_from_a_layout_blob(tmp_path, blobs):
    plain = Layer.from_entries(
        [TarEntry("srv/data.bin", data=os.urandom(5000))], blobs=blobs, compression="none"
    )
    image = Image.assemble(ImageConfig(), [plain])
    write_oci_layout(image, tmp_path / "layout", "t")
    layer = read_image(f"oci:{tmp_path / 'layout'}:t").layers[0]
    with layer.open_uncompressed_seekable() as stream:
        assert stream.seekable()
        assert stream.seek(0, io.SEEK_END) == layer.size
        stream.seek(0)
        assert sha256_digest(stream.read()) == layer.diff_id == layer.digest


def test_open_uncompressed_seekable_checks_length_and_verifies_forward_streams(tmp_path, blobs):
    data = Layer.from_entries([TarEntry("a", data=b"x" * 3000)], blobs=blobs, compression="none")
    blob = data.open().read()
    path = tmp_path / "short"
    path.write_bytes(blob[:-512])
    short = Layer(data.digest, data.diff_id, data.size, data.media_type, lambda: open(path, "rb"))  # noqa: SIM115
    with pytest.raises(JettisonError, match="bytes, its descriptor says"):
        short.open_uncompressed_seekable()

    class ForwardOnly(io.RawIOBase):
        """A network-like stream: readable, never seekable."""

        def __init__(self, payload: bytes) -> None:
            self.inner = io.BytesIO(payload)

        def readable(self) -> bool:
            return True

        def readinto(self, buffer):
            chunk = self.inner.read(len(buffer))
            buffer[: len(chunk)] = chunk
            return len(chunk)

    good = Layer(data.digest, data.diff_id, data.size, data.media_type, lambda: ForwardOnly(blob))
    with good.open_uncompressed_seekable() as stream:
        assert not stream.seekable() and stream.read() == blob
    tampered = blob[:-1] + b"\x01"
    bad = Layer(data.digest, data.diff_id, data.size, data.media_type, lambda: ForwardOnly(tampered))
    with (
        pytest.raises(JettisonError, match="does not match its digest"),
        bad.open_uncompressed_seekable() as s,
    ):
        s.read()


# ---- gzip layers with zero padding after the member ------------------------------------------------


def padded_gzip_layer(tmp_path, blobs, padding: bytes) -> tuple[Layer, Layer]:
    clean = Layer.from_entries(
        [TarEntry("app/a.py", data=b"print(1)\n" * 200), TarEntry("app/b.txt", data=os.urandom(3000))],
        blobs=blobs,
        docker_media_type=True,
    )
    path = tmp_path / f"padded-{len(padding)}.tar.gz"
    path.write_bytes(clean.open().read() + padding)
    return clean, Layer.from_blob_file(path, DOCKER_LAYER_GZIP)


@pytest.mark.parametrize("count", [1, 7, 512, 200_000])
def test_gzip_layer_with_trailing_zero_padding_reads(tmp_path, blobs, count):
    clean, padded = padded_gzip_layer(tmp_path, blobs, b"\x00" * count)
    assert padded.size == clean.size + count and padded.digest != clean.digest
    assert padded.diff_id == clean.diff_id
    assert [m.path for m, _ in padded.members()] == [m.path for m, _ in clean.members()]
    # through every store: a layout and a docker archive written from it read back and verify
    image = Image.assemble(ImageConfig(), [padded], docker=True)
    write_oci_layout(image, tmp_path / "layout", "p")
    validate_image(read_image(f"oci:{tmp_path / 'layout'}:p"))
    from jettison.oci import write_docker_archive

    write_docker_archive(image, tmp_path / "p.tar")
    back = read_docker_archive(tmp_path / "p.tar")
    assert back.layers[0].digest == padded.digest
    validate_image(back)


def test_gzip_layer_with_garbage_after_the_member_is_a_clear_error(tmp_path, blobs):
    with pytest.raises(JettisonError, match="cannot decompress"):
        padded_gzip_layer(tmp_path, blobs, b"\x00\x00not gzip")
    clean, _ = padded_gzip_layer(tmp_path, blobs, b"")
    path = tmp_path / "garbage.tar.gz"
    path.write_bytes(clean.open().read() + b"junk")
    layer = Layer.from_blob_file(path, DOCKER_LAYER_GZIP, diff_id=clean.diff_id)
    with pytest.raises(JettisonError, match="reading uncompressed layer"):
        list(layer.members())


# ---- archives compressed as a whole ----------------------------------------------------------------

_COMPRESSORS = {
    "gzip": lambda data: gzip.compress(data, mtime=0),
    "xz": lzma.compress,
    "bzip2": bz2.compress,
}


def _zstd(data: bytes) -> bytes:
    zstandard = pytest.importorskip("zstandard")
    return zstandard.ZstdCompressor().compress(data)


@pytest.mark.parametrize("kind", ["gzip", "xz", "bzip2", "zstd"])
def test_compressed_docker_archive_reads(tmp_path, blobs, kind):
    image = small_image(blobs)
    plain = docker_save_style(tmp_path, image)
    compress = _zstd if kind == "zstd" else _COMPRESSORS[kind]
    packed = tmp_path / f"saved.tar.{kind}"
    packed.write_bytes(compress(plain.read_bytes()))
    back = read_image(f"docker-archive:{packed}:python:3.11-slim")
    assert back.where == f"docker-archive:{packed}"
    assert back.config_bytes == image.config_bytes
    assert [layer.diff_id for layer in back.layers] == [layer.diff_id for layer in image.layers]
    validate_image(back)
    with back.layers[1].open_uncompressed_seekable() as stream:
        assert stream.seekable()
    # a second read of the same archive reuses the one decompressed copy
    again = read_docker_archive(packed)
    assert again.layers[0].where == back.layers[0].where


def test_damaged_compressed_archive_is_a_one_line_error(tmp_path, blobs):
    plain = docker_save_style(tmp_path, small_image(blobs))
    packed = gzip.compress(plain.read_bytes(), mtime=0)
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(packed[: len(packed) // 2])
    with pytest.raises(JettisonError) as caught:
        read_docker_archive(truncated)
    assert "gzip-compressed docker archive is damaged or truncated" in str(caught.value)
    assert "\n" not in str(caught.value)
    corrupt = tmp_path / "corrupt.tar.gz"
    corrupt.write_bytes(packed[:20] + bytes(b ^ 0xFF for b in packed[20:60]) + packed[60:])
    with pytest.raises(JettisonError, match="damaged or truncated"):
        read_docker_archive(corrupt)
    # a gzip that holds something other than a tar
    text = tmp_path / "notes.txt.gz"
    text.write_bytes(gzip.compress(b"hello, not a tar\n" * 100))
    with pytest.raises(JettisonError, match="not a docker archive"):
        read_docker_archive(text)
    with pytest.raises(JettisonError, match="is a directory"):
        read_docker_archive(tmp_path)


def test_plain_tar_that_is_not_an_archive(tmp_path):
    path = tmp_path / "other.tar"
    with tarfile.open(path, "w") as tar:
        info = tarfile.TarInfo("hello.txt")
        info.size = 2
        tar.addfile(info, io.BytesIO(b"hi"))
    with pytest.raises(JettisonError, match="lacks"):
        read_docker_archive(path)
