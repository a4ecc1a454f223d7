"""An in-memory OCI distribution registry as an httpx.MockTransport handler, for offline tests.

It implements what the client uses (blob HEAD/GET with Range, upload sessions with mount, PATCH and PUT,
manifest GET/PUT by tag or digest), checks digests like a real registry, and records every request.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Callable

import httpx


class _Body(httpx.SyncByteStream):
    """A body that streams like a real connection's (httpx reads `content=` bodies eagerly)."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def __iter__(self):
        for start in range(0, len(self.data), 4096):
            yield self.data[start : start + 4096]


def _streamed(status: int, data: bytes) -> httpx.Response:
    return httpx.Response(status, stream=_Body(data), headers={"Content-Length": str(len(data))})


class FakeRegistry:
    def __init__(self) -> None:
        self.blobs: dict[str, dict[str, bytes]] = {}
        self.manifests: dict[str, dict[str, tuple[bytes, str]]] = {}
        self.uploads: dict[str, bytearray] = {}
        self.log: list[tuple[str, str, int]] = []
        self.before: Callable[[httpx.Request], httpx.Response | None] | None = None
        self.upload_origin = ""  # e.g. "http://127.0.0.2:9": upload Locations point at another host
        self.requests: list[httpx.Request] = []

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        response = self.before(request) if self.before else None
        if response is None:
            response = self._route(request)
        self.log.append(
            (
                request.method,
                request.url.path + ("?" + request.url.query.decode() if request.url.query else ""),
                response.status_code,
            )
        )
        return response

    def _route(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        method = request.method
        if path == "/v2/":
            return httpx.Response(200)
        match = re.match(r"^/v2/(.+)/(blobs|manifests)/(uploads/)?(.*)$", path)
        if not match:
            return httpx.Response(404)
        repo, kind, uploads, rest = match.groups()
        if kind == "manifests":
            return self._manifest(request, repo, rest)
        if uploads is not None:
            return self._upload(request, repo, rest)
        blob = self.blobs.get(repo, {}).get(rest)
        if blob is None:
            return httpx.Response(404, json={"errors": [{"code": "BLOB_UNKNOWN", "message": "unknown"}]})
        headers = {"Content-Length": str(len(blob)), "Docker-Content-Digest": rest}
        if method == "HEAD":
            return httpx.Response(200, headers=headers)
        ranged = re.match(r"bytes=(\d+)-", request.headers.get("range", ""))
        if ranged:
            return _streamed(206, blob[int(ranged.group(1)) :])
        return _streamed(200, blob)

    def _upload(self, request: httpx.Request, repo: str, session: str) -> httpx.Response:
        if request.method == "POST":
            mount, source = request.url.params.get("mount"), request.url.params.get("from")
            if mount and source and mount in self.blobs.get(source, {}):
                self.blobs.setdefault(repo, {})[mount] = self.blobs[source][mount]
                return httpx.Response(201, headers={"Location": f"/v2/{repo}/blobs/{mount}"})
            session = uuid.uuid4().hex
            self.uploads[session] = bytearray()
            location = f"{self.upload_origin}/v2/{repo}/blobs/uploads/{session}?_state=x"
            return httpx.Response(202, headers={"Location": location})
        if session not in self.uploads:
            return httpx.Response(404, json={"errors": [{"code": "BLOB_UPLOAD_UNKNOWN"}]})
        data = self.uploads[session]
        if request.method == "PATCH":
            ranged = re.match(r"^(\d+)-(\d+)$", request.headers.get("content-range", ""))
            if ranged and int(ranged.group(1)) != len(data):
                return httpx.Response(416)
            data.extend(request.content)
            return httpx.Response(
                202,
                headers={"Location": f"/v2/{repo}/blobs/uploads/{session}", "Range": f"0-{len(data) - 1}"},
            )
        if request.method == "PUT":
            data.extend(request.content)
            digest = request.url.params["digest"]
            if "sha256:" + hashlib.sha256(data).hexdigest() != digest:
                return httpx.Response(
                    400, json={"errors": [{"code": "DIGEST_INVALID", "message": "mismatch"}]}
                )
            self.blobs.setdefault(repo, {})[digest] = bytes(data)
            del self.uploads[session]
            return httpx.Response(201, headers={"Location": f"/v2/{repo}/blobs/{digest}"})
        if request.method == "DELETE":
            del self.uploads[session]
            return httpx.Response(204)
        return httpx.Response(405)

    def _manifest(self, request: httpx.Request, repo: str, reference: str) -> httpx.Response:
        store = self.manifests.setdefault(repo, {})
        if request.method == "PUT":
            data = request.content
            digest = "sha256:" + hashlib.sha256(data).hexdigest()
            import json

            document = json.loads(data)
            needed = [document["config"]] + document["layers"] if "layers" in document else []
            for descriptor in needed:
                if descriptor["digest"] not in self.blobs.get(repo, {}):
                    return httpx.Response(400, json={"errors": [{"code": "MANIFEST_BLOB_UNKNOWN"}]})
            for child in document.get("manifests", []):
                if child["digest"] not in store:
                    return httpx.Response(400, json={"errors": [{"code": "MANIFEST_UNKNOWN"}]})
            entry = (data, request.headers["content-type"])
            store[digest] = entry
            store[reference] = entry
            return httpx.Response(201, headers={"Docker-Content-Digest": digest})
        if reference not in store:
            return httpx.Response(404, json={"errors": [{"code": "MANIFEST_UNKNOWN", "message": "unknown"}]})
        data, media_type = store[reference]
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        return httpx.Response(
            200, content=data, headers={"Content-Type": media_type, "Docker-Content-Digest": digest}
        )
