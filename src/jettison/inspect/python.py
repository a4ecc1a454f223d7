"""Python distributions in the final file system: every site-packages/dist-packages, every RECORD.

A distribution's size is the sum of the files its RECORD lists that still exist once the layers are
merged (later layers override, whiteouts delete); files in site-packages that no RECORD lists are
reported per top-level name, since they are what `pip uninstall` cannot see (debian's python3-* .egg-info
packages, copied-in sources, byte code compiled after install).
"""

from __future__ import annotations

import csv
import io
import posixpath
import re
from dataclasses import dataclass

from jettison.inspect.scan import ImageScan
from jettison.inspect.tree import file_layer, file_size

SITE_DIRS = {"site-packages", "dist-packages"}
_PYTHON_DIR = re.compile(r"^python(\d+\.\d+)$")


@dataclass(frozen=True)
class Distribution:
    name: str
    version: str
    site_packages: str
    size: int
    file_count: int
    layers: tuple[int, ...]  # layers that wrote its surviving files


@dataclass(frozen=True)
class UnclaimedFiles:
    site_packages: str
    top_level: str
    size: int
    file_count: int


@dataclass(frozen=True)
class PythonContents:
    versions: tuple[str, ...]  # X.Y of every lib/pythonX.Y directory
    site_packages: tuple[str, ...]
    distributions: tuple[Distribution, ...]
    unclaimed: tuple[UnclaimedFiles, ...]
    owner: dict[str, str]  # path -> distribution name, for the treemap


def _metadata(text: bytes) -> tuple[str | None, str | None]:
    name = version = None
    for line in text.decode("utf-8", "replace").splitlines():
        if not line.strip():
            break
        key, _, value = line.partition(":")
        if key == "Name" and name is None:
            name = value.strip()
        elif key == "Version" and version is None:
            version = value.strip()
    return name, version


def python_contents(scan: ImageScan) -> PythonContents:
    versions: set[str] = set()
    sites: list[str] = []
    for path, _node in scan.tree.directories():
        base = path.rpartition("/")[2]
        match = _PYTHON_DIR.match(base)
        if match:
            versions.add(match.group(1))
        if base in SITE_DIRS:
            sites.append(path)
    sites.sort()
    distributions: list[Distribution] = []
    unclaimed: list[UnclaimedFiles] = []
    owner: dict[str, str] = {}
    for site in sites:
        node = scan.tree.lookup(site.split("/"))
        if not isinstance(node, dict):
            continue
        claimed: set[str] = set()
        for entry in sorted(name for name in node if name.endswith(".dist-info")):
            record = scan.captured.get(f"{site}/{entry}/RECORD")
            if record is None:
                continue
            name, version = _metadata(scan.captured.get(f"{site}/{entry}/METADATA", b""))
            stem = entry[: -len(".dist-info")]
            fallback_name, _, fallback_version = stem.partition("-")
            name, version = name or fallback_name, version or fallback_version
            size = count = 0
            layers: set[int] = set()
            for row in csv.reader(io.StringIO(record.decode("utf-8", "replace"))):
                if not row or not row[0]:
                    continue
                path = posixpath.normpath(f"{site}/{row[0]}").lstrip("/")
                if path in owner:
                    continue
                packed = scan.tree.lookup(path.split("/"))
                if not isinstance(packed, int):
                    continue
                owner[path] = name
                claimed.add(path)
                size += file_size(packed)
                count += 1
                layers.add(file_layer(packed))
            distributions.append(Distribution(name, version, site, size, count, tuple(sorted(layers))))
        groups: dict[str, list[int]] = {}
        for path, packed in scan.tree.files(node, site):
            if path in claimed:
                continue
            top = path[len(site) + 1 :].partition("/")[0]
            group = groups.setdefault(top, [0, 0])
            group[0] += file_size(packed)
            group[1] += 1
        unclaimed.extend(UnclaimedFiles(site, top, size, count) for top, (size, count) in groups.items())
    distributions.sort(key=lambda item: (-item.size, item.name.lower()))
    unclaimed.sort(key=lambda item: (-item.size, item.site_packages, item.top_level))
    return PythonContents(
        tuple(sorted(versions)), tuple(sites), tuple(distributions), tuple(unclaimed), owner
    )
