"""The HTML report renders in headless Chromium without console errors, and never reaches the network.

Marked `containers` (it needs Debian's chromium, which .ci/run installs); skipped without it.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from jettison.inspect.analysis import analysis_to_json, analyze
from jettison.inspect.diff import diff_reports
from jettison.report.html import render_diff_html, render_inspect_html

from .inspect_images import layer_tar, read_docker_archive, write_docker_archive

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SITE = "usr/local/lib/python3.11/site-packages"

pytestmark = [
    pytest.mark.containers,
    pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)"),
]


def _chromium(page: Path, profile: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=5000",
            *extra,
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )


def _console(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


def _report(tmp_path: Path, name: str, version: str, extra: int) -> dict:
    record = f"{name}/core.py,,\n{name}-{version}.dist-info/RECORD,,\n".encode()
    layers = [
        layer_tar(
            [("etc", None), ("etc/os-release", b"ID=debian\n"), ("usr/bin/python3", b"\x7fELF" + b"p" * 9000)]
        ),
        layer_tar(
            [
                (f"{SITE}/{name}/core.py", b"x" * (40000 + extra)),
                (f"{SITE}/{name}-{version}.dist-info/RECORD", record),
                (f"{SITE}/stray/</script><script>alert(1)</script>.py", b"y" * 3000),
                ("root/.cache/pip/blob", b"z" * 20000),
            ]
        ),
    ]
    archive = write_docker_archive(
        tmp_path / f"{name}-{version}.tar", layers, ["FROM base", "RUN pip install"]
    )
    return analysis_to_json(analyze(read_docker_archive(archive)))


def test_inspect_report_renders_without_console_errors(tmp_path):
    page = tmp_path / "report.html"
    page.write_text(render_inspect_html(_report(tmp_path, "demo", "1.0", 0)))
    result = _chromium(page, tmp_path / "profile", "--dump-dom")
    assert result.returncode == 0, result.stderr[-2000:]
    assert _console(result.stderr) == []
    dom = result.stdout
    assert 'data-rendered="true"' in dom  # the script ran to its end
    assert len(re.findall(r"<rect ", dom)) >= 4  # layers, groups and files in the treemap
    assert 'id="packages"' in dom and "demo" in dom and "JI901" in dom
    assert "<script>alert(1)</script>" not in dom.split('id="report-data"')[0]


def test_diff_report_renders_without_console_errors(tmp_path):
    before, after = _report(tmp_path, "demo", "1.0", 0), _report(tmp_path, "demo", "2.0", 5000)
    page = tmp_path / "diff.html"
    page.write_text(render_diff_html(diff_reports(before, after)))
    result = _chromium(page, tmp_path / "profile", "--dump-dom")
    assert result.returncode == 0, result.stderr[-2000:]
    assert _console(result.stderr) == []
    assert 'data-rendered="true"' in result.stdout
    assert result.stdout.count('class="bar') >= 8  # before/after bars for four figures
    assert "1.0 → 2.0" in result.stdout
