"""Every key `inspect --format json` and `diff --format json` write is named in docs/inspect-json.md."""

from __future__ import annotations

from pathlib import Path

from jettison.inspect.analysis import analysis_to_json, analyze
from jettison.inspect.diff import diff_reports

from .inspect_images import layer_tar, read_docker_archive, write_docker_archive

DOC = Path(__file__).resolve().parents[2] / "docs" / "inspect-json.md"
SITE = "usr/local/lib/python3.11/site-packages"


def _keys(value, skip=("data", "treemap")) -> set[str]:
    found: set[str] = set()
    if isinstance(value, dict):
        for key, child in value.items():
            found.add(key)
            if key not in skip:
                found |= _keys(child, skip)
    elif isinstance(value, list):
        for child in value:
            found |= _keys(child, skip)
    return found


def _report(tmp_path: Path) -> dict:
    record = b"demo/x.py,,\n"
    layers = [
        layer_tar(
            [
                (f"{SITE}/demo/x.py", b"x" * 10),
                (f"{SITE}/demo-1.dist-info/RECORD", record),
                (f"{SITE}/y.py", b""),
            ]
        ),
        layer_tar([(f"{SITE}/demo/x.py", b"y" * 10), ("root/.cache/pip/z", b"z")]),
    ]
    return analysis_to_json(analyze(read_docker_archive(write_docker_archive(tmp_path / "i.tar", layers))))


def test_every_inspect_key_is_documented(tmp_path):
    text = DOC.read_text()
    report = _report(tmp_path)
    assert report["findings"] and report["efficiency"]["top_wasted"] and report["python"]["unclaimed"]
    missing = sorted(key for key in _keys(report) if f"`{key}`" not in text)
    assert missing == []


def test_every_diff_key_is_documented(tmp_path):
    text = DOC.read_text()
    report = _report(tmp_path)
    missing = sorted(key for key in _keys(diff_reports(report, report)) if f"`{key}`" not in text)
    assert missing == []
