"""The package-index link against a real local HTTP server: Simple API JSON, PEP 658 metadata, and
the wheel's central directory read with Range requests; then the same answers from the disk cache."""

from __future__ import annotations

import io
import json
import os
import re
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from packaging.requirements import Requirement

from jettison.deps.index import IndexError_, PackageIndex
from jettison.deps.target import Target


def make_wheel(name: str, version: str, files: dict[str, bytes], requires: list[str]) -> bytes:
    buffer = io.BytesIO()
    dist_info = f"{name}-{version}.dist-info"
    metadata = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n" + "".join(
        f"Requires-Dist: {r}\n" for r in requires
    )
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, data in files.items():
            archive.writestr(path, data)
        archive.writestr(f"{dist_info}/METADATA", metadata)
        archive.writestr(f"{dist_info}/RECORD", "")
    return buffer.getvalue()


class Index:
    """A tiny PEP 691 index serving wheels with Range support; it counts the bytes it sends."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.projects: dict[str, list[dict[str, object]]] = {}
        self.bytes_sent = 0
        self.requests: list[str] = []

    def add_wheel(self, project: str, filename: str, data: bytes, metadata: bytes | None) -> None:
        self.files[f"/files/{filename}"] = data
        entry: dict[str, object] = {
            "filename": filename,
            "url": f"/files/{filename}",
            "hashes": {},
            "size": len(data),
        }
        if metadata is not None:
            self.files[f"/files/{filename}.metadata"] = metadata
            entry["core-metadata"] = True
        self.projects.setdefault(project, []).append(entry)

    def handler(self) -> type[BaseHTTPRequestHandler]:
        index = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)
                    index.bytes_sent += len(body)

            def do_HEAD(self) -> None:
                self.do_GET()

            def do_GET(self) -> None:
                index.requests.append(self.path)
                match = re.fullmatch(r"/simple/([^/]+)/", self.path)
                if match:
                    files = index.projects.get(match.group(1))
                    if files is None:
                        return self._send(404, b"not found", {})
                    body = json.dumps(
                        {"meta": {"api-version": "1.1"}, "name": match.group(1), "files": files}
                    )
                    return self._send(
                        200, body.encode(), {"Content-Type": "application/vnd.pypi.simple.v1+json"}
                    )
                data = index.files.get(self.path)
                if data is None:
                    return self._send(404, b"not found", {})
                requested = self.headers.get("Range")
                if requested:
                    start_text, end_text = requested.removeprefix("bytes=").split("-")
                    start, end = int(start_text), min(int(end_text), len(data) - 1)
                    return self._send(
                        206, data[start : end + 1], {"Content-Range": f"bytes {start}-{end}/{len(data)}"}
                    )
                return self._send(200, data, {})

        return Handler


@pytest.fixture
def index():
    served = Index()
    server = ThreadingHTTPServer(("127.0.0.1", 0), served.handler())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    served.url = f"http://127.0.0.1:{server.server_address[1]}/simple"  # type: ignore[attr-defined]
    yield served
    server.shutdown()
    server.server_close()


def lookup(index, tmp_path, name, requirement=None, pin=None):
    with httpx.Client() as client:
        return PackageIndex(client, Target(), tmp_path / "cache", index.url).lookup(name, requirement, pin)


def test_reads_modules_requirements_and_size_without_downloading_the_wheel(index, tmp_path):
    payload = os.urandom(600_000)  # incompressible, so the wheel is large and the tail is small
    files = {
        "toolkit/__init__.py": b"",
        "toolkit/blob.bin": payload,
        "google/cloud/tool/__init__.py": b"x = 1\n",
    }
    wheel = make_wheel("toolkit", "1.2.0", files, ["requests>=2", 'pywin32; sys_platform == "win32"'])
    index.add_wheel("toolkit", "toolkit-1.2.0-py3-none-any.whl", wheel, metadata=None)
    info = lookup(index, tmp_path, "toolkit", pin="1.2.0")
    assert info.modules == ("google.cloud.tool", "toolkit")
    assert info.requires == ("requests>=2", 'pywin32; sys_platform == "win32"')
    assert info.size == sum(len(d) for d in files.values()) + len(zipfile.ZipFile(io.BytesIO(wheel)).read(
        "toolkit-1.2.0.dist-info/METADATA"))  # fmt: skip
    assert info.source == "index: toolkit-1.2.0-py3-none-any.whl"
    assert index.bytes_sent < len(wheel) / 2  # the central directory and METADATA only


def test_prefers_pep658_metadata_and_the_target_wheel(index, tmp_path):
    files = {"fastlib/__init__.py": b""}
    wheels = (
        "fastlib-2.0-cp311-cp311-manylinux_2_17_x86_64.whl",
        "fastlib-2.0-cp311-cp311-win_amd64.whl",
        "fastlib-2.0-cp312-cp312-manylinux_2_17_x86_64.whl",
    )
    for filename in wheels:
        wheel = make_wheel("fastlib", "2.0", files, [])
        index.add_wheel(
            "fastlib",
            filename,
            wheel,
            metadata=b"Metadata-Version: 2.1\nName: fastlib\nRequires-Dist: numpy\n",
        )
    index.add_wheel("fastlib", "fastlib-1.0-py3-none-any.whl", make_wheel("fastlib", "1.0", files, []), None)
    info = lookup(index, tmp_path, "fastlib", Requirement("fastlib>=1"))
    assert info.version == "2.0"
    assert info.source == "index: fastlib-2.0-cp311-cp311-manylinux_2_17_x86_64.whl"
    assert info.requires == ("numpy",)  # from the .metadata file, not the wheel


def test_second_lookup_needs_no_network(index, tmp_path):
    index.add_wheel(
        "tiny", "tiny-1.0-py3-none-any.whl", make_wheel("tiny", "1.0", {"tiny.py": b""}, []), None
    )
    first = lookup(index, tmp_path, "tiny", pin="1.0")
    requests_before = len(index.requests)
    second = lookup(index, tmp_path, "tiny", pin="1.0")
    assert second == first and len(index.requests) == requests_before


def test_unknown_project_and_missing_version_raise(index, tmp_path):
    with pytest.raises(IndexError_, match="not on the index"):
        lookup(index, tmp_path, "nothing-here")
    index.add_wheel(
        "tiny", "tiny-1.0-py3-none-any.whl", make_wheel("tiny", "1.0", {"tiny.py": b""}, []), None
    )
    with pytest.raises(IndexError_, match="no release"):
        lookup(index, tmp_path, "tiny", pin="9.9")


def test_an_unreachable_index_is_tried_once(tmp_path):
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with httpx.Client() as client:
        index = PackageIndex(client, Target(), tmp_path, f"http://127.0.0.1:{port}/simple")
        with pytest.raises(IndexError_, match="unreachable"):
            index.lookup("flask")
        assert index.unreachable
        with pytest.raises(IndexError_, match="unreachable"):
            index.lookup("requests")
