"""The entry points build and inspect rely on stay where they are, with the parameters they use."""

from __future__ import annotations

import inspect

import jettison.oci as oci
from jettison.oci.layers import Layer, write_layer
from jettison.oci.registry import PushResult, RegistryClient


def parameters(function) -> set[str]:
    return set(inspect.signature(function).parameters)


def test_public_names_import():
    for name in oci.__all__:
        assert getattr(oci, name) is not None, name


def test_entry_point_parameters():
    assert {"directory", "prefix", "exclude", "blobs", "compression", "mtime", "uid", "gid"} <= parameters(
        Layer.from_directory
    )
    assert {"entries", "blobs", "compression", "mtime"} <= parameters(write_layer)
    assert {"target", "directory", "tag"} <= parameters(oci.write_oci_layout)
    assert {"image", "file", "tag"} <= parameters(oci.write_docker_archive)
    assert {"source", "platform", "client"} <= parameters(oci.read_image)
    assert {"target", "ref", "progress", "mount_from"} <= parameters(RegistryClient.push)
    assert {"uploaded", "skipped", "mounted", "bytes_uploaded", "digest"} <= set(
        PushResult.__dataclass_fields__
    )
    assert {"open", "open_uncompressed", "members", "descriptor"} <= set(dir(Layer))
