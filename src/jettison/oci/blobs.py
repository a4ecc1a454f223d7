"""Content-addressed blobs: sha256 digests, streams that verify while they are read, atomic blob files.

Every byte jettison takes from outside (a registry, a layout, an archive) passes a VerifyingReader, which
raises a JettisonError naming the blob when the stream ends early, runs long, or hashes to another
digest, so a corrupt base image is a clear error and never silently becomes part of a new image.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from jettison.errors import JettisonError

CHUNK = 1 << 20


def sha256_digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def digest_hex(digest: str) -> str:
    algorithm, _, hexpart = digest.partition(":")
    if algorithm != "sha256" or len(hexpart) != 64:
        raise JettisonError(f"unsupported digest {digest!r} (only sha256 is supported)")
    return hexpart


def digest_file(path: Path) -> tuple[str, int]:
    """(digest, size) of a file, read in chunks."""
    hasher = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            hasher.update(chunk)
            size += len(chunk)
    return "sha256:" + hasher.hexdigest(), size


def iter_chunks(stream: BinaryIO, size: int = CHUNK) -> Iterator[bytes]:
    while chunk := stream.read(size):
        yield chunk


class VerifyingReader(io.RawIOBase):
    """Reads through `source`, and at its end checks the byte count and sha256 against what was expected.

    `what` names the blob in errors (e.g. "layer sha256:ab.. from 127.0.0.1:5000/app").
    """

    def __init__(self, source: BinaryIO, digest: str, size: int | None, what: str) -> None:
        super().__init__()
        self._source = source
        self._digest = digest
        self._size = size
        self._what = what
        self._hasher = hashlib.sha256()
        self._count = 0
        self._checked = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        try:
            data = self._source.read(len(buffer))
        except JettisonError:
            raise
        except Exception as error:  # a dropped connection or a short gzip: say which blob
            raise JettisonError(f"reading {self._what} failed: {error}") from None
        if not data:
            self._check()
            return 0
        self._count += len(data)
        if self._size is not None and self._count > self._size:
            raise JettisonError(f"{self._what} is longer than its descriptor's {self._size} bytes")
        self._hasher.update(data)
        buffer[: len(data)] = data
        return len(data)

    def _check(self) -> None:
        if self._checked:
            return
        self._checked = True
        if self._size is not None and self._count != self._size:
            raise JettisonError(f"{self._what} is truncated: got {self._count} of {self._size} bytes")
        actual = "sha256:" + self._hasher.hexdigest()
        if actual != self._digest:
            raise JettisonError(
                f"{self._what} does not match its digest: expected {self._digest}, got {actual}"
            )

    def close(self) -> None:
        if not self.closed:
            try:
                self._source.close()
            finally:
                super().close()


def verified(source: BinaryIO, digest: str, size: int | None, what: str) -> BinaryIO:
    """`source` wrapped so that reading it to the end verifies it (buffered for small reads)."""
    return io.BufferedReader(VerifyingReader(source, digest, size, what), CHUNK)  # type: ignore[arg-type]


def read_verified(opener: Callable[[], BinaryIO], digest: str, size: int | None, what: str) -> bytes:
    with verified(opener(), digest, size, what) as stream:
        return stream.read()


class HashingWriter:
    """A write-only sink that hashes and counts what passes and forwards it to `target` (if any).

    It offers tell() because tarfile asks for the position of the stream it writes.
    """

    def __init__(self, target: BinaryIO | HashingWriter | None = None) -> None:
        self.target = target
        self.hasher = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        self.hasher.update(data)
        self.size += len(data)
        if self.target is not None:
            self.target.write(data)
        return len(data)

    def tell(self) -> int:
        return self.size

    def flush(self) -> None:
        pass

    @property
    def digest(self) -> str:
        return "sha256:" + self.hasher.hexdigest()


class BlobDirectory:
    """Blobs stored as `<root>/sha256/<hex>`: the layout of an OCI layout's blobs/ and of jettison's cache.

    Writes go to a temporary file in the same directory and are renamed once complete, so a reader never
    sees a partial blob; an existing blob of the right size is kept (content addressing makes it equal).
    """

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path(self, digest: str) -> Path:
        return self.root / "sha256" / digest_hex(digest)

    def has(self, digest: str, size: int | None = None) -> bool:
        try:
            stat = self.path(digest).stat()
        except FileNotFoundError:
            return False
        return size is None or stat.st_size == size

    def temporary(self) -> tuple[BinaryIO, Path]:
        """An open temporary file beside the blobs, to be passed to commit() or discard()."""
        directory = self.root / "sha256"
        directory.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=".tmp-", dir=directory)
        return os.fdopen(fd, "wb"), Path(name)

    def commit(self, temporary: Path, digest: str) -> Path:
        target = self.path(digest)
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
        return target

    @staticmethod
    def discard(temporary: Path) -> None:
        try:
            temporary.unlink()
        except FileNotFoundError:
            pass

    def write_stream(self, stream: BinaryIO, digest: str, size: int | None, what: str) -> Path:
        """Copy `stream` in, verifying it; skip the copy when the blob is already here."""
        if self.has(digest, size):
            return self.path(digest)
        handle, temporary = self.temporary()
        try:
            with handle, verified(stream, digest, size, what) as source:
                for chunk in iter_chunks(source):
                    handle.write(chunk)
            return self.commit(temporary, digest)
        except BaseException:
            self.discard(temporary)
            raise

    def link_file(self, source: Path, digest: str, size: int) -> bool:
        """Hard-link a file already known to hold this blob (no copy, no re-hash); False if impossible
        (another filesystem, or the file changed size), so the caller copies instead."""
        if self.has(digest, size):
            return True
        try:
            if Path(source).stat().st_size != size:
                return False
        except OSError:
            return False
        directory = self.root / "sha256"
        directory.mkdir(parents=True, exist_ok=True)
        temporary = directory / f".tmp-link-{os.getpid()}-{digest_hex(digest)[:16]}"
        try:
            os.link(source, temporary)
        except OSError:
            return False
        os.replace(temporary, self.path(digest))
        return True

    def write_bytes(self, data: bytes, digest: str | None = None) -> Path:
        digest = digest or sha256_digest(data)
        return self.write_stream(io.BytesIO(data), digest, len(data), f"blob {digest}")
