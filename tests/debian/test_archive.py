"""Signed InRelease -> Packages by SHA256 -> .debs by SHA256, and the base assembled from them, offline:
the archive, its key and its .debs are made by the test; gpgv checks the signature for real."""

from __future__ import annotations

import hashlib
import json
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from jettison.debian.archive import Archive
from jettison.debian.base import (
    SBOM_PATH,
    BaseOptions,
    DebianBase,
    DebianRef,
    assemble_base,
    parse_debian_ref,
)
from jettison.errors import JettisonError
from jettison.oci.layers import Layer
from tests.debian.debs import Item
from tests.debian.signed import MirrorFiles, Signer, build_archive, signer


@pytest.fixture(scope="module")
def key() -> Iterator[Signer]:
    with signer() as made:
        yield made


def lib(name: str, depends: str = "", *items: Item) -> tuple[dict[str, str], list[Item]]:
    fields = {"Version": "2.36-9" if name == "libc6" else "1.0-1", "Architecture": "amd64"}
    if depends:
        fields["Depends"] = depends
    return fields, [Item("./", "dir", mode=0o755), *items]


# A tiny stand-in for bookworm's Python runtime closure, with the shapes that matter: /lib and /lib64 to
# merge into /usr, a stdlib part to leave out, docs to drop, CA certificates to bundle, script-only deps.
PACKAGES = {
    "python3.11-minimal": lib("python3.11-minimal", "libpython3.11-minimal (= 1.0-1), libc6 (>= 2.34)",
                              Item("./usr/bin/python3.11", data=b"\x7fELF python", mode=0o755),
                              Item("./usr/share/man/man1/python3.11.1.gz", data=b"man")),
    "libpython3.11-minimal": lib("libpython3.11-minimal", "", Item("./usr/lib/python3.11/os.py", data=b"")),
    "libpython3.11-stdlib": lib("libpython3.11-stdlib", "libpython3.11-minimal, media-types | mime-support",
                                Item("./usr/lib/python3.11/json/__init__.py", data=b"#json"),
                                Item("./usr/lib/python3.11/tkinter/__init__.py", data=b"#tk")),
    "libc6": lib("libc6", "", Item("./lib/x86_64-linux-gnu/libc.so.6", data=b"\x7fELF libc", mode=0o755),
                 Item("./lib64/ld-linux-x86-64.so.2", "symlink", linkname="/lib/x86_64-linux-gnu/ld.so"),
                 Item("./usr/share/doc/libc6/copyright", data=b"LGPL"),
                 Item("./usr/share/doc/libc6/changelog.gz", data=b"log")),
    "libssl3": lib("libssl3", "libc6 (>= 2.34)"),
    "zlib1g": lib("zlib1g", "libc6"),
    "libffi8": lib("libffi8", "libc6"),
    "libexpat1": lib("libexpat1", "libc6"),
    "ca-certificates": lib("ca-certificates", "openssl (>= 1.1.1), debconf (>= 0.5.0) | debconf-2.0",
                           Item("./usr/share/ca-certificates/mozilla/B.crt", data=b"-----B-----\n"),
                           Item("./usr/share/ca-certificates/mozilla/A.crt", data=b"-----A-----")),
    "tzdata": lib("tzdata", "debconf (>= 0.5) | debconf-2.0", Item("./usr/share/zoneinfo/UTC", data=b"TZif")),
    "netbase": lib("netbase", "", Item("./etc/services", data=b"http 80/tcp\n")),
    "media-types": lib("media-types", "", Item("./etc/mime.types", data=b"text/plain txt\n")),
    "debconf": lib("debconf"),
    "openssl": lib("openssl", "libssl3"),
}  # fmt: skip


def archive_for(test: MirrorFiles, key: Signer, cache: Path) -> Archive:
    return Archive("bookworm", mirror=test.root, cache_dir=cache, keyring=key.keyring, fetch=test.fetch)


def assemble(test: MirrorFiles, key: Signer, cache: Path, ref: str = "debian://bookworm") -> DebianBase:
    options = BaseOptions(mirror=test.root)
    return assemble_base(parse_debian_ref(ref), cache, options, keyring=key.keyring, fetch=test.fetch)


def files_under(path: Path) -> list[Path]:
    return sorted(p for p in path.rglob("*") if p.is_file()) if path.exists() else []


def test_verified_chain_and_warm_cache(key: Signer, tmp_path: Path) -> None:
    test = build_archive(key, PACKAGES)
    archive = archive_for(test, key, tmp_path)
    release = archive.release()
    assert release.fields["Codename"] == "bookworm"
    packages = {p.name: p for p in archive.packages(release)}
    assert packages["libc6"].version == "2.36-9"
    assert archive.deb(packages["libc6"]) == test.files[packages["libc6"].fields["Filename"]]
    test.fetched.clear()
    again = archive_for(test, key, tmp_path)
    again.deb({p.name: p for p in again.packages(again.release())}["libc6"])
    assert test.fetched == [f"{test.root}/dists/bookworm/InRelease"]  # warm: only InRelease is fetched


def test_tampered_inrelease_is_a_bad_signature_and_writes_nothing(key: Signer, tmp_path: Path) -> None:
    test = build_archive(key, PACKAGES)
    path = "dists/bookworm/InRelease"
    test.files[path] = test.files[path].replace(b"Label: Debian", b"Label: Debiam")
    with pytest.raises(JettisonError, match=r"bad OpenPGP signature \(BADSIG\)") as caught:
        archive_for(test, key, tmp_path).release()
    assert caught.value.path == f"{test.root}/{path}"
    assert files_under(tmp_path) == []


def test_inrelease_signed_by_another_key_is_refused(key: Signer, tmp_path: Path) -> None:
    with signer() as stranger:
        test = build_archive(stranger, PACKAGES)
    with pytest.raises(JettisonError, match=r"bad OpenPGP signature \(NO_PUBKEY\)"):
        archive_for(test, key, tmp_path).release()
    unsigned = build_archive(key, PACKAGES)
    unsigned.files["dists/bookworm/InRelease"] = b"Codename: bookworm\nSHA256:\n " + b"0" * 64 + b" 1 x\n"
    with pytest.raises(JettisonError, match="bad OpenPGP signature"):
        archive_for(unsigned, key, tmp_path).release()
    assert files_under(tmp_path) == []


def test_inrelease_of_another_suite_is_refused(key: Signer, tmp_path: Path) -> None:
    test = build_archive(key, PACKAGES, suite="trixie")
    test.files["dists/bookworm/InRelease"] = test.files["dists/trixie/InRelease"]
    with pytest.raises(JettisonError, match="InRelease is for 'trixie', not 'bookworm'"):
        archive_for(test, key, tmp_path).release()


def test_packages_index_with_the_wrong_hash_is_refused(key: Signer, tmp_path: Path) -> None:
    test = build_archive(key, PACKAGES, wrong_packages_sha=True)
    archive = archive_for(test, key, tmp_path)
    with pytest.raises(
        JettisonError, match="Packages index main/binary-amd64/Packages.xz: SHA256 .* does not match"
    ):
        archive.packages(archive.release())
    assert not (tmp_path / "debian" / "sha256").exists() and not (tmp_path / "debian" / "indexes").exists()


def test_deb_with_the_wrong_sha256_stops_the_base_and_writes_nothing(key: Signer, tmp_path: Path) -> None:
    test = build_archive(key, PACKAGES, wrong_deb_sha="tzdata")
    with pytest.raises(
        JettisonError, match=r"tzdata_1.0-1.deb: SHA256 [0-9a-f]{64} .* does not match"
    ) as caught:
        assemble(test, key, tmp_path)
    assert caught.value.path is not None and caught.value.path.endswith("tzdata_1.0-1_amd64.deb")
    assert not (tmp_path / "debian" / "bases").exists() and not (tmp_path / "debian" / "blobs").exists()


def test_unresolvable_root_dependency_names_it(key: Signer, tmp_path: Path) -> None:
    packages = dict(PACKAGES)
    packages["libssl3"] = lib("libssl3", "libc6 (>= 9.0)")
    with pytest.raises(JettisonError, match=r"cannot resolve libssl3 1.0-1 Depends: libc6 \(>= 9.0\)"):
        assemble(build_archive(key, packages), key, tmp_path)
    assert not (tmp_path / "debian" / "bases").exists()


def layer_members(layer: Layer) -> dict[str, tuple[tarfile.TarInfo, bytes | None]]:
    members: dict[str, tuple[tarfile.TarInfo, bytes | None]] = {}
    with tarfile.open(fileobj=layer.open_uncompressed(), mode="r|") as tar:
        for info in tar:
            handle = tar.extractfile(info) if info.isfile() else None
            members[info.name] = (info, handle.read() if handle else None)
    return members


def test_base_assembled_offline_is_complete_and_reproducible(key: Signer, tmp_path: Path) -> None:
    test = build_archive(key, PACKAGES)
    base = assemble(test, key, tmp_path / "a")
    assert [p.name for p in base.packages] == sorted(set(PACKAGES) - {"debconf", "openssl"})
    assert set(base.resolution.skipped) == {"debconf", "debconf-2.0", "openssl"}
    packages_layer, system_layer = base.image.layers
    members = layer_members(packages_layer)
    members.update(layer_members(system_layer))
    assert members["usr/lib/x86_64-linux-gnu/libc.so.6"][0].mode == 0o755  # /lib merged into /usr
    assert members["usr/lib64/ld-linux-x86-64.so.2"][0].linkname == "/usr/lib/x86_64-linux-gnu/ld.so"
    assert members["lib"][0].issym() and members["lib"][0].linkname == "usr/lib"
    assert "usr/lib/python3.11/json/__init__.py" in members
    assert not any(name.startswith("usr/lib/python3.11/tkinter") for name in members)
    assert not any(name.startswith("usr/share/man/") for name in members)
    assert "usr/share/doc/libc6/copyright" in members and "usr/share/doc/libc6/changelog.gz" not in members
    assert members["etc/ssl/certs/ca-certificates.crt"][1] == b"-----A-----\n-----B-----\n"
    assert b"nonroot:x:65532:65532:" in (members["etc/passwd"][1] or b"")
    assert members["tmp"][0].mode == 0o1777
    assert members["usr/bin/python3"][0].linkname == "python3.11"
    assert "etc/os-release" not in members  # no base-files here: no dangling link
    sbom = json.loads(members[SBOM_PATH][1] or b"")
    assert {p["name"]: p["versionInfo"] for p in sbom["packages"]}["libc6"] == "2.36-9"
    config = json.loads(base.image.config_bytes)
    assert config["config"]["User"] == "65532:65532"
    # Same packages, a fresh cache: the same image digest; a warm cache gives it without any .deb fetched.
    again = assemble(test, key, tmp_path / "b")
    assert (
        hashlib.sha256(again.image.manifest_bytes).digest()
        == hashlib.sha256(base.image.manifest_bytes).digest()
    )
    test.fetched.clear()
    assemble(test, key, tmp_path / "a")
    assert not any(url.endswith(".deb") for url in test.fetched)


def test_refs() -> None:
    assert parse_debian_ref("debian://bookworm@20261201T000000Z") == DebianRef("bookworm", "20261201T000000Z")
    for bad, message in (("debian://sid", "unknown Debian suite 'sid'"), ("debian://bookworm@yesterday",
                         "not a timestamp"), ("debian:bookworm", "not a debian:// base")):  # fmt: skip
        with pytest.raises(JettisonError, match=message):
            parse_debian_ref(bad)


def test_an_expired_inrelease_is_refused_unless_a_snapshot_is_pinned(key: Signer, tmp_path: Path) -> None:
    expired = build_archive(key, PACKAGES, release_fields="Valid-Until: Sat, 01 Jun 2024 00:00:00 UTC\n")
    with pytest.raises(JettisonError, match=r"expired on Sat, 01 Jun 2024 .* \(Valid-Until\)"):
        archive_for(expired, key, tmp_path / "a").release()
    pinned = Archive("bookworm", mirror=expired.root, snapshot="20240101T000000Z", cache_dir=tmp_path / "b",
                     keyring=key.keyring, fetch=expired.fetch)  # fmt: skip
    assert pinned.release().fields["Codename"] == "bookworm"
    fresh = build_archive(key, PACKAGES, release_fields="Valid-Until: Fri, 01 Jan 2100 00:00:00 UTC\n")
    assert archive_for(fresh, key, tmp_path / "c").release().fields["Codename"] == "bookworm"


def test_the_base_names_its_exact_python_release_for_resolution() -> None:
    from jettison.builder.wheels import WheelTarget
    from jettison.debian.archive import Package
    from jettison.debian.base import _python_release

    fields = {"Package": "python3.11-minimal", "Version": "3.11.2-6+deb12u6", "Architecture": "amd64"}
    minimal = Package(fields)
    assert _python_release([minimal], "3.11") == "3.11.2"
    assert _python_release([minimal], "3.13") is None
    target = WheelTarget("3.11", "x86_64-manylinux_2_36", "/usr/bin/python3.11", python_release="3.11.2")
    assert target.resolve_for == "3.11.2"  # uv takes "3.11" as 3.11.0
    assert WheelTarget("3.11", "x86_64-manylinux_2_36", "/usr/bin/python3.11").resolve_for == "3.11"
