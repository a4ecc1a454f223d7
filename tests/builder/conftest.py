"""Fixtures for build tests: a small stand-in base image written by the test, a wheelhouse, a project."""

from __future__ import annotations

import gzip
import io
import tarfile
from pathlib import Path

import pytest

from jettison.builder.wheels import IndexOptions
from jettison.model.image import History, ImageConfig
from jettison.oci.image import Image
from jettison.oci.layers import Layer
from jettison.oci.layout import write_oci_layout
from tests.builder.wheelfactory import make_wheel

APP = """\
def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]
"""


def raw_layer(path: Path, members: list[tuple[tarfile.TarInfo, bytes | None]]) -> Layer:
    """A gzip layer written by tarfile as given: hostile names and devices are kept as they are."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.GNU_FORMAT) as tar:
        for info, data in members:
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    path.write_bytes(gzip.compress(buffer.getvalue(), mtime=0))
    return Layer.from_blob_file(path, "application/vnd.oci.image.layer.v1.tar+gzip")


def member(name: str, kind: bytes = tarfile.REGTYPE, data: bytes | None = None, linkname="", mode=0o755):
    info = tarfile.TarInfo(name)
    info.type = kind
    info.mode = mode
    info.linkname = linkname
    if data is not None:
        info.size = len(data)
    return info, data


def debian_like_members() -> list[tuple[tarfile.TarInfo, bytes | None]]:
    status = b"Package: libc6\nStatus: install ok installed\nVersion: 2.36-9+deb12u4\n\n"
    return [
        member("usr/", tarfile.DIRTYPE),
        member("usr/bin/", tarfile.DIRTYPE),
        member("usr/bin/python3.11", data=b"\x7fELF fake"),
        member("usr/bin/python3", tarfile.SYMTYPE, linkname="python3.11"),
        member("usr/lib/python3/dist-packages/", tarfile.DIRTYPE),
        member("var/lib/dpkg/status", data=status, mode=0o644),
    ]


def write_base(directory: Path, scratch: Path, members=None, architecture: str = "amd64") -> Path:
    """An OCI layout holding a one-layer 'Debian with python3.11' image, tagged `base`."""
    scratch.mkdir(parents=True, exist_ok=True)
    layer = raw_layer(scratch / f"layer-{architecture}.tar.gz", members or debian_like_members())
    config = ImageConfig(
        architecture=architecture,
        config={"Env": ["PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C.UTF-8"], "Cmd": ["python3"]},
        history=(History(created="2024-01-01T00:00:00Z", created_by="test base"),),
    )
    write_oci_layout(Image.assemble(config, [layer]), directory, "base")
    return directory


@pytest.fixture
def wheelhouse(tmp_path: Path) -> IndexOptions:
    house = tmp_path / "wheels"
    make_wheel(house, "gunicorn", "23.0.0", scripts={"gunicorn": "gunicorn:main"})
    make_wheel(house, "tool", requires=("helper",))
    make_wheel(house, "helper")
    make_wheel(house, "bigdep", payload=1_500_000)
    return IndexOptions(find_links=(str(house),), no_index=True)


@pytest.fixture
def base_layout(tmp_path: Path) -> Path:
    return write_base(tmp_path / "base", tmp_path / "base-scratch")


def make_project(root: Path, requirements: str = "tool\nbigdep\ngunicorn\n") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "app.py").write_text(APP)
    (root / "requirements.txt").write_text(requirements)
    (root / "pkg").mkdir(exist_ok=True)
    (root / "pkg" / "__init__.py").write_text("")
    (root / "pkg" / "views.py").write_text("VIEW = 1\n")
    (root / ".dockerignore").write_text(".git\n**/__pycache__\n*.log\n")
    (root / "debug.log").write_text("ignored\n")
    return root
