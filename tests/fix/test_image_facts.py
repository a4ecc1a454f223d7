"""Reading the facts the new recipe keeps from an old Dockerfile (parser + model + read_recipe)."""

from __future__ import annotations

import datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from jettison.dockerfile.generate import render_dockerfile
from jettison.dockerfile.image_facts import python_version_of, read_recipe, supported_python
from jettison.dockerfile.model import build_model
from jettison.dockerfile.parser import parse
from jettison.errors import JettisonError
from jettison.gunicorn.config import render_gunicorn_conf
from jettison.project.target import NEWEST_PYTHON

TODAY = datetime.date(2026, 11, 29)


def read(dockerfile: str, files: dict[str, str] | None = None, sources: tuple[str, ...] = ()):
    files = files or {}
    model = build_model(parse(dockerfile, "Dockerfile"))
    return read_recipe(model, files.get, today=TODAY, source_files=sources)


def test_python_version_from_image_references():
    assert python_version_of("python:3.8-slim-buster") == "3.8"
    assert python_version_of("docker.io/library/python:3.11.4@sha256:" + "0" * 64) == "3.11"
    assert python_version_of("python") == NEWEST_PYTHON  # python:latest: never lowered to a default
    assert python_version_of("ubuntu:22.04") is None
    assert python_version_of("registry:5000/python:3.12-slim") == "3.12"


def test_end_of_life_versions_move_to_the_oldest_supported():
    assert supported_python("3.7", TODAY) == "3.11"
    assert supported_python("3.12", TODAY) == "3.12"
    assert supported_python("3.10", datetime.date(2026, 1, 1)) == "3.10"


def test_arg_port_becomes_run_time_env():
    reading = read("FROM python:3.11-slim\nARG PORT=8080\nEXPOSE $PORT\nCMD gunicorn app:app\n")
    assert reading.facts.gunicorn.port == 8080
    assert any("ARG PORT only existed at build time" in note for note in reading.notes)


def test_shell_form_command_settings_move_to_the_config():
    reading = read(
        "FROM python:3.11-slim\n"
        "CMD gunicorn -w 4 -k gthread --threads 8 -b 0.0.0.0:9000 --timeout 60 service.wsgi:application\n"
    )
    gunicorn = reading.facts.gunicorn
    assert (gunicorn.port, gunicorn.worker_class) == (9000, "gthread")
    assert (gunicorn.threads, gunicorn.timeout) == (8, 60)
    assert gunicorn.app_module == "service.wsgi:application"
    assert any("4 workers were fixed" in note for note in reading.notes)


def test_packages_of_stages_the_final_one_uses():
    reading = read(
        "FROM python:3.9 AS build\n"
        "RUN apt-get update && apt-get install -y --no-install-recommends libxml2-dev gcc\n"
        "FROM python:3.9-slim\n"
        "COPY --from=build /usr/local /usr/local\n"
        "RUN pip install --no-cache-dir gunicorn==21.2.0\n"
        "CMD [\"gunicorn\", \"app:app\"]\n"
    )
    assert set(reading.facts.apt_packages) == {"gcc", "libxml2-dev"}
    assert reading.facts.runtime_packages == ["libxml2"]
    assert reading.extra_packages == ("gunicorn==21.2.0",)
    assert reading.facts.python_version == "3.11"


def test_alpine_and_foreign_bases_are_reported():
    reading = read('FROM alpine:3.19\nRUN apk add --no-cache python3 py3-pip\nCMD ["gunicorn", "app:app"]\n')
    notes = "\n".join(reading.notes)
    assert "not an official python image" in notes
    assert "`apk` packages" in notes


def test_user_customizations_are_kept():
    reading = read(
        "FROM python:3.12-slim\n"
        "ENV TZ=Europe/Berlin APP_MODE=\"read only\"\n"
        "LABEL org.opencontainers.image.title=analytics\n"
        "WORKDIR /srv\nWORKDIR app\n"
        "EXPOSE 8000 9100/tcp\n"
        "CMD [\"gunicorn\", \"-b\", \"0.0.0.0:8000\", \"app:app\"]\n"
    )
    facts = reading.facts
    assert facts.python_version == "3.12"
    assert facts.env == (("TZ", "Europe/Berlin"), ("APP_MODE", "read only"))
    assert facts.labels == (("org.opencontainers.image.title", "analytics"),)
    assert facts.workdir == "/srv/app"
    assert facts.expose == (9100,)


def test_no_gunicorn_is_reported():
    reading = read("FROM python:3.12-slim\nCMD [\"python\", \"app.py\"]\n")
    assert any("no gunicorn command" in note for note in reading.notes)


def test_health_route_found_in_sources():
    files = {"svc/routes.py": "@bp.get('/healthz')\ndef healthz():\n    return ''\n"}
    reading = read("FROM python:3.12-slim\nCMD [\"gunicorn\", \"app:app\"]\n", files, ("svc/routes.py",))
    assert reading.facts.health_path == "/healthz"


LINES = st.sampled_from(
    [
        'FROM python:3.7',
        'FROM python:3.12-slim AS base',
        'FROM base',
        'FROM alpine',
        'FROM scratch',
        'ARG PORT ${PORT}',
        'ARG PORT=80',
        'ARG WORKERS',
        'ARG X=1 Y',
        'ENV A=1 B="two words"',
        'ENV LEGACY value',
        'ENV PORT=$PORT',
        'LABEL a=b "c d"=e',
        'EXPOSE 80/udp $PORT 9000',
        'EXPOSE abc',
        'WORKDIR /srv',
        'WORKDIR $NOPE',
        'COPY . .',
        'COPY --from=base /x /y',
        'COPY --chown=1:1 src/ ./',
        'ADD https://x/y.tgz /',
        'ADD requirements.txt /app/',
        'RUN apt-get update && apt-get install -y gcc libpq-dev curl=7.*',
        'RUN pip install -r requirements.txt gunicorn==21.2.0 .',
        'RUN apk add build-base',
        'RUN python -m venv /v',
        'RUN . /v/bin/activate && pip install -U pip',
        'RUN echo $((1+2))',
        'USER nobody',
        'VOLUME /data',
        'CMD gunicorn -w 4 -b :$PORT app:app',
        'CMD ["gunicorn", "-c", "conf.py", "-k", "gevent"]',
        'ENTRYPOINT ./entrypoint.sh',
        'ENTRYPOINT ["/app/run.sh", "--x"]',
        'CMD ["python"',
        'HEALTHCHECK NONE',
        'STOPSIGNAL SIGINT',
        'SHELL ["/bin/bash", "-c"]',
    ]
)
FILES = {
    "entrypoint.sh": "#!/bin/sh\nalembic upgrade head\nexec gunicorn app:app\n",
    "app/run.sh": "exec gunicorn -w 2 app:app\n",
    "conf.py": "workers = 3\nbind = ':' + os.environ['PORT']\nworker_class = env('K', 'sync')\n",
    "gunicorn.conf.py": "timeout = int(os.getenv('TIMEOUT', 'x'))\n",
}


@settings(max_examples=150, deadline=None)
@given(st.lists(LINES, min_size=1, max_size=12))
def test_any_parsable_dockerfile_reads_without_a_traceback(lines):
    text = "\n".join(lines) + "\n"
    try:
        dockerfile = parse(text, "Dockerfile")
    except JettisonError:
        return
    model = build_model(dockerfile)
    reading = read_recipe(model, FILES.get, today=TODAY, source_files=())
    assert render_dockerfile(reading.facts)
    assert render_gunicorn_conf(reading.facts.gunicorn)
