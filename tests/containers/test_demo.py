"""`jettison demo` end to end: the bundled example audited, fixed, built on debian://bookworm and served.

Needs the Docker Engine of the test services, PyPI and the Debian mirror. The figures it checks are the
ones the table prints, read from the same run: the requirements pruned as the story did (97 -> 39), an
image smaller than the story's 655 MB slim one, and GET /health answered 200 by the built image.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

pytestmark = [pytest.mark.containers, pytest.mark.network]


def test_demo_runs_the_journey_and_the_image_serves(services) -> None:  # noqa: ANN001
    env = {**os.environ, "DOCKER_HOST": services.docker_host}
    env.pop("JETTISON_NO_VERIFY", None)
    done = subprocess.run(
        [sys.executable, "-m", "jettison", "demo"], env=env, capture_output=True, text=True, timeout=1800
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "97 requirements: 39 kept, 58 unused" in done.stderr
    assert re.search(r"GET /health\s+│ -\s+│ 200 \(Docker Engine", done.stdout), done.stdout
    size = re.search(r"│ (\d+) MB \((\d+) MB gzip\), \d+ layers", done.stdout)
    assert size is not None, done.stdout
    assert int(size.group(1)) < 655  # the story's python:3.8-slim-buster image, by hand
    assert "on debian://bookworm" in done.stdout
