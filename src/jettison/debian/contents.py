"""Debian's Contents-<arch> index: which binary package ships which file (the Packages index does not say).

Each line is `path<whitespace>[[area/]section/]package[,...]`, paths without the leading slash (bookworm's
Contents-amd64 holds ~1.7 million lines). Only shared objects are kept, by basename, which is all a
NEEDED entry names: the index answers "which packages ship libpq.so.5, and where".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from jettison.errors import JettisonError

CONTENTS_FORMAT = 1
# libfoo.so, libfoo.so.5, libfoo.so.5.15, ld-linux-x86-64.so.2, libfoo-1.2.so
_SHARED_OBJECT = re.compile(r"\.so(\.[0-9][0-9.]*)?$")


def is_shared_object_name(name: str) -> bool:
    return bool(_SHARED_OBJECT.search(name))


@dataclass
class ContentsIndex:
    """basename -> [(path, package)], in the index's order; the packages are as the index names them."""

    files: dict[str, list[tuple[str, str]]] = field(default_factory=dict)

    def providers(self, name: str, directories: Iterable[str]) -> list[str]:
        """The packages shipping a file called `name` directly in one of `directories`, sorted."""
        wanted = set(directories)
        return sorted(
            {package for path, package in self.files.get(name, []) if path.rpartition("/")[0] in wanted}
        )

    def to_json(self) -> dict[str, object]:
        return {"format": CONTENTS_FORMAT, "files": self.files}

    @classmethod
    def from_json(cls, data: dict[str, object]) -> ContentsIndex | None:
        """The index saved by to_json(); None when it was saved in another format."""
        if data.get("format") != CONTENTS_FORMAT or not isinstance(data.get("files"), dict):
            return None
        files = data["files"]
        return cls({str(k): [(str(p), str(q)) for p, q in v] for k, v in files.items()})  # type: ignore[union-attr]


def parse_contents(lines: Iterable[bytes], where: str) -> ContentsIndex:
    """The shared objects of a Contents index given line by line (decompressed)."""
    index = ContentsIndex()
    for number, raw in enumerate(lines, 1):
        if b".so" not in raw:
            continue  # most lines: a cheap test before decoding
        line = raw.decode("utf-8", "replace").rstrip("\n")
        path, _, location = line.rstrip().rpartition(" ")
        path = path.rstrip()
        if not path or not location:
            raise JettisonError(f"not a 'path package' line: {line[:80]!r}", where, number)
        name = path.rpartition("/")[2]
        if not is_shared_object_name(name):
            continue
        for item in location.split(","):
            package = item.rpartition("/")[2]
            if package:
                index.files.setdefault(name, []).append((path.lstrip("/"), package))
    return index
