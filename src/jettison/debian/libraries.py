"""The shared libraries an image's dependency layers need, and the Debian packages that provide them.

ld.so looks a NEEDED name up in: the DT_RPATH of the object and of the objects that loaded it (when the
object has no DT_RUNPATH), its DT_RUNPATH, then the default directories. The debian:// base has no
/etc/ld.so.cache (ldconfig never runs), so the defaults are Debian's built-in lib/<triplet>,
usr/lib/<triplet>, lib, usr/lib. `$ORIGIN` is the directory of the object, which is how a wheel's own
libraries (auditwheel's <package>.libs) are found. Whatever is not found is missing: its package is looked
up in the Contents index, or, without one, guessed from Debian's library package naming and confirmed by
the .deb's own file list. A missing library no package provides but the wheels ship outside the search
path is left to them with a note (packages that do so load it first by path, with ctypes, after which
ld.so matches the name); any other is an error.

Each layer is scanned once, its paths, link targets and the ELF facts of its files, and the scan is kept
by diff_id: the dependency layers are reused across builds, so a warm build reads no ELF file again.
"""

from __future__ import annotations

import json
import os
import posixpath
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from jettison.debian.archive import Package
from jettison.debian.contents import ContentsIndex
from jettison.debian.elf import MAX_ELF_BYTES, ElfObject, is_elf, read_elf
from jettison.debian.resolve import PackageIndex
from jettison.errors import JettisonError
from jettison.oci.layers import Layer, normalize_path

SCAN_FORMAT = 1
SPOOL_BYTES = 16 << 20  # an ELF file above this is read from a temporary file, not memory
# Debian architecture -> (multiarch triplet, ELF machine, ELF class) of the objects its ld.so loads.
ARCHITECTURES = {
    "amd64": ("x86_64-linux-gnu", "EM_X86_64", 64),
    "arm64": ("aarch64-linux-gnu", "EM_AARCH64", 64),
}
_SYMLINK_HOPS = 40  # the kernel's ELOOP bound


def library_dirs(architecture: str) -> tuple[str, ...]:
    """ld.so's default search path on Debian without an ld.so.cache, in its order."""
    triplet = _architecture(architecture)[0]
    return (f"lib/{triplet}", f"usr/lib/{triplet}", "lib", "usr/lib")


def _architecture(architecture: str) -> tuple[str, str, int]:
    if architecture not in ARCHITECTURES:
        known = ", ".join(sorted(ARCHITECTURES))
        raise JettisonError(f"shared libraries are checked for {known}, not {architecture!r}")
    return ARCHITECTURES[architecture]


# ---- one layer ----------------------------------------------------------------------------------------


@dataclass
class LayerScan:
    """What one layer holds, as the dynamic linker would see it."""

    entries: dict[str, tuple[str, str]] = field(default_factory=dict)  # path -> (kind, link target)
    elves: dict[str, ElfObject] = field(default_factory=dict)
    unread: dict[str, str] = field(default_factory=dict)  # ELF files that could not be read -> why
    whiteouts: list[str] = field(default_factory=list)
    opaque: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        return {
            "format": SCAN_FORMAT, "entries": [[p, k, t] for p, (k, t) in self.entries.items()],
            "elves": {p: e.to_json() for p, e in self.elves.items()}, "unread": self.unread,
            "whiteouts": self.whiteouts, "opaque": self.opaque,
        }  # fmt: skip

    @classmethod
    def from_json(cls, data: dict) -> LayerScan | None:  # type: ignore[type-arg]
        if data.get("format") != SCAN_FORMAT:
            return None
        return cls(
            {str(p): (str(k), str(t)) for p, k, t in data["entries"]},
            {str(p): ElfObject.from_json(e) for p, e in data["elves"].items()},
            {str(p): str(why) for p, why in data["unread"].items()},
            [str(p) for p in data["whiteouts"]],
            [str(p) for p in data["opaque"]],
        )


def scan_layer(layer: Layer, cache: Path | None = None) -> LayerScan:
    """The layer's paths and the ELF facts of its files, from `cache` (by diff_id) when scanned before."""
    saved = cache / f"{layer.diff_id.replace(':', '-')}.json" if cache is not None else None
    if saved is not None and saved.is_file():
        try:
            scan = LayerScan.from_json(json.loads(saved.read_text("utf-8")))
            if scan is not None:
                return scan
        except (ValueError, KeyError, TypeError, AttributeError):
            pass  # a damaged scan is made again
    scan = LayerScan()
    for member, reader in layer.members():
        if member.whiteout is not None:
            scan.whiteouts.append(member.whiteout)
            continue
        if member.opaque:
            scan.opaque.append(posixpath.dirname(member.path))
            continue
        if not member.path:
            continue
        link = normalize_path(member.linkname) if member.kind == "hardlink" else member.linkname
        scan.entries[member.path] = (member.kind, link)
        if member.kind == "file" and reader is not None and member.size >= 4:
            _scan_file(scan, member.path, member.size, reader, f"/{member.path} in {layer.what}")
    if saved is not None:
        saved.parent.mkdir(parents=True, exist_ok=True)
        temporary = saved.with_suffix(f".tmp{os.getpid()}")
        temporary.write_text(json.dumps(scan.to_json()), "utf-8")
        temporary.replace(saved)
    return scan


def _scan_file(scan: LayerScan, path: str, size: int, reader: BinaryIO, where: str) -> None:
    head = reader.read(4)
    if not is_elf(head):
        return
    if size > MAX_ELF_BYTES:
        scan.unread[path] = f"ELF file of {size} bytes, more than jettison reads ({MAX_ELF_BYTES})"
        return
    # A tar member streams forward only; pyelftools seeks, so the file is copied out first.
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as spool:
        spool.write(head)
        shutil.copyfileobj(reader, spool, 1 << 20)
        try:
            found = read_elf(spool, where)  # type: ignore[arg-type]  # a SpooledTemporaryFile is a BinaryIO
        except JettisonError as error:
            scan.unread[path] = error.message
            return
    if found is not None:
        scan.elves[path] = found


# ---- the merged tree ------------------------------------------------------------------------------


class ImageFiles:
    """The merged file tree of some layers (whiteouts applied), for lookups that follow symlinks."""

    def __init__(self, scans: Iterable[LayerScan]) -> None:
        self.entries: dict[str, tuple[str, str]] = {}
        for scan in scans:
            for gone in [*scan.whiteouts, *scan.opaque]:
                keep_self = gone in scan.opaque
                self.entries = {
                    p: e for p, e in self.entries.items()
                    if not p.startswith(gone + "/") and (keep_self or p != gone)
                }  # fmt: skip
            self.entries.update(scan.entries)
        split = (path.split("/") for path in self.entries)
        self.directories = {"/".join(parts[:i]) for parts in split for i in range(1, len(parts))}

    def resolve(self, path: str) -> str | None:
        """The path of the regular file `path` (absolute, or relative to the root) ends at, following
        symlinks; None when nothing, or no regular file, is there."""
        pending = [part for part in reversed(path.split("/"))]
        done: list[str] = []
        hops = _SYMLINK_HOPS
        kind = "dir"
        while pending:
            part = pending.pop()
            if part in ("", "."):
                continue
            if part == "..":
                if done:
                    done.pop()
                continue
            candidate = "/".join([*done, part])
            kind, target = self.entries.get(candidate, ("dir" if candidate in self.directories else "", ""))
            if not kind:
                return None
            if kind == "symlink":
                hops -= 1
                if hops < 0:
                    return None
                if target.startswith("/"):
                    done = []
                pending.extend(reversed(target.split("/")))
                continue
            if pending and kind != "dir":
                return None
            done.append(part)
        return "/".join(done) if done and kind in ("file", "hardlink") else None


# ---- what is missing ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class NeededLibrary:
    """A NEEDED name (or a PT_INTERP path) and the object in the image that needs it; `shipped_at`, a
    file of that name the dependency layers hold outside the object's search path."""

    name: str
    needed_by: str
    shipped_at: str | None = None


@dataclass
class LibraryCheck:
    missing: list[NeededLibrary]
    notes: list[str]


def _expand(paths: Iterable[str], origin: str) -> list[str]:
    """RPATH/RUNPATH entries as image paths; `$ORIGIN` is the object's directory. Relative entries are
    relative to the process's working directory, which no image fixes: they find nothing."""
    out = []
    for path in paths:
        path = path.replace("${ORIGIN}", "$ORIGIN").replace("$ORIGIN", "/" + origin)
        if path.startswith("/"):
            out.append(posixpath.normpath(path).lstrip("/"))
    return out


def check_libraries(
    base: list[LayerScan], dependencies: list[LayerScan], architecture: str
) -> LibraryCheck:
    """Every NEEDED and PT_INTERP of the dependency layers' ELF objects that nothing in the image provides."""
    triplet, machine, bits = _architecture(architecture)
    files = ImageFiles([*base, *dependencies])
    defaults = list(library_dirs(architecture))
    notes: list[str] = []
    objects: dict[str, ElfObject] = {}
    foreign: dict[str, str] = {}
    unread: dict[str, str] = {}
    for scan in dependencies:
        unread.update(scan.unread)
        for path, elf in scan.elves.items():
            if files.entries.get(path, ("", ""))[0] != "file":
                continue  # replaced or removed by a later layer
            if (elf.machine, elf.bits) != (machine, bits):
                foreign[path] = f"{elf.machine}/{elf.bits}-bit"
            elif elf.kind in ("ET_DYN", "ET_EXEC"):
                objects[path] = elf
    own_rpath = {p: [] if e.runpath else _expand(e.rpath, posixpath.dirname(p)) for p, e in objects.items()}
    inherited: dict[str, list[str]] = {p: [] for p in objects}

    def search(path: str) -> list[str]:
        elf = objects[path]
        chain = [] if elf.runpath else own_rpath[path] + inherited[path]
        return chain + _expand(elf.runpath, posixpath.dirname(path)) + defaults

    def find(name: str, directories: list[str]) -> str | None:
        return next((found for d in directories if (found := files.resolve(f"{d}/{name}"))), None)

    # An object loaded through another one also searches its loaders' RPATHs: spread them to a fixpoint.
    for _ in range(len(objects) + 1):
        changed = False
        for path in sorted(objects):
            for name in objects[path].needed:
                target = find(name, search(path)) if "/" not in name else None
                if target in objects and target != path:
                    for directory in own_rpath[path] + inherited[path]:
                        if directory not in inherited[target]:
                            inherited[target].append(directory)
                            changed = True
        if not changed:
            break
    shipped = {posixpath.basename(p): p for scan in dependencies for p in scan.entries}
    shipped.update({e.soname: p for p, e in objects.items() if e.soname})
    missing: list[NeededLibrary] = []
    for path in sorted(objects):
        elf = objects[path]
        if elf.interpreter and files.resolve(elf.interpreter) is None:
            missing.append(NeededLibrary(elf.interpreter, path))
        for name in elf.needed:
            if (files.resolve(name) if "/" in name else find(name, search(path))) is None:
                missing.append(NeededLibrary(name, path, shipped.get(name) if "/" not in name else None))
    if unread:
        first = sorted(unread)[0]
        notes.append(f"{len(unread)} ELF file(s) of the dependency layers unread, so not checked: "
                     f"/{first}: {unread[first]}")  # fmt: skip
    if foreign:
        first = sorted(foreign)[0]
        notes.append(f"{len(foreign)} ELF file(s) for another machine than {triplet}, not checked: "
                     f"/{first} ({foreign[first]})")  # fmt: skip
    return LibraryCheck(missing, notes)


def _few(items: list[str], shown: int = 3) -> str:
    more = f" and {len(items) - shown} more" if len(items) > shown else ""
    return ", ".join(items[:shown]) + more


# ---- which package provides it -------------------------------------------------------------------------


@dataclass(frozen=True)
class LibraryPackage:
    """The package that provides a missing library, and how jettison knows."""

    package: Package
    library: NeededLibrary
    evidence: str

    @property
    def reason(self) -> str:
        return f"{self.library.name} needed by /{self.library.needed_by} ({self.evidence})"


def package_names_for(soname: str) -> list[str]:
    """Debian's usual name for the package of a library (policy 8.1): libfoo.so.5 -> libfoo5,
    libfoo2.so.3 -> libfoo2-3, libglib-2.0.so.0 -> libglib2.0-0; with trixie's t64 variant. A guess,
    confirmed by the .deb's files before it is used."""
    match = re.fullmatch(r"lib(.+?)\.so\.([0-9]+)(\.[0-9.]*)?", soname)
    if not match:
        return []
    names = []
    for stem in dict.fromkeys((match[1].lower().replace("_", "-"), match[1].lower().replace("-", ""))):
        name = f"lib{stem}-{match[2]}" if stem[-1].isdigit() else f"lib{stem}{match[2]}"
        names += [name, name + "t64"]
    return [n for n in dict.fromkeys(names) if re.fullmatch(r"[a-z0-9][a-z0-9+.-]+", n)]


def _directories_for(name: str, architecture: str) -> tuple[str, list[str]]:
    """(basename, directories to find it in): a soname in the default search path, a PT_INTERP path in
    its own directory, either side of the merged /usr."""
    if "/" not in name:
        return name, list(library_dirs(architecture))
    directory, _, base = name.lstrip("/").rpartition("/")
    other = directory.removeprefix("usr/") if directory.startswith("usr/") else f"usr/{directory}"
    return base, [directory, other]


@dataclass
class LibraryPackages:
    found: list[LibraryPackage]
    left_to_wheels: list[NeededLibrary]  # in no package, shipped by the wheels outside the search path
    notes: list[str]


def packages_for(
    missing: list[NeededLibrary],
    *,
    index: PackageIndex,
    contents: ContentsIndex | None,
    deb_paths: Callable[[Package], list[str]],
    architecture: str,
    suite: str,
) -> LibraryPackages:
    """One package per missing name (the first file that needs it is named). A name no package of the
    suite provides is an error naming it and the file that needs it, unless the wheels ship it."""
    found: list[LibraryPackage] = []
    left: list[NeededLibrary] = []
    unfound: list[str] = []
    seen: set[str] = set()
    for library in missing:
        if library.name in seen:
            continue
        seen.add(library.name)
        base, directories = _directories_for(library.name, architecture)
        pick = _from_contents(library, base, directories, index, contents, architecture)
        if pick is None and contents is None:
            pick = _from_naming(library, base, directories, index, deb_paths)
        if pick is not None:
            found.append(pick)
            continue
        if library.shipped_at is not None:
            left.append(library)
            continue
        elsewhere = ""
        if contents is not None and contents.files.get(base):
            places = [f"/{path} ({package})" for path, package in contents.files[base][:2]]
            elsewhere = f" (only at {', '.join(places)}, outside the search path)"
        unfound.append(f"{library.name} needed by /{library.needed_by} (in the dependency layers) is in no "
                       f"package of {suite}{elsewhere}")  # fmt: skip
    if unfound:
        raise JettisonError(
            "; ".join(unfound) + "; a wheel needing a library the system lacks should bundle it (auditwheel "
            "repair), or build on a base image that has it (--base IMAGE)"
        )
    notes = []
    if left:
        shown = [f"{item.name} (needed by /{item.needed_by}, at /{item.shipped_at})" for item in left]
        notes.append(
            f"shared libraries in no package of {suite} that the wheels ship outside the search path of "
            f"the file that needs them (they load once the package loads them first, by path): {_few(shown)}"
        )
    return LibraryPackages(found, left, notes)


def _from_contents(
    library: NeededLibrary,
    base: str,
    directories: list[str],
    index: PackageIndex,
    contents: ContentsIndex | None,
    architecture: str,
) -> LibraryPackage | None:
    if contents is None:
        return None
    names = [name for name in contents.providers(base, directories) if index.newest(name) is not None]
    if not names:
        return None
    # Several packages ship it (rare in a default directory): the one named like the library, else the first.
    guesses = set(package_names_for(base))
    name = next((n for n in names if n in guesses), names[0])
    package = index.newest(name)
    assert package is not None
    where = next(p for p, q in contents.files[base] if q == name and p.rpartition("/")[0] in directories)
    return LibraryPackage(package, library, f"Contents-{architecture}: /{where}")


def _from_naming(
    library: NeededLibrary,
    base: str,
    directories: list[str],
    index: PackageIndex,
    deb_paths: Callable[[Package], list[str]],
) -> LibraryPackage | None:
    for name in package_names_for(base):
        package = index.newest(name)
        if package is None:
            continue
        for path in deb_paths(package):
            directory, _, file_name = path.rpartition("/")
            if file_name == base and directory in directories:
                return LibraryPackage(package, library, f"named like it; its .deb has /{path}")
    return None
