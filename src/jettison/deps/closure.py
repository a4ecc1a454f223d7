"""The Requires-Dist closure of a set of distributions, with markers evaluated for the target.

Breadth-first, one level at a time so the resolver can look a whole level up in parallel. Each
reached distribution remembers the first distribution that required it (its `required-by` evidence).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from packaging.requirements import InvalidRequirement, Requirement

from jettison.deps.resolve import DistributionResolver
from jettison.deps.target import Target
from jettison.model.requirements import normalize_name


@dataclass
class Closure:
    parent: dict[str, str | None] = field(
        default_factory=dict
    )  # reached name -> who required it (None: root)
    requirement: dict[str, Requirement | None] = field(default_factory=dict)
    unresolved: set[str] = field(default_factory=set)  # reached, but their requirements are unknown

    def __contains__(self, name: str) -> bool:
        return name in self.parent


def dependency_closure(
    roots: dict[str, frozenset[str]],
    resolver: DistributionResolver,
    target: Target,
    pin: Callable[[str], str | None],
    root_requirements: dict[str, Requirement | None] | None = None,
) -> Closure:
    """Every distribution installing `roots` (name -> requested extras) pulls in, roots included."""
    result = Closure()
    extras_seen: dict[str, frozenset[str]] = {}
    level: list[tuple[str, frozenset[str], Requirement | None, str | None]] = [
        (name, extras, (root_requirements or {}).get(name), None) for name, extras in sorted(roots.items())
    ]
    while level:
        fresh = []
        for name, extras, requirement, parent in level:
            known = extras_seen.get(name)
            if known is not None and extras <= known:
                continue
            extras_seen[name] = (known or frozenset()) | extras
            if name not in result.parent:
                result.parent[name] = parent
                result.requirement[name] = requirement
            fresh.append((name, extras_seen[name], requirement))
        resolver.prefetch([(name, requirement, pin(name)) for name, _, requirement in fresh])
        following: list[tuple[str, frozenset[str], Requirement | None, str | None]] = []
        for name, extras, requirement in fresh:
            info = resolver.info(name, requirement, pin(name))
            if info.requires is None:
                result.unresolved.add(name)
                continue
            for raw in info.requires:
                try:
                    dependency = Requirement(raw)
                except InvalidRequirement:
                    continue
                if not target.evaluate(dependency.marker, extras):
                    continue
                following.append(
                    (normalize_name(dependency.name), frozenset(dependency.extras), dependency, name)
                )
        level = following
    return result
