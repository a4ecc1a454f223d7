"""Which packages a root set needs: Depends and Pre-Depends, with alternatives, Provides and versions.

A small, deterministic resolver, not apt: every relation group is satisfied by the first alternative
that can be, preferring a package already chosen (or one that provides the name), then the newest
real package meeting the version, then a package providing the name (the alphabetically first, when
several do and none is chosen). Recommends and Suggests are not followed. Conflicts and Breaks are not
checked: the root sets are small and come from one suite, where they hold.

`skip` names packages whose only role is in maintainer scripts jettison never runs (see
jettison.debian.base.SCRIPT_ONLY); a relation satisfied by nothing but a skipped package is recorded
in `skipped`, so the SBOM can say what was left out and why.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from jettison.debian.archive import Package
from jettison.debian.control import Relation, Version, parse_relations
from jettison.errors import JettisonError


@dataclass
class PackageIndex:
    """The packages of one architecture (plus `all`), by name and by what they provide."""

    by_name: dict[str, list[Package]] = field(default_factory=dict)
    providers: dict[str, list[tuple[Package, str | None]]] = field(default_factory=dict)

    @classmethod
    def of(cls, packages: Iterable[Package], architecture: str) -> PackageIndex:
        index = cls()
        for package in packages:
            if package.fields.get("Architecture") not in (architecture, "all"):
                continue
            index.by_name.setdefault(package.name, []).append(package)
            for group in parse_relations(package.fields.get("Provides", ""), f"{package} Provides"):
                for provided in group:
                    index.providers.setdefault(provided.name, []).append((package, provided.version))
        for candidates in index.by_name.values():
            candidates.sort(key=lambda p: Version.parse(p.version), reverse=True)
        return index

    def newest(self, name: str) -> Package | None:
        candidates = self.by_name.get(name)
        return candidates[0] if candidates else None


@dataclass
class Resolution:
    packages: list[Package]  # sorted by name
    reasons: dict[str, str]  # package -> what pulled it in ("root" or "<package> Depends <relation>")
    skipped: dict[str, str]  # skipped package -> the relation that named it


def _candidates(index: PackageIndex, relation: Relation) -> list[Package]:
    real = [p for p in index.by_name.get(relation.name, []) if relation.satisfied_by(p.version)]
    virtual = sorted(
        (p for p, version in index.providers.get(relation.name, []) if relation.satisfied_by(version)),
        key=lambda p: (p.name, Version.parse(p.version)),
    )
    return real + [p for p in virtual if p not in real]


def resolve(
    index: PackageIndex,
    roots: Iterable[str],
    *,
    architecture: str = "amd64",
    skip: Iterable[str] = (),
) -> Resolution:
    """The closure of `roots` under Pre-Depends and Depends; an unsatisfiable relation names its package."""
    skip = set(skip)
    chosen: dict[str, Package] = {}
    provided: dict[str, list[tuple[Package, str | None]]] = {}
    reasons: dict[str, str] = {}
    skipped: dict[str, str] = {}
    queue: list[tuple[Package, str]] = []

    def choose(package: Package, reason: str) -> None:
        chosen[package.name] = package
        reasons[package.name] = reason
        for group in parse_relations(package.fields.get("Provides", ""), f"{package} Provides"):
            for item in group:
                provided.setdefault(item.name, []).append((package, item.version))
        queue.append((package, reason))

    for name in roots:
        package = index.newest(name)
        if package is None:
            # A root renamed by a transition is found by what its successor Provides: trixie's
            # libssl3t64 provides libssl3 on amd64 (time_t was 64-bit there already).
            providers = sorted({p.name: p for p, _ in index.providers.get(name, [])}.values(),
                               key=lambda p: p.name)  # fmt: skip
            package = providers[0] if len(providers) == 1 else None
        if package is None:
            raise JettisonError(f"package {name!r} is not in the index (root set)")
        if name not in chosen:
            choose(package, "root")

    def already(relation: Relation) -> bool:
        existing = chosen.get(relation.name)
        if existing is not None and relation.satisfied_by(existing.version):
            return True
        return any(relation.satisfied_by(version) for _, version in provided.get(relation.name, []))

    while queue:
        package, _ = queue.pop(0)
        for field_name in ("Pre-Depends", "Depends"):
            text = package.fields.get(field_name, "")
            for group in parse_relations(text, f"{package} {field_name}"):
                alternatives = [r for r in group if r.applies_to(architecture)]
                if not alternatives or any(already(r) for r in alternatives):
                    continue
                wanted = " | ".join(str(r) for r in alternatives)
                if any(r.name in skip for r in alternatives):
                    for relation in alternatives:
                        if relation.name in skip:
                            skipped.setdefault(relation.name, f"{package.name} {field_name} {wanted}")
                    continue
                for relation in alternatives:
                    candidates = _candidates(index, relation)
                    if candidates:
                        pick = candidates[0]
                        if pick.name in chosen:
                            raise JettisonError(
                                f"{package.name} {package.version} {field_name} {wanted} needs {pick}, "
                                f"but {chosen[pick.name]} is already chosen"
                            )
                        choose(pick, f"{package.name} {field_name} {wanted}")
                        break
                else:
                    raise JettisonError(
                        f"cannot resolve {package.name} {package.version} {field_name}: {wanted} "
                        f"(no package in the index satisfies it)"
                    )
    packages = sorted(chosen.values(), key=lambda p: p.name)
    return Resolution(packages, reasons, skipped)
