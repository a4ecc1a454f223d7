"""A Debian archive as jettison reads it: signed InRelease -> Packages index by SHA256 -> .debs by SHA256.

Trust flows one way. InRelease is checked by gpgv against the Debian archive keyring (the host's
/usr/share/keyrings/debian-archive-keyring.gpg, or $JETTISON_DEBIAN_KEYRING); only the text gpgv itself
writes out as signed is parsed, never the envelope. The Release fields give the SHA256 of the Packages
index; the index gives the SHA256 and size of every .deb. The Contents index (which package ships which
file, read only when a shared library must be found) is verified like the Packages index. Anything that
does not match is an error naming it, and nothing unverified is kept: downloads land in a content-addressed
cache directory (`<cache>/debian/sha256/<hex>`) only after their hash matched, so a warm build
downloads nothing but InRelease, and works from the last verified InRelease when the mirror cannot be
reached (it says so).

Mirror: $JETTISON_DEBIAN_MIRROR or http://deb.debian.org/debian. A snapshot (`debian://bookworm@
20261201T000000Z`) reads $JETTISON_DEBIAN_SNAPSHOT_MIRROR/<timestamp> (default
http://snapshot.debian.org/archive/debian/<timestamp>), whose content never changes.
"""

from __future__ import annotations

import datetime
import email.utils
import hashlib
import io
import json
import lzma
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from jettison.debian.contents import ContentsIndex, parse_contents
from jettison.debian.control import parse_paragraphs
from jettison.errors import JettisonError
from jettison.oci.decompress import open_decompressed
from jettison.scratch import run_directory

DEFAULT_MIRROR = "http://deb.debian.org/debian"
DEFAULT_SNAPSHOT_MIRROR = "http://snapshot.debian.org/archive/debian"
KEYRING_CANDIDATES = (
    "/usr/share/keyrings/debian-archive-keyring.gpg",
    "/usr/share/keyrings/debian-archive-keyring.pgp",
)
INDEX_FORMAT = 1
# The fields of a Packages paragraph that resolution and extraction use; the parsed index keeps only these.
KEPT_FIELDS = (
    "Package", "Version", "Architecture", "Depends", "Pre-Depends", "Provides", "Filename", "SHA256",
    "Size", "Installed-Size", "Essential", "Priority", "Section", "Source", "Multi-Arch",
)  # fmt: skip
_SNAPSHOT = re.compile(r"^\d{8}T\d{6}Z$")

# fetch(url) -> bytes; raises OSError-like JettisonError. Tests pass a function reading local files.
Fetcher = Callable[[str], bytes]


def default_mirror() -> str:
    return os.environ.get("JETTISON_DEBIAN_MIRROR", "").strip() or DEFAULT_MIRROR


def mirror_for(snapshot: str | None, mirror: str | None = None) -> str:
    """The archive root URL: `mirror`, else the snapshot service for a pinned timestamp, else the default."""
    if mirror:
        return mirror.rstrip("/")
    if snapshot:
        if not _SNAPSHOT.match(snapshot):
            raise JettisonError(f"snapshot {snapshot!r} is not a timestamp like 20261201T000000Z")
        root = os.environ.get("JETTISON_DEBIAN_SNAPSHOT_MIRROR", "").strip() or DEFAULT_SNAPSHOT_MIRROR
        return f"{root.rstrip('/')}/{snapshot}"
    return default_mirror().rstrip("/")


def find_keyring(explicit: str | Path | None = None) -> Path:
    candidates = [explicit] if explicit else []
    if os.environ.get("JETTISON_DEBIAN_KEYRING"):
        candidates.insert(0, os.environ["JETTISON_DEBIAN_KEYRING"])
    candidates += list(KEYRING_CANDIDATES)
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    raise JettisonError(
        "no Debian archive keyring (looked for $JETTISON_DEBIAN_KEYRING and "
        f"{', '.join(KEYRING_CANDIDATES)}): apt-get install debian-archive-keyring"
    )


def http_fetcher(timeout: float = 60.0) -> Fetcher:
    import httpx

    client = httpx.Client(timeout=timeout, follow_redirects=True)

    def fetch(url: str) -> bytes:
        try:
            response = client.get(url)
        except httpx.HTTPError as error:
            raise JettisonError(f"cannot reach {url}: {error}") from None
        if response.status_code != 200:
            raise JettisonError(f"{url}: HTTP {response.status_code}")
        return response.content

    return fetch


# gpgv's status words for a failed check, the most telling first (ERRSIG comes with NO_PUBKEY).
_SIGNATURE_FAILURES = ("BADSIG", "NO_PUBKEY", "EXPKEYSIG", "REVKEYSIG", "EXPSIG", "ERRSIG")

# ---- signature ----------------------------------------------------------------------------------------


def verify_inrelease(data: bytes, keyring: Path, where: str) -> str:
    """The signed text of an InRelease file, after gpgv checked its signature against `keyring`."""
    gpgv = shutil.which("gpgv")
    if gpgv is None:
        raise JettisonError("gpgv is needed to verify the Debian archive signature: apt-get install gpgv")
    with tempfile.TemporaryDirectory(prefix="gpgv-", dir=run_directory()) as scratch:
        signed = Path(scratch) / "InRelease"
        signed.write_bytes(data)
        out = Path(scratch) / "Release"
        result = subprocess.run(
            [gpgv, "--status-fd", "1", "--keyring", str(keyring), "--output", str(out), str(signed)],
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
        good = any(line.startswith("[GNUPG:] VALIDSIG ") for line in result.stdout.splitlines())
        if result.returncode != 0 or not good or not out.is_file():
            status = {
                line.split(" ", 2)[1] for line in result.stdout.splitlines() if line.startswith("[GNUPG:] ")
            }
            reason = next((name for name in _SIGNATURE_FAILURES if name in status), "no valid signature")
            raise JettisonError(f"bad OpenPGP signature ({reason}) against keyring {keyring}", where)
        return out.read_text("utf-8")


# ---- the archive ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndexFile:
    path: str  # relative to dists/<suite>/, e.g. main/binary-amd64/Packages.xz
    sha256: str
    size: int


@dataclass
class Release:
    fields: dict[str, str]
    files: dict[str, IndexFile] = field(default_factory=dict)

    @classmethod
    def parse(cls, text: str, where: str) -> Release:
        paragraphs = list(parse_paragraphs(text, where))
        if not paragraphs:
            raise JettisonError("empty Release file", where)
        fields = paragraphs[0]
        files: dict[str, IndexFile] = {}
        for line in fields.get("SHA256", "").splitlines():
            parts = line.split()
            if len(parts) == 3:
                files[parts[2]] = IndexFile(parts[2], parts[0].lower(), int(parts[1]))
        if not files:
            raise JettisonError("Release file lists no SHA256 checksums", where)
        return cls(fields, files)

    @property
    def by_hash(self) -> bool:
        return self.fields.get("Acquire-By-Hash", "").lower() == "yes"


@dataclass(frozen=True)
class Package:
    """One binary package of the index (the fields in KEPT_FIELDS)."""

    fields: dict[str, str]

    @property
    def name(self) -> str:
        return self.fields["Package"]

    @property
    def version(self) -> str:
        return self.fields["Version"]

    @property
    def sha256(self) -> str:
        return self.fields.get("SHA256", "").lower()

    @property
    def size(self) -> int:
        return int(self.fields.get("Size", "0") or 0)

    @property
    def installed_kib(self) -> int:
        return int(self.fields.get("Installed-Size", "0") or 0)

    def __str__(self) -> str:
        return f"{self.name} {self.version}"


_COMPRESSION = {".xz": "xz", ".gz": "gzip", ".bz2": "bzip2"}


def _decompressed(data: bytes, name: str, where: str) -> BinaryIO:
    """A line-iterable stream over `data`, decompressed as its name says, through the one bounded opener
    every other download uses (oci/decompress.py); a Contents index is ~150 MB decompressed: read line by
    line, never whole."""
    compression = next((c for suffix, c in _COMPRESSION.items() if name.endswith(suffix)), "none")
    return open_decompressed(io.BytesIO(data), compression, where)


class Archive:
    """One suite of one mirror for one architecture, with downloads cached by SHA256 under `cache_dir`."""

    def __init__(
        self,
        suite: str,
        *,
        architecture: str = "amd64",
        mirror: str | None = None,
        snapshot: str | None = None,
        cache_dir: Path,
        keyring: Path | None = None,
        fetch: Fetcher | None = None,
        component: str = "main",
    ) -> None:
        self.suite = suite
        self.architecture = architecture
        self.snapshot = snapshot
        self.mirror = mirror_for(snapshot, mirror)
        self.component = component
        self.cache = Path(cache_dir) / "debian"
        self._keyring = keyring
        self._fetch = fetch
        self.notes: list[str] = []

    @property
    def fetch(self) -> Fetcher:
        if self._fetch is None:
            self._fetch = http_fetcher()
        return self._fetch

    def blob_path(self, sha256: str) -> Path:
        return self.cache / "sha256" / sha256

    def _store(self, data: bytes, sha256: str) -> None:
        path = self.blob_path(sha256)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def fetch_verified(self, url: str, sha256: str, size: int | None, what: str) -> bytes:
        """`url`'s bytes, from the cache when present; a hash or size mismatch is an error naming `what`."""
        cached = self.blob_path(sha256)
        if cached.is_file():
            data = cached.read_bytes()
            if hashlib.sha256(data).hexdigest() == sha256:
                return data
            cached.unlink()  # a damaged cache entry is fetched again
        data = self.fetch(url)
        actual = hashlib.sha256(data).hexdigest()
        if actual != sha256 or (size is not None and len(data) != size):
            raise JettisonError(
                f"{what}: SHA256 {actual} ({len(data)} bytes) does not match the signed index "
                f"({sha256}, {size} bytes)",
                url,
            )
        self._store(data, sha256)
        return data

    # -- Release -----------------------------------------------------------------------------------

    def _release_cache(self) -> Path:
        key = hashlib.sha256(f"{self.mirror}|{self.suite}".encode()).hexdigest()[:16]
        return self.cache / "releases" / f"{self.suite}-{key}.InRelease"

    def release(self) -> Release:
        url = f"{self.mirror}/dists/{self.suite}/InRelease"
        keyring = find_keyring(self._keyring)
        try:
            data = self.fetch(url)
        except JettisonError as error:
            saved = self._release_cache()
            if not saved.is_file():
                raise
            data = saved.read_bytes()
            self.notes.append(f"{url} unreachable ({error}); using the InRelease verified on an earlier run")
        text = verify_inrelease(data, keyring, url)
        release = Release.parse(text, url)
        codename = release.fields.get("Codename", "")
        suite_field = release.fields.get("Suite", "")
        if self.suite not in (codename, suite_field):
            raise JettisonError(f"InRelease is for {codename or suite_field!r}, not {self.suite!r}", url)
        self._check_valid_until(release, url)
        saved = self._release_cache()
        saved.parent.mkdir(parents=True, exist_ok=True)
        saved.write_bytes(data)
        return release

    def _check_valid_until(self, release: Release, url: str) -> None:
        """A signed InRelease past its Valid-Until is refused, as apt refuses it: a mirror (or a proxy)
        replaying old signed metadata would otherwise pin the base to packages with known holes. A
        snapshot is old on purpose: apt's Check-Valid-Until=no, so it is not checked."""
        text = release.fields.get("Valid-Until")
        if not text or self.snapshot:
            return
        try:
            until = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError):
            raise JettisonError(f"InRelease has an unreadable Valid-Until {text!r}", url) from None
        if until.tzinfo is None:
            until = until.replace(tzinfo=datetime.UTC)
        if until < datetime.datetime.now(datetime.UTC):
            raise JettisonError(f"InRelease expired on {text} (Valid-Until): the mirror serves stale "
                                "metadata; use another mirror, or pin a snapshot (debian://SUITE@TIMESTAMP)",
                                url)  # fmt: skip

    # -- Packages ----------------------------------------------------------------------------------

    def packages(self, release: Release) -> list[Package]:
        """The component's Packages index for the architecture, verified against the Release's SHA256."""
        stem = f"{self.component}/binary-{self.architecture}/Packages"
        for suffix in (".xz", ".gz", ""):
            entry = release.files.get(stem + suffix)
            if entry is not None:
                break
        else:
            raise JettisonError(f"Release lists no {stem}(.xz|.gz)", f"{self.mirror}/dists/{self.suite}")
        parsed = self.cache / "indexes" / f"{entry.sha256}.json"
        if parsed.is_file():
            try:
                data = json.loads(parsed.read_text("utf-8"))
                if data.get("format") == INDEX_FORMAT:
                    return [Package(fields) for fields in data["packages"]]
            except ValueError:
                pass
        url = self._index_url(release, f"{self.component}/binary-{self.architecture}", entry)
        raw = self.fetch_verified(url, entry.sha256, entry.size, f"Packages index {entry.path}")
        try:
            with _decompressed(raw, entry.path, url) as stream:
                text = stream.read().decode("utf-8", "replace")
        except (lzma.LZMAError, OSError, EOFError) as error:
            raise JettisonError(f"cannot decompress {entry.path}: {error}", url) from None
        packages = [
            Package({k: v for k, v in fields.items() if k in KEPT_FIELDS})
            for fields in parse_paragraphs(text, url)
            if "Package" in fields and "Version" in fields
        ]
        _save_parsed(parsed, {"format": INDEX_FORMAT, "packages": [p.fields for p in packages]})
        return packages

    # -- Contents ----------------------------------------------------------------------------------

    def contents(self, release: Release) -> ContentsIndex | None:
        """The component's Contents index of shared objects, verified against the Release's SHA256;
        None when the Release lists none (callers then fall back on package naming)."""
        stem = f"{self.component}/Contents-{self.architecture}"
        entry = next((release.files[stem + s] for s in (".xz", ".gz", "") if stem + s in release.files), None)
        if entry is None:
            return None
        parsed = self.cache / "indexes" / f"{entry.sha256}.contents.json"
        if parsed.is_file():
            try:
                index = ContentsIndex.from_json(json.loads(parsed.read_text("utf-8")))
                if index is not None:
                    return index
            except ValueError:
                pass  # a damaged parse is made again from the verified download
        url = self._index_url(release, self.component, entry)
        raw = self.fetch_verified(url, entry.sha256, entry.size, f"Contents index {entry.path}")
        try:
            with _decompressed(raw, entry.path, url) as lines:
                index = parse_contents(lines, url)
        except (lzma.LZMAError, OSError, EOFError) as error:
            raise JettisonError(f"cannot decompress {entry.path}: {error}", url) from None
        _save_parsed(parsed, index.to_json())
        return index

    def _index_url(self, release: Release, directory: str, entry: IndexFile) -> str:
        """Where an index the Release lists is fetched: by its hash when the Release says the mirror
        serves them so (no race with a mirror update), else by its path."""
        base = f"{self.mirror}/dists/{self.suite}"
        if release.by_hash:
            return f"{base}/{directory}/by-hash/SHA256/{entry.sha256}"
        return f"{base}/{entry.path}"

    def deb(self, package: Package) -> bytes:
        """The package's .deb, verified by the SHA256 and size the signed index gives."""
        if not package.sha256 or "Filename" not in package.fields:
            raise JettisonError(f"{package}: the index gives no Filename/SHA256")
        url = f"{self.mirror}/{package.fields['Filename']}"
        return self.fetch_verified(url, package.sha256, package.size, f"{package.name}_{package.version}.deb")


def _save_parsed(path: Path, document: Any) -> None:
    """A parsed index cached as JSON, replaced whole (a reader never sees half of it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(document), "utf-8")
    temporary.replace(path)
