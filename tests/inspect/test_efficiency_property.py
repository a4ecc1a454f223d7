"""Property: our one-pass efficiency equals a literal model of dive's tree algorithm on random images.

The model below follows dive/filetree (file_tree.go AddPath/Stack, file_node.go IsLeaf/Path,
efficiency.go Efficiency) node for node; the scan must agree with it on every generated image.
Generated images keep to what docker writes: a path is always a file or always a directory, each path
appears once per layer, whiteouts delete something below, and there are no opaque whiteouts (dive
ignores them while our merged view applies them; see jettison/inspect/efficiency.py).
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jettison.inspect.scan import scan_image
from jettison.inspect.source import ImageInput, LayerInput

from .inspect_images import layer_tar

DIRS = ["a", "a/b", "c"]
FILES = ["a/f1", "a/b/f2", "a/b/f5", "c/f3", "f4"]


class Node:
    def __init__(self, name: str, parent: Node | None) -> None:
        self.name, self.parent, self.children, self.info = name, parent, {}, None

    def path(self) -> str:
        names, node = [], self
        while node.parent is not None:
            names.append(node.name.removeprefix(".wh.") if node is self else node.name)
            node = node.parent
        return "/" + "/".join(reversed(names))


def add_path(root: Node, path: str, info: dict) -> None:
    node = root
    for name in path.split("/"):
        if name not in node.children:
            node.children[name] = Node(name, node)
        node = node.children[name]
    node.info = info


def get_node(root: Node, path: str) -> Node | None:
    node = root
    for name in path.strip("/").split("/"):
        node = node.children.get(name)
        if node is None:
            return None
    return node


def child_first(node: Node, visit, only_leaves: bool = False) -> None:
    for name in sorted(node.children):
        child_first(node.children[name], visit, only_leaves)
    if node.parent is not None and (not only_leaves or not node.children):
        visit(node)


def stacked(trees: list[Node], stop: int) -> Node:
    root = Node("", None)
    for tree in trees[: stop + 1] or trees[:1]:

        def graft(node: Node) -> None:
            if node.name.startswith(".wh."):
                target = get_node(root, node.path())
                if target is not None:
                    del target.parent.children[target.name]
            else:
                add_path(root, node.path().lstrip("/"), node.info)

        child_first(tree, graft)
    return root


def dive_efficiency(layers: list[list[tuple[str, int, bool]]]) -> tuple[float, int]:
    trees = []
    for entries in layers:
        root = Node("", None)
        for path, size, is_dir in entries:
            add_path(root, path, {"size": size, "dir": is_dir})
        trees.append(root)
    data: dict[str, list[int]] = {}
    for index, tree in enumerate(trees):

        def visit(node: Node, index: int = index) -> None:
            size = node.info["size"]
            if node.name.startswith(".wh."):
                size = 0
                below = get_node(stacked(trees, index - 1), node.path())
                assert below is not None
                if below.info is not None and below.info["dir"]:
                    sizes = []
                    child_first(below, lambda n: sizes.append(n.info["size"] if n.info else 0))
                    size = sum(sizes)
            entry = data.setdefault(node.path(), [0, -1, 0])
            entry[0] += size
            entry[1] = size if entry[1] < 0 or size < entry[1] else entry[1]
            entry[2] += 1

        child_first(tree, visit, only_leaves=True)
    minimum = sum(entry[1] for entry in data.values())
    cumulative = sum(entry[0] for entry in data.values())
    wasted = sum(entry[0] for entry in data.values() if entry[2] >= 2)
    return (1.0 if cumulative == 0 else minimum / cumulative), wasted


@st.composite
def images(draw) -> list[list[tuple[str, int, bool]]]:
    layers: list[list[tuple[str, int, bool]]] = []
    present: set[str] = set()
    for _ in range(draw(st.integers(1, 4))):
        entries: list[tuple[str, int, bool]] = []
        used: set[str] = set()
        for path in draw(st.lists(st.sampled_from(DIRS + FILES), unique=True, max_size=8)):
            is_dir = path in DIRS
            entries.append((path, 0 if is_dir else draw(st.integers(0, 40)), is_dir))
            used.add(path)
        deletable = sorted(
            p for p in present if p not in used and not any(u.startswith(p + "/") for u in used)
        )
        deleted: list[str] = []
        for path in draw(st.lists(st.sampled_from(deletable), unique=True, max_size=2)) if deletable else []:
            if any(path.startswith(d + "/") or d.startswith(path + "/") for d in deleted):
                continue  # docker writes one whiteout for a deleted tree, never one inside another
            deleted.append(path)
            parent, _, base = path.rpartition("/")
            entries.append((f"{parent}/.wh.{base}" if parent else f".wh.{base}", 0, False))
            present = {p for p in present if p != path and not p.startswith(path + "/")}
        for path, _, _ in entries:
            if ".wh." not in path:
                parts = path.split("/")
                present.update("/".join(parts[: i + 1]) for i in range(len(parts)))
        layers.append(entries)
    return layers


def _tar(entries: list[tuple[str, int, bool]]) -> bytes:
    return layer_tar([(path, None) if is_dir else (path, b"x" * size) for path, size, is_dir in entries])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(images())
def test_scan_efficiency_equals_dives_algorithm(layers):
    tars = [_tar(entries) for entries in layers]
    image = ImageInput(
        "generated",
        [
            LayerInput(f"sha256:{i}", len(t), lambda t=t: __import__("io").BytesIO(t))
            for i, t in enumerate(tars)
        ],
    )
    efficiency = scan_image(image).efficiency
    score, wasted = dive_efficiency(layers)
    assert efficiency.wasted_bytes == wasted
    assert efficiency.score == score
