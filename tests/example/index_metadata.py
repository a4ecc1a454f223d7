"""Wheel metadata of pinned distributions, read from the package index (network).

Independent of jettison's own index client on purpose: the example's truth is checked against the index
by a second, plain implementation, so one bug cannot make both the audit and its ground truth wrong.
"""

from __future__ import annotations

import email.parser
import io
import os
import ssl
import zipfile
from dataclasses import dataclass

import httpx
from packaging.requirements import Requirement
from packaging.tags import Tag, compatible_tags, cpython_tags
from packaging.utils import InvalidWheelFilename, canonicalize_name, parse_wheel_filename
from packaging.version import Version

SIMPLE = "https://pypi.org/simple"
# CPython 3.11 on manylinux x86_64, the image's platform; best tag first.
PLATFORMS = [f"manylinux_2_{minor}_x86_64" for minor in range(36, 4, -1)]
PLATFORMS += ["manylinux2014_x86_64", "manylinux2010_x86_64", "manylinux1_x86_64", "linux_x86_64"]
TAGS: list[Tag] = [*cpython_tags((3, 11), platforms=PLATFORMS), *compatible_tags((3, 11), "cp311", PLATFORMS)]
RANK = {tag: i for i, tag in enumerate(TAGS)}
ENVIRONMENT = {
    "python_version": "3.11", "python_full_version": "3.11.0", "sys_platform": "linux",
    "platform_system": "Linux", "platform_machine": "x86_64", "os_name": "posix",
    "implementation_name": "cpython", "platform_python_implementation": "CPython",
    "implementation_version": "3.11.0", "platform_release": "", "platform_version": "",
}  # fmt: skip


@dataclass(frozen=True)
class Pinned:
    name: str
    version: str
    wheel: str | None  # None: the index has only an sdist for this platform
    requires: tuple[str, ...]

    def requirements(self, extras: tuple[str, ...] = ()) -> list[Requirement]:
        """What this distribution needs on the target, markers evaluated."""
        result = []
        for line in self.requires:
            requirement = Requirement(line)
            marker = requirement.marker
            if marker and not any(marker.evaluate({**ENVIRONMENT, "extra": e}) for e in extras or ("",)):
                continue
            result.append(requirement)
        return result

    def dependencies(self, extras: tuple[str, ...] = ()) -> list[str]:
        """Normalized names this distribution needs on the target."""
        return [canonicalize_name(requirement.name) for requirement in self.requirements(extras)]


def client() -> httpx.Client:
    bundle = os.environ.get("SSL_CERT_FILE") or "/etc/ssl/certs/ca-certificates.crt"
    # The proxy's CA is in the system bundle, not in certifi's.
    verify = ssl.create_default_context(cafile=bundle) if os.path.exists(bundle) else True
    return httpx.Client(timeout=60, follow_redirects=True, verify=verify)


class _RangeReader(io.RawIOBase):
    """A remote file read with HTTP Range requests, so zipfile reads METADATA without the whole wheel."""

    def __init__(self, http: httpx.Client, url: str) -> None:
        self.http, self.url, self.position = http, url, 0
        self.size = int(http.head(url).headers["content-length"])

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.position

    def seek(self, offset: int, whence: int = 0) -> int:
        self.position = [offset, self.position + offset, self.size + offset][whence]
        return self.position

    def readinto(self, buffer) -> int:
        count = min(len(buffer), self.size - self.position)
        if count <= 0:
            return 0
        reply = self.http.get(
            self.url, headers={"Range": f"bytes={self.position}-{self.position + count - 1}"}
        )
        reply.raise_for_status()
        buffer[:count] = reply.content[:count]
        self.position += count
        return count


def pinned(http: httpx.Client, name: str, version: str) -> Pinned:
    reply = http.get(
        f"{SIMPLE}/{canonicalize_name(name)}/", headers={"Accept": "application/vnd.pypi.simple.v1+json"}
    )
    reply.raise_for_status()
    best: tuple[int, dict] | None = None
    for file in reply.json()["files"]:
        if not file["filename"].endswith(".whl"):
            continue
        try:
            _, wheel_version, _, tags = parse_wheel_filename(file["filename"])
        except InvalidWheelFilename:  # early uploads with tags no tool accepts today
            continue
        ranks = [RANK[tag] for tag in tags if tag in RANK]
        if wheel_version == Version(version) and ranks and (best is None or min(ranks) < best[0]):
            best = (min(ranks), file)
    if best is None:
        return Pinned(canonicalize_name(name), version, None, ())
    url = best[1]["url"]
    metadata = http.get(url + ".metadata")  # PEP 658; older wheels lack it, then read the zip remotely
    if metadata.status_code == 200:
        text = metadata.text
    else:
        archive = zipfile.ZipFile(io.BufferedReader(_RangeReader(http, url), 1 << 16))
        member = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        text = archive.read(member).decode()
    message = email.parser.Parser().parsestr(text)
    return Pinned(
        canonicalize_name(name), version, best[1]["filename"], tuple(message.get_all("Requires-Dist") or ())
    )


def closure(roots: list[str], known: dict[str, Pinned]) -> dict[str, set[str]]:
    """Every distribution reachable from roots -> the distributions that require it."""
    required_by: dict[str, set[str]] = {root: set() for root in roots}
    todo = list(roots)
    while todo:
        name = todo.pop()
        for dependency in known[name].dependencies():
            if dependency not in required_by:
                required_by[dependency] = set()
                todo.append(dependency)
            required_by[dependency].add(name)
    return required_by
