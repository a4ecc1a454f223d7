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

# `python3 bench/base.py` on 2026-12-04: 49.1 MB as tar, 17.0 MB gzip (0.24x the slim stand-in). Issue 12's
# target (<= 40 MB, <= 15 MB gzip) is the bench's to measure; this is a ceiling against regressions (e.g.
# docs or locales coming back).
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


APP = """from flask import Flask

app = Flask(__name__)


@app.get("/health")
def health():
    return {"ok": True}
"""


def test_build_on_debian_bookworm(tmp_path: Path) -> None:
    """`jettison build --base debian://bookworm` (run_build): the app's image runs as 65532 on the base,
    and (as root) its /health answers inside the extracted image with the image's own Env."""
    import json

    from jettison.builder.run import run_build

    if not shutil.which("gpgv") or not any(Path(k).is_file() for k in KEYRING_CANDIDATES):
        pytest.skip("gpgv and the Debian archive keyring are needed")
    project = tmp_path / "project"
    project.mkdir()
    (project / "app.py").write_text(APP)
    (project / "requirements.txt").write_text("flask==3.0.3\ngunicorn==22.0.0\n")
    out = tmp_path / "image"
    summary = run_build(
        project, base="debian://bookworm", outputs=[f"oci:{out}:app"], cache_dir=tmp_path / "cache"
    )
    assert any(note.startswith("debian://bookworm: ") for note in summary.notes)
    from jettison.oci.layout import read_oci_layout

    image = read_oci_layout(out, "app")
    config = json.loads(image.config_bytes)["config"]
    assert config["User"] == "65532:65532"
    if os.geteuid() != 0 or not shutil.which("chroot"):
        return
    root = tmp_path / "root"
    root.mkdir()
    extract_layers(image.layers, root)
    env = dict(item.split("=", 1) for item in config.get("Env", []))
    probe = (
        f"import os; os.chdir({config.get('WorkingDir', '/')!r}); import sys; sys.path.insert(0, ''); "
        + ("from app import app; print(app.test_client().get('/health').get_data(as_text=True))")
    )
    python = next(f"{d}/python3" for d in env["PATH"].split(":") if os.path.lexists(f"{root}{d}/python3"))
    command = [str(shutil.which("chroot")), str(root), python, "-c", probe]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"ok": True}


def test_two_cold_assemblies_give_the_same_image(tmp_path: Path) -> None:
    """Reproducible: the same packages (one suite state of the mirror) give the same digests, whatever the
    cache, the host's umask or the time of the build."""
    if not shutil.which("gpgv") or not any(Path(k).is_file() for k in KEYRING_CANDIDATES):
        pytest.skip("gpgv and the Debian archive keyring are needed")
    first = assemble_base(parse_debian_ref("debian://bookworm"), tmp_path / "one")
    second = assemble_base(parse_debian_ref("debian://bookworm"), tmp_path / "two")
    assert [p.sha256 for p in first.packages] == [p.sha256 for p in second.packages]
    assert first.image.digest == second.image.digest
