"""verify loads what `jettison build --output` wrote, in the forms users give it."""

from __future__ import annotations

import subprocess

import pytest

from jettison.runtime.engine import find_engine

pytestmark = pytest.mark.containers


@pytest.mark.parametrize("suffix", ["", ":story:1"])
def test_a_docker_archive_is_loaded_with_or_without_its_name_and_tag(services, monkeypatch, suffix: str) -> None:  # noqa: ANN001, E501
    """`docker-archive:FILE:name:tag` (story.py's and skopeo's form) names FILE: verify looked for a file
    called `FILE:name:tag` and failed the build's last step on an image that was fine."""
    monkeypatch.setenv("DOCKER_HOST", services.docker_host)
    engine = find_engine()
    assert engine is not None
    tag = f"jettison-load-test:{len(suffix)}"
    try:
        assert engine.load(f"docker-archive:{services.slim_archive}{suffix}", tag) == tag
        inspect = [services.docker, "image", "inspect", tag]
        assert subprocess.run(inspect, env=services.env, capture_output=True).returncode == 0
    finally:
        subprocess.run([services.docker, "rmi", "-f", tag], env=services.env, capture_output=True)
