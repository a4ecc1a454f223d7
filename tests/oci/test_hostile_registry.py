"""A registry (and its token service) that answers 200 with the wrong thing: one line naming the registry,
exit 2, never a JSONDecodeError; a manifest too large or too deeply nested is refused after reading at
most the 4 MiB the distribution spec allows.

The registry is a real HTTP server on 127.0.0.1 (jettison speaks plain HTTP to loopback registries).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jettison.cli import main
from jettison.errors import JettisonError
from jettison.model.image import MAX_MANIFEST_BYTES
from jettison.oci.registry import NoCredentials, RegistryClient

GOOD_TOKEN = "t0ken"


class HostileRegistry(ThreadingHTTPServer):
    """Manifests behind a Bearer challenge; what /token and the manifest answer is set per test."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.token_reply: tuple[str, bytes | Iterator[bytes]] = ("application/json", b"{}")
        self.manifest_reply: bytes | Iterator[bytes] = b"{}"
        self.manifest_length: int | None = None
        self.sent = 0  # body bytes written before the client stopped reading

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: HostileRegistry

    def log_message(self, *args: object) -> None:
        pass

    def _body(self, content_type: str, body: bytes | Iterator[bytes], length: int | None = None) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        if isinstance(body, bytes):
            self.send_header("Content-Length", str(len(body)))
        elif length is not None:
            self.send_header("Content-Length", str(length))
        else:
            self.send_header("Connection", "close")  # the body ends when the connection does
        self.end_headers()
        chunks = [body] if isinstance(body, bytes) else body
        try:
            for chunk in chunks:
                self.wfile.write(chunk)
                self.server.sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client stopped reading: what it was meant to do
        self.close_connection = True

    def do_GET(self) -> None:  # noqa: N802 - the http.server API
        if self.path.startswith("/token"):
            self._body(*self.server.token_reply)
        elif self.path == "/v2/" or self.headers.get("Authorization") != f"Bearer {GOOD_TOKEN}":
            self.send_response(401)
            realm = f"http://{self.server.host}/token"
            self.send_header("WWW-Authenticate", f'Bearer realm="{realm}",service="hostile"')
            self.send_header("Content-Length", "0")
            self.end_headers()
        else:
            media = "application/vnd.oci.image.manifest.v1+json"
            self._body(media, self.server.manifest_reply, self.server.manifest_length)


@pytest.fixture
def registry() -> Iterator[HostileRegistry]:
    server = HostileRegistry()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _inspect(registry: HostileRegistry, tmp_path) -> str:
    """`jettison inspect` of an image on the registry: asserts exit 2 and one line, returns it."""
    result = CliRunner().invoke(main, ["inspect", f"{registry.host}/app:1", "--project", str(tmp_path)])
    assert result.exit_code == 2, (result.output, result.exception)
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("jettison: "), result.output
    return lines[0]


def _token(value: object) -> tuple[str, bytes]:
    return "application/json", json.dumps({"token": value}).encode()


def _repeat(chunk: bytes, total: int) -> Iterator[bytes]:
    for _ in range(total // len(chunk)):
        yield chunk


@pytest.mark.parametrize(
    "reply, expected",
    [
        (("text/html", b"<html><body>Sign in to continue</body></html>"), "answered 200 with text/html"),
        (("application/json", b'{"expires_in": 300}'), "returned no token"),
        (("application/json", b"[1, 2, 3]"), "returned no token"),
        (_token(12345), "not printable ASCII"),
        (_token("line\r\nX-Injected: 1"), "not printable ASCII"),
        (_token("t\u00f6ken"), "not printable ASCII"),
        (("application/json", b"[" * 100_000 + b"]" * 100_000), "not a JSON token"),
        (("application/json", _repeat(b" " * 65536, 64 * 1024 * 1024)), "over the 1,048,576 bytes allowed"),
    ],
    ids=["html", "no-token", "array", "number", "header-injection", "non-ascii", "nested", "huge"],
)
def test_a_token_service_answering_200_with_no_token_is_one_line_naming_the_registry(
    registry, tmp_path, reply, expected
):
    registry.token_reply = reply
    line = _inspect(registry, tmp_path)
    assert expected in line, line
    assert f"registry {registry.host}" in line, line
    assert registry.sent < 8 * 1024 * 1024  # the 64 MB reply was abandoned, not read


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.binary(max_size=300) | st.text(max_size=100).map(str.encode))
def test_any_token_reply_is_a_token_or_a_jettison_error(registry, body):
    registry.token_reply = ("application/json", body)
    registry.manifest_reply = b"{}"
    with RegistryClient(credentials=NoCredentials(), retries=0) as client, pytest.raises(JettisonError):
        client.pull(f"{registry.host}/app:1")  # a token or not, "{}" is no manifest


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "until-close"])
def test_a_manifest_over_4_mib_is_refused_after_reading_at_most_4_mib(registry, tmp_path, declared):
    registry.token_reply = _token(GOOD_TOKEN)
    total = 300 * 1024 * 1024
    registry.manifest_reply = _repeat(b" " * 65536, total)
    registry.manifest_length = total if declared else None
    line = _inspect(registry, tmp_path)
    assert f"from registry {registry.host}" in line and "allowed" in line, line
    # Socket buffers hold a few MB more than the client read; 300 MB were never sent.
    assert registry.sent < MAX_MANIFEST_BYTES + 16 * 1024 * 1024


def test_a_deeply_nested_manifest_is_a_located_error(registry, tmp_path):
    registry.token_reply = _token(GOOD_TOKEN)
    registry.manifest_reply = b"[" * 100_000 + b"]" * 100_000
    line = _inspect(registry, tmp_path)
    assert "nested too deeply" in line and registry.host in line, line
