"""Image names as a Dockerfile writes them (`python:3.11-slim@sha256:...`), read leniently: a FROM may hold
text no registry accepts (an unexpanded `${BASE}`), so this never raises. It is the one answer to "which
image is this, and is it Python's": the base-image rules, the target Python (project/target.py) and the
registry client's strict `oci.reference.Reference` all split a name here.

An official Python image is one whose last path component is `python`: Docker Hub's `python`, and the
mirrors of it (`mirror.gcr.io/library/python`, `registry.example.com/python`) that keep its tags."""

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
        return self.repository.rsplit("/", 1)[-1].lower() == "python"

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
    reference = reference.strip()
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
