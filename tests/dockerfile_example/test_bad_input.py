"""A malformed Dockerfile is a user error: `file:line: message` and exit 2, never a traceback."""

from __future__ import annotations

import importlib.util

import pytest
from click.testing import CliRunner

from jettison.cli import main

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("jettison.dockerfile.parser") is None, reason="parser not on main yet"
)


@pytest.mark.parametrize(
    ("content", "line"),
    [
        (b"FROM python:3.11-slim\nRUN <<EOF\necho never closed\n", 2),
        (b"FROM python:3.11-slim\nFROBNICATE now\n", 2),
        (b"FROM python:3.11-slim\n\x00\x01\x02binary", 1),
    ],
    ids=["unterminated-heredoc", "unknown-instruction", "binary"],
)
def test_malformed_dockerfile_exits_2_with_location(tmp_path, monkeypatch, content, line) -> None:
    monkeypatch.setenv("JETTISON_OFFLINE", "1")
    (tmp_path / "app.py").write_text("print('hi')\n")
    (tmp_path / "Dockerfile").write_bytes(content)
    result = CliRunner().invoke(main, ["audit", str(tmp_path)])
    assert result.exit_code == 2, result.output
    assert f"Dockerfile:{line}:" in result.output
    assert "Traceback" not in result.output
