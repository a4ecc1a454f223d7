"""The dependency-layer cache: layers keyed by everything that decides their bytes.

Key = sha256 of (requirements text, target platform, Python version and interpreter, venv path,
bytecode on/off, layer split, index options, compression, cache format). An entry records the pins
uv chose and the layers it produced (digest, diff_id, size, history comment); the blobs live in a
content-addressed directory beside it. A hit means no uv call at all: no resolution, no download.

Local: $JETTISON_CACHE_DIR, else $XDG_CACHE_HOME/jettison, else ~/.cache/jettison. The same entries can
live in a registry (see jettison.builder.registry_cache) so CI runners share them.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from jettison.oci.blobs import BlobDirectory
from jettison.oci.layers import Layer

CACHE_FORMAT = 1


def default_cache_dir() -> Path:
    explicit = os.environ.get("JETTISON_CACHE_DIR")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "jettison"


@dataclass(frozen=True)
class CachedLayer:
    digest: str
    diff_id: str
    size: int
    media_type: str
    comment: str


@dataclass(frozen=True)
class DependencyEntry:
    key: str
    pins: str
    layers: tuple[CachedLayer, ...]
    bytecode: bool

    def to_json(self) -> bytes:
        document = {"key": self.key, "pins": self.pins, "bytecode": self.bytecode,
                    "layers": [asdict(layer) for layer in self.layers], "format": CACHE_FORMAT}  # fmt: skip
        return json.dumps(document, sort_keys=True, separators=(",", ":")).encode()

    @classmethod
    def from_json(cls, data: bytes) -> DependencyEntry:
        document = json.loads(data)
        if document.get("format") != CACHE_FORMAT:
            raise ValueError("cache entry of another format")
        return cls(
            key=document["key"],
            pins=document["pins"],
            bytecode=bool(document["bytecode"]),
            layers=tuple(CachedLayer(**layer) for layer in document["layers"]),
        )


def dependency_key(**inputs: object) -> str:
    """The cache key for these inputs (any JSON-able keyword values; order does not matter)."""
    document = {"format": CACHE_FORMAT, **inputs}
    return hashlib.sha256(json.dumps(document, sort_keys=True, default=str).encode()).hexdigest()


class BuildCache:
    """Entries under <root>/deps/<key>.json, blobs under <root>/blobs/sha256/."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.blobs = BlobDirectory(self.root / "blobs")

    def _entry_path(self, key: str) -> Path:
        return self.root / "deps" / f"{key}.json"

    def load(self, key: str) -> DependencyEntry | None:
        """The entry for `key`, if present and every blob it names is here with the right size."""
        path = self._entry_path(key)
        try:
            entry = DependencyEntry.from_json(path.read_bytes())
        except (OSError, ValueError, KeyError, TypeError):
            return None
        if all(self.blobs.has(layer.digest, layer.size) for layer in entry.layers):
            return entry
        return None

    def store(self, entry: DependencyEntry) -> None:
        path = self._entry_path(entry.key)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        temporary.write_bytes(entry.to_json())
        temporary.replace(path)

    def layer(self, cached: CachedLayer) -> Layer:
        path = self.blobs.path(cached.digest)
        return Layer(
            cached.digest, cached.diff_id, cached.size, cached.media_type, lambda: open(path, "rb"), str(path)
        )
