"""Requirements as plain data: the lines a project declares, and what the audit concluded about each.

A `RequirementLine` is one declaration (a line of a requirements file, an entry of pyproject.toml)
with enough of its source kept to rewrite the file without touching anything else. A
`RequirementVerdict` says whether the distribution is needed at run time and records the evidence
(`Evidence`) that decided it, so every conclusion can be traced to a file and line.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from functools import cached_property

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name


def normalize_name(name: str) -> str:
    """PEP 503 normalized form: lower case, runs of -_. become one dash (packaging's canonicalize_name)."""
    return str(canonicalize_name(name))


class Verdict(enum.StrEnum):
    """What a declared (or missing) distribution is to the running application."""

    USED = "used"  # imported, or named by a string that the runtime resolves (worker class, URL, ...)
    OPTIONAL = "optional"  # imported only behind `try: ... except ImportError`
    TRANSITIVE = "transitive"  # never imported, but a kept package requires it
    UNUSED = "unused"  # nothing needs it at run time
    UNSURE = "unsure"  # nothing read needs it, but a source file could not be read: kept, never pruned
    MISSING = "missing"  # imported but not declared anywhere


@dataclass(frozen=True, order=True)
class SourceRef:
    """Where something was read: a path relative to the project root and a 1-based line."""

    path: str
    line: int | None = None

    def __str__(self) -> str:
        return self.path if self.line is None else f"{self.path}:{self.line}"


@dataclass(frozen=True)
class RequirementLine:
    """One declared requirement.

    `requirement` is None for lines that name no distribution we can judge (a bare local path such
    as `-e .`). `group` is None for run-time requirements; otherwise it names the non-runtime group
    (an optional-dependencies extra, a Poetry dev group, a requirements-dev.txt file) — those are
    used to resolve imports but never reported unused.
    """

    requirement: Requirement | None
    source: SourceRef
    text: str  # the logical line as written, continuation lines joined
    hashes: tuple[str, ...] = ()
    comment: str | None = None
    editable: bool = False
    url: str | None = None
    group: str | None = None
    last_line: int | None = None  # where a continued line ends

    @cached_property
    def name(self) -> str | None:
        # Cached: the audit asks every line for its name once per distribution it judges.
        return normalize_name(self.requirement.name) if self.requirement else None

    @property
    def extras(self) -> frozenset[str]:
        return frozenset(self.requirement.extras) if self.requirement else frozenset()

    @property
    def pinned_version(self) -> str | None:
        """The version of an `==`/`===` pin without wildcards, else None."""
        if self.requirement is None:
            return None
        for spec in self.requirement.specifier:
            if spec.operator in ("==", "===") and "*" not in spec.version:
                return spec.version
        return None

    @property
    def runtime(self) -> bool:
        return self.group is None


@dataclass(frozen=True)
class LockedPackage:
    """A package pinned by a lock file, with the dependency edges the lock recorded."""

    name: str
    version: str | None
    dependencies: tuple[Requirement, ...] = ()
    source: SourceRef | None = None


@dataclass(frozen=True)
class RequirementSet:
    """Everything a project declares: lines from every source, plus lock-file pins."""

    lines: tuple[RequirementLine, ...] = ()
    constraints: tuple[RequirementLine, ...] = ()
    locked: tuple[LockedPackage, ...] = ()
    files: tuple[str, ...] = ()  # the requirement sources read, relative to the root

    def names(self) -> list[str]:
        return sorted({line.name for line in self.lines if line.name})

    def runtime_names(self) -> list[str]:
        return sorted({line.name for line in self.lines if line.name and line.runtime})

    @cached_property
    def _index(self) -> dict[str, dict[str, list]]:
        """Lines, constraints and locked packages by name, built once: lookups per name stay linear."""
        index: dict[str, dict[str, list]] = {"lines": {}, "constraints": {}, "locked": {}}
        for line in self.lines:
            if line.name:
                index["lines"].setdefault(line.name, []).append(line)
        for line in self.constraints:
            if line.name:
                index["constraints"].setdefault(line.name, []).append(line)
        for package in self.locked:
            index["locked"].setdefault(package.name, []).append(package)
        return index

    def lines_for(self, name: str) -> list[RequirementLine]:
        return list(self._index["lines"].get(name, ()))

    def pin(self, name: str) -> str | None:
        """The version this project installs for `name`: its own pin, a constraint, then a lock file."""
        for line in (*self.lines_for(name), *self._index["constraints"].get(name, ())):
            if line.pinned_version:
                return line.pinned_version
        for package in self._index["locked"].get(name, ()):
            if package.version:
                return package.version
        return None

    def extras_for(self, name: str) -> frozenset[str]:
        extras: set[str] = set()
        for line in self.lines_for(name):
            extras |= line.extras
        return frozenset(extras)


@dataclass(frozen=True)
class Evidence:
    """One fact behind a verdict.

    kind: `import`, `optional-import`, `type-checking-import`, `string` (a string-reference rule
    fired; `rule` names it), `required-by` (detail is the requiring distribution), `not-imported`.
    """

    kind: str
    detail: str
    source: SourceRef | None = None
    rule: str | None = None

    def __str__(self) -> str:
        where = f" ({self.source})" if self.source else ""
        return f"{self.detail}{where}"


@dataclass(frozen=True)
class RequirementVerdict:
    """The audit's conclusion about one distribution."""

    name: str
    verdict: Verdict
    evidence: tuple[Evidence, ...] = ()
    lines: tuple[RequirementLine, ...] = ()
    modules: tuple[str, ...] = ()  # import names the distribution provides
    mapping_source: str | None = None  # which link of the name-resolution chain decided `modules`
    version: str | None = None
    size_bytes: int | None = None  # installed size on the target platform, when known

    @property
    def reason(self) -> str:
        return str(self.evidence[0]) if self.evidence else ""


@dataclass(frozen=True)
class RequirementSummary:
    """Totals for the report: counts per verdict and installed sizes before/after pruning."""

    verdicts: tuple[RequirementVerdict, ...] = ()
    files: tuple[str, ...] = ()
    target: str = ""
    size_before: int | None = None
    size_after: int | None = None
    unknown_sizes: tuple[str, ...] = ()  # distributions whose size could not be determined
    unresolved: tuple[str, ...] = field(default=())  # distributions without dependency metadata

    def by_verdict(self, verdict: Verdict) -> list[RequirementVerdict]:
        return [v for v in self.verdicts if v.verdict is verdict]

    def counts(self) -> dict[str, int]:
        return {v.value: len(self.by_verdict(v)) for v in Verdict}


def declaring_line(text: str, name: str) -> str | None:
    """The line of a requirements text that declares `name` (`gunicorn==22.0.0 ; python_version...`), as
    written, for putting back a package that pruning took out but the image runs: its pin is the user's."""
    wanted = normalize_name(name)
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith(("#", "-")):
            continue
        head = stripped.split(";", 1)[0].split("#", 1)[0].strip()
        for cut, char in enumerate(head):
            if char in "<>=!~[ @":
                head = head[:cut]
                break
        if head and normalize_name(head) == wanted:
            return stripped
    return None
