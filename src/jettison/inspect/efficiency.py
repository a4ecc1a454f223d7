"""dive's efficiency figures, computed the way dive 0.13 computes them (dive/filetree/efficiency.go).

dive visits, layer by layer, every *leaf* of that layer's own tree (a file, a symlink, an empty directory
or a whiteout; a directory that has entries beneath it in the same layer is not a leaf). For each path
it keeps the sum of the sizes seen (cumulative) and the smallest size seen (minimum):
- a normal entry counts its tar header size (directories and hard links are 0);
- a whiteout `.wh.NAME` counts as path NAME with size 0, unless NAME was a directory *entry* in the
  layers below, in which case it counts the sum of the sizes of everything beneath it there;
- opaque whiteouts (`.wh..wh..opq`) are not counted at all (dive refuses to add them to its tree).
score = sum(minimum) / sum(cumulative) (1.0 when the latter is 0); wasted bytes = sum of cumulative over
every path seen more than once — the first copy included, as dive does; user-wasted percent = wasted
bytes / the size of every layer but the first. Layer sizes are the sum of every header's size.

Known differences from dive, both on inputs docker never writes: a layer holding the same path twice is
counted twice here (dive keeps the last one), and a whiteout of a path absent from the lower layers
counts -1 in the minimum (as dive) but does not cut short the rest of that layer (dive aborts it).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class WastedPath:
    path: str
    count: int
    cumulative_size: int


@dataclass(frozen=True)
class Efficiency:
    score: float
    wasted_bytes: int
    user_wasted_percent: float
    recoverable_bytes: int  # cumulative minus minimum: what storing each path once would save
    top_wasted: tuple[WastedPath, ...]


class EfficiencyAccumulator:
    """Per-path state, kept compact because an image may hold a million paths.

    A file seen once and still in the merged tree costs nothing here: its size is in the tree and in
    `single_total`. The scan tells us when it is seen again (`visit_file` with the size it had) or
    when the tree forgets it (`dropped`); only then does the path get an entry [cumulative, minimum,
    count]. Directories and whiteout targets, which the tree does not keep as files, always get one.
    """

    def __init__(self) -> None:
        self._paths: dict[str, list[int]] = {}
        self.single_total = 0

    def visit(self, path: str, size: int, previous: int | None = None) -> None:
        """A leaf visit of `path` that is not a single-seen file of the tree."""
        entry = self._paths.get(path)
        if entry is None and previous is not None:
            self.single_total -= previous
            self._paths[path] = [previous + size, min(previous, size), 2]
        elif entry is None:
            self._paths[path] = [size, size, 1]
        else:
            entry[0] += size
            if size < entry[1]:
                entry[1] = size
            entry[2] += 1

    def visit_file(self, path: str, size: int, previous: int | None) -> None:
        """A file entry; `previous` is the size of the file the tree held at that path, if any."""
        if previous is None and path not in self._paths:
            self.single_total += size
        else:
            self.visit(path, size, previous)

    def dropped(self, path: str, size: int) -> None:
        """The tree forgot a file (deleted with its directory, or replaced by a directory)."""
        if path not in self._paths:
            self.single_total -= size
            self._paths[path] = [size, size, 1]

    def visit_missing_whiteout(self, path: str) -> None:
        """dive creates the entry with minimum -1 before failing to find the deleted path below."""
        if path not in self._paths:
            self._paths[path] = [0, -1, 1]

    def result(self, layer_sizes: list[int], top: int = 50) -> Efficiency:
        minimum = cumulative = self.single_total
        wasted = 0
        repeated: list[WastedPath] = []
        for path, value in self._paths.items():
            cumulative += value[0]
            minimum += value[1]
            if value[2] >= 2:
                wasted += value[0]
                repeated.append(WastedPath(path, value[2], value[0]))
        score = 1.0 if cumulative == 0 else minimum / cumulative
        user_size = sum(layer_sizes[1:])
        # dive divides by zero here and prints NaN; a single-layer image wastes nothing of the user's.
        user_percent = wasted / user_size if user_size else 0.0
        repeated.sort(key=lambda item: (-item.cumulative_size, item.path))
        return Efficiency(score, wasted, user_percent, cumulative - minimum, tuple(repeated[:top]))
