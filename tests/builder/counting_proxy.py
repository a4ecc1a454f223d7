"""A loopback HTTP proxy in front of a registry that counts what clients send (bytes per request).

The registry's access log records response sizes only; to prove "the push uploaded only the app layer,
the config and the manifest" we need the request bodies, so tests and bench/build.py push through this.
Plain HTTP/1.1 forwarding with http.client, one upstream connection per request: slow but exact.
"""

from __future__ import annotations

import http.client
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "upgrade"}


@dataclass
class Request:
    method: str
    path: str
    sent: int  # request body bytes
    status: int


@dataclass
class Traffic:
    requests: list[Request] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def reset(self) -> None:
        with self.lock:
            self.requests.clear()

    @property
    def bytes_sent(self) -> int:
        return sum(r.sent for r in self.requests)

    def uploads(self) -> list[Request]:
        """Requests that carried content: blob PATCH/PUT and manifest PUT."""
        return [r for r in self.requests if r.sent > 0]

    def manifests_put(self) -> list[Request]:
        return [r for r in self.requests if r.method == "PUT" and "/manifests/" in r.path]


class CountingProxy:
    def __init__(self, upstream: str) -> None:
        host, _, port = upstream.partition(":")
        self.traffic = Traffic()
        traffic = self.traffic

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base's name
                pass

            def _body(self) -> bytes:
                if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                    chunks = []
                    while True:
                        size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                        if size == 0:
                            self.rfile.readline()
                            break
                        chunks.append(self.rfile.read(size))
                        self.rfile.readline()
                    return b"".join(chunks)
                length = int(self.headers.get("Content-Length") or 0)
                return self.rfile.read(length) if length else b""

            def _forward(self) -> None:
                body = self._body()
                headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP}
                if body or self.command in ("PUT", "POST", "PATCH"):
                    headers["Content-Length"] = str(len(body))
                upstream_conn = http.client.HTTPConnection(host, int(port or 80), timeout=120)
                try:
                    upstream_conn.request(self.command, self.path, body=body, headers=headers)
                    reply = upstream_conn.getresponse()
                    data = reply.read()
                finally:
                    upstream_conn.close()
                with traffic.lock:
                    traffic.requests.append(Request(self.command, self.path, len(body), reply.status))
                self.send_response(reply.status)
                for key, value in reply.getheaders():
                    # HEAD answers keep the upstream length: clients read a blob's size from it.
                    name = key.lower()
                    if name not in _HOP and (name != "content-length" or self.command == "HEAD"):
                        self.send_header(key, value)
                if self.command != "HEAD":
                    self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            do_GET = do_HEAD = do_PUT = do_POST = do_PATCH = do_DELETE = _forward

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> CountingProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
