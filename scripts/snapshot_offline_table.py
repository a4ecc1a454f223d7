"""Regenerate the built-in offline table from the package index (network).

    python3 scripts/snapshot_offline_table.py [NAME[==VERSION] ...]

A maintenance script, not part of the installed package (it used to ship in the wheel as
jettison.deps.snapshot); it writes into the source tree.

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

from jettison.deps.distributions import DistributionInfo
from jettison.deps.index import IndexError_, PackageIndex, http_client
from jettison.deps.resolve import guess_modules
from jettison.deps.target import Target
from jettison.errors import JettisonError
from jettison.model.requirements import normalize_name
from jettison.project.requirements_txt import parse_requirements_file

DATA = Path(__file__).resolve().parents[1] / "src" / "jettison" / "deps" / "data"
# Import names of distributions published only as sdists for Linux (checked against their sources).
SDIST_MODULES = {"psycopg2": ("psycopg2",), "mysqlclient": ("MySQLdb",), "python-memcached": ("memcache",)}


def _entry(name: str, info: DistributionInfo) -> dict[str, object]:
    entry = info.to_json()
    if not info.modules:  # sdist only for the target: the import name cannot be read without a build
        entry["modules"] = list(SDIST_MODULES.get(name, guess_modules(name)))
    entry["source"] = info.source.removeprefix("index: ")
    return entry


def _dependencies(info: DistributionInfo, extras: frozenset[str], target: Target) -> list[Requirement]:
    out = []
    for raw in info.requires or ():
        dep = Requirement(raw)
        if target.evaluate(dep.marker, extras):  # the extras a dependant asks for count too
            out.append(Requirement(dep.name + (f"[{','.join(sorted(dep.extras))}]" if dep.extras else "")))
    return out


Entry = dict[str, object]


def snapshot(specs: list[str]) -> tuple[dict[str, Entry], dict[str, dict[str, Entry]]]:
    """(newest release of every name reached, {name: {pinned version: entry}} for pinned specs)."""
    target = Target()
    index = PackageIndex(http_client(), target)
    table: dict[str, Entry] = {}
    versions: dict[str, dict[str, Entry]] = {}
    latest: dict[str, DistributionInfo | None] = {}
    done: set[tuple[str, frozenset[str]]] = set()
    queue: list[Requirement] = []
    for spec in specs:
        requirement = Requirement(spec)
        name = normalize_name(requirement.name)
        pin = next((s.version for s in requirement.specifier if s.operator == "=="), None)
        extras = f"[{','.join(sorted(requirement.extras))}]" if requirement.extras else ""
        queue.append(Requirement(name + extras))
        if pin is None:
            continue
        try:
            info = index.lookup(name, None, pin)
        except IndexError_ as error:
            print(f"skip {spec}: {error}", file=sys.stderr)
            continue
        versions.setdefault(name, {})[pin] = _entry(name, info)
        queue.extend(_dependencies(info, frozenset(requirement.extras), target))
    while queue:
        requirement = queue.pop()
        name = normalize_name(requirement.name)
        extras = frozenset(requirement.extras)
        if (name, extras) in done:
            continue
        done.add((name, extras))
        if name not in latest:
            try:
                latest[name] = index.lookup(name, None, None)
            except IndexError_ as error:
                print(f"skip {name}: {error}", file=sys.stderr)
                latest[name] = None
        info = latest[name]
        if info is None:
            continue
        table[name] = _entry(name, info)
        queue.extend(_dependencies(info, extras, target))
    return table, versions


def _requirements_file(path: Path) -> list[str]:
    """name[extras]==pin of each line of a requirements file (its includes too); [] when it is invalid."""
    try:
        parsed = parse_requirements_file(path, path.parent)
    except JettisonError as error:
        print(f"skip {error}", file=sys.stderr)
        return []
    out = []
    for line in [*parsed.lines, *parsed.constraints]:
        if line.requirement is None:
            continue
        extras = f"[{','.join(sorted(line.extras))}]" if line.extras else ""
        pin = f"=={line.pinned_version}" if line.pinned_version else ""
        out.append(line.requirement.name + extras + pin)
    return out


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
            specs += _requirements_file(Path(arguments.pop(0)))
        else:
            specs.append(argument)
    if not specs:
        specs = _seed_file(DATA / "offline-seed.txt")
    table, versions = snapshot(specs)
    out = {
        "target": str(Target()),
        "distributions": dict(sorted(table.items())),
        "versions": {name: dict(sorted(entries.items())) for name, entries in sorted(versions.items())},
    }
    (DATA / "offline.json").write_text(json.dumps(out, indent=0, sort_keys=True) + "\n")
    print(f"{len(table)} distributions written to {DATA / 'offline.json'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
