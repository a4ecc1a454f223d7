"""Regenerate the built-in offline table from the package index (network).

    python -m jettison.deps.snapshot [NAME[==VERSION] ...]

Without arguments it snapshots the names in data/offline-seed.txt. Each name is looked up for the
default target (CPython 3.11, linux x86_64 manylinux) together with the closure of its run-time
requirements, and written to data/offline.json. The table is data measured from real wheels, so
`--offline` audits give the same answers as online ones for these distributions.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from packaging.requirements import Requirement

from jettison.deps.index import IndexError_, PackageIndex, http_client
from jettison.deps.resolve import guess_modules
from jettison.deps.target import Target
from jettison.model.requirements import normalize_name

DATA = Path(__file__).parent / "data"
# Import names of distributions published only as sdists for Linux (checked against their sources).
SDIST_MODULES = {"psycopg2": ("psycopg2",), "mysqlclient": ("MySQLdb",), "python-memcached": ("memcache",)}


def snapshot(specs: list[str]) -> dict[str, dict[str, object]]:
    target = Target()
    index = PackageIndex(http_client(), target)
    table: dict[str, dict[str, object]] = {}
    infos = {}
    done: set[tuple[str, frozenset[str]]] = set()
    queue = [Requirement(spec) for spec in specs]
    # Pinned seeds (the bundled example's `pip freeze`) win over whatever version a dependant would get.
    for requirement in queue:
        pin = next((s.version for s in requirement.specifier if s.operator == "=="), None)
        if pin is not None:
            try:
                name = normalize_name(requirement.name)
                infos[name] = index.lookup(name, None, pin)
            except IndexError_ as error:
                print(f"skip {requirement}: {error}", file=sys.stderr)
    while queue:
        requirement = queue.pop()
        name = normalize_name(requirement.name)
        extras = frozenset(requirement.extras)
        if (name, extras) in done:
            continue
        done.add((name, extras))
        if name not in infos:
            pin = next((s.version for s in requirement.specifier if s.operator == "=="), None)
            try:
                infos[name] = index.lookup(name, requirement if pin else None, pin)
            except IndexError_ as error:
                print(f"skip {name}: {error}", file=sys.stderr)
                infos[name] = None
        info = infos[name]
        if info is None:
            continue
        entry = info.to_json()
        if not info.modules:  # sdist only for the target: the import name cannot be read without a build
            entry["modules"] = list(SDIST_MODULES.get(name, guess_modules(name)))
        entry["source"] = info.source.removeprefix("index: ")
        table[name] = entry
        for raw in info.requires or ():
            dep = Requirement(raw)
            if target.evaluate(dep.marker, extras):  # the extras a dependant asks for count too
                queue.append(
                    Requirement(dep.name + (f"[{','.join(sorted(dep.extras))}]" if dep.extras else ""))
                )
    return table


def _seed_file(path: Path) -> list[str]:
    lines = (line.split("#")[0].strip() for line in path.read_text().splitlines())
    return [line for line in lines if line]


def main(argv: list[str]) -> int:
    """Arguments are requirement specs, or `-r FILE` to add a requirements file's (pinned) lines."""
    specs: list[str] = []
    arguments = list(argv)
    while arguments:
        argument = arguments.pop(0)
        if argument == "-r" and arguments:
            specs += [s for s in _seed_file(Path(arguments.pop(0))) if not s.startswith("-")]
        else:
            specs.append(argument)
    if not specs:
        specs = _seed_file(DATA / "offline-seed.txt")
    table = snapshot(specs)
    out = {"target": str(Target()), "distributions": dict(sorted(table.items()))}
    (DATA / "offline.json").write_text(json.dumps(out, indent=0, sort_keys=True) + "\n")
    print(f"{len(table)} distributions written to {DATA / 'offline.json'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
