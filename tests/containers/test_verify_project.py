"""`jettison verify` end to end on the Docker Engine: the project's own image against the fixed one.

Two small Flask projects of our own, in the style of the services we tried: the fixed one must answer the
health route as the original does, and a fix that breaks the build must be a verdict ("the new image does
not build"), with the original's answers beside it, never an error or a pass. Needs the test services'
Docker Engine and PyPI (pip runs inside the builds).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from jettison.runtime.engine import find_engine
from jettison.runtime.verify_project import verify_project

pytestmark = [pytest.mark.containers, pytest.mark.network]

APP = """from flask import Flask

app = Flask(__name__)


@app.get("/health")
def health():
    return "ok"
"""
DOCKERFILE = """FROM python:3.11-slim
RUN python3 -m venv /venv
ENV PATH=/venv/bin:$PATH
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
{extra}COPY . .
CMD ["gunicorn", "app:app"]
"""


def project(root: Path, extra: str = "") -> Path:
    root.mkdir()
    (root / "app.py").write_text(APP)
    # requests is never imported: fix deletes its line (gunicorn binds 0.0.0.0:$PORT by itself)
    (root / "requirements.txt").write_text("flask==3.1.3\ngunicorn==23.0.0\nrequests==2.32.3\n")
    (root / "Dockerfile").write_text(DOCKERFILE.format(extra=extra))
    return root


@pytest.fixture
def engine(services, monkeypatch):  # noqa: ANN001, ANN201
    monkeypatch.setenv("DOCKER_HOST", services.docker_host)
    found = find_engine()
    assert found is not None
    return found


def test_the_fixed_image_answers_the_health_route_as_the_original(engine, tmp_path: Path) -> None:  # noqa: ANN001
    result = verify_project(project(tmp_path / "shop"), engine)
    report = result.report
    assert not report.failed, report.verdict()
    assert report.verdict().startswith("verified:"), report.verdict()
    health = next(row for row in report.rows if str(row.probe) == "GET /health")
    assert (health.original, health.new) == ("200", "200")


def test_a_fix_that_breaks_the_build_is_a_verdict_with_the_originals_answers(engine, tmp_path: Path) -> None:  # noqa: ANN001
    # A build step runs a console script of a dependency of requests: pruning requests removes it.
    root = project(tmp_path / "tool", extra="RUN normalizer --version\n")
    report = verify_project(root, engine).report
    assert report.failed
    assert report.verdict().startswith("verify failed: the new image does not build"), report.verdict()
    health = next(row for row in report.rows if str(row.probe) == "GET /health")
    assert (health.original, health.new) == ("200", "not built")


def test_fix_writes_nothing_when_a_runtime_is_there_and_nothing_was_verified(engine, tmp_path: Path) -> None:  # noqa: ANN001
    """The original cannot start (it needs a secret the probes do not give it): both images crash alike,
    which proves nothing, so fix --write leaves every file as it was (realbench: linkding, microblog)."""
    from click.testing import CliRunner

    from jettison.cli import main

    root = project(tmp_path / "secret")
    (root / "app.py").write_text("import os\n\nos.environ['APP_SECRET']\n" + APP)
    before = {p.name: p.read_bytes() for p in root.iterdir() if p.is_file()}
    result = CliRunner().invoke(main, ["fix", str(root), "--write"], env={"JETTISON_NO_VERIFY": ""})
    assert result.exit_code == 1, result.output
    assert "nothing written: nothing was verified" in result.output
    assert {p.name: p.read_bytes() for p in root.iterdir() if p.is_file()} == before


def test_a_port_another_host_process_opens_is_not_taken_for_the_apps(engine, tmp_path: Path) -> None:  # noqa: ANN001
    """With the host's network shared, only the container's own sockets count (realbench: a registry on
    :5000 was probed as the app, which never listened, and verify said 'verified')."""
    import socket
    import threading
    import time

    from jettison.runtime.verify import start_and_wait

    stop = threading.Event()

    def squatter() -> None:
        time.sleep(1.0)
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            sock.listen()
            stop.wait(20)

    thread = threading.Thread(target=squatter)
    thread.start()
    try:
        (tmp_path / "Dockerfile").write_text('FROM python:3.11-slim\nCMD ["sleep", "30"]\n')
        built = engine.build(tmp_path, "Dockerfile", "jettison-verify-test/sleeper:1")
        assert built.ok, built.last_line()
        name, started = start_and_wait(engine, "jettison-verify-test/sleeper:1", {}, "sleeper", timeout=8)
        engine.remove(name)
    finally:
        stop.set()
        thread.join()
    assert started.status == "hung", started


def test_target_names_the_stage_verify_builds(engine, tmp_path: Path) -> None:  # noqa: ANN001
    """linkding's Dockerfile ends in an optional variant stage that needs a download we cannot make: with
    --target the service stage is what both images are built from."""
    root = project(tmp_path / "staged")
    dockerfile = root / "Dockerfile"
    staged = dockerfile.read_text().replace("FROM python:3.11-slim", "FROM python:3.11-slim AS app")
    dockerfile.write_text(staged + "\nFROM app AS plus\nRUN exit 1\n")
    assert verify_project(root, engine).report.verified is False  # the last stage does not build
    report = verify_project(root, engine, target="app").report
    assert report.verdict().startswith("verified:"), report.verdict()
