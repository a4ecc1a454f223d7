"""Bad layers give one clear JettisonError or a bounded result, never unbounded memory or a hang."""

from __future__ import annotations

import gzip
import io
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from jettison.errors import JettisonError
from jettison.inspect.analysis import analysis_to_json, analyze
from jettison.inspect.source import ImageInput, LayerInput

from .inspect_images import layer_tar

HERE = Path(__file__).parent


def _single(data: bytes, gzipped: bool = False) -> ImageInput:
    def opener():
        if gzipped:
            return gzip.GzipFile(fileobj=io.BytesIO(data))
        return io.BytesIO(data)

    return ImageInput("bad", [LayerInput("sha256:bad", len(data), opener)])


def test_truncated_tar_header_is_a_jettison_error():
    data = layer_tar([("a", b"x" * 100), ("b", b"y" * 100)])
    with pytest.raises(JettisonError, match="layer 0"):
        analyze(_single(data[:700]))  # cut inside the second header


def test_truncated_file_content_is_a_jettison_error():
    data = layer_tar([("a", b"x" * 50000)])
    with pytest.raises(JettisonError, match="layer 0"):
        analyze(_single(data[:20000]))


def test_corrupt_gzip_is_a_jettison_error():
    compressed = bytearray(gzip.compress(layer_tar([("a", os.urandom(4000))])))
    compressed[30:50] = bytes(20)
    with pytest.raises(JettisonError, match="layer 0"):
        analyze(_single(bytes(compressed), gzipped=True))


def test_not_a_tar_is_a_jettison_error():
    with pytest.raises(JettisonError, match="layer 0"):
        analyze(_single(b"this is not a tar archive at all" * 40))


def test_symlink_loops_are_never_followed():
    data = layer_tar(
        [
            ("a", "->", "b"),
            ("b", "->", "a"),
            ("loop", None),
            ("loop/self", "->", "."),
            ("up", "->", "../../.."),
        ]
    )
    report = analysis_to_json(analyze(_single(data)))
    assert report["layers"][0]["files"] == 4
    assert report["image"]["size_bytes"] == 0


@pytest.mark.scale
def test_a_million_empty_files_stay_bounded(tmp_path):
    """Streamed from a generator; memory grows with the paths (about 100 bytes each: 117 MB measured)."""
    script = textwrap.dedent(
        f"""
        import io, sys
        sys.path.insert(0, {str(HERE)!r})
        from million import EmptyFilesLayer
        from jettison.inspect.analysis import analyze
        from jettison.inspect.source import ImageInput, LayerInput
        layer = LayerInput("sha256:m", 0, lambda: io.BufferedReader(EmptyFilesLayer(1_000_000), 1 << 20))
        analysis = analyze(ImageInput("million", [layer]))
        # VmHWM, not ru_maxrss: after fork+exec ru_maxrss still carries the parent's (pytest's) peak.
        hwm = next(line for line in open("/proc/self/status") if line.startswith("VmHWM:"))
        print(analysis.scan.layers[0].file_count, int(hwm.split()[1]) // 1024)
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    files, peak_mb = map(int, result.stdout.split())
    assert files == 1_000_000
    assert peak_mb < 250
