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
    """Per path: an int (its size) while seen once, [cumulative, minimum, count] once seen again.

    Paths seen once (nearly all of them) cost one dict slot and one int, which keeps a layer of a million
    files within a bounded, proportional footprint.
    """

    def __init__(self) -> None:
        self._paths: dict[str, int | list[int]] = {}

    def visit(self, path: str, size: int) -> None:
        current = self._paths.get(path)
        if current is None:
            self._paths[path] = size
        elif isinstance(current, int):
            self._paths[path] = [current + size, min(current, size), 2]
        else:
            current[0] += size
            if size < current[1]:
                current[1] = size
            current[2] += 1

    def visit_missing_whiteout(self, path: str) -> None:
        """dive creates the entry with minimum -1 before failing to find the deleted path below."""
        current = self._paths.get(path)
        if current is None:
            self._paths[path] = [0, -1, 1]

    def result(self, layer_sizes: list[int], top: int = 50) -> Efficiency:
        minimum = cumulative = wasted = 0
        repeated: list[WastedPath] = []
        for path, value in self._paths.items():
            if isinstance(value, int):
                minimum += value
                cumulative += value
                continue
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
