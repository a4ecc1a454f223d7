"""Stage 2: distribution name -> facts (modules, requirements, size), as a chain with provenance.

Links are tried in order and the first that knows a distribution answers; its name is recorded in
`DistributionInfo.source`, so every verdict can say which link decided it:

1. the installed environment given with `--python` (what the code really runs against);
2. the package index, through the on-disk cache (skipped with `--offline`);
3. the built-in offline table (deps/data/offline.json, a snapshot of index metadata);
4. a guess from the name (`python-foo` -> `foo`, dashes -> underscores), marked as such.

Lock files (uv.lock, poetry.lock) fill in dependency edges where a link knows modules but not
requirements.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from functools import lru_cache
from importlib import resources
from threading import Lock

from packaging.requirements import Requirement

from jettison.deps.distributions import DistributionInfo
from jettison.model.requirements import LockedPackage, normalize_name

# A link answers (name, requirement, pin) with facts, or None when it does not know the distribution.
Link = Callable[[str, Requirement | None, str | None], DistributionInfo | None]


@lru_cache(maxsize=1)
def _offline_data() -> tuple[dict[str, DistributionInfo], dict[str, dict[str, DistributionInfo]]]:
    text = resources.files("jettison.deps").joinpath("data/offline.json").read_text(encoding="utf-8")
    data = json.loads(text)
    latest = {name: DistributionInfo.from_json(entry) for name, entry in data["distributions"].items()}
    pinned = {
        name: {version: DistributionInfo.from_json(entry) for version, entry in entries.items()}
        for name, entries in data.get("versions", {}).items()
    }
    return latest, pinned


def offline_table() -> dict[str, DistributionInfo]:
    """The built-in table: a snapshot of index metadata for common distributions (see deps/snapshot.py)."""
    return _offline_data()[0]


def offline_link(name: str, requirement: Requirement | None, pin: str | None) -> DistributionInfo | None:
    latest, pinned = _offline_data()
    exact = pinned.get(name, {}).get(pin) if pin else None
    if exact is not None:
        return replace(exact, source=f"built-in table ({exact.name} {exact.version})")
    entry = latest.get(name)
    if entry is None:
        return None
    source = f"built-in table ({entry.name} {entry.version})"
    if pin and entry.version != pin:
        # Import names rarely change between releases; sizes and requirements may, so say so.
        source += f", project pins {pin}"
    return replace(entry, version=pin or entry.version, source=source)


def guess_modules(name: str) -> tuple[str, ...]:
    base = name.lower()
    for prefix in ("python-", "py-"):
        if base.startswith(prefix) and len(base) > len(prefix):
            return (base.replace("-", "_"), base[len(prefix) :].replace("-", "_"))
    if base.endswith("-binary"):
        return (base.removesuffix("-binary").replace("-", "_"),)
    return (base.replace("-", "_").replace(".", "_"),)


def guess_link(name: str, requirement: Requirement | None, pin: str | None) -> DistributionInfo:
    return DistributionInfo(name, pin, guess_modules(name), None, None, "name guess")


class DistributionResolver:
    """Facts for distributions, memoized, looked up through the chain of links (thread-safe)."""

    def __init__(
        self,
        links: list[tuple[str, Link]],
        locked: Iterable[LockedPackage] = (),
        workers: int = 8,
        user_modules: dict[str, tuple[str, ...]] | None = None,
    ) -> None:
        self.links = links
        # The user's word comes first: `[tool.jettison.package-modules]` names a distribution's modules.
        self.user_modules = {normalize_name(k): v for k, v in (user_modules or {}).items()}
        self.locked = {package.name: package for package in locked}
        self.workers = workers
        self.memo: dict[str, DistributionInfo] = {}
        self.problems: dict[str, str] = {}  # name -> why a link failed (network errors, missing wheels)
        self._lock = Lock()

    def info(
        self, name: str, requirement: Requirement | None = None, pin: str | None = None
    ) -> DistributionInfo:
        name = normalize_name(name)
        with self._lock:
            if name in self.memo:
                return self.memo[name]
        found: DistributionInfo | None = None
        partial: DistributionInfo | None = None  # a link that knew requirements but not modules (sdist only)
        for label, link in self.links:
            try:
                found = link(name, requirement, pin)
            except Exception as error:  # a failing link (network) must not stop the chain
                with self._lock:
                    self.problems[name] = f"{label}: {error}"
                found = None
            if found is not None and found.modules:
                break
            if found is not None:
                with self._lock:
                    self.problems.setdefault(name, found.source)
                partial = partial or found
                found = None
        if found is None:
            found = guess_link(name, requirement, pin)
        if partial is not None and partial.requires is not None:
            # The earlier link read this exact version's metadata: its requirements win.
            found = replace(
                found, version=partial.version or found.version, requires=partial.requires,
                source=f"{partial.source}; modules from {found.source}",
            )  # fmt: skip
        locked = self.locked.get(name)
        if locked is not None and (
            found.requires is None or found.source.startswith(("built-in", "name guess"))
        ):
            found = replace(
                found, version=found.version or locked.version, source=found.source + " + lock file edges",
                requires=tuple(str(r) for r in locked.dependencies),
            )  # fmt: skip
        if name in self.user_modules:
            found = replace(found, modules=self.user_modules[name], source=f"user mapping; {found.source}")
        with self._lock:
            self.memo.setdefault(name, found)
            return self.memo[name]

    def prefetch(self, wanted: Iterable[tuple[str, Requirement | None, str | None]]) -> None:
        """Look many distributions up in parallel (index lookups are network-bound)."""
        todo = [item for item in wanted if normalize_name(item[0]) not in self.memo]
        if len(todo) <= 1 or self.workers <= 1:
            for item in todo:
                self.info(*item)
            return
        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            list(pool.map(lambda item: self.info(*item), todo))
