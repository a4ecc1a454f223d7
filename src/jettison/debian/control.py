"""Debian's control-file formats as values: deb822 paragraphs, package versions, relation fields.

deb822 (Packages, Release, a .deb's control file): paragraphs separated by blank lines, `Field: value`
lines, continuation lines starting with a space or tab. Versions compare by dpkg's algorithm
([epoch:]upstream[-revision], `~` sorting before everything, letters before other characters).
Relations (Depends, Pre-Depends, Provides) are comma-separated groups of `|` alternatives, each
`name[:archqual] [(op version)] [[arch list]] [<profiles>]`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from jettison.errors import JettisonError


def parse_paragraphs(text: str, where: str = "control file") -> Iterator[dict[str, str]]:
    """Each paragraph of a deb822 text as {field: value}; continuation lines keep their newline."""
    fields: dict[str, str] = {}
    current: str | None = None
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            if fields:
                yield fields
            fields, current = {}, None
            continue
        if line[0] in " \t":
            if current is None:
                raise JettisonError("continuation line before any field", where, number)
            fields[current] += "\n" + line[1:]
            continue
        if line.startswith("#"):
            continue
        name, colon, value = line.partition(":")
        if not colon or not name or " " in name:
            raise JettisonError(f"not a 'Field: value' line: {line[:60]!r}", where, number)
        current = name
        fields[name] = value.strip()
    if fields:
        yield fields


# ---- versions -----------------------------------------------------------------------------------------

_VERSION = re.compile(
    r"^(?:(?P<epoch>\d+):)?(?P<upstream>[0-9][A-Za-z0-9.+~:-]*?)(?:-(?P<revision>[A-Za-z0-9.+~]+))?$"
)


def _order(char: str) -> int:
    if char == "~":
        return -1
    if char.isalpha():
        return ord(char)
    return ord(char) + 256


def _compare_part(a: str, b: str) -> int:
    """dpkg's verrevcmp: alternating non-digit and digit runs."""
    i = j = 0
    while i < len(a) or j < len(b):
        first_diff = 0
        while (i < len(a) and not a[i].isdigit()) or (j < len(b) and not b[j].isdigit()):
            ac = _order(a[i]) if i < len(a) and not a[i].isdigit() else 0
            bc = _order(b[j]) if j < len(b) and not b[j].isdigit() else 0
            if ac != bc:
                return -1 if ac < bc else 1
            i += 1
            j += 1
        while i < len(a) and a[i] == "0":
            i += 1
        while j < len(b) and b[j] == "0":
            j += 1
        while i < len(a) and a[i].isdigit() and j < len(b) and b[j].isdigit():
            if not first_diff:
                first_diff = (a[i] > b[j]) - (a[i] < b[j])
            i += 1
            j += 1
        if i < len(a) and a[i].isdigit():
            return 1
        if j < len(b) and b[j].isdigit():
            return -1
        if first_diff:
            return first_diff
    return 0


@dataclass(frozen=True)
class Version:
    epoch: int
    upstream: str
    revision: str

    @classmethod
    def parse(cls, text: str) -> Version:
        text = text.strip()
        match = _VERSION.match(text)
        if not match:
            raise JettisonError(f"not a Debian version: {text!r}")
        return cls(int(match["epoch"] or 0), match["upstream"], match["revision"] or "")

    def compare(self, other: Version) -> int:
        if self.epoch != other.epoch:
            return -1 if self.epoch < other.epoch else 1
        return _compare_part(self.upstream, other.upstream) or _compare_part(self.revision, other.revision)

    def __lt__(self, other: Version) -> bool:
        return self.compare(other) < 0

    def __str__(self) -> str:
        text = f"{self.epoch}:{self.upstream}" if self.epoch else self.upstream
        return f"{text}-{self.revision}" if self.revision else text


def compare_versions(a: str, b: str) -> int:
    return Version.parse(a).compare(Version.parse(b))


# ---- relations ----------------------------------------------------------------------------------------


_RELATION = re.compile(
    r"^(?P<name>[a-z0-9][a-z0-9+.-]*)(?::(?P<archqual>[a-z0-9-]+))?\s*"
    r"(?:\(\s*(?P<op><<|<=|=|>=|>>|<|>)\s*(?P<version>[^)\s]+)\s*\))?\s*"
    r"(?:\[(?P<arches>[^\]]*)\])?\s*(?:<[^>]*>\s*)*$"
)


@dataclass(frozen=True)
class Relation:
    """One alternative of a relation: a package name with an optional version constraint."""

    name: str
    op: str | None = None
    version: str | None = None
    arches: tuple[str, ...] = ()

    def satisfied_by(self, version: str | None) -> bool:
        """Whether a package (or a Provides entry, `version` None when unversioned) meets this."""
        if self.op is None:
            return True
        if version is None or self.version is None:
            return False
        c = compare_versions(version, self.version)
        op = {"<": "<=", ">": ">="}.get(self.op, self.op)
        return {"<<": c < 0, "<=": c <= 0, "=": c == 0, ">=": c >= 0, ">>": c > 0}[op]

    def applies_to(self, architecture: str) -> bool:
        if not self.arches:
            return True
        negated = [a[1:] for a in self.arches if a.startswith("!")]
        if negated:
            return architecture not in negated
        return architecture in self.arches

    def __str__(self) -> str:
        return f"{self.name} ({self.op} {self.version})" if self.op else self.name


def parse_relations(text: str, where: str = "relation field") -> list[tuple[Relation, ...]]:
    """A Depends-like field as a list of groups of alternatives."""
    groups: list[tuple[Relation, ...]] = []
    for group in text.replace("\n", " ").split(","):
        if not group.strip():
            continue
        alternatives = []
        for item in group.split("|"):
            match = _RELATION.match(item.strip())
            if not match:
                raise JettisonError(f"cannot read relation {item.strip()!r}", where)
            arches = tuple(match["arches"].split()) if match["arches"] else ()
            alternatives.append(Relation(match["name"], match["op"], match["version"], arches))
        groups.append(tuple(alternatives))
    return groups
