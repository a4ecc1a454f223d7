"""Image references on the command line: where a base comes from and where a result goes.

    oci:DIR[:TAG]            an OCI image layout directory
    docker-archive:FILE[:NAME:TAG]   a `docker save` tar
    REGISTRY/NAME[:TAG|@DIGEST]      a registry (talks to the network)

Parsing, reading and writing are jettison.oci's (parse_source, read_index, write_image); this module
only adds the build's own checks and messages.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from jettison.errors import JettisonError
from jettison.oci import read_index, write_image
from jettison.oci.image import Image, ImageIndex
from jettison.oci.reference import Source, parse_source

if TYPE_CHECKING:
    from jettison.oci.registry import RegistryClient


def parse_ref(text: str) -> Source:
    return parse_source(text)


def registry_name(source: Source) -> str | None:
    """The reference when `source` is a registry (meaningful elsewhere), else None (a local path)."""
    return str(source.reference) if source.kind == "registry" and source.reference is not None else None


def load_base(text: str, client: RegistryClient | None = None) -> Image | ImageIndex:
    """The base image (or index, for a multi-platform base); layers stay lazy."""
    source = parse_source(text)
    if source.kind == "oci" and not Path(source.path or ".").is_dir():
        raise JettisonError("base OCI layout not found", source.path)
    if source.kind == "docker-archive" and not Path(source.path or ".").is_file():
        raise JettisonError("base docker-archive not found", source.path)
    return read_index(text, client=client)


def write_output(target: Image | ImageIndex, text: str) -> str:
    """Write the result to oci:DIR[:TAG] or docker-archive:FILE[:NAME:TAG]; says what was written."""
    source = parse_source(text)
    if source.kind == "registry":
        raise JettisonError("use --push REF for a registry (--output takes oci:DIR or docker-archive:FILE)")
    write_image(target, text)
    return f"{text} ({target.digest})"
