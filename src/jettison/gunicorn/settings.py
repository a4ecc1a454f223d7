"""Reading how a project configures Gunicorn: an existing gunicorn.conf.py, or a gunicorn command line.

Both give settings under Gunicorn's own names (`workers`, `bind`, `worker_class`, ...), so the rules and
the fixer can treat a `-w 4` in a CMD and `workers = 4` in a config file alike. The config file is read
with `ast`, never executed: it is the user's code, and may import their application.
"""

from __future__ import annotations

import ast
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jettison.errors import JettisonError


@dataclass(frozen=True)
class SettingSource:
    """Where a setting came from: its line, and the expression text when it is not a literal."""

    line: int
    expression: str


@dataclass(frozen=True)
class EnvDefault:
    """A setting read from the environment: `timeout = int(os.environ.get("TIMEOUT", 30))`.

    variable: the environment variable; default: its literal fallback (None when there is none or it
    is computed); whole: the expression is only that lookup (so `default` is the setting's default).
    """

    variable: str
    default: Any
    whole: bool


@dataclass(frozen=True)
class GunicornSettings:
    """Settings found in a config file.

    values:  settings assigned a literal (`workers = 4`), by name.
    dynamic: settings computed at start-up (`workers = multiprocessing.cpu_count() * 2 + 1`), with the
             expression text, which rules can inspect (cpu_count, os.environ, ...).
    sources: every setting's line and expression text.
    from_env: dynamic settings that read environment variables: each lookup with its fallback, the
              outermost first.
    """

    path: str
    values: dict[str, Any] = field(default_factory=dict)
    dynamic: dict[str, str] = field(default_factory=dict)
    sources: dict[str, SettingSource] = field(default_factory=dict)
    from_env: dict[str, tuple[EnvDefault, ...]] = field(default_factory=dict)

    def get(self, name: str, default: Any = None) -> Any:
        return self.values.get(name, default)


def read_gunicorn_settings(path: str | Path) -> GunicornSettings:
    """The module-level settings of a gunicorn.conf.py, without running it."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise JettisonError("not a text file (UTF-8 expected)", path) from error
    except OSError as error:
        raise JettisonError(f"cannot read: {error.strerror}", path) from error
    return parse_gunicorn_settings(text, str(path))


def parse_gunicorn_settings(text: str, path: str = "gunicorn.conf.py") -> GunicornSettings:
    if "\0" in text:
        # Python releases disagree on how a NUL fails (ValueError or SyntaxError): say it one way.
        line = text.count("\n", 0, text.index("\0")) + 1
        raise JettisonError("Python syntax error: NUL byte in the file", path, line)
    try:
        tree = ast.parse(text, filename=path)
    except SyntaxError as error:
        raise JettisonError(f"Python syntax error: {error.msg}", path, error.lineno) from error
    except (ValueError, MemoryError, RecursionError) as error:
        # CPython reports an expression nested too deeply for its parser as MemoryError or RecursionError.
        raise JettisonError(f"Python syntax error: cannot parse ({type(error).__name__})", path) from error
    segment = _SourceSegments(text)
    values: dict[str, Any] = {}
    dynamic: dict[str, str] = {}
    sources: dict[str, SettingSource] = {}
    from_env: dict[str, tuple[EnvDefault, ...]] = {}
    # Gunicorn reads the module's globals after it ran, so only top-level assignments are settings;
    # a later assignment wins, as it would at run time.
    for node in tree.body:
        if isinstance(node, ast.Assign):
            targets = [t.id for t in node.targets if isinstance(t, ast.Name)]
            value_node = node.value
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value:
            targets = [node.target.id]
            value_node = node.value
        else:
            continue
        expression = segment(value_node)
        for name in targets:
            # Gunicorn's settings are lower-case; helpers and constants of the file are not settings.
            if name.startswith("_") or name != name.lower():
                continue
            sources[name] = SettingSource(line=node.lineno, expression=expression)
            values_before = dict(values)
            from_env.pop(name, None)
            try:
                values[name] = ast.literal_eval(value_node)
                dynamic.pop(name, None)
            except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                dynamic[name] = expression
                values.pop(name, None)
                lookups = env_lookups(value_node, known=values_before)
                if lookups:
                    from_env[name] = lookups
    return GunicornSettings(path=path, values=values, dynamic=dynamic, sources=sources, from_env=from_env)


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


class _SourceSegments:
    """ast.get_source_segment without re-splitting the whole text per node (a 6 MB line made it spin)."""

    def __init__(self, text: str) -> None:
        # The lines as ast counts them: \r\n, \r and \n only (str.splitlines also splits at \f, \x1c...).
        self._lines = _LINE.findall(text)

    def __call__(self, node: ast.expr) -> str:
        end_lineno, end_col = node.end_lineno, node.end_col_offset
        if end_lineno is None or end_col is None:
            return _unparse(node)
        first, last = node.lineno - 1, end_lineno - 1
        if not 0 <= first <= last < len(self._lines):
            return _unparse(node)
        # Column offsets are UTF-8 byte offsets.
        if first == last:
            line = self._lines[first].encode()
            return line[node.col_offset : end_col].decode(errors="replace")
        head = self._lines[first].encode()[node.col_offset :].decode(errors="replace")
        tail = self._lines[last].encode()[:end_col].decode(errors="replace")
        return head + "".join(self._lines[first + 1 : last]) + tail


def _unparse(node: ast.expr) -> str:
    try:
        return ast.unparse(node)
    except RecursionError:
        return "<expression too deeply nested>"


_CONVERTERS = {"int": int, "str": str, "float": float}


def _is_env_call(node: ast.AST) -> bool:
    if not isinstance(node, ast.Call) or not node.args:
        return False
    first = node.args[0]
    if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
        return False
    func = _unparse(node.func)
    tail = func.rsplit(".", 1)[-1]
    # os.environ.get / os.getenv, and the usual little helpers (`_env_int("TIMEOUT", 30)`, `env(...)`).
    return func in ("os.environ.get", "environ.get", "os.getenv", "getenv") or tail.lstrip("_")[:3] == "env"


def env_lookups(node: ast.expr, known: dict[str, Any] | None = None) -> tuple[EnvDefault, ...]:
    """The environment lookups in an expression, outermost first, with their literal fallbacks.

    `known` holds the literals assigned earlier in the file, so `x = 5; x = env("X", x)` gives 5.
    """
    known = known or {}
    converter = None
    inner: ast.AST = node
    while (
        isinstance(inner, ast.Call)
        and isinstance(inner.func, ast.Name)
        and inner.func.id in _CONVERTERS
        and len(inner.args) == 1
    ):
        converter = _CONVERTERS[inner.func.id]
        inner = inner.args[0]
    lookups = []
    for found in ast.walk(node):
        whole = found is inner
        if _is_environ_subscript(found):
            lookups.append(EnvDefault(ast.literal_eval(found.slice), None, whole))  # type: ignore[attr-defined]
        elif _is_env_call(found):
            assert isinstance(found, ast.Call)
            default = None
            if len(found.args) > 1:
                fallback = found.args[1]
                try:
                    if isinstance(fallback, ast.Name) and fallback.id in known:
                        default = known[fallback.id]
                    else:
                        default = ast.literal_eval(fallback)
                    if converter is not None and whole:
                        default = converter(default)
                except (ValueError, TypeError, SyntaxError):
                    default = None
            lookups.append(EnvDefault(found.args[0].value, default, whole))  # type: ignore[attr-defined]
    return tuple(lookups)


def _is_environ_subscript(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Subscript)
        and _unparse(node.value) in ("os.environ", "environ")
        and isinstance(node.slice, ast.Constant)
        and isinstance(node.slice.value, str)
    )


# Gunicorn's command-line flags for the settings jettison reasons about: flag -> (setting, kind).
# kind: "int", "str", "list" (repeatable, e.g. --bind), "true"/"false" (flags without a value).
_FLAGS: dict[str, tuple[str, str]] = {
    "-c": ("config", "str"),
    "--config": ("config", "str"),
    "-b": ("bind", "list"),
    "--bind": ("bind", "list"),
    "-w": ("workers", "int"),
    "--workers": ("workers", "int"),
    "-k": ("worker_class", "str"),
    "--worker-class": ("worker_class", "str"),
    "--threads": ("threads", "int"),
    "--worker-connections": ("worker_connections", "int"),
    "-t": ("timeout", "int"),
    "--timeout": ("timeout", "int"),
    "--graceful-timeout": ("graceful_timeout", "int"),
    "--keep-alive": ("keepalive", "int"),
    "--max-requests": ("max_requests", "int"),
    "--max-requests-jitter": ("max_requests_jitter", "int"),
    "--backlog": ("backlog", "int"),
    "--preload": ("preload_app", "true"),
    "--no-sendfile": ("sendfile", "false"),
    "--reuse-port": ("reuse_port", "true"),
    "--reload": ("reload", "true"),
    "-D": ("daemon", "true"),
    "--daemon": ("daemon", "true"),
    "--worker-tmp-dir": ("worker_tmp_dir", "str"),
    "--chdir": ("chdir", "str"),
    "--pythonpath": ("pythonpath", "str"),
    "-u": ("user", "str"),
    "--user": ("user", "str"),
    "-g": ("group", "str"),
    "--group": ("group", "str"),
    "--access-logfile": ("accesslog", "str"),
    "--error-logfile": ("errorlog", "str"),
    "--log-file": ("errorlog", "str"),
    "--log-level": ("loglevel", "str"),
    "--access-logformat": ("access_log_format", "str"),
    "--capture-output": ("capture_output", "true"),
    "--forwarded-allow-ips": ("forwarded_allow_ips", "str"),
    "-n": ("proc_name", "str"),
    "--name": ("proc_name", "str"),
    "--limit-request-line": ("limit_request_line", "int"),
    "--certfile": ("certfile", "str"),
    "--keyfile": ("keyfile", "str"),
    "-e": ("raw_env", "list"),
    "--env": ("raw_env", "list"),
    "-p": ("pidfile", "str"),
    "--pid": ("pidfile", "str"),
}


@dataclass(frozen=True)
class GunicornCommand:
    """A gunicorn invocation, as written in a CMD, an ENTRYPOINT or an entrypoint script.

    settings: values by Gunicorn setting name; a value that is a shell variable (`$WORKERS`) stays a
              string, since its value is only known when the container starts.
    app:      the WSGI application argument (`app:app`), if given.
    unknown:  flags this reader does not know, kept so nothing is silently lost.
    """

    settings: dict[str, Any] = field(default_factory=dict)
    app: str | None = None
    unknown: tuple[str, ...] = ()

    @property
    def config(self) -> str | None:
        return self.settings.get("config")


def _convert(kind: str, text: str) -> Any:
    if kind == "int":
        try:
            return int(text)
        except ValueError:
            return text
    return text


def gunicorn_argv_start(argv: list[str]) -> int | None:
    """Index of the first gunicorn argument in `argv`, or None when it does not run gunicorn.

    Knows the usual launchers: `gunicorn`, `/venv/bin/gunicorn`, `python -m gunicorn`, `exec gunicorn`.
    """
    for index, word in enumerate(argv):
        base = word.rsplit("/", 1)[-1]
        if base == "gunicorn":
            return index + 1
        if base.startswith("python") and argv[index + 1 : index + 3] == ["-m", "gunicorn"]:
            return index + 3
    return None


def parse_gunicorn_args(argv: list[str] | str) -> GunicornCommand | None:
    """Read a gunicorn command line (a list, or shell text to split); None when it is not gunicorn."""
    if isinstance(argv, str):
        try:
            argv = shlex.split(argv, comments=False)
        except ValueError:
            return None
    start = gunicorn_argv_start(list(argv))
    if start is None:
        return None
    settings: dict[str, Any] = {}
    unknown: list[str] = []
    app = None
    words = list(argv[start:])
    index = 0
    while index < len(words):
        word = words[index]
        index += 1
        if word in ("&&", ";", "||", "|"):
            break
        if not word.startswith("-") or word == "-":
            if app is None:
                app = word
            continue
        name, has_value, value = word.partition("=")
        if not has_value and name.startswith("-") and not name.startswith("--") and len(name) > 2:
            # Short flag with its value attached: -w4, -b0.0.0.0:80
            name, value, has_value = name[:2], name[2:], True
        spec = _FLAGS.get(name)
        if spec is None:
            unknown.append(word)
            continue
        setting, kind = spec
        if kind in ("true", "false"):
            settings[setting] = kind == "true"
            continue
        if not has_value:
            if index >= len(words):
                unknown.append(word)
                break
            value = words[index]
            index += 1
        if kind == "list":
            settings.setdefault(setting, []).append(value)
        else:
            settings[setting] = _convert(kind, value)
    return GunicornCommand(settings=settings, app=app, unknown=tuple(unknown))
