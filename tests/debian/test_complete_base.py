"""complete_base offline: a signed archive made here (gpgv checks it for real), whose libpq5 ships an ELF
libpq.so.5; a dependency layer whose extension NEEDs it gets the package, found through the verified
Contents index or, without one, by its name confirmed by the .deb; the SBOM says why it is there."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from jettison.debian.base import (
    SBOM_PATH,
    BaseOptions,
    DebianBase,
    assemble_base,
    complete_base,
    parse_debian_ref,
)
from jettison.errors import JettisonError
from jettison.oci.blobs import BlobDirectory
from jettison.oci.layers import Layer, TarEntry, write_layer
from tests.debian.debs import Item
from tests.debian.elves import make_elf
from tests.debian.signed import MirrorFiles, Signer, build_archive, signer
from tests.debian.test_archive import PACKAGES, lib

EXTENSION = "opt/venv/lib/python3.11/site-packages/psycopg2/_psycopg.cpython-311-x86_64-linux-gnu.so"
LIBPQ = make_elf(("libc.so.6",), soname="libpq.so.5")
WITH_LIBPQ = {
    **PACKAGES,
    # Real ELF files where the loader looks, so that the check after adding sees them.
    "libc6": lib("libc6", "", Item("./lib/x86_64-linux-gnu/libc.so.6", data=make_elf((), soname="libc.so.6")),
                 Item("./usr/share/doc/libc6/copyright", data=b"LGPL")),
    "libpq5": lib("libpq5", "libc6 (>= 2.34), libssl3",
                  Item("./usr/lib/x86_64-linux-gnu/libpq.so.5.15", data=LIBPQ),
                  Item("./usr/lib/x86_64-linux-gnu/libpq.so.5", "symlink", linkname="libpq.so.5.15")),
    "libodd1": lib("libodd1", "", Item("./usr/lib/x86_64-linux-gnu/odd/libodd.so.1", data=make_elf(()))),
}  # fmt: skip


@pytest.fixture(scope="module")
def key() -> Iterator[Signer]:
    with signer() as made:
        yield made


def assemble(test: MirrorFiles, key: Signer, cache: Path) -> DebianBase:
    options = BaseOptions(mirror=test.root)
    ref = parse_debian_ref("debian://bookworm")
    return assemble_base(ref, cache, options, keyring=key.keyring, fetch=test.fetch)


def dependency_layer(tmp_path: Path, *needed: str) -> Layer:
    entries = [TarEntry(EXTENSION, data=make_elf((*needed, "libc.so.6")))]
    return write_layer(entries, blobs=BlobDirectory(tmp_path / "blobs"), mtime=0)


def sbom_of(base: DebianBase) -> dict:  # type: ignore[type-arg]
    for member, reader in base.image.layers[-1].members():
        if member.path == SBOM_PATH and reader is not None:
            return json.loads(reader.read())
    raise AssertionError("no SBOM")


@pytest.mark.parametrize("contents", [True, False], ids=["contents", "naming"])
def test_missing_library_adds_its_package_and_the_sbom_says_why(
    key: Signer, tmp_path: Path, contents: bool
) -> None:
    test = build_archive(key, WITH_LIBPQ, contents=contents)
    base = assemble(test, key, tmp_path / "cache")
    assert "libpq5" not in {p.name for p in base.packages}
    completed = complete_base(base, [dependency_layer(tmp_path, "libpq.so.5")])
    assert "libpq5" in {p.name for p in completed.packages}
    assert completed.image.digest != base.image.digest
    [(name, why)] = completed.options.libraries
    evidence = "Contents-amd64: /usr/lib/x86_64-linux-gnu/libpq.so.5" if contents else (
        "named like it; its .deb has /usr/lib/x86_64-linux-gnu/libpq.so.5")  # fmt: skip
    assert (name, why) == ("libpq5", f"libpq.so.5 needed by /{EXTENSION} ({evidence})")
    comments = {p["name"]: p.get("comment") for p in sbom_of(completed)["packages"]}
    assert comments["libpq5"] == f"added by jettison for {why}" and comments["libc6"] is None
    assert any("added for shared libraries" in n and "libpq5 for libpq.so.5" in n for n in completed.notes)
    assert any(url.endswith("Contents-amd64.gz") for url in test.fetched) == contents
    # Nothing missing: the same base back, untouched.
    assert complete_base(completed, [dependency_layer(tmp_path)]) is completed


def test_contents_with_the_wrong_hash_is_refused(key: Signer, tmp_path: Path) -> None:
    test = build_archive(key, WITH_LIBPQ, contents=True, wrong_contents_sha=True)
    base = assemble(test, key, tmp_path / "cache")
    with pytest.raises(JettisonError, match="Contents index main/Contents-amd64.gz: SHA256"):
        complete_base(base, [dependency_layer(tmp_path, "libpq.so.5")])


@pytest.mark.parametrize("contents", [True, False], ids=["contents", "naming"])
def test_library_in_no_package_names_it_and_the_file(key: Signer, tmp_path: Path, contents: bool) -> None:
    test = build_archive(key, WITH_LIBPQ, contents=contents)
    base = assemble(test, key, tmp_path / "cache")
    before = sorted(p.name for p in (tmp_path / "cache" / "debian" / "bases").iterdir())
    with pytest.raises(JettisonError) as caught:
        complete_base(base, [dependency_layer(tmp_path, "libodd.so.1")])
    where = " (only at /usr/lib/x86_64-linux-gnu/odd/libodd.so.1 (libodd1), outside the search path)" if (
        contents) else ""  # fmt: skip
    assert str(caught.value).startswith(
        f"libodd.so.1 needed by /{EXTENSION} (in the dependency layers) is in no package of bookworm{where}; "
    )
    assert sorted(p.name for p in (tmp_path / "cache" / "debian" / "bases").iterdir()) == before


def test_library_in_no_package_that_the_wheels_ship_is_left_to_them(key: Signer, tmp_path: Path) -> None:
    test = build_archive(key, WITH_LIBPQ, contents=True)
    base = assemble(test, key, tmp_path / "cache")
    shipped = "opt/venv/lib/python3.11/site-packages/psycopg2/vendor/libodd.so.1"
    entries = [TarEntry(EXTENSION, data=make_elf(("libodd.so.1", "libc.so.6"))),
               TarEntry(shipped, data=make_elf(("libc.so.6",), soname="libodd.so.1"))]  # fmt: skip
    layer = write_layer(entries, blobs=BlobDirectory(tmp_path / "blobs"), mtime=0)
    same = complete_base(base, [layer])
    assert same is base and same.options.libraries == ()
    assert any(f"libodd.so.1 (needed by /{EXTENSION}, at /{shipped})" in note for note in same.notes)
