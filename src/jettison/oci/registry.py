"""Registries through the OCI distribution API (network): pull and push images and indexes.

Written by hand on httpx, after evaluating oras-py: oras-py is built on requests, is shaped around
pushing files as artifacts from paths, reads whole blobs into memory for some operations, has no
cross-repository mount and no streaming digest verification, and its auth covers the token flow but not
docker's credential helpers the way we need them. What we need is small and exact (the calls in
go-containerregistry's remote package): HEAD/GET/PUT of manifests and blobs, upload sessions, one token
flow, so it is written here on httpx, which brings HTTP/1.1 keep-alive, streaming bodies and timeouts.

Pull: the manifest (any of the OCI and Docker media types; an index or manifest list is resolved to the
requested platform) and the config are fetched and verified now; layers stay lazy and are verified
against their digest while they stream. Push: each blob is asked for with HEAD and only missing ones are
sent, mounted from another repository of the same registry where we know one holds it (`?mount=&from=`),
else uploaded monolithically (POST + PUT) or in chunks (PATCH with Content-Range); every blob is
confirmed with HEAD, then the config, and the manifest goes last, so a failure never leaves a manifest
naming a missing blob. Requests are retried with exponential backoff on connection errors, 429 and 5xx;
an upload session that fails is restarted from its POST (PATCH is not idempotent).

Auth: anonymous, Basic, and the Bearer challenge flow (WWW-Authenticate realm/service/scope), with
credentials from ~/.docker/config.json (auths, credHelpers, credsStore via `docker-credential-<name>
get`). Loopback registries (localhost, 127.0.0.0/8, ::1) are spoken to over plain HTTP, as docker does.
"""

from __future__ import annotations

import base64
import io
import json
import os
import re
import ssl
import subprocess
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import httpx

from jettison.errors import JettisonError
from jettison.model.image import (
    DOCKER_MANIFEST,
    DOCKER_MANIFEST_LIST,
    INDEX_TYPES,
    MAX_MANIFEST_BYTES,
    OCI_INDEX,
    OCI_MANIFEST,
    Descriptor,
    Index,
    Platform,
    parse_document,
)
from jettison.oci.blobs import iter_chunks, read_verified, sha256_digest
from jettison.oci.image import Image, ImageIndex, host_platform, load_image
from jettison.oci.layers import Layer
from jettison.oci.reference import DOCKER_HUB, Reference

MANIFEST_ACCEPT = ", ".join((OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, DOCKER_MANIFEST_LIST))
Progress = Callable[[str, str, int, int], None]
"""progress(event, digest, done_bytes, total_bytes); events: skip, mount, upload, uploaded, manifest."""


# ---- credentials -----------------------------------------------------------------------------------


class DockerCredentials:
    """Credentials the way the docker CLI stores them: $DOCKER_CONFIG/config.json or ~/.docker/config.json."""

    def __init__(self, config_path: Path | None = None, run: Callable[..., Any] = subprocess.run) -> None:
        if config_path is None:
            directory = os.environ.get("DOCKER_CONFIG") or str(Path.home() / ".docker")
            config_path = Path(directory) / "config.json"
        self.config_path = Path(config_path)
        self._run = run

    def _config(self) -> dict[str, Any]:
        try:
            data = json.loads(self.config_path.read_text())
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as error:
            raise JettisonError(f"cannot read docker config: {error}", self.config_path) from None
        return data if isinstance(data, dict) else {}

    @staticmethod
    def _keys(registry: str) -> list[str]:
        if registry == DOCKER_HUB:
            return ["https://index.docker.io/v1/", "index.docker.io", "docker.io", "registry-1.docker.io"]
        return [registry, f"https://{registry}", f"http://{registry}", f"https://{registry}/v1/"]

    def get(self, registry: str) -> tuple[str, str] | None:
        """(username, secret) for a registry host, or None for anonymous. A username of `<token>`
        means the secret is an identity (refresh) token."""
        config = self._config()
        helpers = config.get("credHelpers") or {}
        auths = config.get("auths") or {}
        for key in self._keys(registry):
            if key in helpers:
                return self._helper(helpers[key], key)
        for key in self._keys(registry):
            entry = auths.get(key)
            if not isinstance(entry, dict):
                continue
            if entry.get("identitytoken"):
                return "<token>", entry["identitytoken"]
            if entry.get("auth"):
                try:
                    user, _, secret = base64.b64decode(entry["auth"]).decode().partition(":")
                except (ValueError, UnicodeDecodeError):
                    raise JettisonError(f"bad auth entry for {key}", self.config_path) from None
                return user, secret
            if entry.get("username"):
                return entry["username"], entry.get("password", "")
        if config.get("credsStore"):
            return self._helper(config["credsStore"], self._keys(registry)[0])
        return None

    def _helper(self, name: str, server: str) -> tuple[str, str] | None:
        program = f"docker-credential-{name}"
        try:
            done = self._run([program, "get"], input=server.encode(), capture_output=True, timeout=30)
        except FileNotFoundError:
            raise JettisonError(f"credential helper {program} is configured but not installed") from None
        if done.returncode != 0:
            return None  # "credentials not found": the helper has nothing for this registry
        try:
            reply = json.loads(done.stdout)
            return str(reply["Username"]), str(reply["Secret"])
        except (ValueError, KeyError, TypeError):
            raise JettisonError(f"credential helper {program} gave an unreadable answer") from None


class NoCredentials:
    def get(self, registry: str) -> tuple[str, str] | None:
        return None


# ---- results ---------------------------------------------------------------------------------------


@dataclass
class PushResult:
    reference: str
    digest: str = ""
    uploaded: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    mounted: list[str] = field(default_factory=list)
    bytes_uploaded: int = 0
    requests: int = 0


class _Retry(Exception):
    """A failure worth another attempt (connection error, 429, 5xx)."""


def _parse_challenge(header: str) -> tuple[str, dict[str, str]]:
    scheme, _, rest = header.strip().partition(" ")
    params = {k.lower(): v for k, v in re.findall(r'(\w+)="([^"]*)"', rest)}
    for k, v in re.findall(r'(\w+)=([^",\s]+)', rest):
        params.setdefault(k.lower(), v)
    return scheme.lower(), params


def _error_text(response: httpx.Response) -> str:
    try:
        errors = response.json().get("errors") or []
        text = "; ".join(f"{e.get('code')}: {e.get('message')}" for e in errors if isinstance(e, dict))
    except (ValueError, AttributeError, httpx.ResponseNotRead):
        text = ""
    return f"{response.status_code} {response.reason_phrase}" + (f" ({text})" if text else "")


# A token reply is a few kilobytes of JSON (a JWT, its lifetime); a megabyte is something else.
MAX_TOKEN_REPLY_BYTES = 1024 * 1024


def _read_capped(response: httpx.Response, limit: int, what: str) -> bytes:
    """A streamed reply's body, refused (never read on) past `limit` decoded bytes; closes the reply."""
    try:
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise JettisonError(f"{what}: the reply is {int(declared):,} bytes, over the {limit:,} allowed")
        body = bytearray()
        for chunk in response.iter_bytes():
            body += chunk
            if len(body) > limit:
                raise JettisonError(f"{what}: the reply is over the {limit:,} bytes allowed")
        return bytes(body)
    finally:
        response.close()


def _token_from(body: bytes, content_type: str, where: str) -> str:
    """The bearer token in a token service's 200 reply, or a JettisonError saying what came instead."""
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):
        shown = body[:60].decode("utf-8", "replace").split("\n", 1)[0]
        kind = content_type.split(";")[0].strip() or "no content type"
        raise JettisonError(f"{where} answered 200 with {kind}, not a JSON token ({shown!r}...)") from None
    token = document.get("token") or document.get("access_token") if isinstance(document, dict) else None
    if not token:
        raise JettisonError(f"{where} returned no token")
    # It goes into an Authorization header: anything but printable ASCII there is not a token.
    if not isinstance(token, str) or not token.isascii() or not token.isprintable():
        raise JettisonError(f"{where} returned a token that is not printable ASCII text")
    return token


class _BlobStream(io.RawIOBase):
    """A blob download as a file: raw bytes as sent (no content decoding). When the connection drops
    mid-body it resumes with a Range request from the byte it got to (up to `resumes` times); the
    VerifyingReader around it still checks the whole blob against its digest."""

    def __init__(
        self, open_at: Callable[[int], httpx.Response], resumes: int, pause: Callable[[int], None], what: str
    ):
        super().__init__()
        self._open_at = open_at
        self._resumes_left = resumes
        self._pause = pause
        self._what = what
        self._offset = 0
        self._attempt = 0
        self._pending = b""
        self._start(0)

    def _start(self, offset: int) -> None:
        self._response = self._open_at(offset)
        # A server that ignores Range answers 200 with the whole blob: skip what we already have.
        self._skip = offset if offset and self._response.status_code == 200 else 0
        self._chunks = self._response.iter_raw()  # unchunked: a partial body is kept on a drop

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        while not self._pending:
            try:
                chunk = next(self._chunks)
            except StopIteration:
                return 0
            except httpx.TransportError as error:
                self._response.close()
                if self._resumes_left <= 0:
                    raise JettisonError(
                        f"{self._what}: connection dropped after {self._offset} bytes ({error})"
                    ) from None
                self._resumes_left -= 1
                self._pause(self._attempt)
                self._attempt += 1
                self._start(self._offset)
                continue
            if self._skip:
                dropped = min(self._skip, len(chunk))
                chunk = chunk[dropped:]
                self._skip -= dropped
            self._pending = chunk
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        self._offset += size
        return size

    def close(self) -> None:
        if not self.closed:
            self._response.close()
            super().close()


def _same_origin(url: httpx.URL, ref: Reference) -> bool:
    registry = httpx.URL(f"{ref.scheme}://{ref.api_host}/")
    return (url.scheme, url.host, url.port) == (registry.scheme, registry.host, registry.port)


def _ssl_context() -> ssl.SSLContext:
    # The system store plus SSL_CERT_FILE: corporate proxies put their CA there, not in certifi.
    return ssl.create_default_context(cafile=os.environ.get("SSL_CERT_FILE") or None)


class RegistryClient:
    """One client for any number of registries; tokens are cached per registry and scope.

    `transport` lets tests hand in an httpx transport; `chunk_size` switches uploads to chunked PATCHes
    of that many bytes (None: one monolithic PUT); `sleep` is the backoff's clock.
    """

    def __init__(
        self,
        *,
        credentials: DockerCredentials | NoCredentials | None = None,
        transport: httpx.BaseTransport | None = None,
        retries: int = 4,
        backoff: float = 0.25,
        chunk_size: int | None = None,
        timeout: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.credentials = credentials if credentials is not None else DockerCredentials()
        self.retries = retries
        self.backoff = backoff
        self.chunk_size = chunk_size
        self.sleep = sleep
        self.requests = 0
        self._auth: dict[tuple[str, str], str] = {}
        self._client = httpx.Client(
            transport=transport,
            timeout=httpx.Timeout(timeout, connect=10.0),
            verify=_ssl_context(),
            headers={"User-Agent": "jettison"},
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> RegistryClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- HTTP with auth and retries ------------------------------------------------------------------

    def _authenticate(self, ref: Reference, scopes: Sequence[str], header: str) -> None:
        scheme, params = _parse_challenge(header)
        creds = self.credentials.get(ref.registry)
        key = (ref.registry, " ".join(scopes))
        if scheme == "basic":
            if creds is None:
                raise JettisonError(
                    f"registry {ref.registry} wants a login (no credentials in docker config)"
                )
            token = base64.b64encode(f"{creds[0]}:{creds[1]}".encode()).decode()
            self._auth[key] = f"Basic {token}"
            return
        if scheme != "bearer" or "realm" not in params:
            raise JettisonError(f"registry {ref.registry} asks for unsupported authentication: {header}")
        wanted = list(scopes)
        if params.get("scope") and params["scope"] not in wanted:
            wanted.append(params["scope"])
        query: list[tuple[str, str]] = [("scope", s) for s in wanted]
        if params.get("service"):
            query.append(("service", params["service"]))
        where = f"token service {params['realm']} of registry {ref.registry}"
        try:
            if creds is not None and creds[0] == "<token>":
                form = {"grant_type": "refresh_token", "refresh_token": creds[1], "client_id": "jettison"}
                form.update({"service": params.get("service", ""), "scope": " ".join(wanted)})
                request = self._client.build_request("POST", params["realm"], data=form)
                reply = self._client.send(request, stream=True)
            else:
                auth = httpx.BasicAuth(*creds) if creds else None
                request = self._client.build_request("GET", params["realm"], params=query)
                reply = self._client.send(request, auth=auth, stream=True)
            self.requests += 1
            body = _read_capped(reply, MAX_TOKEN_REPLY_BYTES, where)
        except httpx.TransportError as error:
            raise JettisonError(f"{where} unreachable: {error}") from None
        except (httpx.HTTPError, httpx.InvalidURL) as error:  # a bad realm URL, a body that does not decode
            raise JettisonError(f"{where}: {type(error).__name__}: {error}") from None
        if reply.status_code != 200:
            who = "with the docker config's credentials" if creds else "anonymously"
            read = httpx.Response(reply.status_code, headers=reply.headers, content=body)
            raise JettisonError(
                f"registry {ref.registry} refused a token for {ref.repository} {who}: {_error_text(read)}"
            )
        token = _token_from(body, reply.headers.get("content-type", ""), where)
        self._auth[key] = f"Bearer {token}"

    def _send(
        self,
        method: str,
        url: str | httpx.URL,
        ref: Reference,
        scopes: Sequence[str],
        *,
        headers: dict[str, str] | None = None,
        content: Callable[[], Any] | None = None,
        stream: bool = False,
        retry: bool = True,
        what: str = "",
    ) -> httpx.Response:
        """Send with auth; on 401 authenticate once and resend; retry (if `retry`) on transient failures.

        With retry=False a transient failure raises _Retry so the caller can restart a larger operation.
        """
        authenticated = False
        attempt = 0
        while True:
            request_headers = dict(headers or {})
            auth = self._auth.get((ref.registry, " ".join(scopes)))
            # Credentials go to the registry only, never to an upload Location on another host.
            if auth and _same_origin(httpx.URL(url), ref):
                request_headers["Authorization"] = auth
            request = self._client.build_request(
                method, url, headers=request_headers, content=content() if content else None
            )
            try:
                self.requests += 1
                response = self._client.send(
                    request, stream=stream, follow_redirects=method in ("GET", "HEAD")
                )
            except httpx.TransportError as error:
                problem = f"connection to {ref.registry} failed ({type(error).__name__}: {error})"
                if not retry:
                    raise _Retry(problem) from None
                if attempt >= self.retries:
                    raise JettisonError(
                        f"{what or method}: {problem}, after {attempt + 1} attempts"
                    ) from None
                self.sleep(self.backoff * 2**attempt)
                attempt += 1
                continue
            if response.status_code == 401 and not authenticated and "www-authenticate" in response.headers:
                challenge = response.headers["www-authenticate"]
                response.close()
                self._authenticate(ref, scopes, challenge)
                authenticated = True
                continue
            if response.status_code == 429 or response.status_code >= 500:
                if stream:
                    response.read()
                problem = f"registry {ref.registry} answered {_error_text(response)}"
                response.close()
                if not retry:
                    raise _Retry(problem)
                if attempt >= self.retries:
                    raise JettisonError(f"{what or method}: {problem}, after {attempt + 1} attempts")
                delay = self.backoff * 2**attempt
                retry_after = response.headers.get("retry-after", "")
                if retry_after.isdigit():
                    delay = max(delay, min(float(retry_after), 30.0))
                self.sleep(delay)
                attempt += 1
                continue
            return response

    def _fail(self, response: httpx.Response, what: str, ref: Reference) -> JettisonError:
        if not response.is_closed:
            try:
                response.read()
            except httpx.HTTPError:
                pass
            response.close()
        if response.status_code == 401:
            return JettisonError(
                f"{what}: registry {ref.registry} denied access (401); log in with docker login"
            )
        if response.status_code == 403:
            return JettisonError(f"{what}: registry {ref.registry} forbids it (403) for {ref.repository}")
        return JettisonError(f"{what}: registry {ref.registry} answered {_error_text(response)}")

    # ---- pull ----------------------------------------------------------------------------------------

    def _pull_scopes(self, ref: Reference) -> list[str]:
        return [f"repository:{ref.repository}:pull"]

    def get_manifest(self, ref: Reference) -> tuple[bytes, str]:
        """(exact bytes, media type) of the manifest or index `ref` names, verified against its digest."""
        what = f"manifest {ref}"
        attempt = 0
        while True:
            response = self._send(
                "GET",
                f"{ref.base_url}/manifests/{ref.identifier}",
                ref,
                self._pull_scopes(ref),
                headers={"Accept": MANIFEST_ACCEPT},
                stream=True,
                what=what,
            )
            if response.status_code == 404:
                response.close()
                raise JettisonError(f"image {ref} not found on registry {ref.registry}")
            if response.status_code != 200:
                raise self._fail(response, what, ref)
            try:  # streamed and capped: a registry sending 300 MB as a manifest costs 4 MiB, not 300
                data = _read_capped(response, MAX_MANIFEST_BYTES, f"{what} from registry {ref.registry}")
                break
            except httpx.TransportError as error:  # the body broke off: a GET is safe to send again
                if attempt >= self.retries:
                    tries = f"after {attempt + 1} attempts"
                    raise JettisonError(
                        f"{what}: reading it from {ref.registry} failed ({error}), {tries}"
                    ) from None
                self.sleep(self.backoff * 2**attempt)
                attempt += 1
            except httpx.HTTPError as error:
                raise JettisonError(f"{what}: reading it from {ref.registry} failed: {error}") from None
        media_type = response.headers.get("content-type", "").split(";")[0].strip()
        digest = sha256_digest(data)
        expected = ref.digest or response.headers.get("docker-content-digest")
        if expected and expected.startswith("sha256:") and expected != digest:
            raise JettisonError(f"{what} does not match its digest: expected {expected}, got {digest}")
        return data, media_type

    def _blob_url(self, ref: Reference, digest: str) -> str:
        return f"{ref.base_url}/blobs/{digest}"

    def _blob_response(self, ref: Reference, digest: str, offset: int) -> httpx.Response:
        what = f"blob {digest} from {ref.registry}/{ref.repository}"
        headers = {"Range": f"bytes={offset}-"} if offset else {}
        response = self._send(
            "GET",
            self._blob_url(ref, digest),
            ref,
            self._pull_scopes(ref),
            headers=headers,
            stream=True,
            what=what,
        )
        if response.status_code == 404:
            response.close()
            raise JettisonError(f"{what}: the registry does not have it (404)")
        if response.status_code not in (200, 206) or (response.status_code == 206 and not offset):
            raise self._fail(response, what, ref)
        return response

    def _open_blob(self, ref: Reference, digest: str) -> BinaryIO:
        what = f"blob {digest} from {ref.registry}/{ref.repository}"
        return _BlobStream(  # type: ignore[return-value]
            lambda offset: self._blob_response(ref, digest, offset),
            self.retries,
            lambda attempt: self.sleep(self.backoff * 2**attempt),
            what,
        )

    def _read_blob(self, ref: Reference, descriptor: Descriptor) -> bytes:
        return read_verified(
            lambda: self._open_blob(ref, descriptor.digest),
            descriptor.digest,
            descriptor.size,
            f"blob {descriptor.digest} from {ref.registry}/{ref.repository}",
        )

    def _image(self, ref: Reference, manifest_bytes: bytes) -> Image:
        where = f"{ref.registry}/{ref.repository}"

        def opener(descriptor: Descriptor) -> Callable[[], BinaryIO]:
            return lambda: self._open_blob(ref, descriptor.digest)

        return load_image(manifest_bytes, lambda d: self._read_blob(ref, d), opener, where)

    def pull_index(self, ref: Reference | str) -> ImageIndex | Image:
        """An ImageIndex for a multi-platform reference (every platform's manifest and config fetched,
        layers lazy), else the Image."""
        ref = Reference.parse(ref) if isinstance(ref, str) else ref
        data, media_type = self.get_manifest(ref)
        try:
            document = parse_document(data, media_type or None)
        except ValueError as error:
            raise JettisonError(f"manifest {ref}: {error}") from None
        if not isinstance(document, Index):
            return self._image(ref, data)
        images = []
        for entry in document.manifests:
            child = self._read_blob_manifest(ref, entry)
            images.append(self._image(ref, child))
        return ImageIndex(data, tuple(images), f"{ref.registry}/{ref.repository}")

    def _read_blob_manifest(self, ref: Reference, entry: Descriptor) -> bytes:
        data, _ = self.get_manifest(ref.with_digest(entry.digest))
        if len(data) != entry.size:
            raise JettisonError(
                f"manifest {entry.digest} of {ref} has {len(data)} bytes, index says {entry.size}"
            )
        return data

    def pull(self, ref: Reference | str, platform: Platform | str | None = None) -> Image:
        """The image `ref` names; from an index or manifest list, the one for `platform` (default: host)."""
        ref = Reference.parse(ref) if isinstance(ref, str) else ref
        wanted = Platform.parse(platform) if isinstance(platform, str) else platform
        data, media_type = self.get_manifest(ref)
        try:
            document = parse_document(data, media_type or None)
        except ValueError as error:
            raise JettisonError(f"manifest {ref}: {error}") from None
        if isinstance(document, Index):
            entry = document.select(wanted or host_platform())
            if entry is None:
                have = ", ".join(str(m.platform) for m in document.manifests if m.platform)
                raise JettisonError(f"{ref} has no image for {wanted or host_platform()} (it has: {have})")
            data = self._read_blob_manifest(ref, entry)
        image = self._image(ref, data)
        if wanted is not None and not image.platform.matches(wanted):
            raise JettisonError(f"{ref} is {image.platform}, not {wanted}")
        return image

    # ---- push ----------------------------------------------------------------------------------------

    def _push_scopes(self, ref: Reference, mount_from: Sequence[str] = ()) -> list[str]:
        return [f"repository:{ref.repository}:pull,push", *(f"repository:{r}:pull" for r in mount_from)]

    def blob_exists(self, ref: Reference, digest: str, size: int | None = None) -> bool:
        response = self._send(
            "HEAD", self._blob_url(ref, digest), ref, self._push_scopes(ref), what=f"checking blob {digest}"
        )
        response.close()
        if response.status_code == 404:
            return False
        if response.status_code != 200:
            raise self._fail(response, f"checking blob {digest} in {ref.repository}", ref)
        length = response.headers.get("content-length")
        return size is None or length is None or int(length) == size

    def _absolute(self, ref: Reference, location: str) -> httpx.URL:
        return httpx.URL(f"{ref.scheme}://{ref.api_host}/").join(location)

    def _start_upload(self, ref: Reference, scopes: Sequence[str], params: str = "") -> httpx.Response:
        return self._send(
            "POST",
            f"{ref.base_url}/blobs/uploads/{params}",
            ref,
            scopes,
            headers={"Content-Length": "0"},
            retry=False,
            what=f"starting an upload to {ref.repository}",
        )

    def _try_mount(self, ref: Reference, digest: str, sources: Sequence[str]) -> bool:
        for source in sources:
            if source == ref.repository:
                continue
            scopes = self._push_scopes(ref, [source])
            try:
                response = self._start_upload(ref, scopes, f"?mount={digest}&from={source}")
            except _Retry:
                return False  # mounting is an optimization: fall back to uploading
            response.close()
            if response.status_code == 201:
                return True
            # 202 (the registry opened an upload instead) or a refusal: cancel politely and upload later.
            if response.status_code == 202 and "location" in response.headers:
                try:
                    self._send(
                        "DELETE", self._absolute(ref, response.headers["location"]), ref, scopes, retry=False
                    ).close()
                except _Retry:
                    pass
        return False

    def _upload_once(
        self,
        ref: Reference,
        digest: str,
        size: int,
        opener: Callable[[], BinaryIO],
        progress: Progress | None,
    ) -> None:
        scopes = self._push_scopes(ref)
        what = f"uploading blob {digest} to {ref.registry}/{ref.repository}"
        response = self._start_upload(ref, scopes)
        response.close()
        if response.status_code != 202 or "location" not in response.headers:
            raise self._fail(response, what, ref)
        location = self._absolute(ref, response.headers["location"])
        sent = 0

        def report(count: int) -> None:
            if progress is not None:
                progress("upload", digest, count, size)

        if self.chunk_size is None:

            def body() -> Iterator[bytes]:
                nonlocal sent
                with opener() as stream:
                    for chunk in iter_chunks(stream):
                        sent += len(chunk)
                        report(sent)
                        yield chunk

            response = self._send(
                "PUT",
                location.copy_merge_params({"digest": digest}),
                ref,
                scopes,
                headers={"Content-Type": "application/octet-stream", "Content-Length": str(size)},
                content=body,
                retry=False,
                what=what,
            )
        else:
            with opener() as stream:
                while chunk := stream.read(self.chunk_size):
                    headers = {
                        "Content-Type": "application/octet-stream",
                        "Content-Length": str(len(chunk)),
                        "Content-Range": f"{sent}-{sent + len(chunk) - 1}",
                    }
                    response = self._send(
                        "PATCH",
                        location,
                        ref,
                        scopes,
                        headers=headers,
                        content=lambda c=chunk: c,
                        retry=False,
                    )
                    response.close()
                    if response.status_code != 202:
                        raise self._fail(response, what, ref)
                    if "location" in response.headers:
                        location = self._absolute(ref, response.headers["location"])
                    sent += len(chunk)
                    report(sent)
            response = self._send(
                "PUT",
                location.copy_merge_params({"digest": digest}),
                ref,
                scopes,
                headers={"Content-Length": "0"},
                retry=False,
                what=what,
            )
        response.close()
        if response.status_code != 201:
            raise self._fail(response, what, ref)

    def _upload(
        self,
        ref: Reference,
        digest: str,
        size: int,
        opener: Callable[[], BinaryIO],
        progress: Progress | None,
    ) -> None:
        for attempt in range(self.retries + 1):
            try:
                self._upload_once(ref, digest, size, opener, progress)
                return
            except _Retry as problem:
                if attempt >= self.retries:
                    raise JettisonError(
                        f"uploading blob {digest} to {ref.registry}/{ref.repository}: {problem}, "
                        f"after {attempt + 1} attempts"
                    ) from None
                self.sleep(self.backoff * 2**attempt)

    def push_blob(
        self,
        ref: Reference,
        digest: str,
        size: int,
        opener: Callable[[], BinaryIO],
        result: PushResult,
        *,
        mount_from: Sequence[str] = (),
        progress: Progress | None = None,
    ) -> None:
        """Make sure the repository has this blob: skip, mount or upload, then confirm with HEAD."""
        if self.blob_exists(ref, digest, size):
            result.skipped.append(digest)
            if progress:
                progress("skip", digest, size, size)
            return
        if mount_from and self._try_mount(ref, digest, mount_from):
            action = "mount"
            result.mounted.append(digest)
        else:
            self._upload(ref, digest, size, opener, progress)
            action = "uploaded"
            result.uploaded.append(digest)
            result.bytes_uploaded += size
        if not self.blob_exists(ref, digest, size):
            raise JettisonError(f"registry {ref.registry} accepted blob {digest} but does not list it")
        if progress:
            progress(action, digest, size, size)

    def _mount_sources(self, ref: Reference, layer: Layer, extra: Sequence[str]) -> list[str]:
        sources = list(extra)
        prefix = f"{ref.registry}/"
        if layer.where.startswith(prefix):
            sources.insert(0, layer.where[len(prefix) :])
        return [s for s in dict.fromkeys(sources) if s != ref.repository]

    def _push_image_blobs(
        self,
        ref: Reference,
        image: Image,
        result: PushResult,
        mount_from: Sequence[str],
        progress: Progress | None,
    ) -> None:
        done: set[str] = set()
        for layer in image.layers:
            if layer.digest in done:
                continue
            done.add(layer.digest)
            self.push_blob(
                ref,
                layer.digest,
                layer.size,
                layer.open,
                result,
                mount_from=self._mount_sources(ref, layer, mount_from),
                progress=progress,
            )
        config = image.config_bytes
        self.push_blob(
            ref, image.config_digest, len(config), lambda: io.BytesIO(config), result, progress=progress
        )

    def put_manifest(self, ref: Reference, data: bytes, media_type: str, identifier: str) -> str:
        what = f"pushing manifest {identifier} to {ref.registry}/{ref.repository}"
        response = self._send(
            "PUT",
            f"{ref.base_url}/manifests/{identifier}",
            ref,
            self._push_scopes(ref),
            headers={"Content-Type": media_type},
            content=lambda: data,
            what=what,
        )
        response.close()
        if response.status_code not in (200, 201):
            raise self._fail(response, what, ref)
        digest = sha256_digest(data)
        echoed = response.headers.get("docker-content-digest")
        if echoed and echoed != digest:
            raise JettisonError(f"{what}: registry stored digest {echoed}, we sent {digest}")
        return digest

    def push(
        self,
        target: Image | ImageIndex,
        ref: Reference | str,
        *,
        progress: Progress | None = None,
        mount_from: Sequence[str] = (),
    ) -> PushResult:
        """Push an image (or an index with its images) to `ref`; returns what was uploaded, skipped and
        mounted. `mount_from` names other repositories of the same registry that may hold the layers."""
        ref = Reference.parse(ref) if isinstance(ref, str) else ref
        start = self.requests
        result = PushResult(reference=str(ref))
        images = target.images if isinstance(target, ImageIndex) else (target,)
        for image in images:
            self._push_image_blobs(ref, image, result, mount_from, progress)
        # Only now, with every blob confirmed, do manifests go up: children by digest, then the tag.
        tag = ref.tag or ref.digest or "latest"
        if isinstance(target, ImageIndex):
            for image in images:
                self.put_manifest(ref, image.manifest_bytes, image.media_type, image.digest)
            index_type = target.media_type if target.media_type in INDEX_TYPES else OCI_INDEX
            result.digest = self.put_manifest(ref, target.index_bytes, index_type, tag)
        else:
            result.digest = self.put_manifest(ref, target.manifest_bytes, target.media_type, tag)
        if progress:
            progress("manifest", result.digest, 0, 0)
        result.requests = self.requests - start
        return result


def pull(ref: str, platform: Platform | str | None = None) -> Image:
    # The client stays open: the image's layers use it when they are read.
    return RegistryClient().pull(ref, platform)


def push(target: Image | ImageIndex, ref: str, *, progress: Progress | None = None) -> PushResult:
    with RegistryClient() as client:
        return client.push(target, ref, progress=progress)
