"""What gets built from a project: through `jettison fix`'s plan, or from requirements.txt alone."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from jettison.builder.recipe import read_build_recipe, requirements_text
from jettison.cli import main
from jettison.errors import JettisonError
from tests.builder.conftest import make_project


def test_without_a_dockerfile_requirements_get_gunicorn_and_the_app_is_found(tmp_path):
    project = make_project(tmp_path / "p", requirements="flask==3.1.3\n")
    recipe = read_build_recipe(project, prune=False)
    assert recipe.requirements == "flask==3.1.3\ngunicorn\n"
    assert recipe.runtime.app_module == "app:app"
    assert b"Gunicorn settings" in recipe.gunicorn_conf
    placed = dict(recipe.app_layout)
    assert "debug.log" not in placed and placed["app.py"] == "/app/app.py"


def test_lock_file_pins_everything_but_the_project(tmp_path):
    project = make_project(tmp_path / "p")
    (project / "pyproject.toml").write_text('[project]\nname = "svc"\nversion = "1"\n')
    (project / "uv.lock").write_text(
        'version = 1\n[[package]]\nname = "svc"\nversion = "1"\n'
        '[[package]]\nname = "Flask"\nversion = "3.1.3"\n'
    )
    assert requirements_text(project, "uv.lock") == "flask==3.1.3\n"


def test_editable_requirement_is_refused(tmp_path):
    project = make_project(tmp_path / "p", requirements="-e .\n")
    with pytest.raises(JettisonError, match="editable"):
        requirements_text(project, "requirements.txt")


def test_the_fix_plan_decides_requirements_conf_ignore_and_entrypoint(tmp_path):
    from jettison.dockerfile.generate import ImageFacts
    from jettison.fixer import FileChange, FixPlan
    from jettison.gunicorn.config import GunicornDefaults

    project = make_project(tmp_path / "p")
    (project / "Dockerfile").write_text("FROM python:3.10\n")
    (project / "start.sh").write_text("#!/bin/sh\nexec gunicorn\n")
    facts = ImageFacts(
        python_version="3.12", gunicorn=GunicornDefaults(app_module="app:app", port=9000),
        entrypoint="start.sh", env=(("FEATURE", "on"),), expose=(9100,),
    )  # fmt: skip

    def plan(root, requirements, prune):
        assert requirements is None and prune is not None

        def change(rel, new, executable=False):
            return FileChange(root / rel, rel, None, new, executable)

        return FixPlan(root, (
            change("requirements.txt", "tool\ngunicorn\n"),
            change("gunicorn.conf.py", "# generated\n"),
            change("start.sh", "#!/bin/sh\nexec \"$@\"\n", executable=True),
            change(".dockerignore", "Dockerfile\n.dockerignore\n*.log\n"),
        ), ("a note",), facts)  # fmt: skip

    recipe = read_build_recipe(project, planner=plan)
    assert recipe.requirements == "tool\ngunicorn\n"
    assert recipe.python_version == "3.12"
    assert recipe.gunicorn_conf == b"# generated\n"
    placed = dict(recipe.app_layout)
    assert "Dockerfile" not in placed and "gunicorn.conf.py" not in placed
    assert recipe.replaced["start.sh"] == b'#!/bin/sh\nexec "$@"\n' and "start.sh" in recipe.executable
    assert recipe.runtime.entrypoint == ("/app/start.sh",)
    assert recipe.runtime.port == 9000 and recipe.runtime.expose == (9100,)
    assert recipe.notes == ("a note",)


@pytest.mark.parametrize("user", ["0", "root", "0:0", "app"])
def test_user_must_be_numeric_and_not_root(tmp_path, user):
    arguments = ["build", str(tmp_path), "--output", f"oci:{tmp_path}/o", "--user", user]
    result = CliRunner().invoke(main, arguments)
    assert result.exit_code == 2 and "--user" in result.output


def test_missing_project_directory(tmp_path):
    with pytest.raises(JettisonError, match="not a directory"):
        read_build_recipe(Path(tmp_path / "absent"))


def test_prune_fingerprint_ignores_code_edits_but_not_new_imports(tmp_path):
    from jettison.builder.prune_cache import audit_fingerprint, cached_prune

    project = make_project(tmp_path / "p", requirements="flask\nrequests\n")
    requirements = project / "requirements.txt"
    before = audit_fingerprint(project, requirements)
    (project / "app.py").write_text("\n\n" + (project / "app.py").read_text() + "\nX = 1  # edited\n")
    assert audit_fingerprint(project, requirements) == before
    (project / "pkg" / "views.py").write_text("import requests\nVIEW = 1\n")
    assert audit_fingerprint(project, requirements) != before
    calls = []

    def prune(root, path):
        calls.append(path)
        return "flask\n"

    cached = cached_prune(tmp_path / "cache", prune)
    assert cached(project, requirements) == "flask\n" and cached(project, requirements) == "flask\n"
    assert len(calls) == 1


def _recipe(project: Path):
    return read_build_recipe(project, prune=False)


def _write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


APP = "from flask import Flask\napp = Flask(__name__)\n"


@pytest.mark.parametrize(
    ("dockerfile", "line", "what"),
    [
        # Another stage's output (an asset build) is part of the image.
        ("FROM node:22 AS assets\nRUN npm ci\nFROM python:3.12-slim\nCOPY . .\n"
         "COPY --from=assets /dist ./dist\nCMD [\"gunicorn\", \"app:app\"]\n", 5, "COPY --from=assets"),
        # A RUN of the final image that makes files the app serves.
        ("FROM python:3.12-slim\nCOPY . .\nRUN pip install -r requirements.txt\n"
         "RUN python manage.py collectstatic --noinput\nCMD [\"gunicorn\", \"app:app\"]\n", 4,
         "collectstatic"),
        # A tool from another image that the command runs.
        ("FROM python:3.12-slim\nCOPY --from=example/tools:1 /waitfor /usr/local/bin/\nCOPY . .\n"
         "CMD [\"waitfor\", \"db\", \"--\", \"gunicorn\", \"app:app\"]\n", 2, "waitfor"),
    ],
)  # fmt: skip
def test_a_step_build_cannot_reproduce_is_refused_at_its_line(tmp_path, dockerfile, line, what):
    project = _write(tmp_path, {"Dockerfile": dockerfile, "requirements.txt": "flask\n", "app.py": APP})
    with pytest.raises(JettisonError) as caught:
        _recipe(project)
    assert caught.value.line == line and what in caught.value.message
    assert "jettison fix" in caught.value.message


def test_a_build_tool_from_another_image_is_left_out_and_said(tmp_path):
    project = _write(tmp_path, {
        "Dockerfile": "FROM python:3.12-slim\nCOPY --from=ghcr.io/astral-sh/uv:0.9 /uv /uvx /bin/\nCOPY . .\n"
                      "RUN uv pip install --system -r requirements.txt\nCMD [\"gunicorn\", \"app:app\"]\n",
        "requirements.txt": "flask\n", "app.py": APP,
    })  # fmt: skip
    recipe = _recipe(project)
    assert any("a build tool" in note for note in recipe.notes)


def test_a_command_that_is_not_gunicorn_is_kept_with_the_projects_config(tmp_path):
    project = _write(tmp_path, {
        "Dockerfile": "FROM python:3.12-slim\nWORKDIR /srv\nCOPY . .\nRUN pip install -r requirements.txt\n"
                      "CMD fastapi run --workers 2 app/main.py\n",
        "requirements.txt": "fastapi[standard]\n",
        "app/main.py": "from fastapi import FastAPI\napp = FastAPI()\n",
        "gunicorn.conf.py": "# the project's own\nbind = '0.0.0.0:9000'\n",
    })  # fmt: skip
    recipe = _recipe(project)
    assert recipe.runtime.command == ("/bin/sh", "-c", "fastapi run --workers 2 app/main.py")
    assert recipe.runtime.entrypoint is None
    assert recipe.gunicorn_conf == b"# the project's own\nbind = '0.0.0.0:9000'\n"


def test_a_uv_project_installs_what_its_lock_declares_for_run_time(tmp_path):
    import shutil

    source = Path(__file__).resolve().parents[1] / "fixtures" / "styles" / "fastapi-uv"
    project = tmp_path / "fastapi-uv"
    shutil.copytree(source, project)
    recipe = _recipe(project)
    pins = {line.split("==")[0] for line in recipe.requirements.splitlines()}
    assert {"fastapi", "python-multipart", "email-validator", "tenacity"} <= pins
    assert "pytest" not in pins and "ruff" not in pins  # the dev group stays out (uv export --no-dev)
    assert recipe.requirements_source == "uv.lock"
    # `fastapi run` is kept, and no generated gunicorn.conf.py is slipped beside it.
    assert recipe.runtime.command == ("fastapi", "run", "--workers", "2", "app/main.py")
    assert recipe.gunicorn_conf is None


def test_a_pruned_gunicorn_comes_back_with_the_projects_pin(tmp_path, monkeypatch):
    """No code imports gunicorn, so pruning takes it out; the image runs it, so it is put back as the
    project declared it (the build installed an unpinned, newer gunicorn)."""
    monkeypatch.setenv("JETTISON_OFFLINE", "1")
    project = make_project(tmp_path / "p", requirements="flask==3.1.3\ngunicorn==22.0.0\n")
    recipe = read_build_recipe(project, prune=True, cache_dir=tmp_path / "cache")
    assert "gunicorn==22.0.0" in recipe.requirements.splitlines()
    assert "gunicorn" not in recipe.requirements.splitlines()


def test_a_dockerfile_outside_the_root_is_the_recipe_with_the_root_as_context(tmp_path):
    """linkding keeps its recipe in docker/default.Dockerfile; build read only PATH/Dockerfile and fell back
    to the requirements file alone (and then could not tell the app)."""
    project = make_project(tmp_path / "p", requirements="flask==3.1.3\ngunicorn==23.0.0\n")
    (project / "docker").mkdir()
    (project / "docker" / "prod.Dockerfile").write_text(
        "FROM python:3.11-slim\nWORKDIR /srv\nCOPY requirements.txt .\n"
        "RUN pip install --no-cache-dir -r requirements.txt\nCOPY . .\n"
        'CMD ["gunicorn", "-b", "0.0.0.0:8000", "app:app"]\n'
    )
    recipe = read_build_recipe(project, prune=False, dockerfile="docker/prod.Dockerfile")
    assert dict(recipe.app_layout)["app.py"] == "/srv/app.py"
    with pytest.raises(JettisonError, match="no such Dockerfile"):
        read_build_recipe(project, prune=False, dockerfile="docker/missing.Dockerfile")
