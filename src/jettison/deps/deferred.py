"""Imports that third-party code makes later: inside its functions, when a feature is used.

A kept package may import a declared one only when a feature runs: WTForms' `Email()` imports
email_validator when a form is checked, at the first POST, so neither the project's imports nor a start-up
trace show it. The modules the project imports by name (`from wtforms.validators import Email`) are read
for imports inside their function bodies; each one naming another declared distribution keeps it. The
static audit reads them from the wheel through the index (deps/verdicts.py), the trace from its
environment (runtime/trace.py). Module-level imports need no reading (the import runs them), and only
modules the project names count: a package's optional backends in modules the app does not import
(gunicorn's eventlet worker, pandas' IPython display helpers) keep nothing.
"""

from __future__ import annotations

import ast
import os
from collections.abc import Iterable, Iterator

MAX_FILE_BYTES = 2_000_000
MAX_FILES = 5_000


def deferred_imports(source: str, names: Iterable[str] | None = None) -> Iterator[tuple[str, int]]:
    """(module, line) of each import inside a function or method body of `source`; with `names`, only in
    the top-level functions and classes so named (`Email` for `from wtforms.validators import Email`: the
    feature the project uses, not the module's other optional integrations)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return
    wanted = set(names) if names is not None else None
    roots: list[ast.AST] = [tree] if wanted is None else [
        node for node in tree.body
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name in wanted
    ]  # fmt: skip
    seen: set[int] = set()
    for root in roots:
        for function in ast.walk(root):
            if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)) or id(function) in seen:
                continue
            seen.add(id(function))
            for node in ast.walk(function):
                if isinstance(node, ast.Import):
                    for alias in node.names:
                        yield alias.name, node.lineno
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    yield node.module, node.lineno


def top_level_owners(files_by_dist: dict[str, Iterable[str]], site_dirs: Iterable[str]) -> dict[str, str]:
    """Top-level import name -> distribution, from the files each distribution installed."""
    owners: dict[str, str] = {}
    prefixes = [os.path.normpath(site) + os.sep for site in site_dirs]
    for dist, files in files_by_dist.items():
        for path in files:
            prefix = next((p for p in prefixes if path.startswith(p)), None)
            if prefix is None:
                continue
            first = path[len(prefix):].split(os.sep, 1)[0]
            if first.endswith((".dist-info", ".data", ".pth")) or first == "__pycache__":
                continue
            owners.setdefault(first.split(".", 1)[0], dist)
    return owners


def lazy_evidence(
    loaded: dict[str, tuple[str, str]], owners: dict[str, str], step: str,
    names: dict[str, set[str]] | None = None,
) -> dict[str, list[str]]:
    """Distribution -> evidence lines, from the deferred imports of the loaded third-party modules.

    `loaded` maps module name -> (its file, its distribution); `names`, module -> the names the project
    imports from it (only those functions and classes are read; a module without names is not read)."""
    found: dict[str, list[str]] = {}
    for count, (module, (path, holder)) in enumerate(sorted(loaded.items())):
        wanted = (names or {}).get(module) if names is not None else None
        if count >= MAX_FILES or not path.endswith(".py") or (names is not None and not wanted):
            continue
        try:
            if os.path.getsize(path) > MAX_FILE_BYTES:
                continue
            with open(path, encoding="utf-8", errors="replace") as handle:
                source = handle.read()
        except OSError:
            continue
        for imported, line in deferred_imports(source, wanted):
            dist = owners.get(imported.split(".", 1)[0])
            if dist is None or dist == holder:
                continue
            text = (f"imported inside a function of {module} (line {line}, loaded at run time), when that "
                    f"feature runs -> {imported} (traced: {step})")  # fmt: skip
            lines = found.setdefault(dist, [])
            if text not in lines and len(lines) < 3:
                lines.append(text)
    return found


def named_features(imported_names: Iterable[str]) -> dict[str, set[str]]:
    """Module -> the names imported from it: `wtforms.validators.Email` -> {wtforms.validators: {Email}},
    every split point, since which part is the module is known only to the reader of the files."""
    out: dict[str, set[str]] = {}
    for dotted in imported_names:
        parts = dotted.split(".")
        for cut in range(1, len(parts)):
            out.setdefault(".".join(parts[:cut]), set()).add(parts[cut])
    return out
