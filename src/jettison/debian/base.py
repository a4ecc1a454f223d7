"""The distroless Python base: `debian://<suite>[@<snapshot>]` assembled from signed Debian packages.

    suite -> Python: bookworm 3.11, trixie 3.13
    roots: python3.X-minimal, libpython3.X-stdlib, libc6, libssl3, zlib1g, libffi8, libexpat1,
           ca-certificates, tzdata, netbase, media-types (+ extras), closed under Depends/Pre-Depends

Each .deb's data.tar goes straight into one deterministic layer (no maintainer script runs); a second
layer holds what those scripts would have done that matters at run time: the CA bundle, /etc/passwd and
/etc/group (root and nonroot 65532), nsswitch.conf, /tmp 1777, the python3/python links, a dpkg status
file (scanners and jettison's own glibc detection read it) and an SPDX SBOM of the exact packages. The
merged /usr layout is made here (/bin, /lib, /lib64, /sbin -> usr/...). Docs, man pages and locales are
left out (copyright files stay), and so are the stdlib parts a server never uses (EXCLUDED_STDLIB,
each switchable). The result is cached as an OCI layout keyed by the exact package files and options:
the same snapshot always gives the same digest. A build then completes the base (complete_base) with the
package of every shared library its dependency layers NEED and nothing in the image provides
(jettison.debian.libraries), or fails naming the library and the file that needs it.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from jettison.debian.archive import Archive, Fetcher, Package, Release
from jettison.debian.deb import DebFile, data_files
from jettison.debian.libraries import check_libraries, packages_for, scan_layer
from jettison.debian.resolve import PackageIndex, Resolution, resolve
from jettison.errors import JettisonError
from jettison.model.image import History, ImageConfig
from jettison.oci.blobs import BlobDirectory
from jettison.oci.image import Image
from jettison.oci.layers import Layer, TarEntry, write_layer

if TYPE_CHECKING:
    from jettison.builder.progress import BuildProgress

SCHEME = "debian://"
SUITE_PYTHON = {"bookworm": "3.11", "trixie": "3.13"}
PYTHON_SUITE = {python: suite for suite, python in SUITE_PYTHON.items()}
BASE_FORMAT = 2  # 2: the config says PYTHON_VERSION (the exact release wheels resolve for)
NONROOT = 65532
ROOTS = (
    "python{v}-minimal", "libpython{v}-stdlib", "libc6", "libssl3", "zlib1g", "libffi8", "libexpat1",
    "ca-certificates", "tzdata", "netbase", "media-types",
)  # fmt: skip
# Dependencies that only maintainer scripts use; jettison runs none, so it does not install them.
SCRIPT_ONLY = {
    "debconf": "ca-certificates' and tzdata's configuration questions",
    "debconf-2.0": "the virtual package of debconf",
    "dpkg": "readline-common's install-info trigger",
    "install-info": "readline-common's info page registration",
    "openssl": "update-ca-certificates (the CA bundle is written by jettison instead)",
}
# stdlib parts a server never imports; each can be kept with keep_stdlib=[name].
EXCLUDED_STDLIB = ("tkinter", "idlelib", "turtledemo", "ensurepip", "lib2to3", "pydoc_data", "test")
_DROPPED_TREES = (
    "usr/share/doc/", "usr/share/man/", "usr/share/info/", "usr/share/locale/", "usr/share/lintian/",
    "usr/share/bug/", "usr/share/doc-base/", "usr/share/gtk-doc/",
)  # fmt: skip
_MERGED = {"bin": "usr/bin", "sbin": "usr/sbin", "lib": "usr/lib", "lib64": "usr/lib64"}


@dataclass(frozen=True)
class DebianRef:
    suite: str
    snapshot: str | None = None

    @property
    def python(self) -> str:
        return SUITE_PYTHON[self.suite]

    def __str__(self) -> str:
        return f"{SCHEME}{self.suite}" + (f"@{self.snapshot}" if self.snapshot else "")


def is_debian_ref(text: str | None) -> bool:
    return bool(text) and str(text).startswith(SCHEME)


def parse_debian_ref(text: str) -> DebianRef:
    """`debian://bookworm` or `debian://bookworm@20261201T000000Z`."""
    if not is_debian_ref(text):
        raise JettisonError(f"{text!r} is not a debian:// base")
    suite, _, snapshot = text[len(SCHEME) :].partition("@")
    if suite not in SUITE_PYTHON:
        known = ", ".join(f"{SCHEME}{s} (Python {p})" for s, p in SUITE_PYTHON.items())
        raise JettisonError(f"unknown Debian suite {suite!r} in {text!r}; jettison knows {known}")
    if snapshot and not re.fullmatch(r"\d{8}T\d{6}Z", snapshot):
        raise JettisonError(f"snapshot {snapshot!r} in {text!r} is not a timestamp like 20261201T000000Z")
    return DebianRef(suite, snapshot or None)


def suite_for_python(version: str) -> str | None:
    return PYTHON_SUITE.get(version)


@dataclass(frozen=True)
class BaseOptions:
    extras: tuple[str, ...] = ()
    keep_stdlib: tuple[str, ...] = ()
    architecture: str = "amd64"
    mirror: str | None = None
    epoch: int = 0
    # (package, why) for each package added for a shared library the dependency layers need
    # (complete_base); roots like the extras, and the SBOM says why each is there.
    libraries: tuple[tuple[str, str], ...] = ()


@dataclass
class DebianBase:
    """The assembled base, and what it was made of (the index lets the build add libraries later)."""

    image: Image
    ref: DebianRef
    packages: list[Package]
    resolution: Resolution
    archive: Archive
    release: Release
    index: PackageIndex
    options: BaseOptions
    notes: list[str] = field(default_factory=list)


def _keep_path(python: str, keep_stdlib: Iterable[str]) -> tuple[set[str], Callable[[str], bool]]:
    excluded = [name for name in EXCLUDED_STDLIB if name not in set(keep_stdlib)]
    stdlib = f"usr/lib/python{python}/"
    prefixes = tuple(stdlib + name + "/" for name in excluded) + tuple(
        f"usr/lib/python3/dist-packages/{name}/" for name in excluded
    )
    files = {f"{stdlib}{name}.py" for name in excluded}

    def keep(path: str) -> bool:
        if any((path + "/").startswith(tree) for tree in _DROPPED_TREES):
            return path.startswith("usr/share/doc/") and path.endswith("/copyright") or path in (
                "usr/share/doc", "usr/share/locale",
            )  # fmt: skip
        merged = _merge(path)
        return not any((merged + "/").startswith(p) for p in prefixes) and merged not in files

    return set(excluded), keep


def _merge(path: str) -> str:
    head, _, rest = path.partition("/")
    if head in _MERGED:
        return f"{_MERGED[head]}/{rest}" if rest else _MERGED[head]
    return path


def _merge_link(link: str) -> str:
    return "/" + _merge(link[1:]) if link.startswith("/") else link


def package_entries(files: list[DebFile]) -> list[TarEntry]:
    entries: list[TarEntry] = []
    for item in files:
        path = _merge(item.path)
        if item.kind == "hardlink":
            entries.append(TarEntry(path, "hardlink", linkname=_merge(item.linkname)))
        elif item.kind == "symlink":
            entries.append(TarEntry(path, "symlink", linkname=_merge_link(item.linkname)))
        else:
            entries.append(TarEntry(path, item.kind, data=item.data, mode=item.mode & 0o755 | 0o644,
                                    exact_mode=item.kind == "file"))  # fmt: skip
    return entries


def _ca_bundle(entries: Iterable[TarEntry]) -> bytes:
    """What update-ca-certificates writes: every certificate under /usr/share/ca-certificates, sorted."""
    certificates = sorted(
        (e for e in entries if e.path.startswith("usr/share/ca-certificates/") and e.path.endswith(".crt")),
        key=lambda e: e.path,
    )
    return b"".join((e.data or b"").rstrip(b"\n") + b"\n" for e in certificates)


def _status(packages: list[Package]) -> bytes:
    stanzas = []
    for package in packages:
        lines = [f"Package: {package.name}", "Status: install ok installed"]
        for name in ("Priority", "Section", "Installed-Size", "Architecture", "Multi-Arch", "Source",
                     "Version", "Provides", "Pre-Depends", "Depends"):  # fmt: skip
            value = package.fields.get(name)
            if value:
                lines.append(f"{name}: {value}")
        stanzas.append("\n".join(lines) + "\n")
    return "\n".join(stanzas).encode()


def sbom(
    ref: DebianRef,
    packages: list[Package],
    architecture: str,
    created: str,
    comments: dict[str, str] | None = None,
) -> bytes:
    """An SPDX 2.3 document naming each package, its exact version and its .deb's SHA256; `comments`
    says why a package is there when the runtime's roots are not the reason (a shared library)."""
    names = ",".join(f"{p.name}={p.version}" for p in packages)
    document = {
        "spdxVersion": "SPDX-2.3",
        "dataLicense": "CC0-1.0",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": f"jettison {ref.suite} base",
        "documentNamespace": "https://jettison.invalid/spdx/" + hashlib.sha256(names.encode()).hexdigest(),
        "creationInfo": {"created": created, "creators": ["Tool: jettison"]},
        "packages": [
            {
                "SPDXID": "SPDXRef-deb-" + re.sub(r"[^A-Za-z0-9.-]", "-", p.name),
                "name": p.name,
                "versionInfo": p.version,
                "downloadLocation": "NOASSERTION",
                "filesAnalyzed": False,
                "checksums": [{"algorithm": "SHA256", "checksumValue": p.sha256}],
                **({"comment": comments[p.name]} if comments and p.name in comments else {}),
                "externalRefs": [
                    {
                        "referenceCategory": "PACKAGE-MANAGER",
                        "referenceType": "purl",
                        "referenceLocator": f"pkg:deb/debian/{p.name}@{p.version}?arch={architecture}",
                    }
                ],
            }  # fmt: skip
            for p in packages
        ],
    }
    return (json.dumps(document, indent=1, sort_keys=True) + "\n").encode()


SBOM_PATH = "usr/share/jettison/base.spdx.json"
PACKAGES_ANNOTATION = "dev.jettison.base.packages"


def _system_entries(
    ref: DebianRef, packages: list[Package], ca: bytes, options: BaseOptions
) -> list[TarEntry]:
    from jettison.builder.plan import created_timestamp

    python = ref.python
    libraries = options.libraries
    passwd = (
        "root:x:0:0:root:/root:/sbin/nologin\n"
        f"nonroot:x:{NONROOT}:{NONROOT}:nonroot:/home/nonroot:/sbin/nologin\n"
    )
    group = f"root:x:0:\nnonroot:x:{NONROOT}:\n"
    nsswitch = "".join(
        f"{db}: {how}\n"
        for db, how in (("passwd", "files"), ("group", "files"), ("shadow", "files"), ("hosts", "files dns"),
                        ("networks", "files"), ("protocols", "files"), ("services", "files"))
    )  # fmt: skip
    return [
        TarEntry("bin", "symlink", linkname="usr/bin"),
        TarEntry("sbin", "symlink", linkname="usr/sbin"),
        TarEntry("lib", "symlink", linkname="usr/lib"),
        TarEntry("lib64", "symlink", linkname="usr/lib64"),
        TarEntry("etc/ssl/certs/ca-certificates.crt", data=ca),
        TarEntry("etc/passwd", data=passwd.encode()),
        TarEntry("etc/group", data=group.encode()),
        TarEntry("etc/nsswitch.conf", data=nsswitch.encode()),
        TarEntry("etc/os-release", "symlink", linkname="../usr/lib/os-release"),
        TarEntry("tmp", "dir", mode=0o1777, exact_mode=True),
        TarEntry("root", "dir", mode=0o700, exact_mode=True),
        TarEntry("home/nonroot", "dir", mode=0o700, exact_mode=True, uid=NONROOT, gid=NONROOT),
        TarEntry("usr/bin/python3", "symlink", linkname=f"python{python}"),
        TarEntry("usr/bin/python", "symlink", linkname=f"python{python}"),
        TarEntry("var/lib/dpkg/status", data=_status(packages)),
        TarEntry(SBOM_PATH, data=sbom(ref, packages, options.architecture, created_timestamp(options.epoch),
                                      {name: f"added by jettison for {why}" for name, why in libraries})),
    ]


def _cache_key(ref: DebianRef, packages: list[Package], options: BaseOptions, excluded: set[str]) -> str:
    material = json.dumps({
        "format": BASE_FORMAT, "suite": ref.suite, "arch": options.architecture, "epoch": options.epoch,
        "excluded": sorted(excluded), "packages": [[p.name, p.version, p.sha256] for p in packages],
        # only when there are some: the bases cached before libraries were added keep their keys
        **({"libraries": [list(item) for item in options.libraries]} if options.libraries else {}),
    }, sort_keys=True)  # fmt: skip
    return hashlib.sha256(material.encode()).hexdigest()


def _python_release(packages: list[Package], minor: str) -> str | None:
    """`3.11.2` from python3.11-minimal's Debian version `3.11.2-6+deb12u6` (epoch and revision dropped)."""
    for package in packages:
        if package.name == f"python{minor}-minimal":
            upstream = package.version.split(":", 1)[-1].rsplit("-", 1)[0]
            match = re.match(r"^(\d+\.\d+\.\d+)", upstream)
            if match and match.group(1).startswith(minor + "."):
                return match.group(1)
    return None


def assemble_base(
    ref: DebianRef,
    cache_dir: Path,
    options: BaseOptions | None = None,
    *,
    fetch: Fetcher | None = None,
    keyring: Path | None = None,
) -> DebianBase:
    """Verify, resolve, download and write the base; from the cache when these exact packages were."""
    options = options or BaseOptions()
    archive = Archive(
        ref.suite, architecture=options.architecture, mirror=options.mirror, snapshot=ref.snapshot,
        cache_dir=cache_dir, keyring=keyring, fetch=fetch,
    )  # fmt: skip
    release = archive.release()
    index = PackageIndex.of(archive.packages(release), options.architecture)
    return _assemble(ref, archive, release, index, options)


def _assemble(
    ref: DebianRef, archive: Archive, release: Release, index: PackageIndex, options: BaseOptions
) -> DebianBase:
    from jettison.oci.layout import read_oci_layout, write_oci_layout

    roots = [name.format(v=ref.python) for name in ROOTS] + list(options.extras)
    roots += [name for name, _ in options.libraries]
    resolution = resolve(index, roots, architecture=options.architecture, skip=SCRIPT_ONLY)
    packages = resolution.packages
    excluded, keep = _keep_path(ref.python, options.keep_stdlib)
    key = _cache_key(ref, packages, options, excluded)
    layout = archive.cache / "bases" / key
    notes = list(archive.notes)
    notes.append(
        f"{ref}: {len(packages)} Debian packages from {archive.mirror}; left out: docs, man pages, locales, "
        f"stdlib {', '.join(sorted(excluded)) or 'nothing'}; not installed (maintainer scripts only): "
        + (", ".join(sorted(resolution.skipped)) or "nothing")
    )
    if (layout / "index.json").is_file():
        try:
            image = read_oci_layout(layout, "base")
            return DebianBase(image, ref, packages, resolution, archive, release, index, options, notes)
        except JettisonError:
            pass  # a damaged cached base is written again
    debs = {p.name: archive.deb(p) for p in packages}  # every .deb verified before anything is written
    entries: list[TarEntry] = []
    for package in packages:
        where = f"{package.name}_{package.version}.deb"
        entries += package_entries(data_files(debs[package.name], where, keep))
    refuse_writes_through_symlinks(entries, f"{ref} packages layer")
    _order_hardlinks(entries)
    blobs = BlobDirectory(archive.cache / "blobs")
    packages_layer = write_layer(entries, blobs=blobs, mtime=options.epoch)
    system = _system_entries(ref, packages, _ca_bundle(entries), options)
    if not any(e.path == "usr/lib/os-release" for e in entries):
        system = [e for e in system if e.path != "etc/os-release"]  # no dangling link without base-files
    system_layer = write_layer(system, blobs=blobs, mtime=options.epoch)
    from jettison.builder.plan import created_timestamp

    created = created_timestamp(options.epoch)
    config = ImageConfig(
        architecture=options.architecture,
        created=created,
        config={
            "Env": [
                "PATH=/usr/local/bin:/usr/bin:/bin",
                "LANG=C.UTF-8",
                "SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt",
                # As the official python images say theirs: the exact release the wheels are resolved for
                # (bookworm ships 3.11.2; a pin needing 3.11.5 must not resolve for it).
                *([f"PYTHON_VERSION={full}"] if (full := _python_release(packages, ref.python)) else []),
            ],  # fmt: skip
            "Cmd": [f"/usr/bin/python{ref.python}"],
            "User": f"{NONROOT}:{NONROOT}",
            "WorkingDir": "/home/nonroot",
        },
        history=(
            History(
                created=created,
                created_by="jettison debian base",
                comment=f"{len(packages)} Debian {ref.suite} packages",
            ),
            History(
                created=created,
                created_by="jettison debian base",
                comment="CA bundle, passwd/group, nsswitch, /tmp, python links, dpkg status, SBOM",
            ),
        ),  # fmt: skip
    )
    annotations = {
        PACKAGES_ANNOTATION: ",".join(f"{p.name}={p.version}" for p in packages),
        "org.opencontainers.image.created": created,
    }
    image = Image.assemble(config, [packages_layer, system_layer], annotations=annotations)
    write_oci_layout(image, layout, "base")
    image = read_oci_layout(layout, "base")
    return DebianBase(image, ref, packages, resolution, archive, release, index, options, notes)


def complete_base(base: DebianBase, layers: list[Layer]) -> DebianBase:
    """`base` with the Debian packages of the shared libraries `layers` (the dependency layers) need and
    nothing in the image provides, each closed under its Depends and named in the SBOM with the file
    that needs it; `base` itself when none is missing. A library no package of the suite provides is an
    error naming it and the file that needs it: no image leaves jettison unable to load one."""
    architecture = base.options.architecture
    scans = base.archive.cache / "layers"
    dependencies = [scan_layer(layer, scans) for layer in layers]
    check = check_libraries([scan_layer(layer, scans) for layer in base.image.layers], dependencies,
                            architecture)  # fmt: skip
    if not check.missing:
        base.notes += check.notes
        return base

    def deb_paths(package: Package) -> list[str]:
        where = f"{package.name}_{package.version}.deb"
        return [item.path for item in data_files(base.archive.deb(package), where)]

    packages = packages_for(
        check.missing, index=base.index, contents=base.archive.contents(base.release), deb_paths=deb_paths,
        architecture=architecture, suite=base.ref.suite,
    )  # fmt: skip
    if not packages.found:
        base.notes += check.notes + packages.notes
        return base
    added = tuple((item.package.name, item.reason) for item in packages.found)
    options = replace(base.options, libraries=base.options.libraries + added)
    completed = _assemble(base.ref, base.archive, base.release, base.index, options)
    again = check_libraries([scan_layer(layer, scans) for layer in completed.image.layers], dependencies,
                            architecture)  # fmt: skip
    tolerated = {item.name for item in packages.left_to_wheels}
    still = [item for item in again.missing if item.name not in tolerated]
    if still:
        raise JettisonError(
            f"{still[0].name} needed by /{still[0].needed_by} (in the dependency layers) is still missing "
            f"after adding {', '.join(name for name, _ in added)} from {base.ref.suite}"
        )
    before = {p.name for p in base.packages}
    new = [p for p in completed.packages if p.name not in before]
    kib = sum(p.installed_kib for p in new)
    completed.notes += check.notes + packages.notes + [
        f"{base.ref}: added for shared libraries the dependency layers need: "
        + "; ".join(f"{item.package.name} for {item.reason}" for item in packages.found)
        + f" ({len(new)} package(s) with their Depends, {kib / 1024:.1f} MB installed)"
    ]
    return completed


def load_debian_base(text: str, cache_dir: Path, progress: BuildProgress | None = None) -> DebianBase:
    """`jettison build --base debian://<suite>[@<snapshot>]`: the base, with a progress line."""
    ref = parse_debian_ref(text)
    if progress is not None:
        progress.start(f"base {ref}")
    base = assemble_base(ref, cache_dir)
    if progress is not None:
        progress.finish(f"base {ref}", f"{len(base.packages)} Debian packages")
    return base


def _order_hardlinks(entries: list[TarEntry]) -> None:
    """The layer writer needs a hard link to sort after its target; merging /bin, /lib into /usr can
    reorder them, so such a link stores the content again (data_files already made every link's target
    present in its package)."""
    by_path = {e.path: e for e in entries}
    for i, entry in enumerate(entries):
        if entry.kind == "hardlink" and entry.path.split("/") < entry.linkname.split("/"):
            target = by_path[entry.linkname]
            entries[i] = TarEntry(entry.path, "file", data=target.data, mode=target.mode, exact_mode=True)


def refuse_writes_through_symlinks(entries: list[TarEntry], where: str) -> None:
    """A member whose parent is another package's symlink would write through it: refused, named."""
    symlinks = {e.path for e in entries if e.kind == "symlink"}
    for entry in entries:
        parts = entry.path.split("/")
        for i in range(1, len(parts)):
            parent = "/".join(parts[:i])
            if parent in symlinks:
                raise JettisonError(
                    f"{entry.path!r} is under the symlink {parent!r} of another package", where
                )
