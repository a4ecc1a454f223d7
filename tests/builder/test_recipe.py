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
    from jettison.fix import FileChange, FixPlan
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
