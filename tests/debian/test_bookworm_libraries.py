"""`jettison build --base debian://bookworm` against the real mirror: a wheel's extension NEEDs a library
the base lacks, and its Debian package is added (found through bookworm's signed Contents index), or the
build fails with exit 2 naming the library and the file. As root, the added library loads in the image."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from jettison.builder.assemble import BuildOptions
from jettison.builder.run import run_build
from jettison.builder.wheels import IndexOptions
from jettison.cli import main
from jettison.debian.archive import KEYRING_CANDIDATES
from jettison.debian.base import SBOM_PATH
from jettison.oci.layers import extract_layers
from jettison.oci.layout import read_oci_layout
from tests.builder.wheelfactory import make_wheel
from tests.debian.elves import make_elf

pytestmark = pytest.mark.network

SITE = "opt/venv/lib/python3.11/site-packages"
APP = """import {module}


def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]
"""


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache for the module: the base, the Contents index and the .debs are fetched once."""
    if not shutil.which("gpgv") or not any(Path(k).is_file() for k in KEYRING_CANDIDATES):
        pytest.skip("gpgv and the Debian archive keyring are needed")
    return tmp_path_factory.mktemp("cache")


def project(root: Path, requirements: str, module: str) -> Path:
    root.mkdir(parents=True)
    (root / "app.py").write_text(APP.format(module=module))
    (root / "requirements.txt").write_text(requirements)
    return root


def wheelhouse(root: Path, needed: str) -> Path:
    """A wheel `needy` whose extension NEEDs `needed` (and libc), and a stand-in gunicorn."""
    extension = make_elf((needed, "libc.so.6"), soname="_needy.so")
    make_wheel(root, "needy", extra={"needy/_needy.cpython-311-x86_64-linux-gnu.so": extension})
    make_wheel(root, "gunicorn", "23.0.0", scripts={"gunicorn": "gunicorn:main"})
    return root


def sbom_comments(out: Path) -> dict[str, str | None]:
    image = read_oci_layout(out, "app")
    for layer in image.layers:
        for member, reader in layer.members():
            if member.path == SBOM_PATH and reader is not None:
                return {p["name"]: p.get("comment") for p in json.loads(reader.read())["packages"]}
    raise AssertionError("no SBOM in the image")


def run_in_image(out: Path, root: Path, code: str) -> subprocess.CompletedProcess[str]:
    image = read_oci_layout(out, "app")
    root.mkdir()
    extract_layers(image.layers, root)
    env = dict(item.split("=", 1) for item in json.loads(image.config_bytes)["config"]["Env"])
    command = [str(shutil.which("chroot")), str(root), "/opt/venv/bin/python", "-c", code]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, check=False)


def test_extension_needing_libpq_gets_libpq5_and_its_depends(tmp_path: Path, cache: Path) -> None:
    """The psycopg2-built-from-source shape: an extension NEEDs libpq.so.5, which no wheel bundles."""
    house = wheelhouse(tmp_path / "wheels", "libpq.so.5")
    out = tmp_path / "image"
    summary = run_build(
        project(tmp_path / "project", "needy\ngunicorn\n", "needy"), base="debian://bookworm",
        outputs=[f"oci:{out}:app"], cache_dir=cache, prune=False, app="app:app",
        options=BuildOptions(index=IndexOptions(find_links=(str(house),), no_index=True)),
    )  # fmt: skip
    [added] = [n for n in summary.notes if "added for shared libraries" in n]
    assert f"libpq5 for libpq.so.5 needed by /{SITE}/needy/_needy.cpython-311-x86_64-linux-gnu.so" in added
    assert "Contents-amd64: /usr/lib/x86_64-linux-gnu/libpq.so.5" in added
    comments = sbom_comments(out)
    assert (comments["libpq5"] or "").startswith("added by jettison for libpq.so.5 needed by /")
    assert {"libgssapi-krb5-2", "libldap-2.5-0"} <= set(comments)  # libpq5's Depends, through the resolver
    assert comments["libc6"] is None


def test_real_wheel_needing_libstdcxx_gets_it_and_it_loads(tmp_path: Path, cache: Path) -> None:
    """greenlet's manylinux wheel NEEDs libstdc++.so.6 (manylinux lets wheels expect it of the system),
    which the runtime's root set does not pull in."""
    out = tmp_path / "image"
    summary = run_build(
        project(tmp_path / "project", "greenlet==3.1.1\ngunicorn==22.0.0\n", "greenlet"),
        base="debian://bookworm", outputs=[f"oci:{out}:app"], cache_dir=cache, app="app:app",
    )  # fmt: skip
    assert any("libstdc++6 for libstdc++.so.6 needed by /" in n and "/greenlet/_greenlet." in n
               for n in summary.notes)  # fmt: skip
    assert "libstdc++6" in sbom_comments(out)
    if os.geteuid() != 0 or not shutil.which("chroot"):
        return
    code = "import greenlet._greenlet, greenlet; print(greenlet.__version__)"
    result = run_in_image(out, tmp_path / "root", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "3.1.1"


def test_library_in_no_package_fails_with_exit_2_and_writes_nothing(tmp_path: Path, cache: Path) -> None:
    house = wheelhouse(tmp_path / "wheels", "libjettison-nowhere.so.7")
    out = tmp_path / "image"
    result = CliRunner().invoke(main, [
        "build", str(project(tmp_path / "project", "needy\ngunicorn\n", "needy")), "--base",
        "debian://bookworm", "--output", f"oci:{out}:app", "--cache-dir", str(cache), "--no-prune",
        "--app", "app:app", "--no-index", "--find-links", str(house), "--no-verify",
    ])  # fmt: skip
    assert result.exit_code == 2, result.output
    assert (
        f"libjettison-nowhere.so.7 needed by /{SITE}/needy/_needy.cpython-311-x86_64-linux-gnu.so (in the "
        "dependency layers) is in no package of bookworm; "
    ) in " ".join(result.output.split())
    assert not out.exists()

