"""The base image's Python, read from its layers' tar listings (never extracted onto the host).

Reading an 80 MB base layer takes seconds, so the answer is kept in the build cache under the base's
config digest (which names its diff_ids, hence its exact content): a warm rebuild never reads the base.
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Iterable
from dataclasses import asdict
from pathlib import Path

from jettison.builder.python_base import DPKG_STATUS, BasePython, find_base_python
from jettison.errors import JettisonError
from jettison.oci.layers import Layer

# dpkg's status file is read to learn the glibc version; a larger one is not a real status file.
_MAX_STATUS_BYTES = 16 * 1024 * 1024


def merged_listing(layers: Iterable[Layer]) -> tuple[set[str], str | None]:
    """Paths present in the image after applying every layer's whiteouts, and the dpkg status text.

    Members are taken as data (jettison.oci.layers.iter_members normalizes `../` and absolute paths
    and flags devices and links leaving the root); nothing is written anywhere.
    """
    paths: set[str] = set()
    status: str | None = None
    for layer in layers:
        for member, content in layer.members():
            if not member.path:
                continue
            if member.opaque:
                directory = posixpath.dirname(member.path)
                paths = {p for p in paths if not p.startswith(directory + "/")}
                continue
            if member.whiteout is not None:
                gone = member.whiteout
                paths = {p for p in paths if p != gone and not p.startswith(gone + "/")}
                continue
            if member.unsafe in ("path leaves the root", "char device", "block device", "fifo", "other"):
                continue  # a ../ member or a device says nothing about where Python is
            paths.add(member.path)
            if member.path == DPKG_STATUS and content is not None and member.size <= _MAX_STATUS_BYTES:
                status = content.read().decode("utf-8", "replace")
    return paths, status


def inspect_base_python(
    layers: list[Layer], env: list[str], config_digest: str, cache_dir: Path | None, where: str
) -> BasePython:
    """The base's Python, from the cache when this exact base was read before."""
    cached = cache_dir / "bases" / (config_digest.replace(":", "-") + ".json") if cache_dir else None
    if cached is not None and cached.is_file():
        try:
            data = json.loads(cached.read_text("utf-8"))
            data["glibc"] = tuple(data["glibc"]) if data.get("glibc") else None
            return BasePython(**data)
        except (ValueError, TypeError, KeyError):
            pass  # an unreadable cache entry is simply read again
    paths, status = merged_listing(layers)
    if not paths:
        raise JettisonError("base image has no files", where)
    python = find_base_python(paths, env, status, where)
    if cached is not None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        temporary = cached.with_suffix(".tmp")
        temporary.write_text(json.dumps(asdict(python)), encoding="utf-8")
        temporary.replace(cached)
    return python
