"""The real bookworm base from the configured mirror ($JETTISON_DEBIAN_MIRROR, else Debian's own):
InRelease checked by gpgv against the host's Debian archive keyring, 33-odd packages resolved and
verified, the layer's size bounded, and (as root, where chroot works) Python started in it."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from jettison.debian.archive import KEYRING_CANDIDATES
from jettison.debian.base import assemble_base, parse_debian_ref
from jettison.oci.layers import extract_layers

pytestmark = pytest.mark.network

# Measured 2026-12-04: 48.9 MB uncompressed, 16.9 MB gzip. Issue 12's target (<= 40 MB, <= 15 MB gzip) is
# bench/base.py's to measure; this is a ceiling against regressions (e.g. docs or locales coming back).
CEILING = 64 * 1024 * 1024


def _uncompressed_size(layer: object) -> int:
    size = 0
    with layer.open_uncompressed() as stream:  # type: ignore[attr-defined]
        while chunk := stream.read(1 << 20):
            size += len(chunk)
    return size


def test_bookworm_base(tmp_path: Path) -> None:
    if not shutil.which("gpgv") or not any(Path(k).is_file() for k in KEYRING_CANDIDATES):
        pytest.skip(
            "gpgv and the Debian archive keyring are needed (apt-get install gpgv debian-archive-keyring)"
        )
    base = assemble_base(parse_debian_ref("debian://bookworm"), tmp_path / "cache")
    names = {p.name for p in base.packages}
    assert {"python3.11-minimal", "libpython3.11-stdlib", "libc6", "libssl3", "ca-certificates"} <= names
    assert "dpkg" not in names and "debconf" not in names
    sizes = [_uncompressed_size(layer) for layer in base.image.layers]
    assert sum(sizes) < CEILING, sizes
    if os.geteuid() != 0 or not shutil.which("chroot"):
        return
    root = tmp_path / "root"
    root.mkdir()
    assert extract_layers(base.image.layers, root) == []
    probe = (
        "import ssl, sqlite3, zoneinfo, json, decimal, hashlib, ctypes, uuid; "
        "zoneinfo.ZoneInfo('Europe/Paris'); print(ssl.create_default_context().cert_store_stats()['x509_ca'])"
    )
    result = subprocess.run(["chroot", str(root), "/usr/bin/python3", "-c", probe], capture_output=True,
                            text=True, timeout=60, check=False)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) > 100  # the CA bundle jettison wrote loads
