"""Policy: the one pass that turns what the rules found into what the user sees, and the exit status.

Rules never see pragmas or configuration (hadolint keeps them apart the same way). After every rule
ran, this pass drops findings in excluded paths (`exclude = [...]`) and those ignored by
configuration (`ignore = [...]`), by a file-level `# jettison: ignore-file=ID[,ID]`, or by
`# jettison: ignore=ID[,ID]` on the comment line(s) directly above the finding's line (or at the
end of that line, in files that allow trailing comments); then it applies severity overrides and
compares the rest with the failure threshold.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from jettison.model.findings import Finding, reaches
from jettison.project.config import JettisonConfig

_PRAGMA = re.compile(
    r"#\s*jettison:\s*(?P<kind>ignore-file|ignore)\s*=\s*(?P<ids>[A-Za-z0-9_*-]+(?:\s*,\s*[A-Za-z0-9_*-]+)*)"
)


@dataclass(frozen=True)
class Pragmas:
    file_ids: frozenset[str] = frozenset()
    by_line: dict[int, frozenset[str]] = field(default_factory=dict)

    def ignores(self, rule: str, line: int | None) -> bool:
        if _matches(rule, self.file_ids):
            return True
        return line is not None and _matches(rule, self.by_line.get(line, frozenset()))


def _matches(rule: str, ids: Iterable[str]) -> bool:
    return any(i.lower() == "all" or i.upper() == rule.upper() for i in ids)


def read_pragmas(text: str) -> Pragmas:
    file_ids: set[str] = set()
    by_line: dict[int, set[str]] = {}
    pending: set[str] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped:
            continue
        found = [
            (match.group("kind"), {i.strip() for i in match.group("ids").split(",")})
            for match in _PRAGMA.finditer(line)
        ]
        for kind, ids in found:
            if kind == "ignore-file":
                file_ids |= ids
        line_ids = set().union(*(ids for kind, ids in found if kind == "ignore")) if found else set()
        if stripped.startswith("#"):
            pending |= line_ids  # applies to the next line that is not a comment
            continue
        by_line.setdefault(number, set()).update(pending | line_ids)
        pending = set()
    return Pragmas(frozenset(file_ids), {n: frozenset(ids) for n, ids in by_line.items() if ids})


def apply_policy(
    findings: Iterable[Finding],
    config: JettisonConfig,
    read_text: Callable[[str], str | None] | None = None,
) -> list[Finding]:
    """Findings after ignores and severity overrides. `read_text(path)` gives a finding's file (for
    its pragmas); by default paths are read from disk as they are written in the findings."""
    reader = read_text or _read_from_disk
    cache: dict[str, Pragmas] = {}
    kept = []
    for finding in findings:
        if _matches(finding.rule, config.ignore):
            continue
        location = finding.location
        if location is not None and _excluded(location.path, config.exclude):
            continue
        if location is not None:
            if location.path not in cache:
                text = reader(location.path)
                cache[location.path] = read_pragmas(text) if text is not None else Pragmas()
            if cache[location.path].ignores(finding.rule, location.line):
                continue
        override = config.severity.get(finding.rule)
        if override is not None and override != finding.severity:
            finding = dataclasses.replace(finding, severity=override)
        kept.append(finding)
    return kept


def _excluded(path: str, patterns: Iterable[str]) -> bool:
    """`exclude` globs match a finding's path or any directory above it (`legacy` drops legacy/...)."""
    parts = Path(path).as_posix().split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    return any(fnmatch.fnmatch(prefix, pattern.rstrip("/")) for pattern in patterns for prefix in prefixes)


def exit_status(findings: Iterable[Finding], config: JettisonConfig) -> int:
    """0 when nothing reaches the threshold, 1 otherwise (2, user errors, is the CLI's)."""
    return 1 if reaches(findings, config.fail_on) else 0


def _read_from_disk(path: str) -> str | None:
    try:
        target = Path(path)
        if not target.is_file() or target.stat().st_size > 2_000_000:
            return None
        return target.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None


def policy_reader(root: Path) -> Callable[[str], str | None]:
    """A reader for finding paths relative to the project root (absolute paths are read as they are)."""

    def read(path: str) -> str | None:
        target = Path(path)
        return _read_from_disk(str(target if target.is_absolute() else root / target))

    return read
