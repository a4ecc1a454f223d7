"""Scanning a project's files for imports and string references, with a per-file facts cache.

Each Python file is read and parsed once; its facts (deps/imports.py) are cached by path, size and
mtime under the cache directory, so auditing an unchanged project again parses nothing. Command and
config files are small and few; they are read every time.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from jettison.deps.imports import FileFacts, scan_source
from jettison.deps.settings import settings_references
from jettison.deps.strings import StringReference, python_references, text_references
from jettison.model.requirements import SourceRef
from jettison.project.sources import ProjectFiles, read_source

FACTS_VERSION = 6  # bump whenever scan_source records something new
MAX_TEXT_BYTES = 1024 * 1024


@dataclass
class ScanResult:
    facts: list[FileFacts] = field(default_factory=list)
    references: list[StringReference] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)
    # Sources (files or directories) whose imports are unknown: no requirement may be judged unused.
    unreadable: list[SourceRef] = field(default_factory=list)

    def could_not_read(self, path: str, reason: str) -> None:
        self.skipped.append((path, reason))
        self.unreadable.append(SourceRef(path, line_from(reason)))


def line_from(reason: str) -> int | None:
    """The line a skip reason names (`does not parse: ... (line 3)`), if any."""
    marker = "(line "
    if marker in reason:
        digits = reason.rsplit(marker, 1)[1].split(")", 1)[0]
        return int(digits) if digits.isdigit() else None
    return None


def _cache_file(cache: Path, root: Path, target: tuple[int, int] | None) -> Path:
    # Facts depend on the target only for source newer than the host's parser; keyed on it anyway.
    digest = hashlib.sha256(f"{root.resolve()}\0{target}".encode()).hexdigest()[:24]
    return cache / "facts" / f"{digest}.json"


def scan_project(
    files: ProjectFiles, cache: Path | None, target: tuple[int, int] | None = None
) -> ScanResult:
    """Facts of every file; `target` (the image's Python) lets newer syntax be read for it."""
    root = files.root
    result = ScanResult()
    for rel, reason in files.unreadable:
        result.could_not_read(rel, reason)
    previous: dict[str, list[object]] = {}
    cache_path = _cache_file(cache, root, target) if cache is not None else None
    if cache_path is not None:
        try:
            stored = json.loads(cache_path.read_text(encoding="utf-8"))
            if stored.get("version") == FACTS_VERSION:
                previous = stored["files"]
        except (OSError, ValueError, KeyError, AttributeError):
            previous = {}
    current: dict[str, list[object]] = {}
    changed = False
    for rel in files.python:
        path = root / rel
        try:
            stat = os.stat(path)
        except OSError as error:
            result.could_not_read(rel, f"cannot read: {error.strerror}")
            continue
        stamp = [stat.st_size, stat.st_mtime_ns]
        entry = previous.get(rel)
        data: bytes | None = b""
        if entry is not None and entry[:2] == stamp:
            facts = FileFacts.from_json(rel, entry[2])  # type: ignore[arg-type]
        else:
            data, reason = read_source(path)
            facts = FileFacts(rel, error=reason) if data is None else scan_source(data, rel, target)
            changed = True
        if data is not None:  # a failed read is tried again next run (a chmod keeps the mtime)
            current[rel] = [*stamp, facts.to_json()]
        if facts.error:
            result.could_not_read(rel, facts.error)
            continue
        if facts.partial:  # imports read line by line: counted, and the file named in the report
            result.skipped.append((rel, facts.partial))
        result.facts.append(facts)
        result.references.extend(python_references(facts))
    if cache_path is not None and (changed or set(previous) != set(current)):
        try:
            cache_path.parent.mkdir(parents=True, exist_ok=True)
            tmp = cache_path.with_name(f".{cache_path.name}.{os.getpid()}.tmp")
            tmp.write_text(json.dumps({"version": FACTS_VERSION, "files": current}), encoding="utf-8")
            os.replace(tmp, cache_path)
        except OSError:
            pass  # an unwritable cache only costs speed
    # Django settings as values (deps/settings.py): what the per-file strings cannot see.
    evaluated, reinterpreted = settings_references(root, result.facts)
    if evaluated:
        result.references = [
            r for r in result.references if not (r.rule == "sqlalchemy-url" and r.source in reinterpreted)
        ]
        known = {(r.modules, r.source, r.rule) for r in result.references}
        result.references.extend(r for r in evaluated if (r.modules, r.source, r.rule) not in known)
    for rel in files.other:
        path = root / rel
        try:
            if path.stat().st_size > MAX_TEXT_BYTES:
                continue
            text = path.read_bytes().decode("utf-8", "replace")
        except OSError:
            continue
        if "\0" in text[:4096]:
            continue
        result.references.extend(text_references(text, rel))
    return result
