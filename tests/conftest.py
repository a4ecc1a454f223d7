"""Shared fixtures: the test services that scripts/test-services.sh starts.

Tests marked `containers` use the `services` fixture. Where the services are not running they skip,
saying why — unless JETTISON_REQUIRE_SERVICES=1 (set by .ci/run), where a missing service is a failure,
so CI can never go green by skipping what it was meant to prove.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

# Sample projects are data for the audit, not tests of jettison (some carry their own test files).
collect_ignore_glob = ["fixtures/*"]
SERVICES_DIR = Path(os.environ.get("JETTISON_SERVICES_DIR", "/tmp/jettison-services"))


def shared_dir() -> Path | None:
    """../shared beside the repository (or $JETTISON_SHARED_DIR), if present."""
    candidate = Path(os.environ.get("JETTISON_SHARED_DIR", REPO.parent / "shared"))
    return candidate if candidate.is_dir() else None


def _unavailable(reason: str) -> None:
    if os.environ.get("JETTISON_REQUIRE_SERVICES") == "1":
        pytest.fail(f"required test service unavailable: {reason}")
    pytest.skip(f"{reason} (start them with scripts/test-services.sh)")


@dataclass(frozen=True)
class Services:
    docker_host: str
    registry: str
    bases_dir: Path
    docker: str = "/usr/bin/docker"

    @property
    def env(self) -> dict[str, str]:
        """os.environ plus DOCKER_HOST, for subprocess calls to docker."""
        return {**os.environ, "DOCKER_HOST": self.docker_host}

    @property
    def slim_archive(self) -> Path:
        return self.bases_dir / "python-3.11-slim.tar"

    @property
    def oci_layout(self) -> Path:
        return self.bases_dir / "oci"


@pytest.fixture(scope="session")
def services() -> Services:
    sock = SERVICES_DIR / "docker.sock"
    docker_host = f"unix://{sock}"
    registry = os.environ.get("JETTISON_REGISTRY", "127.0.0.1:5000")
    if not Path("/usr/bin/docker").exists():
        _unavailable("no docker client at /usr/bin/docker")
    probe = subprocess.run(
        ["/usr/bin/docker", "version"], env={**os.environ, "DOCKER_HOST": docker_host}, capture_output=True
    )
    if probe.returncode != 0:
        _unavailable(f"no Docker Engine at {docker_host}")
    try:
        with urllib.request.urlopen(f"http://{registry}/v2/", timeout=3) as reply:
            assert reply.status == 200
    except OSError:
        _unavailable(f"no OCI registry at {registry}")
    bases = SERVICES_DIR / "bases"
    if not (bases / "python-3.11-slim.tar").exists() or not (bases / "oci" / "index.json").exists():
        _unavailable(f"no stand-in base images in {bases}")
    for tool in ("skopeo", "umoci", "runc", "buildah"):
        if shutil.which(tool) is None:
            _unavailable(f"{tool} is not installed")
    return Services(docker_host=docker_host, registry=registry, bases_dir=bases)


@pytest.fixture(autouse=True)
def _no_verify_unless_containers(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """`fix --write` and `build` start both images to compare them when a Docker Engine is around; unit
    tests must not depend on that, so they run with JETTISON_NO_VERIFY=1. Container tests opt back in."""
    if request.node.get_closest_marker("containers") is None:
        monkeypatch.setenv("JETTISON_NO_VERIFY", "1")
