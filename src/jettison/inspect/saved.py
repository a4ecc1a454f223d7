"""Reading back a saved `jettison inspect --format json` report, for `jettison diff`.

The file is the user's: it may be another schema (an audit report, a newer jettison's), hand-edited, cut
short or hostile. Everything diff reads is checked against the shape analysis_to_json writes before it
is used, and any mismatch is one JettisonError naming the file and the JSON path of the first bad field.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jettison.errors import JettisonError
from jettison.inspect.analysis import JSON_SCHEMA_VERSION

MAX_REPORT_BYTES = 512 * 1024 * 1024  # a report of a million-file image is a few hundred MB at most

_NUMBER = (int, float)
_OPTIONAL_TEXT = (str, type(None))
# The fields diff_reports reads: a dict is an object with these keys, a one-item list an array of it.
SHAPE: dict[str, Any] = {
    "schema_version": int,
    "image": {"reference": _OPTIONAL_TEXT, "layers_size_bytes": int, "compressed_size_bytes": int},
    "efficiency": {"score": _NUMBER, "wasted_bytes": int},
    "layers": [
        {
            "index": int,
            "digest": str,
            "compressed_bytes": int,
            "size_bytes": int,
            "created_by": _OPTIONAL_TEXT,
        }
    ],
    "python": {"distributions": [{"name": str, "version": _OPTIONAL_TEXT, "size_bytes": int, "files": int}]},
}
_TYPE_NAMES = {int: "an integer", float: "a number", str: "a string", type(None): "null"}


def read_saved_report(path: str | Path) -> dict[str, Any]:
    """The report in `path`, checked to hold everything diff reads with the types it expects."""
    try:
        with open(path, "rb") as stream:
            data = stream.read(MAX_REPORT_BYTES + 1)
    except OSError as error:
        raise JettisonError(f"cannot read: {error.strerror or error}", path) from None
    if len(data) > MAX_REPORT_BYTES:
        raise JettisonError(
            f"larger than {MAX_REPORT_BYTES // (1024 * 1024)} MB: not an inspect report", path
        )
    try:
        report = json.loads(data)
    except json.JSONDecodeError as error:
        raise JettisonError(f"not a jettison inspect JSON report: {error.msg}", path, error.lineno) from None
    except ValueError as error:  # not UTF-8
        raise JettisonError(f"not a jettison inspect JSON report: {error}", path) from None
    except RecursionError:
        raise JettisonError("not a jettison inspect JSON report: nested too deeply", path) from None
    if not isinstance(report, dict) or "image" not in report or "layers" not in report:
        raise JettisonError("not a jettison inspect JSON report (no image and layers)", path)
    version = report.get("schema_version")
    if version != JSON_SCHEMA_VERSION:
        raise JettisonError(
            f"inspect report of schema version {version!r}; this jettison reads {JSON_SCHEMA_VERSION}",
            path,
        )
    problem = _mismatch(report, SHAPE)
    if problem is not None:
        raise JettisonError(f"not a jettison inspect JSON report: {problem}", path)
    return report


def _mismatch(value: Any, shape: Any) -> str | None:
    """The first place `value` differs from `shape`, as `$.a.b[3]: expected ..., got ...`, or None."""
    pending: list[tuple[Any, Any, str]] = [(value, shape, "$")]
    while pending:
        item, expected, where = pending.pop()
        if isinstance(expected, dict):
            if not isinstance(item, dict):
                return f"{where}: expected an object, got {_kind(item)}"
            for key in sorted(expected, reverse=True):  # popped in order: the first bad key is named
                if key not in item:
                    return f"{where}.{key}: missing"
                pending.append((item[key], expected[key], f"{where}.{key}"))
        elif isinstance(expected, list):
            if not isinstance(item, list):
                return f"{where}: expected an array, got {_kind(item)}"
            pending.extend(
                (element, expected[0], f"{where}[{i}]") for i, element in reversed(list(enumerate(item)))
            )
        else:
            types = expected if isinstance(expected, tuple) else (expected,)
            # bool is an int to Python, never to the report's reader
            if isinstance(item, bool) or not isinstance(item, types):
                wanted = " or ".join(_TYPE_NAMES[t] for t in types)
                return f"{where}: expected {wanted}, got {_kind(item)}"
    return None


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    return f"{_TYPE_NAMES.get(type(value), type(value).__name__)} {json.dumps(value)[:40]}"
