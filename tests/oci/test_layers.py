"""Deterministic layers, safe tar reading and extraction."""

from __future__ import annotations

import gzip
import io
import os
import tarfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jettison.errors import JettisonError
from jettison.model.image import OCI_LAYER, OCI_LAYER_GZIP, OCI_LAYER_ZSTD
from jettison.oci import BlobDirectory, Layer, TarEntry, extract_layers
from jettison.oci.blobs import sha256_digest
from jettison.oci.layers import iter_members


def make_tree(root: Path, mtime: int, umask: int) -> None:
    old = os.umask(umask)
    try:
        (root / "app" / "pkg").mkdir(parents=True)
        (root / "app" / "pkg" / "__init__.py").write_text("x = 1\n")
        (root / "app" / "main.py").write_text("print('hi')\n")
        run = root / "app" / "run.sh"
        run.write_text("#!/bin/sh\n")
        run.chmod(0o777 & ~umask | 0o100)
        os.symlink("main.py", root / "app" / "link.py")
        os.link(root / "app" / "main.py", root / "app" / "hard.py")
    finally:
        os.umask(old)
    for path in [*root.rglob("*"), root]:
        os.utime(path, (mtime, mtime), follow_symlinks=False)


def test_same_tree_same_digest_whatever_mtime_and_umask(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    make_tree(a, 1_000_000, 0o022)
    make_tree(b, 1_700_000_000, 0o077)
    blobs = BlobDirectory(tmp_path / "blobs")
    la = Layer.from_directory(a, blobs=blobs)
    lb = Layer.from_directory(b, blobs=blobs)
    assert (la.digest, la.diff_id, la.size) == (lb.digest, lb.diff_id, lb.size)
    assert la.media_type == OCI_LAYER_GZIP
    assert blobs.path(la.digest).stat().st_size == la.size


def test_layer_content_is_normalized(tmp_path, monkeypatch):
    make_tree(tmp_path / "t", 5, 0o077) if (tmp_path / "t").mkdir() is None else None
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1234")
    layer = Layer.from_directory(tmp_path / "t", prefix="/srv", blobs=BlobDirectory(tmp_path / "b"))
    raw = layer.open().read()
    assert sha256_digest(raw) == layer.digest
    header = raw[:10]
    assert header[4:8] == b"\0\0\0\0"  # gzip mtime 0
    assert raw[3] & 0x08 == 0  # no FNAME flag
    tar_bytes = gzip.decompress(raw)
    assert sha256_digest(tar_bytes) == layer.diff_id
    with tarfile.open(fileobj=io.BytesIO(tar_bytes)) as tar:
        members = tar.getmembers()
    names = [m.name for m in members]
    assert names == [
        "srv",
        "srv/app",
        "srv/app/hard.py",
        "srv/app/link.py",
        "srv/app/main.py",
        "srv/app/pkg",
        "srv/app/pkg/__init__.py",
        "srv/app/run.sh",
    ]
    by = {m.name: m for m in members}
    assert all(m.mtime == 1234 and m.uid == 0 and m.gid == 0 and m.uname == "" for m in members)
    assert by["srv/app/run.sh"].mode == 0o755
    assert by["srv/app/main.py"].mode == 0o644
    assert by["srv/app"].mode == 0o755
    assert by["srv/app/link.py"].issym() and by["srv/app/link.py"].linkname == "main.py"
    # hard.py sorts before main.py, so it holds the content and main.py links to it
    assert by["srv/app/hard.py"].isfile() and by["srv/app/main.py"].islnk()
    assert by["srv/app/main.py"].linkname == "srv/app/hard.py"
    assert not any(m.pax_headers for m in members)


def test_long_path_gets_a_pax_header_only_there(tmp_path):
    long = "d/" + "x" * 150
    layer = Layer.from_entries(
        [TarEntry(long, data=b"1"), TarEntry("short", data=b"2")], blobs=BlobDirectory(tmp_path)
    )
    with tarfile.open(fileobj=layer.open_uncompressed(), mode="r|") as tar:
        members = {m.name: m for m in tar}
    assert members[long].pax_headers == {"path": long}
    assert members["short"].pax_headers == {}


@pytest.mark.parametrize("compression,media", [("none", OCI_LAYER), ("zstd", OCI_LAYER_ZSTD)])
def test_other_compressions(tmp_path, compression, media):
    entries = [TarEntry("a/b.txt", data=b"hello"), TarEntry.whiteout("etc/old"), TarEntry.opaque("var/cache")]
    layer = Layer.from_entries(entries, blobs=BlobDirectory(tmp_path), compression=compression)
    again = Layer.from_entries(
        list(reversed(entries)), blobs=BlobDirectory(tmp_path), compression=compression
    )
    assert layer.media_type == media and layer.digest == again.digest
    if compression == "none":
        assert layer.digest == layer.diff_id
    members = [m for m, _ in layer.members()]
    assert [m.path for m in members] == [
        "a",
        "a/b.txt",
        "etc",
        "etc/.wh.old",
        "var",
        "var/cache",
        "var/cache/.wh..wh..opq",
    ]
    assert members[3].whiteout == "etc/old" and members[6].opaque


entry_names = st.lists(
    st.text(alphabet="abcxyz_.", min_size=1, max_size=6).filter(lambda s: s not in (".", "..")),
    min_size=1,
    max_size=3,
).map("/".join)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    files=st.dictionaries(
        entry_names, st.tuples(st.binary(max_size=64), st.booleans()), min_size=1, max_size=8
    ),
    seed=st.randoms(use_true_random=False),
    mtime=st.integers(min_value=0, max_value=2**32),
)
def test_property_order_and_host_mtime_do_not_matter(tmp_path, files, seed, mtime):
    # A path that is a file and also a parent of another path can't exist in a tree: drop those.
    names = sorted(files)
    files = {n: files[n] for n in names if not any(o.startswith(n + "/") for o in names)}
    entries = [TarEntry(n, data=d, mode=0o700 if x else 0o600) for n, (d, x) in files.items()]
    shuffled = entries[:]
    seed.shuffle(shuffled)
    blobs = BlobDirectory(tmp_path / "p")
    first = Layer.from_entries(entries, blobs=blobs, mtime=7)
    second = Layer.from_entries(
        [TarEntry(e.path, data=e.data, mode=(e.mode or 0) | (mtime & 0o066)) for e in shuffled],
        blobs=blobs,
        mtime=7,
    )
    assert first.digest == second.digest and first.diff_id == second.diff_id


def test_corrupt_and_truncated_blobs_are_errors(tmp_path):
    layer = Layer.from_entries([TarEntry("f", data=os.urandom(5000))], blobs=BlobDirectory(tmp_path))
    raw = layer.open().read()
    truncated = Layer(
        layer.digest, layer.diff_id, layer.size, layer.media_type, lambda: io.BytesIO(raw[:-20])
    )
    with pytest.raises(JettisonError, match="truncated"):
        truncated.open().read()
    flipped = bytearray(raw)
    flipped[-30] ^= 0xFF
    bad = Layer(layer.digest, layer.diff_id, layer.size, layer.media_type, lambda: io.BytesIO(bytes(flipped)))
    with pytest.raises(JettisonError, match="does not match|failed"):
        bad.open_uncompressed().read()


def hostile_tar() -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.GNU_FORMAT) as tar:

        def add(name, kind=tarfile.REGTYPE, data=b"", linkname="", mode=0o644):
            info = tarfile.TarInfo(name)
            info.type, info.linkname, info.size, info.mode = kind, linkname, len(data), mode
            tar.addfile(info, io.BytesIO(data) if data else None)

        add("../escape.txt", data=b"evil")
        add("/abs.txt", data=b"abs")
        add("etc", tarfile.DIRTYPE, mode=0o755)
        add("etc/passwd-link", tarfile.SYMTYPE, linkname="/etc/passwd")
        add("etc/passwd-link/owned", data=b"through symlink")
        add("dev-null", tarfile.CHRTYPE)
        add("up", tarfile.SYMTYPE, linkname="../../..")
        add("up/through.txt", data=b"x")
        add("hard-out", tarfile.LNKTYPE, linkname="../../etc/shadow")
        add("ok.txt", data=b"fine")
        add("setuid", data=b"s", mode=0o4755)
    return buffer.getvalue()


def test_hostile_layer_is_read_as_data_and_extracts_safely(tmp_path):
    data = hostile_tar()
    layer = Layer(sha256_digest(data), sha256_digest(data), len(data), OCI_LAYER, lambda: io.BytesIO(data))
    members = {m.raw_path: m for m, _ in layer.members()}
    assert (
        members["../escape.txt"].unsafe == "path leaves the root"
        and members["../escape.txt"].path == "escape.txt"
    )
    assert members["/abs.txt"].unsafe
    assert members["etc/passwd-link"].unsafe == "absolute symlink"
    assert members["dev-null"].unsafe == "char device"
    assert members["hard-out"].unsafe == "hard link leaves the root"
    assert members["ok.txt"].unsafe is None
    target = tmp_path / "root" / "inner"
    skipped = dict(extract_layers([layer], target))
    assert (target / "ok.txt").read_bytes() == b"fine"
    assert not (tmp_path / "root" / "escape.txt").exists() and not (tmp_path / "escape.txt").exists()
    assert os.readlink(target / "etc" / "passwd-link") == "/etc/passwd"  # kept as a link, never followed
    assert "etc/passwd-link/owned" in skipped and "up/through.txt" in skipped
    assert "dev-null" in skipped and "hard-out" in skipped
    assert (target / "setuid").stat().st_mode & 0o7777 == 0o755
    # nothing was written anywhere but inside target
    outside = {p for p in tmp_path.rglob("*") if not str(p).startswith(str(target))}
    assert outside == {tmp_path / "root"}


def test_whiteouts_apply_on_extraction(tmp_path):
    blobs = BlobDirectory(tmp_path / "b")
    lower = Layer.from_entries(
        [TarEntry("a/x", data=b"1"), TarEntry("a/y", data=b"2"), TarEntry("c/z", data=b"3")], blobs=blobs
    )
    upper = Layer.from_entries(
        [TarEntry.whiteout("a/x"), TarEntry.opaque("c"), TarEntry("c/new", data=b"4")], blobs=blobs
    )
    root = tmp_path / "root"
    extract_layers([lower, upper], root)
    assert sorted(str(p.relative_to(root)) for p in root.rglob("*")) == ["a", "a/y", "c", "c/new"]


def test_iter_members_rejects_garbage():
    with pytest.raises(JettisonError):
        list(iter_members(io.BytesIO(b"not a tar" * 100)))


def test_reading_members_verifies_the_whole_layer(tmp_path):
    layer = Layer.from_entries(
        [TarEntry("f", data=b"a" * 100)], blobs=BlobDirectory(tmp_path), compression="none"
    )
    raw = bytearray(layer.open().read())
    raw[-1] = 1  # damage the zero padding after the end-of-archive marker: tarfile never looks there
    tampered = Layer(
        layer.digest, layer.diff_id, layer.size, layer.media_type, lambda: io.BytesIO(bytes(raw))
    )
    with pytest.raises(JettisonError, match="does not match its digest"):
        list(tampered.members())


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    files=st.dictionaries(
        entry_names, st.tuples(st.binary(max_size=32), st.booleans()), min_size=1, max_size=6
    ),
    mtimes=st.lists(st.integers(min_value=0, max_value=2**31), min_size=2, max_size=2),
    umasks=st.lists(st.sampled_from([0o000, 0o002, 0o022, 0o027, 0o077]), min_size=2, max_size=2),
    seed=st.randoms(use_true_random=False),
)
def test_property_directories_built_differently_give_one_digest(
    tmp_path_factory, files, mtimes, umasks, seed
):
    names = sorted(files)
    files = {n: files[n] for n in names if not any(o.startswith(n + "/") for o in names)}
    digests = set()
    for mtime, umask in zip(mtimes, umasks, strict=True):
        root = tmp_path_factory.mktemp("tree")
        order = list(files)
        seed.shuffle(order)  # creation order changes directory listing order on most filesystems
        old = os.umask(umask)
        try:
            for name in order:
                data, executable = files[name]
                path = root / name
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
                if executable:
                    path.chmod(0o777 & ~umask | 0o100)
        finally:
            os.umask(old)
        for path in root.rglob("*"):
            os.utime(path, (mtime, mtime))
        digests.add(
            Layer.from_directory(root, prefix="/app", blobs=BlobDirectory(root.parent / "blobs")).digest
        )
    assert len(digests) == 1


def test_compression_level_is_an_explicit_input(tmp_path):
    entries = [TarEntry("f", data=bytes(range(256)) * 200)]
    fast = Layer.from_entries(entries, blobs=BlobDirectory(tmp_path), level=1)
    default = Layer.from_entries(entries, blobs=BlobDirectory(tmp_path))
    assert fast.diff_id == default.diff_id and fast.digest != default.digest
    assert Layer.from_entries(entries, blobs=BlobDirectory(tmp_path), level=1).digest == fast.digest


def test_a_sparse_member_claiming_a_terabyte_is_refused_before_writing(tmp_path):
    """A PAX 1.0 sparse member of a 3 kB layer claims 1 TiB of holes; reading it would write them out."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        data = b"1\n0\n1\n".ljust(512, b"\0") + b"x".ljust(512, b"\0")  # one 1-byte region at offset 0
        info = tarfile.TarInfo("GNUSparseFile.0/huge")
        info.size = len(data)
        info.pax_headers = {"GNU.sparse.major": "1", "GNU.sparse.minor": "0", "GNU.sparse.name": "huge",
                            "GNU.sparse.realsize": str(2**40)}  # fmt: skip
        tar.addfile(info, io.BytesIO(data))
    blob = tmp_path / "sparse.tar"
    blob.write_bytes(buf.getvalue())
    layer = Layer.from_blob_file(blob, OCI_LAYER)
    with pytest.raises(JettisonError, match="would unpack past"):
        extract_layers([layer], tmp_path / "out")
    assert not (tmp_path / "out" / "huge").exists()


def test_the_extraction_budget_spans_the_layers(tmp_path, monkeypatch):
    """Each layer is under the per-stream limit; together they write past it: the third file is refused."""
    monkeypatch.setenv("JETTISON_MAX_UNPACKED_BYTES", "5000")
    blobs = BlobDirectory(tmp_path / "b")
    layers = [
        Layer.from_entries([TarEntry(f"f{i}", data=bytes([i]) * 2000)], blobs=blobs, compression="none")
        for i in range(3)
    ]
    with pytest.raises(JettisonError, match="'f2' would unpack past"):
        extract_layers(layers, tmp_path / "out")
