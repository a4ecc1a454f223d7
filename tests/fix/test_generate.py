"""The generated Dockerfile, .dockerignore and entrypoint, from facts (no parser involved)."""

from __future__ import annotations

import json

from jettison.dockerfile.entrypoint import rewrite_entrypoint
from jettison.dockerfile.generate import ImageFacts, render_dockerfile, render_dockerignore
from jettison.gunicorn.config import GunicornDefaults
from jettison.project.dockerignore import DockerIgnore

FACTS = ImageFacts(
    python_version="3.11",
    apt_packages=("gcc", "libpq-dev", "curl", "build-essential"),
    gunicorn=GunicornDefaults(port=5000),
    env=(("FLASK_ENV", "production"), ("GREETING", "hello world $USER"), ("PATH", "/x")),
    labels=(("org.opencontainers.image.source", "https://example.com/repo"),),
    expose=(9100,),
    health_path="/health",
)


def stages(text: str) -> list[list[str]]:
    result: list[list[str]] = []
    for line in text.splitlines():
        if line.startswith("FROM "):
            result.append([])
        if result:
            result[-1].append(line)
    return result


def test_two_stages_from_the_same_slim_base():
    text = render_dockerfile(FACTS)
    froms = [line for line in text.splitlines() if line.startswith("FROM ")]
    assert froms == ["FROM python:${PYTHON_VERSION}-slim AS builder", "FROM python:${PYTHON_VERSION}-slim"]
    assert text.splitlines().index("ARG PYTHON_VERSION=3.11") < text.splitlines().index(froms[0])


def test_compilers_only_in_the_builder_and_runtime_libraries_in_the_final_stage():
    builder, final = stages(render_dockerfile(FACTS))
    builder_text, final_text = "\n".join(builder), "\n".join(final)
    assert "install -y --no-install-recommends build-essential gcc libpq-dev" in builder_text
    assert "install -y --no-install-recommends curl libpq5" in final_text
    assert "gcc" not in final_text and "libpq-dev" not in final_text
    assert "rm -rf /var/lib/apt/lists/*" in final_text


def test_requirements_installed_with_a_cache_mount_before_the_source():
    text = render_dockerfile(FACTS)
    lines = text.splitlines()
    copy_requirements = lines.index("COPY requirements.txt requirements.txt")
    install = lines.index("RUN --mount=type=cache,target=/root/.cache/pip \\")
    copy_source = lines.index("COPY . .")
    assert copy_requirements < install < copy_source
    assert "--no-cache-dir" not in text  # the cache mount is the cache; it never reaches a layer


def test_venv_on_path_non_root_user_and_exec_form_cmd():
    text = render_dockerfile(FACTS)
    _, final = stages(text)
    assert "COPY --from=builder /opt/venv /opt/venv" in final
    assert "ENV PATH=/opt/venv/bin:$PATH \\" in final
    assert "activate" not in "\n".join(line for line in final if not line.startswith("#"))
    assert "USER 10001:10001" in final
    assert final.index("USER 10001:10001") > final.index("COPY . .")
    cmd = [line for line in final if line.startswith("CMD ")]
    assert json.loads(cmd[0][4:]) == ["gunicorn", "--config", "gunicorn.conf.py", "app:app"]
    assert not any(line.startswith("ENTRYPOINT") for line in final)


def test_port_is_run_time_env_and_exposed_literally():
    _, final = stages(render_dockerfile(FACTS))
    assert "    PORT=5000" in final
    assert "EXPOSE 5000 9100" in final
    assert not any(line.startswith("ARG PORT") for line in final)


def test_user_env_and_labels_are_kept_but_managed_names_are_not():
    text = render_dockerfile(FACTS)
    assert 'ENV FLASK_ENV=production \\\n    GREETING="hello world \\$USER"' in text
    assert "/x" not in text
    assert 'LABEL org.opencontainers.image.source="https://example.com/repo"' in text


def test_healthcheck_uses_python_not_curl():
    text = render_dockerfile(FACTS)
    check = [line for line in text.splitlines() if line.strip().startswith("CMD [\"python3\"")]
    assert check and "/health" in check[0]
    assert "HEALTHCHECK" not in render_dockerfile(ImageFacts())


def test_entrypoint_only_when_needed():
    text = render_dockerfile(ImageFacts(entrypoint="docker/entrypoint.sh"))
    assert 'ENTRYPOINT ["/app/docker/entrypoint.sh"]' in text


def test_no_syntax_directive_and_no_heredocs():
    text = render_dockerfile(FACTS)
    assert "# syntax" not in text.lower()
    assert "<<" not in text


def test_no_build_packages_means_no_apt_in_builder():
    builder, final = stages(render_dockerfile(ImageFacts()))
    assert not any("apt-get" in line for line in builder + final)


def test_rendering_is_deterministic():
    assert render_dockerfile(FACTS) == render_dockerfile(FACTS)


def test_unknown_dev_packages_are_reported():
    facts = ImageFacts(apt_packages=("libfoo-dev", "libpq-dev"))
    assert facts.unknown_dev_packages == ["libfoo-dev"]


def test_dockerignore_keeps_user_patterns_and_adds_missing_ones():
    result = render_dockerignore("# mine\ndata/\n.git\n", ["requirements.txt", "app.py"])
    lines = result.text.splitlines()
    assert lines[:3] == ["# mine", "data/", ".git"]
    assert lines.count(".git") == 1
    ignore = DockerIgnore.from_text(result.text)
    for path in (".env", ".venv/bin/python", "pkg/__pycache__/x.pyc", "id_rsa", "data/big.csv", "server.key"):
        assert ignore.excludes(path), path
    for path in ("requirements.txt", "app.py", ".env.example", "gunicorn.conf.py"):
        assert not ignore.excludes(path), path


def test_dockerignore_never_hides_a_needed_file():
    result = render_dockerignore(None, ["env/settings.py", "build/helpers.py"])
    ignore = DockerIgnore.from_text(result.text)
    assert not ignore.excludes("env/settings.py")
    assert not ignore.excludes("build/helpers.py")
    assert set(result.dropped) == {"env", "build"}


def test_entrypoint_that_only_starts_gunicorn_is_not_needed():
    text = "#!/bin/bash\nset -e\necho starting\nexec gunicorn -w 4 -b 0.0.0.0:$PORT app:app\n"
    script = rewrite_entrypoint(text)
    assert not script.needed and script.text is None
    assert script.gunicorn is not None and script.gunicorn.settings["workers"] == 4
    assert script.dropped == ("exec gunicorn -w 4 -b 0.0.0.0:$PORT app:app",)


def test_entrypoint_with_migrations_is_kept_and_ends_in_exec():
    text = "#!/bin/sh\nflask db upgrade\ngunicorn --workers 2 \\\n  app:app\n"
    script = rewrite_entrypoint(text)
    assert script.needed
    assert script.text is not None
    lines = script.text.splitlines()
    assert lines[0] == "#!/bin/sh" and "set -e" in lines
    assert "flask db upgrade" in lines
    assert lines[-1] == 'exec "$@"'
    assert "gunicorn" not in "\n".join(line for line in lines if not line.startswith("#"))
    assert script.gunicorn is not None and script.gunicorn.app == "app:app"


def test_entrypoint_already_ending_in_exec_is_not_doubled():
    script = rewrite_entrypoint('#!/bin/sh\npython manage.py migrate\nexec "$@"\n')
    assert script.text is not None and script.text.count('exec "$@"') == 1
