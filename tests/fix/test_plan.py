"""plan_template (the template recipe: projects without a Dockerfile, jettison build) and apply, offline,
on a small story-like project (tests/fix/projects/story).

The requirements engine is given as a plain function here (`keep_as_is`), so these tests need no
index; the example's pruning is covered by the golden test.
"""

from __future__ import annotations

import datetime
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from jettison.cli import main
from jettison.errors import JettisonError
from jettison.fixer import FixOptions, apply
from jettison.fixer import plan_template as plan_fix

STORY = Path(__file__).parent / "projects" / "story"
TODAY = datetime.date(2026, 11, 29)


def keep_as_is(root: Path, requirements: Path) -> str:
    return requirements.read_text()


@pytest.fixture
def project(tmp_path) -> Path:
    target = tmp_path / "story"
    shutil.copytree(STORY, target)
    return target


def plan(project: Path, **options):
    return plan_fix(project, FixOptions(prune=keep_as_is, today=TODAY, **options))


def test_facts_read_from_the_old_recipe(project):
    facts = plan(project).facts
    assert facts.python_version == "3.11"  # 3.8 is past its end of life
    assert set(facts.apt_packages) == {"gcc", "libpq-dev", "curl"}
    assert facts.workdir == "/srv/app"
    assert facts.gunicorn.port == 5000  # from the config's bind
    assert facts.gunicorn.worker_class == "gevent"
    assert facts.gunicorn.timeout == 120
    assert facts.gunicorn.graceful_timeout == 8  # 60 s outlives docker stop's grace
    assert facts.gunicorn.preload_app is False  # preload with gevent dropped
    assert facts.gunicorn.app_module == "app:app"
    assert facts.gunicorn.extra == {"max_requests": 1000}
    assert ("FLASK_ENV", "production") in facts.env and ("LANG", "C.UTF-8") in facts.env
    assert facts.labels == (("maintainer", "data-team@example.com"),)
    assert facts.expose == (9102,)
    assert facts.entrypoint == "entrypoint.sh"  # it runs migrations
    assert facts.health_path == "/health"


def test_notes_say_what_was_not_kept(project):
    notes = "\n".join(plan(project).notes)
    for expected in ("Python 3.8 is past its end of life", "compileall", "VOLUME", "preload_app dropped",
                     "graceful_timeout=60", "cpu_count", "/var/log/gunicorn/access.log"):
        assert expected in notes, expected


def test_plan_writes_every_file_and_diffs_them(project):
    fix = plan(project)
    assert {change.relative for change in fix.pending} == {
        "Dockerfile", ".dockerignore", "gunicorn.conf.py", "entrypoint.sh", "requirements.txt"
    }
    requirements = fix.change_for("requirements.txt")
    assert requirements is not None
    assert requirements.new.splitlines()[-3:] == [
        "# Installed by the old Dockerfile itself.", "gunicorn", "gevent"
    ]
    diff = fix.diff()
    assert "--- a/Dockerfile\n+++ b/Dockerfile\n" in diff
    assert "--- /dev/null\n+++ b/.dockerignore\n" in diff
    assert '+exec "$@"' in diff
    dockerfile = fix.change_for("Dockerfile")
    assert dockerfile is not None
    assert 'ENTRYPOINT ["/srv/app/entrypoint.sh"]' in dockerfile.new
    assert "EXPOSE 5000 9102" in dockerfile.new
    assert "libpq5" in dockerfile.new


def test_planning_writes_nothing(project):
    before = {p.name: p.read_bytes() for p in project.iterdir()}
    plan(project)
    assert {p.name: p.read_bytes() for p in project.iterdir()} == before


def test_apply_writes_atomically_and_keeps_old_files(project):
    fix = plan(project)
    old_dockerfile = (project / "Dockerfile").read_text()
    written = dict(apply(fix))
    assert (project / "Dockerfile").read_text() == fix.change_for("Dockerfile").new
    assert written[project / "Dockerfile"].read_text() == old_dockerfile
    assert written[project / ".dockerignore"] is None  # it is new
    assert (project / "entrypoint.sh").stat().st_mode & 0o111
    # A second run finds nothing left to do.
    assert plan(project).pending == ()


def test_other_dockerfile_and_requirements_names(project):
    (project / "Dockerfile").rename(project / "Dockerfile.prod")
    (project / "requirements.txt").rename(project / "requirements-prod.txt")
    fix = plan(project, dockerfile="Dockerfile.prod", requirements="requirements-prod.txt")
    assert fix.change_for("Dockerfile.prod") is not None
    assert "COPY requirements-prod.txt requirements.txt" in fix.change_for("Dockerfile.prod").new
    assert fix.change_for("requirements-prod.txt") is not None


def test_entrypoint_that_only_starts_gunicorn_is_dropped(project):
    (project / "entrypoint.sh").write_text("#!/bin/sh\nexec gunicorn -w 4 app:app\n")
    fix = plan(project)
    assert fix.facts.entrypoint is None
    assert fix.change_for("entrypoint.sh") is None
    assert "ENTRYPOINT" not in fix.change_for("Dockerfile").new
    assert any("only started Gunicorn" in note for note in fix.notes)
    assert any("4 workers were fixed" in note for note in fix.notes)


def test_missing_dockerfile_is_a_user_error(tmp_path):
    with pytest.raises(JettisonError, match="no such Dockerfile"):
        plan_fix(tmp_path, FixOptions(prune=keep_as_is))


def test_cli_shows_a_diff_by_default_and_writes_with_write(project, monkeypatch):
    monkeypatch.setattr("jettison.dockerfile.template._engine_prune", lambda: keep_as_is)
    runner = CliRunner()
    before = (project / "Dockerfile").read_text()
    shown = runner.invoke(main, ["fix", str(project)])
    assert shown.exit_code == 0, shown.output
    assert "+++ b/Dockerfile" in shown.output
    assert (project / "Dockerfile").read_text() == before
    dry = runner.invoke(main, ["fix", "--dry-run", str(project)])
    assert dry.exit_code == 0 and dry.output == shown.output
    written = runner.invoke(main, ["fix", "--write", str(project)])
    assert written.exit_code == 0, written.output
    assert (project / "Dockerfile").read_text() != before
    assert (project / "Dockerfile.jettison-bak").read_text() == before


def test_cli_bad_dockerfile_is_one_line_and_exit_2(tmp_path):
    (tmp_path / "Dockerfile").write_text("FROM python:3.11-slim\nFORM python:3.11\n")
    result = CliRunner().invoke(main, ["fix", str(tmp_path)])
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and "Dockerfile" in result.output
