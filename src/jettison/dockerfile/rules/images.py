"""Reading image references (`python:3.11-slim@sha256:...`) for the base-image rules."""

from __future__ import annotations

import re
from dataclasses import dataclass

_PYTHON_TAG = re.compile(r"^(?P<version>\d+(?:\.\d+){0,2})(?:(?:rc|a|b)\d+)?(?:-(?P<variant>.+))?$")


@dataclass(frozen=True)
class ImageRef:
    repository: str  # without registry prefix for Docker Hub official images: `python`
    tag: str | None
    digest: str | None

    @property
    def is_python(self) -> bool:
        return self.repository in ("python", "library/python")

    @property
    def python_version(self) -> tuple[int, ...] | None:
        if not self.is_python or not self.tag:
            return None
        match = _PYTHON_TAG.match(self.tag)
        if match is None:
            return None
        return tuple(int(part) for part in match.group("version").split("."))

    @property
    def variant(self) -> str:
        """`slim-bookworm`, `alpine3.19`, `bookworm`, ... ('' for the plain full image)."""
        if not self.tag:
            return ""
        match = _PYTHON_TAG.match(self.tag)
        if match is not None:
            return match.group("variant") or ""
        return self.tag if not self.tag[0].isdigit() else ""

    @property
    def is_alpine(self) -> bool:
        return "alpine" in self.repository.split("/")[-1] or "alpine" in (self.tag or "")

    @property
    def is_slim(self) -> bool:
        return "slim" in (self.tag or "")


def parse_image(reference: str) -> ImageRef:
    digest = None
    if "@" in reference:
        reference, digest = reference.split("@", 1)
    tag = None
    last = reference.rsplit("/", 1)[-1]
    if ":" in last:
        reference, tag = reference.rsplit(":", 1)
    repository = reference
    for prefix in ("docker.io/library/", "docker.io/", "index.docker.io/library/", "library/"):
        if repository.startswith(prefix):
            repository = repository[len(prefix) :]
            break
    return ImageRef(repository, tag, digest)
