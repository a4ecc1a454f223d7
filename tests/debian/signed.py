"""A signed Debian-style archive made in the test: a throwaway gpg key, InRelease, Packages.xz, .debs."""

from __future__ import annotations

import gzip
import lzma
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from jettison.errors import JettisonError
from tests.debian.debs import Item, control_text, make_deb, sha256


@dataclass
class Signer:
    home: Path
    keyring: Path

    def clearsign(self, text: str) -> bytes:
        result = subprocess.run(
            ["gpg", "--batch", "--homedir", str(self.home), "--pinentry-mode", "loopback", "--passphrase", "",
             "--clearsign"],
            input=text.encode(), capture_output=True, check=True, timeout=60,
        )  # fmt: skip
        return result.stdout


@contextmanager
def signer() -> Iterator[Signer]:
    if not shutil.which("gpg") or not shutil.which("gpgv"):
        pytest.skip("gpg and gpgv are needed to make and check a signed test archive")
    home = Path(tempfile.mkdtemp(prefix="jg-"))  # short: gpg-agent's socket path has a length limit
    home.chmod(0o700)
    base = ["gpg", "--batch", "--homedir", str(home), "--pinentry-mode", "loopback", "--passphrase", ""]
    try:
        subprocess.run([*base, "--quick-gen-key", "Test Archive <archive@example.invalid>", "ed25519", "sign",
                        "never"], capture_output=True, check=True, timeout=60)  # fmt: skip
        keyring = home / "keyring.gpg"
        keyring.write_bytes(subprocess.run([*base, "--export"], capture_output=True, check=True).stdout)
        yield Signer(home, keyring)
    finally:
        subprocess.run(["gpgconf", "--homedir", str(home), "--kill", "all"], capture_output=True, check=False)
        shutil.rmtree(home, ignore_errors=True)


@dataclass
class MirrorFiles:
    """Files of a mirror by URL path, and the fetcher reading them (no network)."""

    root: str = "http://mirror.invalid/debian"
    files: dict[str, bytes] = field(default_factory=dict)
    fetched: list[str] = field(default_factory=list)

    def fetch(self, url: str) -> bytes:
        self.fetched.append(url)
        path = url.removeprefix(self.root + "/")
        if path not in self.files:
            raise JettisonError(f"{url}: HTTP 404")
        return self.files[path]


def build_archive(
    signer: Signer,
    packages: dict[str, tuple[dict[str, str], list[Item]]],
    *,
    suite: str = "bookworm",
    wrong_deb_sha: str | None = None,
    wrong_packages_sha: bool = False,
    contents: bool = False,
    wrong_contents_sha: bool = False,
    release_fields: str = "",
) -> MirrorFiles:
    """The archive; with `contents`, a main/Contents-amd64.gz listing every non-directory member, as
    Debian's own lists them (`path<spaces>section/package`)."""
    archive = MirrorFiles()
    stanzas = []
    for name, (fields, items) in sorted(packages.items()):
        deb = make_deb({"Package": name, **fields}, items)
        filename = f"pool/main/{name[0]}/{name}/{name}_{fields['Version']}_amd64.deb"
        archive.files[filename] = deb
        digest = "0" * 64 if name == wrong_deb_sha else sha256(deb)
        stanzas.append(control_text({"Package": name, **fields, "Filename": filename, "Size": str(len(deb)),
                                     "SHA256": digest}))  # fmt: skip
    index = lzma.compress("\n".join(stanzas).encode())
    archive.files[f"dists/{suite}/main/binary-amd64/Packages.xz"] = index
    listed = "f" * 64 if wrong_packages_sha else sha256(index)
    release = (
        f"Origin: Debian\nLabel: Debian\nSuite: stable\nCodename: {suite}\n{release_fields}"
        "Architectures: amd64\n"
        f"Components: main\nSHA256:\n {listed} {len(index)} main/binary-amd64/Packages.xz\n"
    )
    if contents:
        lines = sorted(
            f"{item.name.removeprefix('./'):<60}libs/{name}\n"
            for name, (_, items) in packages.items()
            for item in items
            if item.kind != "dir"
        )
        listing = gzip.compress("".join(lines).encode(), mtime=0)
        archive.files[f"dists/{suite}/main/Contents-amd64.gz"] = listing
        digest = "e" * 64 if wrong_contents_sha else sha256(listing)
        release += f" {digest} {len(listing)} main/Contents-amd64.gz\n"
    archive.files[f"dists/{suite}/InRelease"] = signer.clearsign(release)
    return archive
