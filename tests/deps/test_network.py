"""Against the real package index (network): wheel facts, and a second audit that needs no network."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from jettison.cli import main
from jettison.deps.index import PackageIndex, http_client
from jettison.deps.target import Target

pytestmark = pytest.mark.network


def test_real_wheels_give_modules_requirements_and_target_sizes(tmp_path):
    index = PackageIndex(http_client(), Target(), tmp_path)
    six = index.lookup("six", pin="1.16.0")
    assert (
        six.modules == ("six",)
        and six.requires == ()
        and six.source == "index: six-1.16.0-py2.py3-none-any.whl"
    )
    psycopg = index.lookup("psycopg2-binary", pin="2.9.9")
    assert psycopg.modules == ("psycopg2",)
    assert "manylinux" in psycopg.source and "x86_64" in psycopg.source
    arm = PackageIndex(http_client(), Target.parse("3.11", "linux/arm64"), tmp_path).lookup(
        "psycopg2-binary", pin="2.9.9"
    )
    assert "aarch64" in arm.source
    flask = index.lookup("flask", pin="3.0.3")
    assert {r.split(">")[0].lower() for r in flask.requires} >= {
        "werkzeug",
        "jinja2",
        "itsdangerous",
        "click",
        "blinker",
    }


def test_second_audit_is_network_free(tmp_path, monkeypatch):
    project = tmp_path / "project"
    project.mkdir()
    (project / "app.py").write_text("import flask\nimport yaml\n")
    (project / "requirements.txt").write_text(
        "flask==3.0.3\nwerkzeug==3.0.3\npyyaml==6.0.1\njupyter==1.0.0\n"
    )
    monkeypatch.setenv("JETTISON_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("JETTISON_OFFLINE", raising=False)
    first = CliRunner().invoke(main, ["audit", "--format", "json", str(project)])
    # Every request would now fail: a proxy nobody listens on.
    for variable in ("HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy", "ALL_PROXY"):
        monkeypatch.setenv(variable, "http://127.0.0.1:9")
    second = CliRunner().invoke(main, ["audit", "--format", "json", str(project)])
    assert first.output == second.output
    document = json.loads(second.output)
    sources = {d["name"]: d["mapping_source"] for d in document["requirements"]["distributions"]}
    assert sources["pyyaml"].startswith("index: PyYAML-6.0.1-cp311-cp311-manylinux")
