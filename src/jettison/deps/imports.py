"""Stage 1: what a project's Python code imports, and the strings that name code it loads.

Each file is parsed once with `ast`. One pass over the statements records

- absolute imports, with the context that decides whether they are needed at run time: inside
  `try:` whose handler catches ImportError (optional), under `if TYPE_CHECKING:` (never at run time);
- `importlib.import_module("x")` / `__import__("x")` with literal arguments;
- "keyed strings": a string assigned to a name, attribute, subscript, keyword or dict key (`worker_class =
  "gevent"`, `"ENGINE": "django.db.backends.postgresql"`, `"class": "pythonjsonlogger..."`) and every
  string holding a URL — the raw facts deps/strings.py turns into references.

Relative imports are local by definition and not recorded. Files that do not parse (Python 2, syntax
errors, null bytes) are returned with an error instead of raising.
"""

from __future__ import annotations

import ast
import bisect
import enum
import re
import sys
from dataclasses import dataclass, field


class ImportKind(enum.StrEnum):
    RUNTIME = "runtime"
    OPTIONAL = "optional"  # behind try/except ImportError: the code runs without it
    TYPE_CHECKING = "type-checking"  # only for type checkers, never executed


@dataclass(frozen=True, slots=True)
class ImportedName:
    """An absolute dotted name the code imports (`from a.b import c` gives `a.b.c`)."""

    name: str
    line: int
    kind: ImportKind
    via: str = "import"  # import | importlib | __import__

    @property
    def top(self) -> str:
        return self.name.split(".", 1)[0]


@dataclass(frozen=True, slots=True)
class KeyedString:
    """A string literal and the key it was given under (None for a bare URL string)."""

    key: str | None
    value: str
    line: int


@dataclass
class FileFacts:
    path: str
    imports: list[ImportedName] = field(default_factory=list)
    strings: list[KeyedString] = field(default_factory=list)
    error: str | None = None  # why the file was skipped
    partial: str | None = None  # why only its import lines were read (newer syntax than the host's)

    def to_json(self) -> list[object]:
        return [
            [[i.name, i.line, i.kind.value, i.via] for i in self.imports],
            [[s.key, s.value, s.line] for s in self.strings],
            self.error,
            self.partial,
        ]

    @classmethod
    def from_json(cls, path: str, data: list[object]) -> FileFacts:
        imports, strings, error, partial = data
        return cls(
            path,
            [ImportedName(n, ln, ImportKind(k), v) for n, ln, k, v in imports],  # type: ignore[union-attr]
            [KeyedString(k, v, ln) for k, v, ln in strings],  # type: ignore[union-attr]
            error,  # type: ignore[arg-type]
            partial,  # type: ignore[arg-type]
        )


_IMPORT_ERRORS = {"ImportError", "ModuleNotFoundError", "Exception", "BaseException"}
# Substrings that make a statement worth an expression walk. Walking every expression of every file
# would cost more than parsing it, so only statements spanning a line with one of these are walked.
_EXPRESSION_HINTS = re.compile(
    rb"import_module|__import__|://|worker_class|BACKEND|ENGINE|INSTALLED_APPS|MIDDLEWARE|STORAGE"
    rb"|['\"]class['\"]|['\"]\(\)['\"]|broker|backend|wsgi_app|\bapp\s*="
    rb"|read_excel|to_excel|_parquet|_feather|read_xml|to_xml|read_html|to_markdown|read_orc|read_hdf|to_hdf"
)
# Method calls whose name alone tells which optional engine a library loads by itself (pandas I/O).
ENGINE_CALLS = frozenset({
    "read_excel", "to_excel", "read_parquet", "to_parquet", "read_feather", "to_feather", "read_xml",
    "to_xml", "read_html", "to_markdown", "read_orc", "read_hdf", "to_hdf",
})  # fmt: skip


def _catches_import_error(handler: ast.ExceptHandler) -> bool:
    if handler.type is None:
        return True
    types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    for node in types:
        name = node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", None)
        if name in _IMPORT_ERRORS:
            return True
    return False


def _is_type_checking(test: ast.expr) -> bool:
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    if isinstance(test, ast.Attribute):
        return test.attr == "TYPE_CHECKING"
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
        return any(_is_type_checking(value) for value in test.values)
    return False


def _key_of(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
        value = node.slice.value
        return value if isinstance(value, str) else None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


class _Collector:
    def __init__(self, facts: FileFacts, hint_lines: list[int]) -> None:
        self.facts = facts
        self.hint_lines = hint_lines  # sorted line numbers holding an expression hint

    def _hinted(self, node: ast.AST) -> bool:
        start = getattr(node, "lineno", None)
        if start is None:  # ast.arguments, withitem, ...: small, walk them
            return bool(self.hint_lines)
        end = getattr(node, "end_lineno", None) or start
        index = bisect.bisect_left(self.hint_lines, start)
        return index < len(self.hint_lines) and self.hint_lines[index] <= end

    def body(self, statements: list[ast.stmt], kind: ImportKind) -> None:
        for statement in statements:
            self.statement(statement, kind)

    def statement(self, node: ast.stmt, kind: ImportKind) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                self.facts.imports.append(ImportedName(alias.name, node.lineno, kind))
            return
        if isinstance(node, ast.ImportFrom):
            if node.level or not node.module:
                return
            for alias in node.names:
                name = node.module if alias.name == "*" else f"{node.module}.{alias.name}"
                self.facts.imports.append(ImportedName(name, node.lineno, kind))
            return
        if isinstance(node, (ast.Try, ast.TryStar)):
            guarded = any(_catches_import_error(handler) for handler in node.handlers)
            inner = ImportKind.OPTIONAL if guarded and kind is ImportKind.RUNTIME else kind
            self.body(node.body, inner)
            for handler in node.handlers:
                # The fallback of an ImportError guard is optional too (`except ImportError: import json`).
                self.body(handler.body, inner if _catches_import_error(handler) else kind)
            self.body(node.orelse, inner)
            self.body(node.finalbody, kind)
            return
        if isinstance(node, ast.If):
            if _is_type_checking(node.test):
                self.body(node.body, ImportKind.TYPE_CHECKING)
                self.body(node.orelse, kind)
                return
            self.expressions(node.test, kind)
            self.body(node.body, kind)
            self.body(node.orelse, kind)
            return
        if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if node.value is not None:
                for target in targets:
                    key = _key_of(target)
                    if key is not None:
                        self.keyed(key, node.value)
                self.expressions(node.value, kind)
            return
        # Compound statements: recurse into statement lists, scan the rest as expressions.
        for _name, value in ast.iter_fields(node):
            if isinstance(value, list) and value and isinstance(value[0], ast.stmt):
                self.body(value, kind)
            elif isinstance(value, list):
                for item in value:
                    if isinstance(item, ast.match_case):
                        self.body(item.body, kind)
                    elif isinstance(item, ast.AST):
                        self.expressions(item, kind)
            elif isinstance(value, ast.AST):
                self.expressions(value, kind)

    def keyed(self, key: str, value: ast.expr) -> None:
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            self.facts.strings.append(KeyedString(key, value.value, value.lineno))
        elif isinstance(value, (ast.List, ast.Tuple, ast.Set)):
            for element in value.elts:
                if isinstance(element, ast.Constant) and isinstance(element.value, str):
                    self.facts.strings.append(KeyedString(key, element.value, element.lineno))

    def expressions(self, node: ast.AST, kind: ImportKind) -> None:
        if not self._hinted(node):
            return
        for sub in ast.walk(node):
            if isinstance(sub, ast.Call):
                self.call(sub, kind)
            elif isinstance(sub, ast.Dict):
                for key, value in zip(sub.keys, sub.values, strict=True):
                    if key is not None and (name := _key_of(key)) is not None:
                        self.keyed(name, value)
            elif isinstance(sub, ast.Constant) and isinstance(sub.value, str) and "://" in sub.value:
                self.facts.strings.append(KeyedString(None, sub.value, sub.lineno))

    def call(self, node: ast.Call, kind: ImportKind) -> None:
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        if name in ("import_module", "__import__") and node.args:
            first = node.args[0]
            literal = first.value if isinstance(first, ast.Constant) else None
            if isinstance(literal, str) and literal and not literal.startswith("."):
                via = "importlib" if name == "import_module" else "__import__"
                self.facts.imports.append(ImportedName(literal, node.lineno, kind, via))
        if isinstance(func, ast.Attribute) and func.attr in ENGINE_CALLS:
            self.facts.strings.append(KeyedString("()call", func.attr, node.lineno))
        if isinstance(func, ast.Attribute) and func.attr.startswith(("read_", "to_")) and node.args:
            # `pd.read_csv("s3://...")`: the URL scheme picks an fsspec filesystem pandas imports itself.
            first = node.args[0]
            if isinstance(first, ast.JoinedStr) and first.values:
                first = first.values[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str) and "://" in first.value:
                self.facts.strings.append(KeyedString("()io-url", first.value, node.lineno))
        for keyword in node.keywords:
            if keyword.arg:
                self.keyed(keyword.arg, keyword.value)


# Import statements found line by line, for source the host's parser cannot read (newer syntax).
_IMPORT_LINE = re.compile(
    rb"^[ \t]*(?:import[ \t]+(?P<names>[\w. \t,]+)|from[ \t]+(?P<module>[A-Za-z_][\w.]*)[ \t]+import\b)",
    re.MULTILINE,
)
HOST_PYTHON = sys.version_info[:2]


def could_not_parse(target: tuple[int, int]) -> str:
    """The one wording for source newer than the host's parser (audit groups findings on it)."""
    return f"could not parse for {target[0]}.{target[1]}"


def _imports_line_by_line(data: bytes) -> list[ImportedName]:
    found = []
    for match in _IMPORT_LINE.finditer(data):
        line = data.count(b"\n", 0, match.start()) + 1
        if match.group("module"):
            names = [match.group("module")]
        else:
            names = [part.split()[0] for part in match.group("names").split(b",") if part.split()]
        for name in names:
            text = name.decode("ascii", "replace") if isinstance(name, bytes) else name
            found.append(ImportedName(text, line, ImportKind.RUNTIME))
    return found


def scan_source(data: bytes, path: str, target: tuple[int, int] | None = None) -> FileFacts:
    """Facts of one Python file (its bytes; ast honours the PEP 263 encoding cookie).

    Source that the host's Python cannot parse but the target's newer one may (3.14 syntax on a 3.11
    host) is not skipped: its import statements are read line by line, every one counted as a run-time
    import so the packages it needs are kept, and `partial` says so.
    """
    facts = FileFacts(path)
    try:
        tree = ast.parse(data, filename=path)
    except SyntaxError as error:
        if target is not None and target > HOST_PYTHON:
            facts.imports = _imports_line_by_line(data)
            facts.partial = (
                f"{could_not_parse(target)} (this jettison runs on {HOST_PYTHON[0]}.{HOST_PYTHON[1]}: "
                f"{error.msg}, line {error.lineno})"
            )
            return facts
        facts.error = f"does not parse: {error.msg} (line {error.lineno})"
        return facts
    except (ValueError, UnicodeDecodeError) as error:  # null bytes, undecodable text
        facts.error = f"does not parse: {error}"
        return facts
    except (RecursionError, MemoryError):
        facts.error = "does not parse: too deeply nested"
        return facts
    hint_lines: list[int] = []
    if b"INSTALLED_APPS" in data:  # a Django settings module: every dotted string may be loaded
        hint_lines = list(range(1, data.count(b"\n") + 2))
    line, last = 1, 0
    for match in _EXPRESSION_HINTS.finditer(data):
        line += data.count(b"\n", last, match.start())
        last = match.start()
        if not hint_lines or hint_lines[-1] < line:
            hint_lines.append(line)
    try:
        _Collector(facts, hint_lines).body(tree.body, ImportKind.RUNTIME)
    except RecursionError:
        facts.error = "too deeply nested to analyse"
    return facts
