"""Django settings as values: module-level list/tuple/dict expressions evaluated, across settings modules
that star-import each other, so `INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS`,
`INSTALLED_APPS += [...]`, `MIDDLEWARE.insert(0, ...)`, `[*BASE, "x"]` and `from .base import *` give the
values Django reads. No code runs: names, literals, `+`, `*`-unpacking, `+=`, append/extend/insert,
item assignment, and `env("X", default=...)`-style calls (their default) are evaluated; anything else is
unknown and skipped. Both branches of an `if`/`try` count (what either might set is kept).

`settings_strings(sources)` returns, per settings module, the keyed strings (deps/imports.KeyedString)
that deps/strings.py's Django rule reads, as if each value had been written in place.
"""

from __future__ import annotations

import ast
import copy
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from jettison.deps.imports import FileFacts, KeyedString
from jettison.model.requirements import SourceRef

if TYPE_CHECKING:
    from jettison.deps.strings import StringReference


class _Unknown:
    pass


UNKNOWN = _Unknown()


@dataclass(frozen=True)
class Located:
    """A string literal and where it was written."""

    value: str
    path: str
    line: int


_ENV_CALLS = {"get", "getenv", "env", "config", "str", "db", "db_url", "parse", "cache_url", "url"}


class _Evaluator:
    def __init__(self, sources: dict[str, str]) -> None:
        self.sources = sources  # module name -> source text (only the project's settings candidates)
        self.paths: dict[str, str] = {}
        self.done: dict[str, dict[str, object]] = {}
        self.active: set[str] = set()

    def module(self, name: str) -> dict[str, object]:
        if name in self.done:
            return self.done[name]
        if name in self.active or name not in self.sources:
            return {}
        self.active.add(name)
        env: dict[str, object] = {}
        try:
            tree = ast.parse(self.sources[name])
        except (SyntaxError, ValueError):
            tree = ast.Module(body=[], type_ignores=[])
        self._body(tree.body, env, name)
        self.active.discard(name)
        self.done[name] = env
        return env

    def _body(self, body: list[ast.stmt], env: dict[str, object], module: str) -> None:
        for node in body:
            self._statement(node, env, module)

    def _statement(self, node: ast.stmt, env: dict[str, object], module: str) -> None:
        path = self.paths.get(module, module)
        if isinstance(node, ast.ImportFrom):
            target = _resolve(module, node.module, node.level, self.sources)
            if target is None:
                return
            values = self.module(target)
            for alias in node.names:
                if alias.name == "*":
                    env.update({k: copy.deepcopy(v) for k, v in values.items() if not k.startswith("_")})
                elif alias.name in values:
                    env[alias.asname or alias.name] = copy.deepcopy(values[alias.name])
        elif isinstance(node, ast.Assign):
            value = self._value(node.value, env, path)
            for target in node.targets:
                self._assign(target, value, env, path)
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            self._assign(node.target, self._value(node.value, env, path), env, path)
        elif (
            isinstance(node, ast.AugAssign)
            and isinstance(node.op, ast.Add)
            and isinstance(node.target, ast.Name)
        ):
            current = env.get(node.target.id, UNKNOWN)
            added = self._value(node.value, env, path)
            env[node.target.id] = _add(current, added)
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            self._mutation(node.value, env, path)
        elif isinstance(node, ast.If):
            self._body(node.body, env, module)
            self._body(node.orelse, env, module)
        elif isinstance(node, ast.Try):
            for part in (node.body, *(h.body for h in node.handlers), node.orelse, node.finalbody):
                self._body(part, env, module)
        elif isinstance(node, ast.With):
            self._body(node.body, env, module)

    def _assign(self, target: ast.expr, value: object, env: dict[str, object], path: str) -> None:
        if isinstance(target, ast.Name):
            env[target.id] = value
        elif isinstance(target, ast.Subscript):
            container = self._container(target.value, env, path)
            key = self._value(target.slice, env, path)
            if isinstance(container, dict) and isinstance(key, Located):
                container[key.value] = value

    def _mutation(self, call: ast.Call, env: dict[str, object], path: str) -> None:
        func = call.func
        if not isinstance(func, ast.Attribute):
            return
        container = self._container(func.value, env, path)
        args = [self._value(a, env, path) for a in call.args]
        if isinstance(container, list):
            if func.attr == "append" and args:
                container.append(args[0])
            elif func.attr == "extend" and args and isinstance(args[0], (list, tuple)):
                container.extend(args[0])
            elif func.attr == "insert" and len(args) > 1:
                container.append(args[1])  # position does not matter for what is loaded
        elif isinstance(container, dict) and func.attr == "update" and args and isinstance(args[0], dict):
            container.update(args[0])

    def _container(self, node: ast.expr, env: dict[str, object], path: str) -> object:
        """The object itself (not a copy) that a mutation changes: `MIDDLEWARE`, `DATABASES["default"]`."""
        if isinstance(node, ast.Name):
            return env.get(node.id, UNKNOWN)
        if isinstance(node, ast.Subscript):
            container = self._container(node.value, env, path)
            key = self._value(node.slice, env, path)
            if isinstance(container, dict) and isinstance(key, Located):
                return container.get(key.value, UNKNOWN)
        return UNKNOWN

    def _value(self, node: ast.expr, env: dict[str, object], path: str) -> object:
        if isinstance(node, ast.Constant):
            return Located(node.value, path, node.lineno) if isinstance(node.value, str) else node.value
        if isinstance(node, ast.Name):
            value = env.get(node.id, UNKNOWN)
            return list(value) if isinstance(value, list) else value  # `A = B` then `A += ...` leaves B
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            out: list[object] = []
            for element in node.elts:
                if isinstance(element, ast.Starred):
                    inner = self._value(element.value, env, path)
                    if isinstance(inner, (list, tuple)):
                        out.extend(inner)
                else:
                    out.append(self._value(element, env, path))
            return tuple(out) if isinstance(node, ast.Tuple) else out
        if isinstance(node, ast.Dict):
            result: dict[str, object] = {}
            for key, value in zip(node.keys, node.values, strict=True):
                if key is None:
                    inner = self._value(value, env, path)
                    if isinstance(inner, dict):
                        result.update(inner)
                    continue
                located = self._value(key, env, path)
                if isinstance(located, Located):
                    result[located.value] = self._value(value, env, path)
            return result
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            return _add(self._value(node.left, env, path), self._value(node.right, env, path))
        if isinstance(node, ast.Subscript):
            container = self._value(node.value, env, path)
            key = self._value(node.slice, env, path)
            if isinstance(container, dict) and isinstance(key, Located):
                return container.get(key.value, UNKNOWN)
            return UNKNOWN
        if isinstance(node, ast.Call):
            name = _call_name(node.func)
            if name in ("list", "tuple") and node.args:
                inner = self._value(node.args[0], env, path)
                return list(inner) if isinstance(inner, (list, tuple)) else UNKNOWN
            if name == "dict":
                return {k.arg: self._value(k.value, env, path) for k in node.keywords if k.arg}
            if name in _ENV_CALLS:
                # env("X", default="..."), os.environ.get("X", "..."), dj_database_url.config(default=...)
                for keyword in node.keywords:
                    if keyword.arg == "default":
                        return self._value(keyword.value, env, path)
                if name in ("get", "getenv") and len(node.args) > 1:
                    return self._value(node.args[1], env, path)
                if name == "parse" and node.args:
                    return self._value(node.args[0], env, path)
            return UNKNOWN
        return UNKNOWN


def _call_name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _add(left: object, right: object) -> object:
    if isinstance(left, (list, tuple)) and isinstance(right, (list, tuple)):
        joined = [*left, *right]
        return tuple(joined) if isinstance(left, tuple) and isinstance(right, tuple) else joined
    if isinstance(left, (list, tuple)):
        return list(left)  # an unknown addition: what is known is still loaded
    if isinstance(right, (list, tuple)):
        return list(right)
    return UNKNOWN


def _resolve(module: str, target: str | None, level: int, sources: dict[str, str]) -> str | None:
    if level:
        package = module.split(".")
        # a module's package is its name minus the last part (an __init__ is stored under its package name)
        base = (
            package[: len(package) - level]
            if not module.endswith(".__init__")
            else package[: len(package) - level]
        )
        name = ".".join([*base, target] if target else base)
    else:
        name = target or ""
    if name in sources:
        return name
    if name + ".__init__" in sources:
        return name + ".__init__"
    for candidate in sorted(sources, key=len):  # absolute imports from a source root below the project's
        if candidate.endswith("." + name) or candidate.endswith("." + name + ".__init__"):
            return candidate
    return None


def _strings(value: object, key: str | None, out: list[tuple[str | None, Located]]) -> None:
    if isinstance(value, Located):
        out.append((key, value))
    elif isinstance(value, dict):
        for sub_key, item in value.items():
            _strings(item, sub_key, out)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _strings(item, key, out)


def settings_strings(
    sources: dict[str, tuple[str, str]], is_settings: Callable[[dict[str, object]], bool] | None = None
) -> dict[str, list[KeyedString]]:
    """{path: keyed strings} for each module (name -> (path, text)) whose evaluated names hold INSTALLED_APPS.

    A string reaches the output under the setting that holds it (top-level name, or the innermost dict
    key: `ENGINE`, `BACKEND`), at the file and line where it was written — that may be a base module.
    """
    evaluator = _Evaluator({name: text for name, (_path, text) in sources.items()})
    evaluator.paths = {name: path for name, (path, _text) in sources.items()}
    is_settings = is_settings or (lambda env: "INSTALLED_APPS" in env)
    out: dict[str, list[KeyedString]] = {}
    for name in sorted(sources):
        env = evaluator.module(name)
        if not is_settings(env):
            continue
        found: list[tuple[str | None, Located]] = []
        for setting, value in env.items():
            if setting.isupper():
                _strings(value, setting, found)
        for key, located in found:
            out.setdefault(located.path, [])
            keyed = KeyedString(key, located.value, located.line)
            if keyed not in out[located.path]:
                out[located.path].append(keyed)
    return out


def module_name(rel: str) -> str:
    """`config/settings/base.py` -> config.settings.base; a package's __init__ keeps `.__init__`."""
    return rel.removesuffix(".py").replace("/", ".")


def settings_candidates(python_files: list[str], keys_by_file: dict[str, set[str]]) -> list[str]:
    """Files that may be (or be star-imported by) a settings module: named settings, or setting *_APPS /
    MIDDLEWARE, and every Python file beside one of those."""
    direct = {
        rel for rel in python_files
        if "settings" in rel.split("/") or rel.rsplit("/", 1)[-1].startswith("settings")
        or any(key == "MIDDLEWARE" or key.endswith("_APPS") for key in keys_by_file.get(rel, ()))
    }  # fmt: skip
    folders = {rel.rsplit("/", 1)[0] if "/" in rel else "" for rel in direct}
    return sorted(rel for rel in python_files if (rel.rsplit("/", 1)[0] if "/" in rel else "") in folders)


# Django's database URL schemes (dj-database-url, django-environ) -> the backend Django loads for them.
_URL_BACKENDS = {
    "postgres": "django.db.backends.postgresql", "postgresql": "django.db.backends.postgresql",
    "pgsql": "django.db.backends.postgresql", "postgis": "django.contrib.gis.db.backends.postgis",
    "mysql": "django.db.backends.mysql", "mysql2": "django.db.backends.mysql",
    "mysqlgis": "django.contrib.gis.db.backends.mysql", "oracle": "django.db.backends.oracle",
}  # fmt: skip


def _module_level(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """The statements a module runs on import: its body and the bodies of its if/try/with blocks."""
    todo = list(reversed(body))
    while todo:
        node = todo.pop()
        yield node
        nested: list[ast.stmt] = []
        if isinstance(node, (ast.If, ast.For, ast.While)):
            nested = [*node.body, *node.orelse]
        elif isinstance(node, ast.Try):
            nested = [*node.body, *(h for handler in node.handlers for h in handler.body), *node.orelse,
                      *node.finalbody]  # fmt: skip
        elif isinstance(node, ast.With):
            nested = list(node.body)
        todo.extend(reversed(nested))


def database_from_environment(text: str) -> int | None:
    """The line where DATABASES (or one of its entries) is assigned from an environment read
    (`env.db()`, `dj_database_url.config(...)`, `os.environ.get(...)`), else None.

    Such a database is chosen when the app starts: a default URL in the code is one choice of many, so
    the static reading cannot tell which driver runs.
    """
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    # Every statement of the module, also inside `if "DATABASE_URL" in os.environ:` or `try:` (bakerydemo's
    # settings/base.py); function bodies are not settings.
    for node in _module_level(tree.body):
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):  # DATABASES.update(...)
            targets = [node.value.func]
        else:
            continue
        names = {t.id for target in targets for t in ast.walk(target) if isinstance(t, ast.Name)}
        value = node.value
        if "DATABASES" in names and value is not None and any(
            isinstance(call, ast.Call) and _call_name(call.func) in _ENV_CALLS for call in ast.walk(value)
        ):
            return node.lineno
    return None


def settings_references(root: Path, facts: list[FileFacts]) -> tuple[list[StringReference], set[SourceRef]]:
    """References from evaluated Django settings, and the URL literals they reinterpret.

    A database URL in DATABASES names Django's backend, which accepts any of its drivers (psycopg 3 or
    psycopg2): the generic URL rule's SQLAlchemy default driver does not apply there.
    """
    from jettison.deps.strings import StringReference, rule_django_settings

    keys = {f.path: {s.key for s in f.strings if s.key} for f in facts}
    candidates = settings_candidates([f.path for f in facts], keys)
    if not candidates:
        return [], set()
    sources: dict[str, tuple[str, str]] = {}
    for rel in candidates:
        try:
            sources[module_name(rel)] = (rel, (root / rel).read_text(encoding="utf-8", errors="replace"))
        except OSError:
            continue
    references: list[StringReference] = []
    reinterpreted: set[SourceRef] = set()
    from jettison.deps.strings import django_database_drivers

    for rel, text in sorted(sources.values()):
        line = database_from_environment(text)
        if line is None:
            continue
        # When unsure, keep: each declared database driver stays (soft: none is reported missing).
        shown = "DATABASES read from the environment: the driver is chosen at run time"
        for module in django_database_drivers():
            references.append(StringReference((module,), shown, SourceRef(rel, line), "django-settings",
                                              soft=True))  # fmt: skip
    for path, strings in sorted(settings_strings(sources).items()):
        with_apps = [*strings, KeyedString("INSTALLED_APPS", "django.contrib.admin", 0)]
        for reference in rule_django_settings(with_apps, path):
            if reference.source.line:
                references.append(reference)
        for item in strings:
            if "://" not in item.value:
                continue
            scheme = item.value.split("://", 1)[0].split("+", 1)[0].lower()
            backend = _URL_BACKENDS.get(scheme)
            if backend and "+" not in item.value.split("://", 1)[0]:
                where = SourceRef(path, item.line)
                reinterpreted.add(where)
                shown = f"database URL {item.value.split('@')[-1]!r} -> {backend}"
                for found in rule_django_settings([KeyedString("ENGINE", backend, item.line)], path):
                    references.append(StringReference(found.modules, shown, where, "django-settings"))
    return references, reinterpreted
