"""The image's file system as the layers stack up: later layers override, whiteouts delete.

Compact by construction, because an image may hold a million paths: a directory is a plain dict of
name -> child, whose "" key (never a real name) packs the layer that last wrote it and whether a tar
entry named it; a file is one int packing its size and the layer that wrote it. No per-path objects.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

LAYER_BITS = 12  # up to 4096 layers; docker refuses more than 127
_LAYER_MASK = (1 << LAYER_BITS) - 1

Directory = dict[str, "Directory | int"]


def pack_file(size: int, layer: int) -> int:
    return (size << LAYER_BITS) | layer


def file_size(packed: int) -> int:
    return packed >> LAYER_BITS


def file_layer(packed: int) -> int:
    return packed & _LAYER_MASK


def split_path(path: str) -> list[str]:
    return [part for part in path.split("/") if part]


Dropped = Callable[[str, int], None]  # (path, packed) of a file the tree forgets


def _ignore(path: str, packed: int) -> None:
    return None


class MergedTree:
    """`dropped` hears of every file removed or replaced (by a whiteout, an opaque whiteout, or a
    directory taking its place), so the efficiency accumulator can keep what it knew of it."""

    def __init__(self, dropped: Dropped = _ignore) -> None:
        self.root: Directory = {"": 0}
        self.dropped = dropped

    def _drop(self, path: str, node: Directory | int) -> None:
        if isinstance(node, int):
            self.dropped(path, node)
        else:
            for child_path, packed in self.files(node, path):
                self.dropped(child_path, packed)

    def _parent(self, parts: list[str], layer: int) -> Directory:
        node = self.root
        for depth, name in enumerate(parts[:-1]):
            child = node.get(name)
            if not isinstance(child, dict):
                # An implicit directory (no tar entry of its own), or a file that a later layer turned
                # into a directory by writing beneath it.
                if child is not None:
                    self._drop("/".join(parts[: depth + 1]), child)
                child = {"": layer << 1}
                node[name] = child
            node = child
        return node

    def add_file(self, parts: list[str], size: int, layer: int) -> int | None:
        """Returns the file this one replaces (packed), if the path held a file."""
        if not parts:
            return None
        parent = self._parent(parts, layer)
        previous = parent.get(parts[-1])
        parent[parts[-1]] = pack_file(size, layer)
        if isinstance(previous, dict):
            self._drop("/".join(parts), previous)
            return None
        return previous

    def add_directory(self, parts: list[str], layer: int) -> None:
        if not parts:
            return
        parent = self._parent(parts, layer)
        child = parent.get(parts[-1])
        if isinstance(child, dict):
            child[""] = (layer << 1) | 1
        else:
            if child is not None:
                self._drop("/".join(parts), child)
            parent[parts[-1]] = {"": (layer << 1) | 1}

    def mark_implicit(self, parts: list[str]) -> None:
        """A layer wrote beneath this directory without an entry for it. dive stacks such a parent with
        an empty FileInfo (IsDir false), so a later whiteout of it is charged nothing."""
        node = self.lookup(parts)
        if isinstance(node, dict):
            node[""] &= ~1

    def lookup(self, parts: list[str]) -> Directory | int | None:
        node: Directory | int = self.root
        for name in parts:
            if not isinstance(node, dict):
                return None
            child = node.get(name) if name else None
            if child is None:
                return None
            node = child
        return node

    def whiteout(self, parts: list[str], layer: int) -> int | None:
        """Delete a path below `layer`; return the size dive charges for it (None: nothing to delete)."""
        if not parts:
            return None
        parent = self.lookup(parts[:-1])
        if not isinstance(parent, dict):
            return None
        node = parent.get(parts[-1]) if parts[-1] else None
        if node is None:
            return None
        if isinstance(node, int):
            # The whited-out file itself is the whiteout's own visit: the caller accounts for it.
            if file_layer(node) < layer:
                del parent[parts[-1]]
            return 0
        # dive sizes a whited-out directory only when a tar entry named it a directory (an implicit
        # parent carries an empty FileInfo with IsDir false), summing everything beneath it.
        charged = subtree_size(node) if node[""] & 1 else 0
        if (node[""] >> 1) < layer:
            del parent[parts[-1]]
            self._drop("/".join(parts), node)
        return charged

    def clear_below(self, parts: list[str], layer: int) -> None:
        """An opaque whiteout: the directory keeps only what `layer` itself wrote into it."""
        node = self.lookup(parts)
        if not isinstance(node, dict):
            return
        for name in [name for name in node if name]:
            child = node[name]
            written = file_layer(child) if isinstance(child, int) else child[""] >> 1  # type: ignore[index]
            if written < layer:
                self._drop("/".join([*parts, name]), node.pop(name))

    def files(self, node: Directory | None = None, prefix: str = "") -> Iterator[tuple[str, int]]:
        """(path, packed) for every file beneath `node`, in sorted order, depth first."""
        stack: list[tuple[str, Directory]] = [(prefix, self.root if node is None else node)]
        while stack:
            base, directory = stack.pop()
            for name in sorted((name for name in directory if name), reverse=True):
                child = directory[name]
                path = f"{base}/{name}" if base else name
                if isinstance(child, dict):
                    stack.append((path, child))
                else:
                    yield path, child

    def directories(self) -> Iterator[tuple[str, Directory]]:
        stack: list[tuple[str, Directory]] = [("", self.root)]
        while stack:
            base, directory = stack.pop()
            yield base, directory
            for name, child in directory.items():
                if name and isinstance(child, dict):
                    stack.append((f"{base}/{name}" if base else name, child))


def subtree_size(node: Directory) -> int:
    total = 0
    stack = [node]
    while stack:
        directory = stack.pop()
        for name, child in directory.items():
            if not name:
                continue
            if isinstance(child, dict):
                stack.append(child)
            else:
                total += file_size(child)
    return total
