"""Image references (`registry/repo:tag@digest`) with docker's defaults, and the image source strings
jettison accepts: `oci:DIR[:TAG]`, `docker-archive:FILE[:TAG]`, or a registry reference."""

from __future__ import annotations

import ipaddress
import os
import re
from dataclasses import dataclass, replace

from jettison.errors import JettisonError
from jettison.model.image import is_digest

DOCKER_HUB = "docker.io"
DOCKER_HUB_API = "registry-1.docker.io"
_COMPONENT = re.compile(r"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$")
_TAG = re.compile(r"^[\w][\w.-]{0,127}$")


def is_loopback(host: str) -> bool:
    """True for localhost and loopback addresses (with or without a port): plain HTTP like docker allows."""
    name = host.rsplit(":", 1)[0] if host.count(":") == 1 or host.startswith("[") else host
    name = name.strip("[]")
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class Reference:
    registry: str
    repository: str
    tag: str | None = None
    digest: str | None = None

    @classmethod
    def parse(cls, text: str) -> Reference:
        original = text
        text = text.strip()
        digest = None
        if "@" in text:
            text, digest = text.split("@", 1)
            if not is_digest(digest):
                raise JettisonError(f"image reference {original!r} has an invalid digest")
        tag = None
        last = text.rsplit("/", 1)[-1]
        if ":" in last:
            text, tag = text.rsplit(":", 1)
            if not _TAG.match(tag):
                raise JettisonError(f"image reference {original!r} has an invalid tag {tag!r}")
        parts = text.split("/")
        if len(parts) > 1 and ("." in parts[0] or ":" in parts[0] or parts[0] == "localhost"):
            registry, path = parts[0], parts[1:]
        else:
            registry, path = DOCKER_HUB, parts
        if registry in ("index.docker.io", DOCKER_HUB_API):
            registry = DOCKER_HUB
        if registry == DOCKER_HUB and len(path) == 1:
            path = ["library", *path]
        if not path or not all(_COMPONENT.match(p) for p in path):
            raise JettisonError(f"invalid image reference {original!r} (repository names are lowercase)")
        if tag is None and digest is None:
            tag = "latest"
        return cls(registry, "/".join(path), tag, digest)

    @property
    def api_host(self) -> str:
        return DOCKER_HUB_API if self.registry == DOCKER_HUB else self.registry

    @property
    def scheme(self) -> str:
        insecure = {
            h.strip() for h in os.environ.get("JETTISON_INSECURE_REGISTRIES", "").split(",") if h.strip()
        }
        return "http" if is_loopback(self.registry) or self.registry in insecure else "https"

    @property
    def base_url(self) -> str:
        return f"{self.scheme}://{self.api_host}/v2/{self.repository}"

    @property
    def identifier(self) -> str:
        """What the manifest endpoint takes: the digest when there is one, else the tag."""
        return self.digest or self.tag or "latest"

    def with_tag(self, tag: str) -> Reference:
        return replace(self, tag=tag, digest=None)

    def with_digest(self, digest: str) -> Reference:
        return replace(self, digest=digest)

    def __str__(self) -> str:
        text = f"{self.registry}/{self.repository}"
        if self.tag:
            text += f":{self.tag}"
        if self.digest:
            text += f"@{self.digest}"
        return text


@dataclass(frozen=True)
class Source:
    """A parsed image source: kind is 'oci', 'docker-archive' or 'registry'."""

    kind: str
    path: str | None = None
    tag: str | None = None
    reference: Reference | None = None


def parse_source(text: str) -> Source:
    """`oci:DIR[:TAG]`, `docker-archive:FILE[:TAG]`, `docker://REF` or a plain registry reference.

    A path containing ':' is taken whole when it exists (so `oci:/tmp/a:b` can name a directory `a:b`).
    """
    for prefix in ("oci:", "docker-archive:", "oci-archive:"):
        if text.startswith(prefix):
            kind = prefix[:-1]
            if kind == "oci-archive":
                raise JettisonError("oci-archive: sources are not supported; unpack to a directory (oci:DIR)")
            rest = text[len(prefix) :]
            if not rest:
                raise JettisonError(f"{text!r} names no path")
            if os.path.exists(rest) or ":" not in rest:
                return Source(kind, rest, None)
            # The tag may itself hold a ':' (docker-archive:FILE:name:tag, as skopeo writes it): the
            # path is the longest prefix that exists, else everything before the first ':'.
            cuts = [i for i, c in enumerate(rest) if c == ":"]
            for cut in reversed(cuts):
                if os.path.exists(rest[:cut]):
                    return Source(kind, rest[:cut], rest[cut + 1 :] or None)
            cut = cuts[0] if kind == "docker-archive" else cuts[-1]
            return Source(kind, rest[:cut], rest[cut + 1 :] or None)
    return Source("registry", reference=Reference.parse(text.removeprefix("docker://")))
