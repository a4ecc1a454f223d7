"""Same input, same digest: whatever the files' mtimes, permission bits (beyond the exec bit) and
the order they were created in, the application layer's bytes are equal (property test)."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from jettison.builder.assemble import _entries
from jettison.builder.plan import app_files
from jettison.oci.blobs import BlobDirectory
from jettison.oci.layers import write_layer

names = st.text(alphabet="abcdefgh_", min_size=1, max_size=6)
trees = st.dictionaries(
    st.lists(names, min_size=1, max_size=3).map("/".join), st.tuples(st.binary(max_size=64), st.booleans()),
    min_size=1, max_size=8,
)  # fmt: skip


def _without_conflicts(tree: dict[str, tuple[bytes, bool]]) -> dict[str, tuple[bytes, bool]]:
    """Drop paths that are also another path's directory (a real tree can't hold both)."""
    return {rel: v for rel, v in tree.items() if not any(other.startswith(rel + "/") for other in tree)}


def _materialize(root: Path, tree: dict, reverse: bool, mtime: int, umask: int) -> None:
    old = os.umask(umask)
    try:
        for rel in sorted(tree, reverse=reverse):
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            data, executable = tree[rel]
            path.write_bytes(data)
            if executable:
                path.chmod(path.stat().st_mode | 0o100)
            os.utime(path, (mtime, mtime))
    finally:
        os.umask(old)


@settings(max_examples=40, deadline=None)
@given(trees)
def test_app_layer_digest_ignores_mtime_umask_and_creation_order(tree):
    tree = _without_conflicts(tree)
    layout = [(rel, f"/app/{rel}") for rel in sorted(tree)]
    digests = []
    with tempfile.TemporaryDirectory() as scratch:
        blobs = BlobDirectory(Path(scratch) / "blobs")
        variants = [(False, 1_000, 0o022), (True, 2_000_000_000, 0o077)]
        for attempt, (reverse, mtime, umask) in enumerate(variants):
            root = Path(scratch) / f"tree{attempt}"
            root.mkdir()
            _materialize(root, tree, reverse, mtime, umask)
            layer = write_layer(_entries(app_files(root, layout, {})), blobs=blobs, mtime=0)
            digests.append(layer.digest)
            shutil.rmtree(root)
    assert digests[0] == digests[1]
