"""Distribution facts from the package index (network), cached on disk.

For a distribution and version this module picks the wheel the target would install, and reads

- its core metadata (Requires-Dist) from the PEP 658 `<wheel>.metadata` file when the index serves it,
  else from the wheel's METADATA member;
- its file list and uncompressed sizes from the wheel's zip central directory, read with HTTP Range
  requests through `zipfile` over a lazily fetched file object — a few kB instead of the whole wheel.

Only the Simple API (PEP 691 JSON) is used. Every answer is cached under the cache directory
($JETTISON_CACHE_DIR, else ~/.cache/jettison), so auditing the same project again needs no network.
The HTTP client is a parameter, so tests can point it at a local server.
"""

from __future__ import annotations

import io
import json
import os
import threading
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version

from jettison.deps.distributions import (
    SDIST_FILE_LIST,
    DistributionInfo,
    parse_entry_points,
    parse_metadata,
    provided_modules,
    sdist_modules,
)
from jettison.deps.target import Target
from jettison.model.requirements import normalize_name

if TYPE_CHECKING:
    import httpx

DEFAULT_INDEX = "https://pypi.org/simple"
SIMPLE_JSON = "application/vnd.pypi.simple.v1+json"
# How long a project's file list is trusted for unpinned requirements; pinned ones never expire.
SIMPLE_TTL_SECONDS = 7 * 24 * 3600
CACHE_VERSION = "v5"  # v5: sdist-only distributions carry modules from their file list


def cache_dir() -> Path:
    configured = os.environ.get("JETTISON_CACHE_DIR")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "jettison"


def http_client() -> httpx.Client:
    """An httpx client trusting the system CA bundle (SSL_CERT_FILE), as the network here requires."""
    import ssl

    import httpx  # imported on first network use: a warm-cache audit never pays for it

    bundle = os.environ.get("SSL_CERT_FILE") or "/etc/ssl/certs/ca-certificates.crt"
    verify: ssl.SSLContext | bool = True
    if os.path.isfile(bundle):
        verify = ssl.create_default_context(cafile=bundle)
    return httpx.Client(
        verify=verify, timeout=httpx.Timeout(30.0, connect=10.0), follow_redirects=True,
        headers={"User-Agent": "jettison (+https://github.com/jettison)"},
        limits=httpx.Limits(max_connections=16, max_keepalive_connections=16),
    )  # fmt: skip


_CLIENT_LOCK = threading.Lock()


class IndexError_(Exception):
    """The index could not answer (network, 404, malformed reply); the caller falls back."""


class _RangeFile(io.RawIOBase):
    """A read-only, seekable view of a remote file, fetched block by block with Range requests."""

    BLOCK = 64 * 1024

    def __init__(self, client: httpx.Client, url: str, size: int) -> None:
        self.client, self.url, self.size = client, url, size
        self.position = 0
        self.blocks: dict[int, bytes] = {}
        self.requests = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.position, io.SEEK_END: self.size}[whence]
        self.position = max(0, base + offset)
        return self.position

    def _fetch(self, start: int, end: int) -> None:
        """Fetch blocks covering [start, end) in one request."""
        first, last = start // self.BLOCK, (end - 1) // self.BLOCK
        missing = [b for b in range(first, last + 1) if b not in self.blocks]
        if not missing:
            return
        lo, hi = missing[0] * self.BLOCK, min(self.size, (missing[-1] + 1) * self.BLOCK)
        reply = self.client.get(self.url, headers={"Range": f"bytes={lo}-{hi - 1}"})
        self.requests += 1
        if reply.status_code != 206:
            raise IndexError_(f"range request answered {reply.status_code}: {self.url}")
        data = reply.content
        for block in range(missing[0], missing[-1] + 1):
            offset = block * self.BLOCK - lo
            self.blocks[block] = data[offset : offset + self.BLOCK]

    def read(self, size: int = -1) -> bytes:
        if size < 0:
            size = self.size - self.position
        end = min(self.size, self.position + size)
        if end <= self.position:
            return b""
        self._fetch(self.position, end)
        out = bytearray()
        cursor = self.position
        while cursor < end:
            block, offset = divmod(cursor, self.BLOCK)
            chunk = self.blocks[block][offset : offset + (end - cursor)]
            if not chunk:
                break
            out += chunk
            cursor += len(chunk)
        self.position = cursor
        return bytes(out)

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


@dataclass(frozen=True)
class _File:
    filename: str
    url: str
    size: int | None
    requires_python: str | None
    metadata: bool
    yanked: bool


class PackageIndex:
    """The `index` link of the name-resolution chain: facts about a distribution from PyPI's wheels."""

    def __init__(
        self,
        client: httpx.Client | None,
        target: Target,
        cache: Path | None = None,
        index_url: str = DEFAULT_INDEX,
    ) -> None:
        self._client = client  # None: made by http_client() on the first request
        self.target = target
        self.cache = cache or cache_dir()
        self.index_url = index_url.rstrip("/")
        # Set by the first connection failure: every later lookup falls through to the next link at once
        # instead of waiting for its own timeout (an offline laptop, a blocked proxy).
        self.unreachable: str | None = None

    @property
    def client(self) -> httpx.Client:
        if self._client is None:
            with _CLIENT_LOCK:
                if self._client is None:
                    self._client = http_client()
        return self._client

    # -- disk cache -------------------------------------------------------------------------------
    def _cache_path(self, *parts: str) -> Path:
        return self.cache.joinpath(f"index-{CACHE_VERSION}", *parts)

    def _read_cache(self, path: Path, ttl: float | None = None) -> Any:
        try:
            if ttl is not None and time.time() - path.stat().st_mtime > ttl:
                return None
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def _write_cache(self, path: Path, data: Any) -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
            tmp.write_text(json.dumps(data, sort_keys=True), encoding="utf-8")
            os.replace(tmp, path)
        except OSError:
            pass  # a read-only cache only costs speed

    # -- index ------------------------------------------------------------------------------------
    def _files(self, name: str) -> list[_File]:
        path = self._cache_path("simple", self.target.key, f"{name}.json")
        data = self._read_cache(path, SIMPLE_TTL_SECONDS)
        if data is None:
            if self.unreachable is not None:
                raise IndexError_(f"index unreachable ({self.unreachable})")
            import httpx

            try:
                reply = self.client.get(f"{self.index_url}/{name}/", headers={"Accept": SIMPLE_JSON})
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.ProxyError) as error:
                self.unreachable = str(error) or type(error).__name__
                raise IndexError_(f"index unreachable ({self.unreachable})") from error
            except httpx.HTTPError as error:
                raise IndexError_(f"{name}: {error}") from error
            if reply.status_code == 404:
                raise IndexError_(f"{name}: not on the index")
            if reply.status_code != 200:
                raise IndexError_(f"{name}: index answered {reply.status_code}")
            try:
                raw = reply.json()
            except ValueError as error:
                raise IndexError_(f"{name}: index reply is not JSON") from error
            data = [
                {
                    "filename": f["filename"],
                    "url": str(httpx.URL(reply.url).join(f["url"])),
                    "size": f.get("size"),
                    "requires_python": f.get("requires-python"),
                    "metadata": bool(f.get("core-metadata") or f.get("dist-info-metadata")),
                    "yanked": bool(f.get("yanked")),
                }  # fmt: skip
                for f in raw.get("files", [])
                if self._relevant(f.get("filename", ""))
            ]
            self._write_cache(path, data)
        return [_File(**item) for item in data]

    def _relevant(self, filename: str) -> bool:
        """Worth caching: sdists, and wheels the target can install (a project's page lists thousands
        of wheels for other platforms and Pythons; ddtrace's is 16 MB)."""
        if not filename.endswith(".whl"):
            return True
        try:
            _, _, _, wheel_tags = parse_wheel_filename(filename)
        except InvalidWheelFilename:
            return False
        return any(tag in self.target.tag_priority for tag in wheel_tags)

    def _choose(
        self, name: str, requirement: Requirement | None, pin: str | None
    ) -> tuple[str, _File | None]:
        """The version to audit and the best wheel for the target (None when there is only an sdist)."""
        files = self._files(name)
        by_version: dict[Version, list[_File]] = {}
        for file in files:
            try:
                if file.filename.endswith(".whl"):
                    _, version, _, _ = parse_wheel_filename(file.filename)
                else:
                    _, version = parse_sdist_filename(file.filename)
            except (InvalidWheelFilename, InvalidSdistFilename, InvalidVersion):
                continue
            by_version.setdefault(version, []).append(file)
        if pin is not None:
            try:
                wanted = Version(pin)
            except InvalidVersion as error:
                raise IndexError_(f"{name}: invalid pinned version {pin}") from error
            candidates = [wanted] if wanted in by_version else []
        else:
            spec = requirement.specifier if requirement is not None else SpecifierSet()
            usable = [v for v in by_version if not all(f.yanked for f in by_version[v])]
            candidates = sorted((v for v in usable if spec.contains(v, prereleases=False)), reverse=True)
            if not candidates:  # projects that only publish pre-releases (0.48b0) are still installable
                candidates = sorted((v for v in usable if spec.contains(v, prereleases=True)), reverse=True)
        for version in candidates:
            wheel = self._best_wheel(by_version[version])
            if wheel is not None or pin is not None:
                return str(version), wheel
        if candidates:
            return str(candidates[0]), None
        raise IndexError_(
            f"{name}: no release matches {pin or (requirement.specifier if requirement else '')}"
        )

    def _best_wheel(self, files: list[_File]) -> _File | None:
        priority = self.target.tag_priority
        best: tuple[int, _File] | None = None
        for file in files:
            if not file.filename.endswith(".whl"):
                continue
            try:
                _, _, _, wheel_tags = parse_wheel_filename(file.filename)
            except InvalidWheelFilename:
                continue
            rank = min((priority[t] for t in wheel_tags if t in priority), default=None)
            if rank is not None and (best is None or rank < best[0]):
                best = (rank, file)
        return best[1] if best else None

    def lookup(
        self, name: str, requirement: Requirement | None = None, pin: str | None = None
    ) -> DistributionInfo:
        """Facts for `name` at `pin` (else the newest release matching `requirement`). Raises IndexError_."""
        name = normalize_name(name)
        key = f"{name}=={pin}" if pin else f"{name}{requirement.specifier if requirement else ''}"
        info_path = self._cache_path("info", self.target.key, _safe(key) + ".json")
        cached = self._read_cache(info_path, None if pin else SIMPLE_TTL_SECONDS)
        if cached is not None:
            return DistributionInfo.from_json(cached)
        version, wheel = self._choose(name, requirement, pin)
        info = self._from_sdist(name, version) if wheel is None else self._from_wheel(name, version, wheel)
        self._write_cache(info_path, info.to_json())
        return info

    def module_source(self, name: str, pin: str | None, module: str) -> str | None:
        """The source of `module` (`wtforms.validators`) as the wheel the target would install ships it,
        read with range requests (the member alone), cached; None when there is no wheel or no such file."""
        name = normalize_name(name)
        path = self._cache_path("source", self.target.key, _safe(f"{name}=={pin or ''}:{module}") + ".json")
        cached = self._read_cache(path, None if pin else SIMPLE_TTL_SECONDS)
        if cached is not None:
            return cached.get("source")
        import httpx

        source: str | None = None
        try:
            _, wheel = self._choose(name, None, pin)
            if wheel is not None:
                size = wheel.size or int(self.client.head(wheel.url).headers.get("content-length", 0))
                remote = _RangeFile(self.client, wheel.url, size)
                remote._fetch(max(0, size - _RangeFile.BLOCK), size)
                archive = zipfile.ZipFile(io.BufferedReader(remote, buffer_size=_RangeFile.BLOCK))
                stem = module.replace(".", "/")
                for member in (f"{stem}/__init__.py", f"{stem}.py"):
                    try:
                        info = archive.getinfo(member)
                    except KeyError:
                        continue
                    if info.file_size <= MAX_MODULE_BYTES:
                        source = archive.read(member).decode("utf-8", "replace")
                    break
        except (IndexError_, zipfile.BadZipFile, OSError, httpx.HTTPError, ValueError):
            return None  # not cached: a network failure is not an answer
        self._write_cache(path, {"source": source})
        return source

    def _from_sdist(self, name: str, version: str) -> DistributionInfo:
        """Only an sdist for the target (psycopg2): its PKG-INFO gives Requires-Dist; modules and size
        stay unknown (they depend on the build), so later links fill in the modules."""
        why = f"index: {name} {version} has no wheel for the target"
        unknown = DistributionInfo(name, version, (), None, None, why)
        sdists = []
        for file in self._files(name):
            try:
                _, sdist_version = parse_sdist_filename(file.filename)
            except (InvalidSdistFilename, InvalidVersion):
                continue
            if str(sdist_version) == version and (file.size or 0) <= MAX_SDIST_BYTES:
                sdists.append(file)
        if not sdists:
            return unknown
        reply = self.client.get(sdists[0].url)
        if reply.status_code != 200:
            return unknown
        text, members = _sdist_contents(reply.content, sdists[0].filename)
        if text is None:
            return unknown
        requires, extras, _ = parse_metadata(text)
        modules = sdist_modules(members)
        source = f"index: {sdists[0].filename} PKG-INFO" + (f" and {SDIST_FILE_LIST}" if modules else "")
        return DistributionInfo(name, version, modules, requires, None, source, extras)

    def _from_wheel(self, name: str, version: str, wheel: _File) -> DistributionInfo:
        size = wheel.size
        if size is None:
            head = self.client.head(wheel.url)
            size = int(head.headers.get("content-length", 0))
        import httpx

        remote = _RangeFile(self.client, wheel.url, size)
        # The central directory sits at the end: one request for the last block usually covers it.
        remote._fetch(max(0, size - _RangeFile.BLOCK), size)
        try:
            archive = zipfile.ZipFile(io.BufferedReader(remote, buffer_size=_RangeFile.BLOCK))
        except (zipfile.BadZipFile, OSError, httpx.HTTPError) as error:
            raise IndexError_(f"{wheel.filename}: cannot read its file list: {error}") from error
        members = archive.infolist()
        paths = [m.filename for m in members if not m.is_dir()]
        installed = sum(m.file_size for m in members)
        metadata_text = None
        if wheel.metadata:
            reply = self.client.get(wheel.url + ".metadata")
            if reply.status_code == 200:
                metadata_text = reply.text
        if metadata_text is None:
            member = next((m for m in paths if m.endswith(".dist-info/METADATA") and m.count("/") == 1), None)
            if member is None:
                raise IndexError_(f"{wheel.filename}: no METADATA")
            metadata_text = archive.read(member).decode("utf-8", "replace")
        requires, extras, _ = parse_metadata(metadata_text)
        scripts: tuple[str, ...] = ()
        top_level_dist_info = [m for m in paths if m.count("/") == 1 and ".dist-info/" in m]
        entry_points = next((m for m in top_level_dist_info if m.endswith("/entry_points.txt")), None)
        if entry_points is not None:
            # Usually inside the block already fetched with the central directory: no extra request.
            scripts = parse_entry_points(archive.read(entry_points).decode("utf-8", "replace"))
        return DistributionInfo(
            name, version, provided_modules(paths), requires, installed, f"index: {wheel.filename}", extras,
            scripts,
        )


MAX_SDIST_BYTES = 30 * 1024 * 1024
MAX_MODULE_BYTES = 2 * 1024 * 1024  # one module's source, read for its deferred imports


def _sdist_contents(data: bytes, filename: str) -> tuple[str | None, list[str]]:
    """PKG-INFO at the top of an sdist (tar.gz or zip), if there is one, and the sdist's member names."""
    import tarfile

    pkg_info: str | None = None
    try:
        if filename.endswith(".zip"):
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = archive.namelist()
                top = [n for n in names if n.count("/") == 1 and n.endswith("/PKG-INFO")]
                if top:
                    pkg_info = archive.read(top[0]).decode("utf-8", "replace")
                return pkg_info, [n for n in names if not n.endswith("/")]
        members: list[str] = []
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as archive:
            for member in archive:
                if not member.isfile():
                    continue
                members.append(member.name)
                if pkg_info is None and member.name.count("/") == 1 and member.name.endswith("/PKG-INFO"):
                    handle = archive.extractfile(member)
                    pkg_info = handle.read().decode("utf-8", "replace") if handle else None
        return pkg_info, members
    except (tarfile.TarError, zipfile.BadZipFile, OSError, EOFError):
        return None, []


def _safe(key: str) -> str:
    return "".join(c if c.isalnum() or c in "-_.=" else "_" for c in key)[:200]
