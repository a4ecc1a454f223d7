"""A counting, fault-injecting HTTP proxy in front of a registry, for tests.

It forwards every request to the upstream registry (keeping the Host header, so the registry's upload
Locations point back through the proxy), records method, path, status and body sizes, and can instead
answer with a status, drop the connection, truncate or corrupt a reply body. It can also play a token
server (Bearer) or require Basic auth, so the auth flows run against the real registry behind it.
"""

from __future__ import annotations

import base64
import json
import re
import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx

HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "proxy-connection", "te", "upgrade"}


@dataclass
class Fault:
    method: str  # "*" for any
    path: str  # a regex searched in the request path (with query)
    action: int | str  # an HTTP status, "drop", "truncate" or "corrupt"
    times: int = 1


@dataclass
class Record:
    method: str
    path: str
    status: int | str
    received: int  # request body bytes
    sent: int  # response body bytes


@dataclass
class ProxyState:
    upstream: str
    faults: list[Fault] = field(default_factory=list)
    log: list[Record] = field(default_factory=list)
    auth: str | None = None  # None, "basic" or "bearer"
    user: str = "jet"
    password: str = "s3cret"
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take_fault(self, method: str, path: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.times > 0 and fault.method in ("*", method) and re.search(fault.path, path):
                    fault.times -= 1
                    return fault
        return None


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    state: ProxyState
    client: httpx.Client

    def log_message(self, *args: object) -> None:
        pass

    def _body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return data
                data += self.rfile.read(size)
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _reply(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body and self.command != "HEAD":
            self.wfile.write(body)

    def _drop(self) -> None:
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _authorized(self) -> bool:
        state = self.state
        header = self.headers.get("Authorization", "")
        host = self.headers.get("Host", "")
        if state.auth == "basic":
            expected = base64.b64encode(f"{state.user}:{state.password}".encode()).decode()
            if header == f"Basic {expected}":
                return True
            self._reply(401, b'{"errors":[{"code":"UNAUTHORIZED"}]}', {"WWW-Authenticate": 'Basic realm="t"'})
            return False
        if header == "Bearer good-token":
            return True
        match = re.match(r"^/v2/(.+?)/(blobs|manifests)/", self.path)
        scope = f"repository:{match.group(1)}:pull" if match else ""
        challenge = f'Bearer realm="http://{host}/token",service="proxy",scope="{scope}"'
        self._reply(401, b'{"errors":[{"code":"UNAUTHORIZED"}]}', {"WWW-Authenticate": challenge})
        return False

    def _token(self) -> None:
        state = self.state
        expected = base64.b64encode(f"{state.user}:{state.password}".encode()).decode()
        if self.headers.get("Authorization") != f"Basic {expected}":
            self._reply(401, b'{"details":"bad credentials"}')
            return
        self._reply(200, json.dumps({"token": "good-token"}).encode(), {"Content-Type": "application/json"})

    def _handle(self) -> None:
        state = self.state
        body = self._body()
        path = self.path
        if state.auth == "bearer" and path.startswith("/token"):
            self._token()
            state.log.append(Record(self.command, path, "token", len(body), 0))
            return
        if state.auth and path.startswith("/v2/") and not self._authorized():
            state.log.append(Record(self.command, path, 401, len(body), 0))
            return
        fault = state.take_fault(self.command, path)
        if fault is not None and isinstance(fault.action, int):
            payload = json.dumps({"errors": [{"code": "INJECTED", "message": "fault"}]}).encode()
            self._reply(fault.action, payload, {"Content-Type": "application/json"})
            state.log.append(Record(self.command, path, fault.action, len(body), len(payload)))
            return
        if fault is not None and fault.action == "drop":
            state.log.append(Record(self.command, path, "drop", len(body), 0))
            self._drop()
            return
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP | {"authorization"}}
        headers["Accept-Encoding"] = "identity"
        upstream = self.client.request(
            self.command, f"http://{state.upstream}{path}", headers=headers, content=body or None
        )
        data = upstream.content
        reply_headers = {k: v for k, v in upstream.headers.items() if k.lower() not in HOP}
        state.log.append(Record(self.command, path, upstream.status_code, len(body), len(data)))
        if fault is not None and fault.action == "truncate" and data:
            self.send_response(upstream.status_code)
            for key, value in reply_headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self._drop()
            return
        if fault is not None and fault.action == "corrupt" and data:
            data = data[:-1] + bytes([data[-1] ^ 0xFF])
        self.send_response(upstream.status_code)
        for key, value in reply_headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(upstream.headers.get("content-length", len(data))))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = _handle


class FaultProxy:
    """Start with `with FaultProxy("127.0.0.1:5000") as proxy:`; talk to `proxy.address`."""

    def __init__(self, upstream: str) -> None:
        self.state = ProxyState(upstream)
        client = httpx.Client(timeout=60)
        handler = type("Handler", (_Handler,), {"state": self.state, "client": client})
        self._client = client
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self._server.server_address[1]}"

    @property
    def log(self) -> list[Record]:
        return self.state.log

    def fault(self, method: str, path: str, action: int | str, times: int = 1) -> Fault:
        fault = Fault(method, path, action, times)
        self.state.faults.append(fault)
        return fault

    def requests(self, method: str, pattern: str = "") -> list[Record]:
        return [r for r in self.log if r.method == method and re.search(pattern, r.path)]

    def bytes_received(self) -> int:
        return sum(r.received for r in self.log)

    def __enter__(self) -> FaultProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._client.close()
