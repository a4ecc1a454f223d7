"""A database chosen by the environment keeps the declared drivers; a constant one does not."""

from __future__ import annotations

from pathlib import Path

import pytest

from jettison.deps.pipeline import audit_requirements
from jettison.deps.settings import database_from_environment
from jettison.model.audit import AuditOptions

SETTINGS = '''import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth"]
{databases}
'''
FROM_ENV = (
    'DATABASES = {{"default": dj_database_url.config(default=f"sqlite:///{{BASE_DIR / \'db.sqlite3\'}}")}}'
)
CONSTANT = 'DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3"}}'


@pytest.mark.parametrize(
    ("databases", "line"),
    [
        (FROM_ENV, 8),
        ('DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3"}}\n'
         'DATABASES["default"] = dj_database_url.parse(os.environ["DATABASE_URL"])', 9),
        ('DATABASES = {}\nDATABASES.update(default=dj_database_url.config())', 9),
        (CONSTANT, None),
    ],
)  # fmt: skip
def test_database_from_environment_names_the_line(databases: str, line: int | None) -> None:
    assert database_from_environment(SETTINGS.format(databases=databases)) == line


def _project(root: Path, databases: str) -> Path:
    (root / "config").mkdir(parents=True)
    (root / "config" / "__init__.py").write_text("")
    (root / "config" / "settings.py").write_text(SETTINGS.format(databases=databases))
    (root / "manage.py").write_text(
        'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")\n'
    )
    (root / "requirements.txt").write_text("django==5.0.6\ndj-database-url==2.2.0\npsycopg[binary]==3.1.19\n")
    return root


def _verdicts(root: Path) -> dict[str, str]:
    audit = audit_requirements(root, AuditOptions(offline=True))
    return {v.name: v.verdict.value for v in audit.judgement.verdicts}


def test_a_database_url_from_the_environment_keeps_the_declared_driver(tmp_path: Path) -> None:
    # The default is SQLite, but DATABASE_URL picks the database when the app starts: pruning psycopg
    # would break every deployment that sets a Postgres URL.
    assert _verdicts(_project(tmp_path / "env", FROM_ENV))["psycopg"] == "used"


def test_a_constant_sqlite_database_still_leaves_the_driver_unused(tmp_path: Path) -> None:
    assert _verdicts(_project(tmp_path / "constant", CONSTANT))["psycopg"] == "unused"


def test_databases_assigned_inside_an_if_or_try_is_read_too() -> None:
    """bakerydemo's settings: `if "DATABASE_URL" in os.environ: DATABASES = {... dj_database_url.config()}`;
    only module-level statements were read, so psycopg was judged unused and fix --write removed it."""
    text = (
        "import os\nimport dj_database_url\n\nif 'DATABASE_URL' in os.environ:\n"
        "    DATABASES = {'default': dj_database_url.config(conn_max_age=500)}\nelse:\n"
        "    DATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3', 'NAME': 'db.sqlite3'}}\n"
    )
    assert database_from_environment(text) == 5
    wrapped = (
        "import os\ntry:\n    import environ\n    DATABASES = {'default': environ.Env().db()}\n"
        "except ImportError:\n    pass\n"
    )
    assert database_from_environment(wrapped) == 4
    in_function = "def databases():\n    DATABASES = {'default': dj_database_url.config()}\n    return 1\n"
    assert database_from_environment(in_function) is None
