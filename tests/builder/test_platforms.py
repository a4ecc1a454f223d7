"""Wheels for the target, not the host: an arm64 image gets aarch64 wheels (reaches PyPI through uv)."""

from __future__ import annotations

import pytest

from jettison.builder import run_build
from jettison.builder.assemble import BuildOptions
from jettison.oci.image import ImageIndex
from jettison.oci.layout import read_oci_index, write_oci_layout
from tests.builder.conftest import make_project, write_base

pytestmark = pytest.mark.network


def test_each_platform_gets_its_own_binary_wheels(tmp_path, monkeypatch):
    monkeypatch.setenv("JETTISON_CACHE_DIR", str(tmp_path / "cache"))
    amd = write_base(tmp_path / "amd", tmp_path / "s1", architecture="amd64")
    arm = write_base(tmp_path / "arm", tmp_path / "s2", architecture="arm64")
    both = ImageIndex.of([read_oci_index(amd, "base"), read_oci_index(arm, "base")])
    write_oci_layout(both, tmp_path / "multi")
    project = make_project(tmp_path / "proj", requirements="markupsafe==3.0.2\ngunicorn==23.0.0\n")
    run_build(
        project, base=f"oci:{tmp_path / 'multi'}", platforms=["linux/amd64", "linux/arm64"],
        outputs=[f"oci:{tmp_path / 'out'}:app"], cache_dir=tmp_path / "cache", options=BuildOptions(),
        prune=False,
    )  # fmt: skip
    result = read_oci_index(tmp_path / "out", "app")
    assert isinstance(result, ImageIndex)
    machines = {}
    for image in result.images:
        names = [m.path for layer in image.layers[1:-2] for m, _ in layer.members()]
        speedups = [n for n in names if "markupsafe/_speedups" in n and n.endswith(".so")]
        assert len(speedups) == 1, speedups
        machines[image.config.architecture] = speedups[0]
    assert machines["amd64"].endswith("x86_64-linux-gnu.so")
    assert machines["arm64"].endswith("aarch64-linux-gnu.so")
