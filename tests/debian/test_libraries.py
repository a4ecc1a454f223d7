"""Which shared libraries the dependency layers need and the image lacks, judged as ld.so searches
(RPATH of the object and its loaders, RUNPATH, Debian's default directories), over real layers whose
ELF files are made here; and which package provides each, from a Contents index or Debian's naming."""

from __future__ import annotations

from pathlib import Path

import pytest

from jettison.debian.archive import Package
from jettison.debian.contents import ContentsIndex, parse_contents
from jettison.debian.libraries import (
    ImageFiles,
    LayerScan,
    NeededLibrary,
    check_libraries,
    package_names_for,
    packages_for,
    scan_layer,
)
from jettison.debian.resolve import PackageIndex
from jettison.errors import JettisonError
from jettison.oci.blobs import BlobDirectory
from jettison.oci.layers import Layer, TarEntry, write_layer
from tests.debian.elves import EM_AARCH64, make_elf

SITE = "opt/venv/lib/python3.11/site-packages"
LIBC = make_elf(("ld-linux-x86-64.so.2",), soname="libc.so.6")


def layer(tmp_path: Path, *entries: TarEntry) -> Layer:
    return write_layer(list(entries), blobs=BlobDirectory(tmp_path / "blobs"), mtime=0)


def base_layer(tmp_path: Path, *extra: TarEntry) -> Layer:
    """The shape of the debian:// base: /lib a link into /usr, libc in the multiarch directory."""
    return layer(
        tmp_path,
        TarEntry("lib", "symlink", linkname="usr/lib"),
        TarEntry("usr/lib/x86_64-linux-gnu/libc.so.6", data=LIBC),
        TarEntry("usr/lib/x86_64-linux-gnu/libm.so.6", data=make_elf(("libc.so.6",))),
        TarEntry("usr/lib64/ld-linux-x86-64.so.2", "symlink", linkname="../lib/x86_64-linux-gnu/ld.so"),
        TarEntry("usr/lib/x86_64-linux-gnu/ld.so", data=make_elf(())),
        TarEntry("lib64", "symlink", linkname="usr/lib64"),
        *extra,
    )


def check(tmp_path: Path, base: Layer, *dependencies: Layer) -> tuple[list[NeededLibrary], list[str]]:
    result = check_libraries(
        [scan_layer(base, tmp_path / "scans")], [scan_layer(d, tmp_path / "scans") for d in dependencies],
        "amd64",
    )  # fmt: skip
    return result.missing, result.notes


def test_found_in_the_default_directories_through_the_lib_link(tmp_path: Path) -> None:
    ext = make_elf(("libc.so.6", "libm.so.6"))
    deps = layer(tmp_path, TarEntry(f"{SITE}/fast/_fast.so", data=ext))
    assert check(tmp_path, base_layer(tmp_path), deps) == ([], [])


def test_missing_library_names_the_file_that_needs_it(tmp_path: Path) -> None:
    ext = make_elf(("libpq.so.5", "libc.so.6"))
    deps = layer(tmp_path, TarEntry(f"{SITE}/psycopg2/_psycopg.so", data=ext))
    missing, _ = check(tmp_path, base_layer(tmp_path), deps)
    assert missing == [NeededLibrary("libpq.so.5", f"{SITE}/psycopg2/_psycopg.so")]


def test_auditwheel_libs_found_through_origin_rpath(tmp_path: Path) -> None:
    ext = make_elf(("libpq-1a2b3c.so.5.16", "libc.so.6"), rpath="$ORIGIN/../psycopg2_binary.libs")
    deps = layer(
        tmp_path,
        TarEntry(f"{SITE}/psycopg2/_psycopg.so", data=ext),
        TarEntry(f"{SITE}/psycopg2_binary.libs/libpq-1a2b3c.so.5.16", data=make_elf(("libc.so.6",))),
    )
    assert check(tmp_path, base_layer(tmp_path), deps) == ([], [])


def test_a_library_loaded_through_another_searches_its_loaders_rpath(tmp_path: Path) -> None:
    """ld.so's DT_RPATH is inherited: libmid has none, but is loaded by _x.so whose RPATH names the
    directory libdep lives in (in the base, outside the defaults, so no other rule finds it)."""
    base = base_layer(tmp_path, TarEntry("opt/vendor/libdep.so.1", data=make_elf(("libc.so.6",))))
    ext = make_elf(("libmid.so",), rpath="$ORIGIN/../x.libs:/opt/vendor")
    deps = layer(
        tmp_path,
        TarEntry(f"{SITE}/x/_x.so", data=ext),
        TarEntry(f"{SITE}/x.libs/libmid.so", data=make_elf(("libdep.so.1",))),
    )
    assert check(tmp_path, base, deps) == ([], [])
    # A RUNPATH is not inherited: the same chain through it leaves libdep unfound.
    ext = make_elf(("libmid.so",), runpath="$ORIGIN/../x.libs:/opt/vendor")
    deps = layer(
        tmp_path,
        TarEntry(f"{SITE}/x/_x.so", data=ext),
        TarEntry(f"{SITE}/x.libs/libmid.so", data=make_elf(("libdep.so.1",))),
    )
    missing, _ = check(tmp_path, base, deps)
    assert missing == [NeededLibrary("libdep.so.1", f"{SITE}/x.libs/libmid.so")]


def test_a_library_the_wheels_ship_elsewhere_is_theirs_when_no_package_has_it(tmp_path: Path) -> None:
    """Outside the search path, it loads only if the package loads it first by path: a Debian package
    that has it is added all the same (harmless if it is preloaded); without one, a note, not an error."""
    cudart = f"{SITE}/nvidia/cuda_runtime/lib/libcudart.so.12"
    deps = layer(
        tmp_path,
        TarEntry(f"{SITE}/torchish/_C.so", data=make_elf(("libcudart.so.12", "libstdc++.so.6"))),
        TarEntry(cudart, data=make_elf(("libc.so.6",))),
        TarEntry(f"{SITE}/torchish/lib/libstdc++.so.6", data=make_elf(("libc.so.6",))),
    )
    missing, _ = check(tmp_path, base_layer(tmp_path), deps)
    assert missing == [
        NeededLibrary("libcudart.so.12", f"{SITE}/torchish/_C.so", cudart),
        NeededLibrary("libstdc++.so.6", f"{SITE}/torchish/_C.so", f"{SITE}/torchish/lib/libstdc++.so.6"),
    ]
    contents = ContentsIndex({"libstdc++.so.6": [("usr/lib/x86_64-linux-gnu/libstdc++.so.6", "libstdc++6")]})
    result = packages_for(missing, index=_index("libstdc++6"), contents=contents, deb_paths=lambda p: [],
                          architecture="amd64", suite="bookworm")  # fmt: skip
    assert [f.package.name for f in result.found] == ["libstdc++6"]
    assert [item.name for item in result.left_to_wheels] == ["libcudart.so.12"]
    assert f"libcudart.so.12 (needed by /{SITE}/torchish/_C.so, at /{cudart})" in result.notes[0]


def test_missing_interpreter_of_an_executable(tmp_path: Path) -> None:
    tool = make_elf(("libc.musl-x86_64.so.1",), interpreter="/lib/ld-musl-x86_64.so.1", kind=2)
    glibc_tool = make_elf(("libc.so.6",), interpreter="/lib64/ld-linux-x86-64.so.2", kind=2)
    deps = layer(
        tmp_path,
        TarEntry("opt/venv/bin/tool", data=tool, mode=0o755),
        TarEntry("opt/venv/bin/ok", data=glibc_tool, mode=0o755),
    )
    missing, _ = check(tmp_path, base_layer(tmp_path), deps)
    assert missing == [
        NeededLibrary("/lib/ld-musl-x86_64.so.1", "opt/venv/bin/tool"),
        NeededLibrary("libc.musl-x86_64.so.1", "opt/venv/bin/tool"),
    ]


def test_other_machines_and_unreadable_files_are_noted_not_judged(tmp_path: Path) -> None:
    deps = layer(
        tmp_path,
        TarEntry(f"{SITE}/x/arm.so", data=make_elf(("libnothere.so.1",), machine=EM_AARCH64)),
        TarEntry(f"{SITE}/x/broken.so", data=make_elf(("libnothere.so.1",))[:90]),
        TarEntry(f"{SITE}/x/script.py", data=b"print('not ELF')\n"),
    )
    missing, notes = check(tmp_path, base_layer(tmp_path), deps)
    assert missing == []
    assert any("unread, so not checked" in n and "broken.so" in n for n in notes)
    assert any("another machine" in n and "arm.so (EM_AARCH64/64-bit)" in n for n in notes)


def test_a_file_a_later_layer_removes_is_not_judged(tmp_path: Path) -> None:
    first = layer(tmp_path, TarEntry(f"{SITE}/x/_x.so", data=make_elf(("libpq.so.5",))))
    second = layer(tmp_path, TarEntry.whiteout(f"{SITE}/x/_x.so"))
    assert check(tmp_path, base_layer(tmp_path), first, second) == ([], [])


def test_scan_is_kept_by_diff_id(tmp_path: Path) -> None:
    deps = layer(tmp_path, TarEntry(f"{SITE}/x/_x.so", data=make_elf(("libpq.so.5",), soname="_x.so")))
    first = scan_layer(deps, tmp_path / "scans")
    saved = tmp_path / "scans" / f"{deps.diff_id.replace(':', '-')}.json"
    assert saved.is_file()
    assert scan_layer(deps, tmp_path / "scans") == first == scan_layer(deps)
    for damaged in ("{not json", '{"format": 1, "entries": [], "elves": [], "unread": {}}', "[]"):
        saved.write_text(damaged)
        assert scan_layer(deps, tmp_path / "scans") == first  # a damaged scan is made again


def test_symlinks_resolve_like_the_kernel() -> None:
    files = ImageFiles([LayerScan(entries={
        "lib": ("symlink", "usr/lib"),
        "usr/lib/a.so.1": ("symlink", "a.so.1.2"),
        "usr/lib/a.so.1.2": ("file", ""),
        "usr/lib/abs.so": ("symlink", "/usr/lib/a.so.1"),
        "usr/lib/loop.so": ("symlink", "loop.so"),
        "usr/lib/dir": ("dir", ""),
        "usr/lib/dangling.so": ("symlink", "nowhere.so"),
    })])  # fmt: skip
    assert files.resolve("/lib/a.so.1") == "usr/lib/a.so.1.2"
    assert files.resolve("lib/abs.so") == "usr/lib/a.so.1.2"
    assert files.resolve("usr/lib/../lib/./a.so.1") == "usr/lib/a.so.1.2"
    assert files.resolve("usr/lib/loop.so") is None
    assert files.resolve("usr/lib/dir") is None
    assert files.resolve("usr/lib/dangling.so") is None
    assert files.resolve("usr/lib/a.so.1.2/x") is None


def test_package_names_follow_debian_policy() -> None:
    assert package_names_for("libpq.so.5")[0] == "libpq5"
    assert package_names_for("libstdc++.so.6")[0] == "libstdc++6"
    assert package_names_for("libGL.so.1")[0] == "libgl1"
    assert "libglib2.0-0" in package_names_for("libglib-2.0.so.0")
    assert package_names_for("libfoo2.so.3")[0] == "libfoo2-3"
    assert "libssl3t64" in package_names_for("libssl.so.3")
    assert package_names_for("ld-linux-x86-64.so.2") == [] and package_names_for("libx.so") == []


def test_contents_lines_keep_shared_objects_only() -> None:
    lines = [
        b"usr/bin/psql                                            database/postgresql-client-15\n",
        b"usr/lib/x86_64-linux-gnu/libpq.so.5                     libs/libpq5\n",
        b"usr/lib/x86_64-linux-gnu/odd name.so.1                  libs/odd,non-free/libs/odd2\n",
        b"usr/share/doc/libpq5/README.so                          doc/libpq5\n",
        b"usr/lib/python3/dist-packages/x.so.py                   python/x\n",
    ]
    index = parse_contents(lines, "Contents")
    assert index.files == {
        "libpq.so.5": [("usr/lib/x86_64-linux-gnu/libpq.so.5", "libpq5")],
        "odd name.so.1": [("usr/lib/x86_64-linux-gnu/odd name.so.1", "odd"),
                          ("usr/lib/x86_64-linux-gnu/odd name.so.1", "odd2")],
        "README.so": [("usr/share/doc/libpq5/README.so", "libpq5")],
    }  # fmt: skip
    assert ContentsIndex.from_json(index.to_json()) == index
    with pytest.raises(JettisonError, match="Contents:2"):
        parse_contents([b"a.so.1 x\n", b"lonely.so.1\n"], "Contents")


def _index(*names: str) -> PackageIndex:
    return PackageIndex.of(
        [Package({"Package": n, "Version": "1.0-1", "Architecture": "amd64"}) for n in names], "amd64"
    )


NEED = NeededLibrary("libpq.so.5", f"{SITE}/psycopg2/_psycopg.so")


def test_package_from_contents_in_a_default_directory(tmp_path: Path) -> None:
    contents = ContentsIndex({"libpq.so.5": [("usr/lib/x86_64-linux-gnu/odbc/libpq.so.5", "odbc-postgresql"),
                                             ("usr/lib/x86_64-linux-gnu/libpq.so.5", "libpq5")]})  # fmt: skip
    found = packages_for([NEED, NEED], index=_index("libpq5", "odbc-postgresql"), contents=contents,
                         deb_paths=lambda p: pytest.fail("Contents decides"), architecture="amd64",
                         suite="bookworm").found  # fmt: skip
    assert [(f.package.name, f.evidence) for f in found] == [
        ("libpq5", "Contents-amd64: /usr/lib/x86_64-linux-gnu/libpq.so.5")
    ]
    assert found[0].reason.startswith(f"libpq.so.5 needed by /{SITE}/psycopg2/_psycopg.so")


def test_package_by_naming_only_when_its_deb_has_the_file() -> None:
    def deb_paths(package: Package) -> list[str]:
        return {"libpq5": ["usr/lib/x86_64-linux-gnu/libpq.so.5.15", "usr/lib/x86_64-linux-gnu/libpq.so.5"],
                "libfoo1": ["usr/lib/x86_64-linux-gnu/foo/libfoo.so.1"]}[package.name]  # fmt: skip

    index = _index("libpq5", "libfoo1")
    found = packages_for([NEED], index=index, contents=None, deb_paths=deb_paths, architecture="amd64",
                         suite="bookworm").found  # fmt: skip
    assert found[0].package.name == "libpq5" and "its .deb has /usr/lib/x86_64-linux-gnu/libpq.so.5" in (
        found[0].evidence
    )
    with pytest.raises(JettisonError) as caught:
        packages_for([NeededLibrary("libfoo.so.1", "opt/venv/bin/foo")], index=index, contents=None,
                     deb_paths=deb_paths, architecture="amd64", suite="bookworm")  # fmt: skip
    assert str(caught.value).startswith(
        "libfoo.so.1 needed by /opt/venv/bin/foo (in the dependency layers) is in no package of bookworm; "
    )


def test_no_package_names_every_missing_library_and_where_contents_has_it() -> None:
    contents = ContentsIndex({"libblas.so.3": [("usr/lib/x86_64-linux-gnu/blas/libblas.so.3", "libblas3")]})
    missing = [NeededLibrary("libblas.so.3", f"{SITE}/scipy/_x.so"), NeededLibrary("libnone.so.1", "bin/x")]
    with pytest.raises(JettisonError) as caught:
        packages_for(missing, index=_index("libblas3"), contents=contents, deb_paths=lambda p: [],
                     architecture="amd64", suite="bookworm")  # fmt: skip
    message = str(caught.value)
    assert message.startswith(
        f"libblas.so.3 needed by /{SITE}/scipy/_x.so (in the dependency layers) is in no package of bookworm "
        "(only at /usr/lib/x86_64-linux-gnu/blas/libblas.so.3 (libblas3), outside the search path); "
        "libnone.so.1 needed by /bin/x"
    )
    assert "auditwheel repair" in message
