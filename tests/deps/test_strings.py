"""String-reference rules: each fires on its evidence and stays quiet otherwise."""

from __future__ import annotations

import pytest

from jettison.deps.imports import scan_source
from jettison.deps.strings import python_references, text_references, url_modules, worker_modules


def py_refs(source: str, path: str = "app.py") -> set[tuple[tuple[str, ...], str]]:
    return {(r.modules, r.rule) for r in python_references(scan_source(source.encode(), path))}


def text_refs(text: str, path: str) -> set[tuple[tuple[str, ...], str]]:
    return {(r.modules, r.rule) for r in text_references(text, path)}


@pytest.mark.parametrize(
    ("worker", "modules"),
    [
        ("gevent", ("gevent",)), ("eventlet", ("eventlet",)), ("tornado", ("tornado",)),
        ("uvicorn.workers.UvicornWorker", ("uvicorn.workers",)), ("egg:gunicorn#gevent", ("gevent",)),
        ("gunicorn.workers.ggevent.GeventWorker", ("gevent",)), ("sync", ()), ("gthread", ()),
    ],
)  # fmt: skip
def test_worker_classes(worker, modules):
    assert worker_modules(worker) == modules


def test_worker_class_in_gunicorn_config_and_command_lines():
    assert (("gevent",), "gunicorn-worker-class") in py_refs('worker_class = "gevent"\n', "gunicorn.conf.py")
    assert (("gunicorn",), "server-command") in py_refs("bind = ':80'\n", "gunicorn.conf.py")
    lines = (
        "CMD gunicorn -k eventlet app:app",
        'ENTRYPOINT ["gunicorn", "--worker-class", "eventlet"]',
        "exec gunicorn --worker-class=eventlet app:app",
        'GUNICORN_CMD_ARGS="-k eventlet"',
    )
    for line in lines:
        assert (("eventlet",), "gunicorn-worker-class") in text_refs(line + "\n", "Dockerfile"), line
    assert not {
        r
        for r in text_refs("CMD gunicorn -k sync app:app\n", "Dockerfile")
        if r[1] == "gunicorn-worker-class"
    }


def test_server_commands_and_app_strings():
    refs = text_refs(
        "web: gunicorn pkg.wsgi:application --bind 0.0.0.0:$PORT\nworker: celery -A t worker\n", "Procfile"
    )
    assert (("gunicorn",), "server-command") in refs
    assert (("celery",), "server-command") in refs
    assert (("pkg.wsgi",), "app-string") in refs
    refs = text_refs(
        "#!/bin/sh\nset -e\nexec python -m uvicorn svc.main:app --host 0.0.0.0 \\\n  --port 80\n", "run.sh"
    )
    assert (("uvicorn",), "server-command") in refs and (("svc.main",), "app-string") in refs
    # `install` is looked up as a pip plugin's subcommand too (soft: nothing registers pip.commands).
    assert text_refs("RUN pip install gunicorn-extras\n", "Dockerfile") == {((), "console-script"),
                                                                           ((), "cli-plugin")}
    def commands(text: str) -> list:  # type: ignore[type-arg]
        return [r for r in text_references(text, "Dockerfile") if r.rule != "cli-plugin"]

    (script,) = commands("CMD newrelic-admin run-program my-server\n")
    assert (script.modules, script.rule) == (("newrelic",), "server-command")
    (script,) = commands("CMD my-server --port 80\n")
    assert (script.command, script.soft) == ("my-server", True)
    (python_m,) = commands("RUN python -m pip install -r requirements.txt\n")
    assert python_m.modules == ("pip",) and python_m.soft


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgresql://u@h/d", [("sqlalchemy-url", ("psycopg2",))]),
        ("postgresql+asyncpg://u@h/d", [("sqlalchemy-url", ("asyncpg",))]),
        ("mysql+pymysql://u@h/d", [("sqlalchemy-url", ("pymysql",))]),
        ("mysql://u@h/d", [("sqlalchemy-url", ("MySQLdb",))]),
        ("sqlite:///app.db", []),
        ("redis://cache:6379/0", [("celery-broker-url", ("redis",))]),
        ("amqp://guest@rabbit//", [("celery-broker-url", ("amqp",))]),
        ("db+postgresql://u@h/d", [("celery-broker-url", ("sqlalchemy", "psycopg2"))]),
        ("https://example.com/x", []),
    ],
)
def test_url_rules(url, expected):
    assert list(url_modules(url)) == expected


def test_urls_in_env_files_and_passwords_are_redacted():
    refs = text_references("DATABASE_URL=postgresql+psycopg2://app:hunter2@db/app\n", ".env")
    assert [(r.modules, r.rule) for r in refs] == [(("psycopg2",), "sqlalchemy-url")]
    assert "hunter2" not in refs[0].string


def test_django_settings():
    refs = py_refs(
        'INSTALLED_APPS = ["django.contrib.admin", "rest_framework", "shop.apps.ShopConfig"]\n'
        'MIDDLEWARE = ["whitenoise.middleware.WhiteNoiseMiddleware"]\n'
        'DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql"}}\n'
        'CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache"}}\n'
        'STORAGES = {"default": {"BACKEND": "storages.backends.s3boto3.S3Boto3Storage"}}\n',
        "config/settings.py",
    )
    assert (("rest_framework",), "django-settings") in refs
    assert (("shop.apps",), "django-settings") in refs
    assert (("whitenoise.middleware",), "django-settings") in refs
    assert (("psycopg2", "psycopg"), "django-settings") in refs
    assert (("redis",), "django-settings") in refs
    assert (("boto3",), "django-settings") in refs and (
        ("storages.backends.s3boto3",),
        "django-settings",
    ) in refs
    assert not any(modules[0].startswith("django") for modules, _ in refs)


def test_logging_dictconfig_class_paths():
    refs = py_refs(
        'LOGGING = {"handlers": {"h": {"class": "logging.StreamHandler"}, '
        '"j": {"class": "pythonjsonlogger.jsonlogger.JsonFormatter"}}, '
        '"f": {"()": "structlog.stdlib.ProcessorFormatter"}}\n'
    )
    assert refs == {
        (("pythonjsonlogger.jsonlogger",), "logging-dictconfig"),
        (("structlog.stdlib",), "logging-dictconfig"),
    }
    assert py_refs('attrs = {"class": "btn btn-primary"}\n') == set()
    yaml = (
        "handlers:\n  console:\n    class: logging.StreamHandler\n"
        "  json:\n    class: pythonjsonlogger.json.JsonFormatter\n"
    )
    assert text_refs(yaml, "logging.yaml") == {(("pythonjsonlogger.json",), "logging-dictconfig")}


def test_pandas_io_engines_only_in_files_using_pandas():
    source = (
        "import pandas as pd\n"
        "df = pd.read_csv('s3://bucket/events.csv')\n"
        "df.to_parquet('out.parquet')\n"
        "pd.read_excel('report.xlsx')\n"
        "frame.to_csv(f'gs://{bucket}/x.csv')\n"
        "def where(bucket, key):\n    return f's3://{bucket}/{key}'\n"
    )
    refs = py_refs(source)
    assert (("s3fs",), "pandas-io") in refs and (("gcsfs",), "pandas-io") in refs
    engines = [r for r in python_references(scan_source(source.encode(), "io.py")) if r.modules == ("s3fs",)]
    assert [r.source.line for r in engines] == [2]  # the returned s3:// string names no engine
    assert (("pyarrow", "fastparquet"), "pandas-io") in refs
    assert (("openpyxl", "python_calamine", "xlrd", "odf", "pyxlsb"), "pandas-io") in refs
    assert py_refs("frame.to_parquet('x')\n") == set()


def test_celery_pool_and_uvicorn_options():
    refs = text_refs("worker: celery -A app worker -P gevent --concurrency 100\n", "Procfile")
    assert (("gevent",), "celery-pool") in refs
    refs = text_refs('CMD ["uvicorn", "app:app", "--loop", "uvloop", "--http", "httptools"]\n', "Dockerfile")
    assert (("uvloop",), "uvicorn-option") in refs and (("httptools",), "uvicorn-option") in refs


def test_other_django_settings_class_paths_are_soft_references():
    facts = scan_source(
        b'INSTALLED_APPS = ["rest_framework"]\n'
        b'REST_FRAMEWORK = {"DEFAULT_AUTHENTICATION_CLASSES": '
        b'["rest_framework_simplejwt.authentication.JWTAuthentication"]}\n',
        "settings.py",
    )
    soft = [r for r in python_references(facts) if r.soft]
    expected = [(("rest_framework_simplejwt.authentication",), "django-settings")]
    assert [(r.modules, r.rule) for r in soft] == expected


def test_a_cli_plugin_subcommand_is_looked_up_in_its_entry_point_group():
    from jettison.deps.distributions import parse_entry_points

    refs = text_references("#!/bin/sh\nflask --app web digest compile\nexec gunicorn web:app\n", "boot.sh")
    plugin = [r for r in refs if r.rule == "cli-plugin"]
    expected = [("flask.commands:digest", "flask digest", True)]
    assert [(r.command, r.string, r.soft) for r in plugin] == expected
    entry_points = "[console_scripts]\nx = x:main\n[flask.commands]\ndigest = flask_static_digest:cli\n" \
        "[flask]\nnot_a_group = y\n"
    assert parse_entry_points(entry_points) == ("flask.commands:digest", "x")


def test_the_distribution_registering_a_boot_script_subcommand_is_used(tmp_path, monkeypatch):
    """End to end through the verdicts, with a link that answers as the index would for a plugin wheel."""
    from jettison.deps import pipeline
    from jettison.deps.distributions import DistributionInfo
    from jettison.deps.resolve import DistributionResolver, offline_link
    from jettison.model.audit import AuditOptions

    (tmp_path / "requirements.txt").write_text("flask\nflask-static-digest\ngunicorn\n")
    (tmp_path / "web.py").write_text("from flask import Flask\n\napp = Flask(__name__)\n")
    (tmp_path / "boot.sh").write_text("#!/bin/sh\nflask --app web digest compile\nexec gunicorn web:app\n")
    plugin = DistributionInfo("flask-static-digest", "0.4.1", ("flask_static_digest",), (), 30_000,
                              "test link", (), ("flask.commands:digest",))  # fmt: skip

    def link(name, requirement, pin):  # noqa: ANN001, ANN202
        return plugin if name == "flask-static-digest" else None

    def resolver(options, locked=(), user_modules=None, target=None):  # noqa: ANN001, ANN202
        return DistributionResolver([("test", link), ("built-in table", offline_link)], locked), ["test"]

    monkeypatch.setattr(pipeline, "build_resolver", resolver)
    audit = pipeline.audit_requirements(tmp_path, AuditOptions(offline=True, target_python="3.11"))
    verdicts = {v.name: v for v in audit.judgement.verdicts}
    assert verdicts["flask-static-digest"].verdict.value == "used"
    assert any("flask digest" in str(e) for e in verdicts["flask-static-digest"].evidence)


def test_python_c_code_is_read_for_its_imports():
    def inline(text: str, path: str = "Dockerfile") -> list:  # type: ignore[type-arg]
        return sorted(r.modules for r in text_references(text, path) if r.rule == "python-c")

    assert inline('RUN python -c "import requests; from yaml import safe_load" && echo ok\n') == [
        ("requests",), ("yaml",)
    ]
    assert inline("RUN python -c 'import (' \n") == []
    assert inline("#!/bin/sh\n/venv/bin/python3.12 -c 'import celery.bin'\n", "boot.sh") == [("celery.bin",)]
