"""Pins and dependency edges from uv.lock and poetry.lock.

Both are TOML with one `[[package]]` table per locked distribution. The edges they record are the
resolver's own answer, so the audit can follow them without the package index (see deps/closure.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement

from jettison.model.requirements import LockedPackage, SourceRef, normalize_name
from jettison.project.pyproject import load_toml


def _requirement(name: str, marker: str | None = None, extras: list[str] | None = None) -> Requirement | None:
    text = name + (f"[{','.join(extras)}]" if extras else "") + (f"; {marker}" if marker else "")
    try:
        return Requirement(text)
    except InvalidRequirement:
        return None


def read_uv_lock(path: Path, shown: str) -> list[LockedPackage]:
    data = load_toml(path, shown)
    out = []
    for package in data.get("package", []):
        deps: list[Requirement] = []
        for dep in package.get("dependencies", []):
            if (req := _requirement(dep["name"], dep.get("marker"), dep.get("extra"))) is not None:
                deps.append(req)
        for extra, extra_deps in (package.get("optional-dependencies") or {}).items():
            for dep in extra_deps:
                marker = f'extra == "{extra}"' + (f" and ({dep['marker']})" if dep.get("marker") else "")
                if (req := _requirement(dep["name"], marker, dep.get("extra"))) is not None:
                    deps.append(req)
        out.append(
            LockedPackage(
                normalize_name(package["name"]), package.get("version"), tuple(deps), SourceRef(shown)
            )
        )
    return out


def read_poetry_lock(path: Path, shown: str) -> list[LockedPackage]:
    data = load_toml(path, shown)
    out = []
    for package in data.get("package", []):
        extras_of: dict[str, list[str]] = {}
        for extra, members in (package.get("extras") or {}).items():
            for member in members:
                extras_of.setdefault(normalize_name(member.split()[0].split("[")[0]), []).append(extra)
        deps: list[Requirement] = []
        for name, spec in (package.get("dependencies") or {}).items():
            specs: list[Any] = spec if isinstance(spec, list) else [spec]
            for one in specs:
                marker = one.get("markers") if isinstance(one, dict) else None
                extras = one.get("extras") if isinstance(one, dict) else None
                if isinstance(one, dict) and one.get("optional"):
                    for extra in extras_of.get(normalize_name(name), []):
                        combined = f'extra == "{extra}"' + (f" and ({marker})" if marker else "")
                        if (req := _requirement(name, combined, extras)) is not None:
                            deps.append(req)
                    continue
                if (req := _requirement(name, marker, extras)) is not None:
                    deps.append(req)
        out.append(
            LockedPackage(
                normalize_name(package["name"]), package.get("version"), tuple(deps), SourceRef(shown)
            )
        )
    return out
