"""`jettison diff` on saved reports: a report of another schema, of wrong types or hostile shape is one
located line and exit 2 (it was a KeyError or TypeError traceback); a good one diffs as before."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jettison.cli import main

from .inspect_images import layer_tar, write_docker_archive

SITE = "usr/local/lib/python3.11/site-packages"


@pytest.fixture(scope="module")
def saved(tmp_path_factory) -> dict[str, Any]:
    """A real `inspect --format json` report of a two-layer image with one distribution."""
    root = tmp_path_factory.mktemp("saved")
    record = b"flask/__init__.py,,5\nflask-3.0.0.dist-info/METADATA,,\n"
    app = layer_tar([
        (f"{SITE}/flask/__init__.py", b"x = 1"),
        (f"{SITE}/flask-3.0.0.dist-info/METADATA", b"Name: flask\nVersion: 3.0.0\n\n"),
        (f"{SITE}/flask-3.0.0.dist-info/RECORD", record),
    ])  # fmt: skip
    image = write_docker_archive(root / "a.tar", [layer_tar([("etc/os-release", b"ID=debian\n")]), app])
    result = CliRunner().invoke(main, ["inspect", f"docker-archive:{image}", "--format", "json",
                                       "--project", str(root)])  # fmt: skip
    report = json.loads(result.stdout)
    assert report["python"]["distributions"], report
    return report


def _diff(tmp_path: Path, before: bytes, after: dict[str, Any]):
    (tmp_path / "before.json").write_bytes(before)
    (tmp_path / "after.json").write_text(json.dumps(after))
    runner = CliRunner()
    return runner.invoke(main, ["diff", str(tmp_path / "before.json"), str(tmp_path / "after.json")])


def _assert_one_located_line(result, path: str = "before.json") -> str:
    assert result.exit_code == 2, (result.output, result.exception)
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith("jettison: ") and path in lines[0], lines[0]
    return lines[0]


def test_a_saved_report_diffs_against_itself(saved, tmp_path):
    result = _diff(tmp_path, json.dumps(saved).encode(), saved)
    assert result.exit_code == 0, result.output


def test_an_audit_report_is_another_schema(saved, tmp_path):
    audit = {"schema_version": 1, "root": ".", "requirements": None, "findings": []}
    line = _assert_one_located_line(_diff(tmp_path, json.dumps(audit).encode(), saved))
    assert "not a jettison inspect JSON report" in line


def test_a_newer_schema_version_is_named(saved, tmp_path):
    newer = {**saved, "schema_version": 2}
    line = _assert_one_located_line(_diff(tmp_path, json.dumps(newer).encode(), saved))
    assert "schema version 2" in line


def test_a_wrong_type_names_its_json_path(saved, tmp_path):
    bad = copy.deepcopy(saved)
    bad["python"]["distributions"][0]["size_bytes"] = "5"
    line = _assert_one_located_line(_diff(tmp_path, json.dumps(bad).encode(), saved))
    assert "$.python.distributions[0].size_bytes: expected an integer, got a string" in line


def test_broken_json_names_its_line(saved, tmp_path):
    line = _assert_one_located_line(_diff(tmp_path, b'{\n"image": {\n,', saved))
    assert "before.json:3:" in line


def test_deep_nesting_is_a_located_error(saved, tmp_path):
    deep = b"[" * 100_000 + b"]" * 100_000
    _assert_one_located_line(_diff(tmp_path, deep, saved))


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)


def _paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found.extend(_paths(item, (*prefix, key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.extend(_paths(item, (*prefix, index)))
    return found


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_edit_of_a_saved_report_diffs_or_is_one_located_line(saved, tmp_path, data):
    edited = copy.deepcopy(saved)
    path = data.draw(st.sampled_from(_paths(edited)[1:]), label="path")
    parent = edited
    for step in path[:-1]:
        parent = parent[step]
    if data.draw(st.booleans(), label="delete") and isinstance(parent, dict):
        del parent[path[-1]]
    else:
        parent[path[-1]] = data.draw(_JSON, label="value")
    result = _diff(tmp_path, json.dumps(edited).encode(), saved)
    if result.exit_code != 0:
        _assert_one_located_line(result)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=_JSON)
def test_any_json_value_is_one_located_line(saved, tmp_path, value):
    _assert_one_located_line(_diff(tmp_path, json.dumps(value).encode(), saved))


def test_a_distribution_without_a_version_diffs(saved, tmp_path):
    """Found by the property test above on a fresh machine: a null version (a METADATA without Version,
    which inspect reports as null) made diff raise TypeError joining the versions."""
    edited = copy.deepcopy(saved)
    edited["python"]["distributions"][0]["version"] = None
    result = _diff(tmp_path, json.dumps(edited).encode(), saved)
    assert result.exit_code == 0, (result.output, result.exception)
    assert "(no version)" in result.output
