"""The import stage: what counts as an import, and in which context."""

from __future__ import annotations

from jettison.deps.imports import ImportKind, scan_source


def imports(source: str) -> dict[str, ImportKind]:
    facts = scan_source(source.encode(), "m.py")
    assert facts.error is None
    return {i.name: i.kind for i in facts.imports}


def test_absolute_imports_and_from_imports_give_full_names():
    assert imports("import os, a.b as c\nfrom google.cloud import storage\nfrom x import *\n") == {
        "os": ImportKind.RUNTIME, "a.b": ImportKind.RUNTIME, "google.cloud.storage": ImportKind.RUNTIME,
        "x": ImportKind.RUNTIME,
    }  # fmt: skip


def test_relative_imports_are_not_recorded():
    assert imports("from . import views\nfrom ..models import User\n") == {}


def test_import_error_guards_make_both_branches_optional():
    found = imports(
        "try:\n    import ujson as json\nexcept ImportError:\n    import simplejson as json\n"
        "try:\n    import orjson\nexcept (ModuleNotFoundError, AttributeError):\n    orjson = None\n"
        "try:\n    import yaml\nexcept ValueError:\n    pass\n"
    )
    assert found == {
        "ujson": ImportKind.OPTIONAL, "simplejson": ImportKind.OPTIONAL, "orjson": ImportKind.OPTIONAL,
        "yaml": ImportKind.RUNTIME,
    }  # fmt: skip


def test_type_checking_imports_are_not_runtime():
    found = imports(
        "from typing import TYPE_CHECKING\nimport typing\n"
        "if TYPE_CHECKING:\n    import boto3_stubs\nelse:\n    import boto3\n"
        "if typing.TYPE_CHECKING:\n    from mypy_boto3_s3 import S3Client\n"
    )
    assert found["boto3_stubs"] is ImportKind.TYPE_CHECKING
    assert found["mypy_boto3_s3.S3Client"] is ImportKind.TYPE_CHECKING
    assert found["boto3"] is ImportKind.RUNTIME


def test_imports_inside_functions_classes_and_with_blocks_are_runtime():
    found = imports(
        "def f():\n    import pandas\nclass C:\n    import numpy\n"
        "with x:\n    import scipy\nmatch v:\n    case 1:\n        import polars\n"
    )
    assert set(found) == {"pandas", "numpy", "scipy", "polars"}
    assert set(found.values()) == {ImportKind.RUNTIME}


def test_dynamic_imports_with_literal_names():
    facts = scan_source(
        b"import importlib\nfrom importlib import import_module\n"
        b"a = importlib.import_module('yaml')\nb = import_module('redis.asyncio')\nc = __import__('six')\n"
        b"d = importlib.import_module(name)\ne = importlib.import_module('.local', 'pkg')\n",
        "m.py",
    )
    dynamic = {(i.name, i.via) for i in facts.imports if i.via != "import"}
    assert dynamic == {("yaml", "importlib"), ("redis.asyncio", "importlib"), ("six", "__import__")}


def test_unparseable_files_report_why():
    assert scan_source(b"print 'py2'\n", "old.py").error.startswith("does not parse")
    assert scan_source(b"x = (\n", "broken.py").error.startswith("does not parse")
    assert scan_source(b"a\x00b", "nul.py").error.startswith("does not parse")
    deep = ("(" * 300 + ")" * 300).encode()
    assert scan_source(deep, "deep.py").error is not None or scan_source(deep, "deep.py").imports == []


def test_encoding_cookie_is_honoured():
    facts = scan_source(b"# -*- coding: latin-1 -*-\nimport flask\nx = '\xe9'\n", "latin.py")
    assert facts.error is None and [i.name for i in facts.imports] == ["flask"]


def test_keyed_strings_and_urls_are_collected():
    facts = scan_source(
        b'worker_class = "gevent"\nINSTALLED_APPS = ["rest_framework", "shop"]\n'
        b'cfg = {"ENGINE": "django.db.backends.postgresql"}\n'
        b'app = Celery("t", broker="redis://r")\n',
        "settings.py",
    )
    keyed = {(s.key, s.value) for s in facts.strings}
    assert ("worker_class", "gevent") in keyed
    assert ("INSTALLED_APPS", "rest_framework") in keyed and ("INSTALLED_APPS", "shop") in keyed
    assert ("ENGINE", "django.db.backends.postgresql") in keyed
    assert ("broker", "redis://r") in keyed and (None, "redis://r") in keyed
