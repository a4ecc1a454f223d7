"""Pruned requirements, cached by what the requirements audit actually looks at.

The audit (jettison.deps) judges a requirement from the project's imports and the strings that name
code (worker classes, app paths), the config and command files, and the requirement files; importing it
costs ~150 ms (it brings an HTTP client for the index). An edit to a function body changes none of that,
so the verdict is cached under a fingerprint of exactly those inputs: every Python file's imports and
keyed strings as jettison.deps.imports sees them (line numbers left out, so moving code around keeps the
key), the full bytes of every config/command and requirement file, and the file lists. A warm rebuild
after a code edit then re-parses the sources (milliseconds) and skips the audit.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path

CACHE_FORMAT = 1
PruneFunction = Callable[[Path, Path], str]


def audit_fingerprint(root: Path, requirements: Path) -> str:
    from jettison.deps.imports import scan_source
    from jettison.project.sources import walk_project

    files = walk_project(root)
    digest = hashlib.sha256()

    def add(*parts: object) -> None:
        digest.update(json.dumps(parts, default=str).encode() + b"\n")

    add("format", CACHE_FORMAT, str(requirements.relative_to(root) if requirements.is_relative_to(root) else
                                    requirements))  # fmt: skip
    add("lists", files.python, files.other, files.requirement_files)
    for rel in files.python:
        try:
            facts = scan_source((root / rel).read_bytes(), rel)
        except OSError:
            add("unreadable", rel)
            continue
        imports = sorted({(i.name, str(i.kind), i.via) for i in facts.imports})
        strings = sorted({(s.key or "", s.value) for s in facts.strings})
        add("py", rel, imports, strings, facts.error)
    for rel in [*files.other, *files.requirement_files]:
        try:
            add("file", rel, hashlib.sha256((root / rel).read_bytes()).hexdigest())
        except OSError:
            add("unreadable", rel)
    try:
        add("requirements", hashlib.sha256(requirements.read_bytes()).hexdigest())
    except OSError:
        add("requirements-missing")
    return digest.hexdigest()


def cached_prune(cache_root: Path, prune: PruneFunction | None = None) -> PruneFunction:
    """A prune function (root, requirements file) -> text that consults the cache first."""

    def run(root: Path, requirements: Path) -> str:
        key = audit_fingerprint(Path(root), Path(requirements))
        path = cache_root / "prune" / f"{key}.txt"
        try:
            return path.read_text(encoding="utf-8")
        except OSError:
            pass
        if prune is None:
            from jettison.deps.prune import pruned_requirements

            text = pruned_requirements(Path(root), Path(requirements))
        else:
            text = prune(Path(root), Path(requirements))
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        temporary.write_text(text, encoding="utf-8")
        temporary.replace(path)
        return text

    return run
