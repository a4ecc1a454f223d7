"""The HTML report: one self-contained file (styles, script and data inlined; no network at view time).

The page is a fixed template (templates/report.html) and the JSON report embedded in it; the script
draws the treemap, the sortable per-package table, the findings, and for a diff the before/after bars.
"""

from __future__ import annotations

import html
import json
from importlib import resources
from typing import Any


def _template() -> str:
    return resources.files("jettison.report").joinpath("templates/report.html").read_text(encoding="utf-8")


def _embed(payload: dict[str, Any]) -> str:
    # Inside <script>, only "</" (and HTML comment openers) can end the block early: escape "<" and
    # ">" and "&" as JSON \u escapes, which JSON.parse turns back.
    text = json.dumps(payload, separators=(",", ":"), sort_keys=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _page(title: str, payload: dict[str, Any]) -> str:
    return _template().replace("__TITLE__", html.escape(title)).replace("__DATA__", _embed(payload))


def render_inspect_html(report: dict[str, Any]) -> str:
    """`report` is analysis_to_json()'s dict."""
    return _page(f"jettison inspect: {report['image']['reference']}", {"kind": "inspect", "report": report})


def render_diff_html(diff: dict[str, Any]) -> str:
    """`diff` is diff_reports()'s dict."""
    title = f"jettison diff: {diff['before']['reference']} -> {diff['after']['reference']}"
    return _page(title, {"kind": "diff", "diff": diff})
