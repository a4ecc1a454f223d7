"""Image references on the command line: where a base comes from and where a result goes.

    oci:DIR[:TAG]            an OCI image layout directory
    docker-archive:FILE      a `docker save` tar
    REGISTRY/NAME[:TAG|@DIGEST], NAME[:TAG]   a registry (talks to the network)

The readers and writers are jettison.oci's; this module only parses the reference and dispatches.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from jettison.errors import JettisonError
from jettison.oci.image import Image, ImageIndex


@dataclass(frozen=True)
class ImageRef:
    transport: str  # "oci", "docker-archive" or "registry"
    location: str  # directory, file, or registry reference
    tag: str | None = None

    def __str__(self) -> str:
        if self.transport == "registry":
            return self.location
        return f"{self.transport}:{self.location}" + (f":{self.tag}" if self.tag else "")


def parse_ref(text: str) -> ImageRef:
    if text.startswith("oci:"):
        rest = text[4:]
        # A tag never holds "/", so `oci:dir/sub:tag` splits at the last colon after the last slash.
        directory, sep, tag = rest.rpartition(":")
        if sep and "/" not in tag and directory:
            return ImageRef("oci", directory, tag or None)
        return ImageRef("oci", rest)
    if text.startswith("docker-archive:"):
        return ImageRef("docker-archive", text[len("docker-archive:") :])
    if text.startswith("docker://"):
        text = text[len("docker://") :]
    if not text or " " in text:
        raise JettisonError(f"not an image reference: {text!r}")
    return ImageRef("registry", text)


def load_base(ref: ImageRef) -> Image | ImageIndex:
    """The base image (or index, for a multi-platform base); layers stay lazy."""
    if ref.transport == "oci":
        from jettison.oci.layout import read_oci_index

        if not Path(ref.location).is_dir():
            raise JettisonError("base OCI layout not found", ref.location)
        return read_oci_index(Path(ref.location), ref.tag)
    if ref.transport == "docker-archive":
        from jettison.oci import archive

        if not Path(ref.location).is_file():
            raise JettisonError("base docker-archive not found", ref.location)
        return archive.read_docker_archive(Path(ref.location))
    from jettison.oci import registry

    return registry.pull_index_or_image(ref.location)


def write_output(target: Image | ImageIndex, ref: ImageRef) -> str:
    """Write the result; returns a description of what was written."""
    if ref.transport == "oci":
        from jettison.oci.layout import write_oci_layout

        descriptor = write_oci_layout(target, Path(ref.location), ref.tag)
        return f"oci:{ref.location}" + (f":{ref.tag}" if ref.tag else "") + f" ({descriptor.digest})"
    if ref.transport == "docker-archive":
        from jettison.oci import archive

        archive.write_docker_archive(target, Path(ref.location))
        return f"docker-archive:{ref.location}"
    raise JettisonError("use --push REF for a registry (--output takes oci:DIR or docker-archive:FILE)")
