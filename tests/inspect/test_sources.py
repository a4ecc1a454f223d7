"""The same image read from a docker-archive, an OCI layout and the loopback registry gives the same
analysis: the figures do not depend on where the layers stream from."""

from __future__ import annotations

import gzip

import pytest

from jettison.inspect.analysis import analysis_to_json, analyze
from jettison.inspect.source import open_image_input

from .inspect_images import layer_tar, write_docker_archive


def _figures(reference: str) -> dict:
    report = analysis_to_json(analyze(open_image_input(reference)))
    return {
        "size": report["image"]["size_bytes"],
        "layers": [(layer["size_bytes"], layer["files"], layer["diff_id"]) for layer in report["layers"]],
        "efficiency": report["efficiency"],
        "distributions": report["python"]["distributions"],
        "findings": sorted(finding["rule"] for finding in report["findings"]),
    }


@pytest.mark.containers
def test_archive_layout_and_registry_agree(services):
    archive = _figures(f"docker-archive:{services.slim_archive}")
    assert archive["distributions"], "the stand-in base carries pip"
    assert _figures(f"oci:{services.oci_layout}:3.11-slim") == archive
    assert _figures(f"{services.registry}/library/python:3.11-slim") == archive


def _small_archive(tmp_path):
    site = "usr/local/lib/python3.11/site-packages"
    base = layer_tar([("etc/os-release", b"ID=debian\n"), (f"{site}/six.py", b"x = 1\n" * 4000)])
    app = layer_tar([("app/main.py", b"print('hi')\n"), (f"{site}/six.py", b"x = 2\n" * 4000)])
    return write_docker_archive(tmp_path / "img.tar", [base, app])


def test_uncompressed_archive_layers_open_seekable_through_the_core(tmp_path):
    image = open_image_input(f"docker-archive:{_small_archive(tmp_path)}")
    for layer in image.layers:
        assert layer.random_access
        with layer.open() as stream:
            assert stream.seekable()
            end = stream.seek(0, 2)
            assert end == layer.compressed_size
            stream.seek(0)
            assert len(stream.read()) == end


def test_gzip_compressed_archive_gives_the_same_analysis(tmp_path):
    plain = _small_archive(tmp_path)
    packed = tmp_path / "img.tar.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes(), mtime=0))
    one = analysis_to_json(analyze(open_image_input(f"docker-archive:{plain}")))
    two = analysis_to_json(analyze(open_image_input(f"docker-archive:{packed}")))
    assert one["layers"] == two["layers"] and one["efficiency"] == two["efficiency"]
    assert one["efficiency"]["wasted_bytes"] > 0  # six.py overwritten in the upper layer
