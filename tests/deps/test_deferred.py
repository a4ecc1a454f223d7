"""Deferred imports of third-party code (deps/deferred.py)."""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from jettison.deps.deferred import deferred_imports, lazy_evidence, top_level_owners

VALIDATORS = '''
import re


class Email:
    def __call__(self, form, field):
        import email_validator  # the backend, imported when a form is checked
        from idna import encode
        return email_validator, encode, re
'''


def test_only_imports_inside_functions_count() -> None:
    assert list(deferred_imports(VALIDATORS)) == [("email_validator", 7), ("idna", 8)]
    assert list(deferred_imports("def f(:\n")) == []


def test_a_loaded_module_keeps_what_its_functions_import(tmp_path: Path) -> None:
    site = tmp_path / "site-packages"
    (site / "wtforms").mkdir(parents=True)
    (site / "email_validator").mkdir()
    (site / "wtforms" / "validators.py").write_text(VALIDATORS)
    files = {
        "wtforms": [str(site / "wtforms" / "validators.py")],
        "email-validator": [str(site / "email_validator" / "__init__.py")],
        "other": [str(tmp_path / "elsewhere" / "x.py")],
    }
    owners = top_level_owners(files, [str(site)])
    assert owners == {"wtforms": "wtforms", "email_validator": "email-validator"}
    loaded = {"wtforms.validators": (str(site / "wtforms" / "validators.py"), "wtforms")}
    found = lazy_evidence(loaded, owners, "gunicorn app:app")
    assert list(found) == ["email-validator"]
    assert "inside a function of wtforms.validators (line 7" in found["email-validator"][0]
    assert lazy_evidence({}, owners, "step") == {}  # nothing loaded: nothing kept


@given(st.text(max_size=300))
def test_any_source_reads_or_gives_nothing(text: str) -> None:
    for module, line in deferred_imports(text):
        assert module and line >= 1


def test_a_huge_or_missing_file_is_skipped(tmp_path: Path) -> None:
    big = tmp_path / "big.py"
    big.write_text("def f():\n    import x\n" + "#" * 2_100_000)
    owners = {"x": "x-dist"}
    loaded = {"big": (str(big), "big"), "gone": (os.fspath(tmp_path / "no.py"), "g")}
    assert lazy_evidence(loaded, owners, "s") == {}


def test_with_names_only_the_named_functions_and_classes_are_read() -> None:
    source = VALIDATORS + "\n\ndef patch_eventlet():\n    import eventlet\n"
    assert sorted(m for m, _ in deferred_imports(source)) == ["email_validator", "eventlet", "idna"]
    assert [m for m, _ in deferred_imports(source, {"Email"})] == ["email_validator", "idna"]
    assert list(deferred_imports(source, set())) == []


def test_named_features_split_every_way() -> None:
    from jettison.deps.deferred import named_features

    assert named_features(["wtforms.validators.Email", "flask.Flask"]) == {
        "wtforms": {"validators"}, "wtforms.validators": {"Email"}, "flask": {"Flask"}
    }
