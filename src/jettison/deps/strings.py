"""Stage 1b: packages the application loads by name, found in strings rather than import statements.

Each rule is one small function with one documented idea; it yields `StringReference`s naming the
module(s) a string makes the runtime import, and the string that proves it. A reference may offer
alternatives (`psycopg2` or `psycopg` for Django's PostgreSQL engine): any declared one satisfies it.

Rules read the keyed strings the import stage collected from Python files (deps/imports.py) and the
text of command/config files (Dockerfile, entrypoint scripts, Procfile, compose, .env, ini/yaml).
"""

from __future__ import annotations

import ast
import re
import shlex
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from jettison.deps.imports import FileFacts, KeyedString
from jettison.model.requirements import SourceRef


@dataclass(frozen=True)
class StringReference:
    modules: tuple[str, ...]  # any one of these satisfies the reference
    string: str  # the text that proves it
    source: SourceRef
    rule: str
    command: str | None = None  # a command name any declared distribution may install as a script
    soft: bool = False  # when nothing declared satisfies it, stay quiet rather than report it missing

    @property
    def description(self) -> str:
        return f"{self.rule}: {self.string!r}"


# ---------------------------------------------------------------------------------------------
# gunicorn-worker-class: gunicorn imports the worker class it is told to use.
# `worker_class = "gevent"` in a gunicorn config, `-k gevent` / `--worker-class=...` on a command line
# (also inside GUNICORN_CMD_ARGS). Built-in names map to their library; dotted paths to their module.
_WORKERS = {
    "gevent": "gevent", "gevent_wsgi": "gevent", "gevent_pywsgi": "gevent",
    "geventwebsocket": "geventwebsocket",
    "eventlet": "eventlet", "tornado": "tornado", "sync": None, "gthread": None,
}  # fmt: skip
_WORKER_FLAG = re.compile(r"""(?:^|[\s"'=])(?:-k|--worker-class)(?:\s*=\s*|\s+)["']?([\w.:#-]+)""")


def worker_modules(worker: str) -> tuple[str, ...]:
    worker = worker.strip().strip("\"'")
    if worker.startswith("egg:gunicorn#"):
        worker = worker.split("#", 1)[1]
    if worker in _WORKERS:
        module = _WORKERS[worker]
        return (module,) if module else ()
    if "." in worker:
        top = worker.split(".", 1)[0]
        if top == "gunicorn":  # gunicorn.workers.ggevent.GeventWorker
            for name, module in _WORKERS.items():
                if module and name in worker.lower():
                    return (module,)
            return ()
        return (worker.rsplit(".", 1)[0],)
    return ()


def rule_worker_class_py(strings: list[KeyedString], path: str) -> Iterator[StringReference]:
    for item in strings:
        if item.key == "worker_class":
            modules = worker_modules(item.value)
            if modules:
                yield StringReference(modules, f"worker_class = {item.value!r}", SourceRef(path, item.line),
                                      "gunicorn-worker-class")  # fmt: skip


# The same idea for the other servers' pluggable parts: celery's pool and uvicorn's loop/protocols.
_POOL_FLAG = re.compile(r"""(?:^|[\s"'=])(?:-P|--pool)(?:\s*=\s*|\s+)["']?(\w+)""")
_POOLS = {"gevent": "gevent", "eventlet": "eventlet"}
_UVICORN_FLAG = re.compile(r"""--(loop|http|ws)(?:\s*=\s*|\s+)["']?([\w-]+)""")
_UVICORN = {
    ("loop", "uvloop"): "uvloop", ("http", "httptools"): "httptools",
    ("ws", "websockets"): "websockets", ("ws", "wsproto"): "wsproto",
}  # fmt: skip


def rule_worker_class_text(text: str, path: str) -> Iterator[StringReference]:
    for number, line in _lines(text):
        line = re.sub(r"[\"']\s*,\s*[\"']", " ", line)  # exec form ["gunicorn", "-k", "gevent"]
        where = SourceRef(path, number)
        for match in _WORKER_FLAG.finditer(line):
            modules = worker_modules(match.group(1))
            if modules:
                yield StringReference(modules, match.group(0).strip(), where, "gunicorn-worker-class")
        if "celery" in line:
            for match in _POOL_FLAG.finditer(line):
                if match.group(1) in _POOLS:
                    pool = (_POOLS[match.group(1)],)
                    yield StringReference(pool, match.group(0).strip(), where, "celery-pool")
        if "uvicorn" in line:
            for match in _UVICORN_FLAG.finditer(line):
                module = _UVICORN.get((match.group(1), match.group(2)))
                if module:
                    yield StringReference((module,), match.group(0).strip(), where, "uvicorn-option")


# ---------------------------------------------------------------------------------------------
# server-command: a process started by name is a package the image needs even though no code imports
# it (`gunicorn main:app`, `celery -A tasks worker`, `python -m uvicorn ...`). The app string after a
# WSGI/ASGI server (`pkg.wsgi:app`) names a module the server imports; a non-local one is a dependency.
_COMMANDS = {
    "gunicorn": "gunicorn", "uvicorn": "uvicorn", "hypercorn": "hypercorn", "daphne": "daphne",
    "waitress-serve": "waitress", "celery": "celery", "alembic": "alembic", "flask": "flask",
    "newrelic-admin": "newrelic", "ddtrace-run": "ddtrace", "supervisord": "supervisor",
    "opentelemetry-instrument": "opentelemetry.instrumentation", "granian": "granian", "rq": "rq",
    "dramatiq": "dramatiq", "huey_consumer": "huey", "huey_consumer.py": "huey", "uwsgi": "uwsgi",
    "scrapy": "scrapy", "streamlit": "streamlit", "dask-worker": "distributed", "honcho": "honcho",
}  # fmt: skip
_OPTIONS_WITH_VALUE = {
    "-c", "--config", "-b", "--bind", "-w", "--workers", "-k", "--worker-class", "--chdir", "--host",
    "--port", "-p", "--log-level", "--timeout", "-t", "--threads", "--env", "--app-dir",
}  # fmt: skip
_KNOWN_MODULES = {m.split(".")[0] for m in _COMMANDS.values()} | {c.replace("-", "_") for c in _COMMANDS}
_APP_SERVERS = {"gunicorn", "uvicorn", "hypercorn", "daphne", "waitress-serve", "granian"}
_APP_STRING = re.compile(r"^([A-Za-z_][\w]*(?:\.[A-Za-z_]\w*)*):[A-Za-z_][\w.]*(\(.*\))?$")
_SHELL_SPLIT = re.compile(r"&&|\|\||;|\||\bexec\b")


def _command_words(line: str) -> list[str]:
    line = line.strip()
    if line.startswith("[") and line.endswith("]"):  # exec form: ["gunicorn", "-c", "..."]
        return [w.strip().strip("\"'") for w in line[1:-1].split(",")]
    try:
        return shlex.split(line, comments=True)
    except ValueError:
        return line.split()


_CONFIG_SUFFIXES = (".yml", ".yaml", ".json", ".ini", ".cfg", ".conf", ".env", ".toml")
_CONFIG_COMMAND = re.compile(r"^\s*-?\s*[\"']?(?:command|entrypoint)[\"']?\s*[:=]\s*")


def _subcommand(arguments: list[str]) -> str | None:
    """The first word after a command's options (`--app x run` -> run), if it names a subcommand."""
    index = 0
    while index < len(arguments) and arguments[index].startswith("-"):
        option = arguments[index]
        index += 1 if "=" in option or index + 1 >= len(arguments) else 2  # `--app NAME` takes a value
    if index < len(arguments) and re.fullmatch(r"[a-z][\w-]*", arguments[index]):
        return arguments[index]
    return None


_MAX_INLINE_CODE = 20_000


def _python_c_imports(line: str, where: SourceRef) -> Iterator[StringReference]:
    """`python -c "import requests; ..."` in a RUN or a script is Python source: its imports need their
    distributions installed when it runs (a build step, a healthcheck), whatever the app imports."""
    if "-c" not in line:
        return
    try:
        words = shlex.split(line, comments=False)
    except ValueError:
        return
    for index, word in enumerate(words[:-2]):
        if not re.fullmatch(r"python[\d.]*", word.rsplit("/", 1)[-1]) or words[index + 1] != "-c":
            continue
        code = words[index + 2]
        if len(code) > _MAX_INLINE_CODE:
            continue
        try:
            tree = ast.parse(code)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module] if isinstance(node, ast.ImportFrom) and node.module and not node.level else [])
            for name in names:
                yield StringReference((name,), f"python -c: import {name}", where, "python-c")


def rule_server_command(text: str, path: str) -> Iterator[StringReference]:
    config = path.endswith(_CONFIG_SUFFIXES) or path.rsplit("/", 1)[-1].startswith(".env")
    for number, line in _lines(text):
        if config:  # compose/supervisord files: only their command lines run anything
            if not _CONFIG_COMMAND.match(line):
                continue
            stripped = _CONFIG_COMMAND.sub("", line)
        else:
            stripped = re.sub(r"^\s*(?:CMD|ENTRYPOINT|RUN|[\w-]+:)\s*", "", line)
        yield from _python_c_imports(stripped, SourceRef(path, number))
        for segment in _SHELL_SPLIT.split(stripped):
            words = _command_words(segment)
            while words and ("=" in words[0] and not words[0].startswith("-")):
                words = words[1:]  # VAR=value prefixes
            if not words:
                continue
            command = words[0].rsplit("/", 1)[-1]
            where = SourceRef(path, number)
            if re.fullmatch(r"python[\d.]*", command) and len(words) > 2 and words[1] == "-m":
                # `python -m X` imports X; unknown X (pip, venv, a local package) must not be "missing".
                module = words[2]
                known = module.split(".")[0] in _KNOWN_MODULES
                yield StringReference((module,), " ".join(words[:3]), where, "server-command", soft=not known)
                if not known:
                    continue
                command, words = module.split(".")[0], words[2:]
            subcommand = _subcommand(words[1:])
            if subcommand is not None:
                # A plugin's subcommand (`flask digest compile`): whoever registers it in
                # <command>.commands provides it (deps/distributions.is_subcommand_group).
                key, shown = f"{command}.commands:{subcommand}", f"{command} {subcommand}"
                yield StringReference((), shown, where, "cli-plugin", command=key, soft=True)
            module = _COMMANDS.get(command)
            if module is None:
                if re.fullmatch(r"[A-Za-z][\w.-]*", command):
                    # Any other command may be a console script a declared distribution installs.
                    yield StringReference((), command, where, "console-script", command=command, soft=True)
                continue
            yield StringReference((module,), command, where, "server-command")
            if command in _APP_SERVERS:
                yield from _app_strings(words[1:], where)


def _app_strings(arguments: list[str], where: SourceRef) -> Iterator[StringReference]:
    skip_next = False
    for word in arguments:
        if skip_next:
            skip_next = False
            continue
        if word.startswith("-"):
            skip_next = "=" not in word and word in _OPTIONS_WITH_VALUE
            continue
        match = _APP_STRING.match(word)
        if match:
            # Soft: an app module we cannot find is likelier a layout we misread than a missing package.
            yield StringReference((match.group(1),), word, where, "app-string", soft=True)


def rule_app_string_py(strings: list[KeyedString], path: str) -> Iterator[StringReference]:
    """`wsgi_app = "pkg.wsgi:app"` in a gunicorn config names the module gunicorn imports."""
    for item in strings:
        if item.key in ("wsgi_app", "app") and (match := _APP_STRING.match(item.value)):
            where = SourceRef(path, item.line)
            yield StringReference((match.group(1),), item.value, where, "app-string", soft=True)


# ---------------------------------------------------------------------------------------------
# sqlalchemy-url: a database URL names the DBAPI driver SQLAlchemy imports (`dialect+driver://`, or the
# dialect's default driver). Dialects provided by plug-in packages name that package too.
_DEFAULT_DRIVERS: dict[str, tuple[str, ...]] = {
    "postgresql": ("psycopg2",), "postgres": ("psycopg2",), "mysql": ("MySQLdb",), "mariadb": ("MySQLdb",),
    "oracle": ("oracledb|cx_Oracle",), "mssql": ("pyodbc",), "sqlite": (),
    "cockroachdb": ("sqlalchemy_cockroachdb",), "snowflake": ("snowflake.sqlalchemy",),
    "bigquery": ("sqlalchemy_bigquery",), "redshift": ("sqlalchemy_redshift",),
    "clickhouse": ("clickhouse_sqlalchemy",), "duckdb": ("duckdb_engine",), "trino": ("trino",),
    "timescaledb": ("psycopg2",), "postgis": ("psycopg2",),
}  # fmt: skip
_DRIVERS = {
    "psycopg2": "psycopg2", "psycopg": "psycopg", "psycopg2cffi": "psycopg2cffi", "asyncpg": "asyncpg",
    "pg8000": "pg8000", "pymysql": "pymysql", "mysqldb": "MySQLdb", "mysqlconnector": "mysql.connector",
    "aiomysql": "aiomysql", "asyncmy": "asyncmy", "mariadbconnector": "mariadb", "aiosqlite": "aiosqlite",
    "pysqlite": None, "pysqlcipher": "sqlcipher3", "pyodbc": "pyodbc", "aioodbc": "aioodbc",
    "pymssql": "pymssql", "cx_oracle": "cx_Oracle", "oracledb": "oracledb",
}  # fmt: skip
_URL = re.compile(r"(?<![\w+.-])([a-z][a-z0-9]*(?:\+[a-z0-9_]+)*)://")


def database_modules(dialect: str, driver: str | None) -> tuple[str, ...] | None:
    """Modules a `dialect+driver://` URL needs; None when the scheme is not a database dialect."""
    if dialect not in _DEFAULT_DRIVERS:
        return None
    if driver:
        module = _DRIVERS.get(driver, driver)
        builtin = ("postgresql", "postgres", "mysql", "mariadb", "oracle", "mssql", "sqlite")
        plugin = _DEFAULT_DRIVERS[dialect] if dialect not in builtin else ()
        return tuple(m for m in (*plugin[:1], module) if m)
    return _DEFAULT_DRIVERS[dialect]


# celery-broker-url: a broker/result-backend URL names the transport kombu or celery imports.
_BROKERS: dict[str, tuple[str, ...]] = {
    "redis": ("redis",), "rediss": ("redis",), "sentinel": ("redis",), "amqp": ("amqp",), "amqps": ("amqp",),
    "pyamqp": ("amqp",), "librabbitmq": ("librabbitmq",), "sqs": ("boto3",), "mongodb": ("pymongo",),
    "mongodb+srv": ("pymongo",), "memcache": ("pylibmc",), "memcached": ("pylibmc",), "zookeeper": ("kazoo",),
    "confluentkafka": ("confluent_kafka",), "azureservicebus": ("azure.servicebus",),
}  # fmt: skip


def url_modules(url: str) -> Iterator[tuple[str, tuple[str, ...]]]:
    """(rule, modules) for each URL scheme in a string."""
    for match in _URL.finditer(url):
        scheme = match.group(1)
        parts = scheme.split("+")
        if parts[0] in ("sqla", "db") and len(parts) > 1:  # celery's SQLAlchemy transport/result backend
            database = database_modules(parts[1], parts[2] if len(parts) > 2 else None) or ()
            yield "celery-broker-url", ("sqlalchemy", *database)
            continue
        database = database_modules(parts[0], parts[1] if len(parts) > 1 else None)
        if database is not None:
            if database:
                yield "sqlalchemy-url", database
            continue
        if scheme in _BROKERS:
            yield "celery-broker-url", _BROKERS[scheme]


def _url_references(value: str, where: SourceRef) -> Iterator[StringReference]:
    for rule, modules in url_modules(value):
        for module in modules:
            # Each module is needed; `a|b` means either one (SQLAlchemy's oracle dialect takes both).
            yield StringReference(tuple(module.split("|")), _redact(value), where, rule)


def _redact(url: str) -> str:
    """Keep passwords out of reports: scheme://user:***@host."""
    return re.sub(r"(://[^:/@\s]+:)[^@\s]+@", r"\1***@", url)


# ---------------------------------------------------------------------------------------------
# django-settings: Django imports every dotted path in these settings at start-up.
_DJANGO_LIST_SETTINGS = {"INSTALLED_APPS", "MIDDLEWARE", "MIDDLEWARE_CLASSES", "AUTHENTICATION_BACKENDS",
                         "PASSWORD_HASHERS"}  # fmt: skip
_DJANGO_SETTINGS = {"DEFAULT_FILE_STORAGE", "STATICFILES_STORAGE", "EMAIL_BACKEND", "SESSION_ENGINE",
                    "ENGINE", "BACKEND", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND"}  # fmt: skip
# Built-in backends that need a third-party library, and plug-in backends that need one more.
_DJANGO_IMPLIED: dict[str, tuple[str, ...]] = {
    "django.db.backends.postgresql": ("psycopg2", "psycopg"),
    "django.db.backends.postgresql_psycopg2": ("psycopg2",),
    "django.contrib.gis.db.backends.postgis": ("psycopg2", "psycopg"),
    "django.db.backends.mysql": ("MySQLdb",),
    "django.contrib.gis.db.backends.mysql": ("MySQLdb",),
    "django.db.backends.oracle": ("oracledb", "cx_Oracle"),
    "django.core.cache.backends.redis": ("redis",),
    "django.core.cache.backends.memcached.PyMemcacheCache": ("pymemcache",),
    "django.core.cache.backends.memcached.PyLibMCCache": ("pylibmc",),
    "django.core.cache.backends.memcached.MemcachedCache": ("memcache",),
    "django.template.backends.jinja2": ("jinja2",),
    # Django's hashers import their library when the first password is checked, never at start-up.
    "django.contrib.auth.hashers.Argon2PasswordHasher": ("argon2",),
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher": ("bcrypt",),
    "django.contrib.auth.hashers.BCryptPasswordHasher": ("bcrypt",),
    "storages.backends.s3": ("boto3",),
    "storages.backends.gcloud": ("google.cloud.storage",),
    "storages.backends.azure_storage": ("azure.storage.blob",),
    "storages.backends.dropbox": ("dropbox",),
}
_DOTTED = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$")


def django_database_drivers() -> tuple[str, ...]:
    """Every driver module one of Django's database backends imports (psycopg, MySQLdb, oracledb...)."""
    found = (m for backend, modules in _DJANGO_IMPLIED.items() if ".db.backends." in backend for m in modules)
    return tuple(dict.fromkeys(found))


def _django_modules(value: str) -> list[tuple[str, ...]]:
    out: list[tuple[str, ...]] = []
    for prefix, modules in _DJANGO_IMPLIED.items():
        if value == prefix or value.startswith(prefix + ".") or value.startswith(prefix):
            out.append(modules)
    top = value.split(".", 1)[0]
    if top != "django":
        out.append((value.rsplit(".", 1)[0] if value.count(".") >= 2 else top,))
    return out


def rule_django_settings(strings: list[KeyedString], path: str) -> Iterator[StringReference]:
    if any(item.key == "INSTALLED_APPS" for item in strings):
        # A settings module: Django and its apps import the dotted class paths of many more settings
        # (REST_FRAMEWORK classes, AUTH_PASSWORD_VALIDATORS, ...). Soft: they mark a package used, but an
        # unknown one is more likely a path we misread than a missing package.
        for item in strings:
            value = item.value.strip()
            if item.key in _DJANGO_LIST_SETTINGS or item.key in _DJANGO_SETTINGS or value.count(".") < 2:
                continue
            if _DOTTED.match(value) and not value.startswith("django."):
                module = value.rsplit(".", 1)[0]
                yield StringReference((module,), f"{item.key}: {value!r}", SourceRef(path, item.line),
                                      "django-settings", soft=True)  # fmt: skip
    for item in strings:
        if item.key not in _DJANGO_LIST_SETTINGS and item.key not in _DJANGO_SETTINGS:
            continue
        value = item.value.strip()
        if not _DOTTED.match(value) or (item.key in _DJANGO_SETTINGS and "." not in value):
            continue
        for modules in _django_modules(value):
            yield StringReference(
                modules, f"{item.key}: {value!r}", SourceRef(path, item.line), "django-settings"
            )


# ---------------------------------------------------------------------------------------------
# logging-dictconfig: logging.config imports the `class` (handlers, formatters) and `()` factory paths.
_LOG_CLASS_TEXT = re.compile(r"""["']?(?:class|\(\))["']?\s*[:=]\s*["']?([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+)""")
_LOGGING_NAMESPACE = {"logging", "handlers", "ext", "cfg"}  # names resolved inside the logging package


def _logging_reference(value: str, where: SourceRef, label: str) -> StringReference | None:
    if not _DOTTED.match(value) or "." not in value or value.split(".")[0] in _LOGGING_NAMESPACE:
        return None
    return StringReference((value.rsplit(".", 1)[0],), f"{label}: {value!r}", where, "logging-dictconfig")


def rule_logging_py(strings: list[KeyedString], path: str) -> Iterator[StringReference]:
    for item in strings:
        if item.key in ("class", "()"):
            reference = _logging_reference(item.value, SourceRef(path, item.line), item.key)
            if reference:
                yield reference


def rule_logging_text(text: str, path: str) -> Iterator[StringReference]:
    if not path.endswith((".yaml", ".yml", ".json", ".ini", ".cfg", ".conf", ".toml")):
        return
    for number, line in _lines(text):
        for match in _LOG_CLASS_TEXT.finditer(line):
            reference = _logging_reference(match.group(1), SourceRef(path, number), "class")
            if reference:
                yield reference


def rule_urls_py(strings: list[KeyedString], path: str) -> Iterator[StringReference]:
    for item in strings:
        if "://" in item.value and (item.key is None or item.key not in ("url", "href", "homepage")):
            yield from _url_references(item.value, SourceRef(path, item.line))


def rule_urls_text(text: str, path: str) -> Iterator[StringReference]:
    for number, line in _lines(text):
        if "://" in line and not line.lstrip().startswith(("#", "//")):
            yield from _url_references(line, SourceRef(path, number))


# ---------------------------------------------------------------------------------------------
# pandas-io: pandas imports its file-format engines itself, so `df.to_parquet()` needs pyarrow without
# any import of it, and `pd.read_csv("s3://...")` needs s3fs. Fires only in files that import pandas
# (or dask/geopandas/modin, which share the I/O layer).
_ENGINES: dict[str, tuple[str, ...]] = {
    "read_excel": ("openpyxl", "python_calamine", "xlrd", "odf", "pyxlsb"),
    "to_excel": ("openpyxl", "xlsxwriter", "odf"),
    "read_parquet": ("pyarrow", "fastparquet"), "to_parquet": ("pyarrow", "fastparquet"),
    "read_feather": ("pyarrow",), "to_feather": ("pyarrow",), "read_orc": ("pyarrow",),
    "read_xml": ("lxml",), "to_xml": ("lxml",), "read_html": ("lxml", "bs4"),
    "to_markdown": ("tabulate",), "read_hdf": ("tables",), "to_hdf": ("tables",),
}  # fmt: skip
_FSSPEC = {"s3": ("s3fs",), "gs": ("gcsfs",), "gcs": ("gcsfs",), "az": ("adlfs",), "abfs": ("adlfs",)}
_DATAFRAME_LIBRARIES = {"pandas", "dask", "geopandas", "modin", "polars"}


def rule_pandas_io(facts: FileFacts) -> Iterator[StringReference]:
    if not any(i.top in _DATAFRAME_LIBRARIES for i in facts.imports):
        return
    for item in facts.strings:
        where = SourceRef(facts.path, item.line)
        if item.key == "()call" and item.value in _ENGINES:
            yield StringReference(_ENGINES[item.value], f".{item.value}()", where, "pandas-io")
        elif item.key == "()io-url" and (scheme := item.value.split("://", 1)[0]) in _FSSPEC:
            yield StringReference(_FSSPEC[scheme], _redact(item.value), where, "pandas-io")


# ---------------------------------------------------------------------------------------------
def _lines(text: str) -> Iterator[tuple[int, str]]:
    # Join shell/Dockerfile continuations so `gunicorn \` / `  -k gevent` reads as one command.
    buffer: list[str] = []
    start = 1
    for number, line in enumerate(text.splitlines(), start=1):
        if not buffer:
            start = number
        if line.rstrip().endswith("\\"):
            buffer.append(line.rstrip()[:-1])
            continue
        buffer.append(line)
        yield start, " ".join(buffer)
        buffer = []
    if buffer:
        yield start, " ".join(buffer)


PY_RULES: list[Callable[[list[KeyedString], str], Iterator[StringReference]]] = [
    rule_worker_class_py, rule_app_string_py, rule_django_settings, rule_logging_py, rule_urls_py,
]  # fmt: skip
TEXT_RULES: list[Callable[[str, str], Iterator[StringReference]]] = [
    rule_worker_class_text, rule_server_command, rule_logging_text, rule_urls_text,
]  # fmt: skip


def python_references(facts: FileFacts) -> list[StringReference]:
    out: list[StringReference] = []
    for rule in PY_RULES:
        out.extend(rule(facts.strings, facts.path))
    out.extend(rule_pandas_io(facts))
    name = facts.path.rsplit("/", 1)[-1]
    if name.startswith("gunicorn") and name.endswith(".py"):
        out.append(
            StringReference(
                ("gunicorn",), f"gunicorn config {name}", SourceRef(facts.path, 1), "server-command"
            )
        )
    return out


def text_references(text: str, path: str) -> list[StringReference]:
    out: list[StringReference] = []
    for rule in TEXT_RULES:
        out.extend(rule(text, path))
    return out
