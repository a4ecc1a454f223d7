"""A .deb's ar container, its control file and its data.tar.* as layer entries; unsafe members refused."""

from __future__ import annotations

import posixpath
import tarfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jettison.debian.base import package_entries
from jettison.debian.deb import ar_members, control_fields, data_files
from jettison.errors import JettisonError
from jettison.oci.blobs import BlobDirectory
from jettison.oci.layers import write_layer
from tests.debian.debs import Item, ar, make_deb

FIELDS = {"Package": "hello", "Version": "2.10-3", "Architecture": "amd64", "Depends": "libc6 (>= 2.34)"}
ITEMS = [
    Item("./", "dir", mode=0o755),
    Item("./usr/", "dir", mode=0o755),
    Item("./usr/bin/", "dir", mode=0o755),
    Item("./usr/bin/hello", data=b"\x7fELF hello", mode=0o755),
    Item("./usr/bin/hi", "hardlink", linkname="./usr/bin/hello"),
    Item("./usr/bin/hey", "symlink", linkname="hello"),
    Item("./usr/share/doc/hello/changelog.gz", data=b"log"),
    Item("./usr/share/doc/hello/copyright", data=b"GPL"),
    Item("./etc/hello.conf", data=b"x=1\n"),
]


def test_ar_members_round_trip_odd_sizes() -> None:
    members = [("debian-binary", b"2.0\n"), ("odd", b"abc"), ("empty", b"")]
    assert list(ar_members(ar(members), "x.deb")) == members


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"PK\x03\x04", "no ar header"),
        (b"!<arch>\nshort", "malformed ar header"),
        (ar([("data.tar", b"12345")])[:-3], "runs past the end"),
    ],
)
def test_broken_ar_is_located(data: bytes, message: str) -> None:
    with pytest.raises(JettisonError, match=message) as caught:
        list(ar_members(data, "x.deb"))
    assert caught.value.path == "x.deb"


@given(st.binary(max_size=300))
def test_any_bytes_after_the_magic_parse_or_fail_located(tail: bytes) -> None:
    try:
        list(ar_members(b"!<arch>\n" + tail, "x.deb"))
    except JettisonError as error:
        assert error.path == "x.deb"


@pytest.mark.parametrize("compression", ["xz", "gz", "zst", "none"])
def test_control_and_data_for_each_compression(compression: str) -> None:
    if compression == "zst":
        pytest.importorskip("zstandard")  # optional: jettison[zstd]
    deb = make_deb(FIELDS, ITEMS, compression)
    assert control_fields(deb, "hello.deb") == FIELDS
    files = {f.path: f for f in data_files(deb, "hello.deb")}
    assert files["usr/bin/hello"].data == b"\x7fELF hello" and files["usr/bin/hello"].mode & 0o111
    assert files["usr/bin/hi"].kind == "hardlink" and files["usr/bin/hi"].linkname == "usr/bin/hello"
    assert files["usr/bin/hey"].linkname == "hello"
    assert "" not in files


def test_into_a_layer_tar_with_kept_paths(tmp_path: object) -> None:
    def keep(path: str) -> bool:
        return not path.startswith("usr/share/doc/") or path.endswith("/copyright")

    deb = make_deb(FIELDS, ITEMS)
    layer = write_layer(
        package_entries(data_files(deb, "hello.deb", keep)), blobs=BlobDirectory(tmp_path), mtime=0
    )  # type: ignore[arg-type]
    with tarfile.open(fileobj=layer.open_uncompressed(), mode="r|") as tar:
        members = {m.name: m for m in tar}
    assert "usr/share/doc/hello/copyright" in members and "usr/share/doc/hello/changelog.gz" not in members
    assert members["usr/bin/hello"].mode == 0o755 and members["usr/bin/hi"].islnk()
    assert members["usr/bin/hey"].issym()
    # the same .deb gives the same layer
    again = write_layer(
        package_entries(data_files(deb, "hello.deb", keep)), blobs=BlobDirectory(tmp_path), mtime=0
    )  # type: ignore[arg-type]
    assert again.digest == layer.digest


def test_hard_link_to_a_dropped_file_becomes_a_copy() -> None:
    items = [Item("./usr/share/doc/x/README", data=b"read me"), Item("./usr/lib/x/README", "hardlink",
             linkname="./usr/share/doc/x/README")]  # fmt: skip
    files = data_files(make_deb(FIELDS, items), "x.deb", lambda p: not p.startswith("usr/share/doc/"))
    assert [(f.path, f.kind, f.data) for f in files] == [("usr/lib/x/README", "file", b"read me")]


@pytest.mark.parametrize(
    ("items", "message"),
    [
        ([Item("../etc/passwd", data=b"root::0:0")], "path leaves the root"),
        ([Item("/etc/passwd", data=b"root::0:0")], "path leaves the root"),
        ([Item("./usr/../../etc/shadow", data=b"")], "path leaves the root"),
        ([Item("./usr/lib/up", "symlink", linkname="../../../etc")], "symlink leaves the root"),
        (
            [Item("./usr/x", "symlink", linkname="/etc"), Item("./usr/x/passwd", data=b"evil")],
            "under the symlink",
        ),
        ([Item("./usr/x", "symlink", linkname="."), Item("./usr/x/x/y", data=b"")], "under the symlink"),
        # found by the property test below: the link comes after a member that went into the directory
        ([Item("a/a", data=b"x"), Item("a", "symlink", linkname="/")], "replaces a directory"),
        ([Item("./usr/h", "hardlink", linkname="../../etc/passwd")], "hard link leaves the root"),
        (
            [Item("./usr/h", "hardlink", linkname="./usr/later"), Item("./usr/later", data=b"")],
            "no file before",
        ),
        ([Item("./dev/null", tartype=tarfile.CHRTYPE)], "char device"),
        ([Item("./run/fifo", tartype=tarfile.FIFOTYPE)], "fifo"),
    ],
)
def test_escaping_members_are_refused(items: list[Item], message: str) -> None:
    with pytest.raises(JettisonError, match=message) as caught:
        data_files(make_deb(FIELDS, items), "evil_1.0_amd64.deb")
    assert caught.value.path == "evil_1.0_amd64.deb"


def test_corrupt_data_tar_is_located() -> None:
    deb = ar([("debian-binary", b"2.0\n"), ("control.tar.gz", b""), ("data.tar.xz", b"\xfd7zXZ\x00garbage")])
    with pytest.raises(JettisonError, match="cannot read data.tar.xz") as caught:
        data_files(deb, "bad.deb")
    assert caught.value.path == "bad.deb"


segments = st.sampled_from(["..", ".", "a", "b", "etc", ""])
crafted_paths = st.lists(segments, min_size=1, max_size=5).map("/".join) | st.lists(segments, max_size=4).map(
    lambda parts: "/" + "/".join(parts)
)
crafted_items = st.one_of(
    st.builds(Item, crafted_paths, st.just("file"), st.just(b"x")),
    st.builds(Item, crafted_paths, st.just("dir")),
    st.builds(Item, crafted_paths, st.just("symlink"), st.just(b""), crafted_paths),
    st.builds(Item, crafted_paths, st.just("hardlink"), st.just(b""), crafted_paths),
)


def _inside(path: str) -> bool:
    return not path.startswith("/") and ".." not in path.split("/")


def _stays_inside(path: str) -> bool:
    depth = 0
    for part in path.split("/"):
        depth += -1 if part == ".." else 0 if part in ("", ".") else 1
        if depth < 0:
            return False
    return True


@settings(max_examples=300, deadline=None)
@given(st.lists(crafted_items, max_size=8), st.sampled_from(["xz", "gz", "none"]))
def test_crafted_tars_never_escape(items: list[Item], compression: str) -> None:
    """Whatever the member names and link targets, data_files refuses (a located error) or gives only
    paths inside the root, no member under a symlink, relative symlinks and hard links inside the root."""
    try:
        files = data_files(make_deb(FIELDS, items, compression), "crafted.deb")
    except JettisonError as error:
        assert error.path == "crafted.deb"
        return
    symlinks = {f.path for f in files if f.kind == "symlink"}
    seen_files: set[str] = set()
    for item in files:
        assert item.path and _inside(item.path)
        parents = item.path.split("/")
        assert (
            not any("/".join(parents[:i]) in symlinks for i in range(1, len(parents)))
            or item.path in symlinks
        )
        if item.kind == "symlink" and not item.linkname.startswith("/"):
            assert _stays_inside(posixpath.dirname(item.path) + "/" + item.linkname), item
        if item.kind == "hardlink":
            assert _inside(item.linkname) and item.linkname in seen_files
        if item.kind == "file":
            seen_files.add(item.path)
