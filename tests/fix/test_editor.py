"""`jettison fix` as an editor: the audit's fixes are edits of the project's own files, applied to a
fixpoint; everything no fix names stays byte for byte. Offline (the audit runs with offline=True)."""

from __future__ import annotations

import shutil
import stat
from pathlib import Path

import pytest

from jettison.dockerfile.rules.base import Rule, RuleContext
from jettison.fixer import FixOptions, apply, plan_fix
from jettison.model.audit import AuditOptions
from jettison.model.edits import Edit
from jettison.model.findings import Fix, Severity

STYLES = Path(__file__).parents[1] / "fixtures" / "styles"
OFFLINE = AuditOptions(offline=True)


def _options(**kwargs: object) -> FixOptions:
    return FixOptions(audit=OFFLINE, **kwargs)  # type: ignore[arg-type]


def _copy(name: str, tmp_path: Path) -> Path:
    target = tmp_path / name
    shutil.copytree(STYLES / name, target, symlinks=True)
    return target


def _snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _from_rule(context: RuleContext, rule: Rule, old: str, new: str, safe: bool) -> list:  # type: ignore[type-arg]
    """Findings replacing `old` by `new` in each FROM (a stand-in for the rules' own edits)."""
    out = []
    for instruction in context.model.dockerfile.instructions:
        if instruction.keyword == "FROM" and old in instruction.original and new not in instruction.original:
            text = instruction.original.replace(old, new)
            edit = Edit.replace(context.model.path, instruction, text)
            out.append(
                rule.finding(context, instruction, fix=Fix(f"{old} -> {new}", safe=safe, edits=(edit,)))
            )
    return out


def _rule(rule_id: str, old: str, new: str, safe: bool = True) -> Rule:
    def check(context: RuleContext) -> list:  # type: ignore[type-arg]
        return _from_rule(context, rule, old, new, safe)

    rule = Rule(rule_id, "test", Severity.WARNING, "test", "test", "https://example.invalid", check)
    return rule


@pytest.mark.parametrize("style", ["flask-bash-boot", "django-uv-assets", "fastapi-uv"])
def test_style_projects_keep_their_recipe_and_reach_a_fixpoint(style: str, tmp_path: Path) -> None:
    project = _copy(style, tmp_path)
    before = _snapshot(project)
    plan = plan_fix(project, _options())
    edited = {change.relative for change in plan.pending}
    # The Dockerfile rules' edits and the declarations (requirements and their lock), nothing else.
    assert edited <= {"Dockerfile", "requirements.txt", "pyproject.toml", "uv.lock"}
    apply(plan)
    after = _snapshot(project)
    for relative, data in before.items():
        if relative not in edited:
            assert after[relative] == data, relative  # ENTRYPOINT scripts, config, sources: byte for byte
    old, new_text = before["Dockerfile"].decode(), after["Dockerfile"].decode()
    for marker in ("FROM ", "COPY --from", "ENTRYPOINT", "WORKDIR", "RUN "):  # no stage or step dropped
        assert new_text.count(marker) >= old.count(marker), marker
    comments = [line for line in old.splitlines() if line.lstrip().startswith("#")]
    assert all(line in new_text.splitlines() for line in comments)
    new = set(after) - set(before) - {f"{r}.jettison-bak" for r in edited}
    assert new == set(), new  # no gunicorn.conf.py, no .dockerignore, no entrypoint written
    if "pyproject.toml" in edited and (project / "uv.lock").is_file():
        assert "uv.lock" in edited  # never a pyproject that disagrees with its lock
    assert not plan_fix(project, _options()).pending  # a second run changes nothing


def test_scripts_and_modes_stay(tmp_path: Path) -> None:
    project = _copy("flask-bash-boot", tmp_path)
    (project / "requirements.txt").write_text("flask\ngunicorn\nrequests==2.32.3\n")
    (project / "requirements.txt").chmod(0o640)
    apply(plan_fix(project, _options()))
    assert (project / "requirements.txt").read_text() == "flask\ngunicorn\n"
    assert stat.S_IMODE((project / "requirements.txt").stat().st_mode) == 0o640
    assert stat.S_IMODE((project / "boot.sh").stat().st_mode) == 0o755
    assert (project / "requirements.txt.jettison-bak").read_text().endswith("requests==2.32.3\n")


def test_unused_requirement_lines_are_deleted_with_their_continuations(tmp_path: Path) -> None:
    project = _copy("flask-bash-boot", tmp_path)
    text = "# web\nflask\nrequests==2.32.3 \\\n    --hash=sha256:" + "0" * 64 + "\ngunicorn  # server\n"
    (project / "requirements.txt").write_text(text)
    plan = plan_fix(project, _options())
    assert plan.change_for("requirements.txt").new == "# web\nflask\ngunicorn  # server\n"
    assert [str(f) for f in plan.fixes if f.rule == "JR101"] == [
        "JR101 requirements.txt:3: remove requests from the requirements"
    ]
    assert "-requests==2.32.3 \\\n" in plan.diff()


def test_keep_is_never_pruned(tmp_path: Path) -> None:
    project = _copy("flask-bash-boot", tmp_path)
    (project / "requirements.txt").write_text("flask\ngunicorn\nrequests\n")
    plan = plan_fix(project, _options(keep=frozenset({"Requests"})))
    assert not plan.pending
    assert any("requests kept" in note for note in plan.notes)


def test_pyproject_element_on_its_own_line_is_deleted(tmp_path: Path) -> None:
    project = _copy("fastapi-uv", tmp_path)
    (project / "uv.lock").unlink()
    pyproject = project / "pyproject.toml"
    text = pyproject.read_text()
    assert "dependencies = [\n" in text
    pyproject.write_text(text.replace("dependencies = [\n", 'dependencies = [\n    "requests>=2",\n', 1))
    plan = plan_fix(project, _options())
    change = plan.change_for("pyproject.toml")
    assert change is not None and '"requests>=2"' not in change.new
    assert set(change.new.splitlines()) <= set(text.splitlines())  # only whole lines deleted
    assert any(f.rule == "JR101" and f.path == "pyproject.toml" for f in plan.fixes)


def test_pyproject_element_sharing_a_line_is_left_with_a_note(tmp_path: Path) -> None:
    project = _copy("fastapi-uv", tmp_path)
    (project / "uv.lock").unlink()
    pyproject = project / "pyproject.toml"
    text = pyproject.read_text()
    pyproject.write_text(
        text.replace("dependencies = [\n", 'dependencies = [\n    "requests>=2", "six",\n', 1)
    )
    plan = plan_fix(project, _options())
    change = plan.change_for("pyproject.toml")
    assert change is None or '    "requests>=2", "six",\n' in change.new
    assert any("not on a line of its own" in note for note in plan.notes)


def test_unsafe_fixes_only_with_the_flag_and_conflicts_wait_a_pass(tmp_path: Path) -> None:
    project = _copy("flask-bash-boot", tmp_path)
    dockerfile = (project / "Dockerfile").read_text()
    rules = (_rule("JT001", "python:3.11-slim", "python:3.12-slim"),
             _rule("JT002", "FROM python", "FROM docker.io/library/python", safe=False))  # fmt: skip
    plan = plan_fix(project, _options(rules=rules))
    assert plan.change_for("Dockerfile").new == dockerfile.replace("python:3.11-slim", "python:3.12-slim", 1)
    assert any("1 unsafe fix(es) available with --unsafe-fixes" in note for note in plan.notes)
    plan = plan_fix(project, _options(rules=rules, unsafe=True))
    first_line = plan.change_for("Dockerfile").new.splitlines()[0]
    assert first_line == "FROM docker.io/library/python:3.12-slim"  # both: the second in the next pass
    assert plan.passes == 2
    assert [f.rule for f in plan.fixes] == ["JT001", "JT002"]
    apply(plan)
    assert not plan_fix(project, _options(rules=rules, unsafe=True)).pending
    assert (project / "Dockerfile").read_text().splitlines()[1:] == dockerfile.splitlines()[1:]


def test_no_dockerfile_gets_the_template(tmp_path: Path) -> None:
    project = tmp_path / "app"
    project.mkdir()
    (project / "app.py").write_text("from flask import Flask\napp = Flask(__name__)\n")
    (project / "requirements.txt").write_text("flask\ngunicorn\n")
    plan = plan_fix(project, _options())
    assert {c.relative for c in plan.pending} == {"Dockerfile", ".dockerignore", "gunicorn.conf.py"}
    assert any("no Dockerfile: written from jettison's template" in note for note in plan.notes)
    apply(plan)
    for name in ("Dockerfile", ".dockerignore", "gunicorn.conf.py"):
        assert stat.S_IMODE((project / name).stat().st_mode) == 0o644
    assert "FROM python:" in (project / "Dockerfile").read_text()


def test_no_dockerfile_without_gunicorn_writes_nothing(tmp_path: Path) -> None:
    project = tmp_path / "app"
    project.mkdir()
    (project / "app.py").write_text("from flask import Flask\napp = Flask(__name__)\n")
    (project / "requirements.txt").write_text("flask\n")
    plan = plan_fix(project, _options())
    assert not plan.pending and "does not list gunicorn" in plan.notes[0]


def test_pyproject_stays_when_uv_cannot_lock(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = _copy("fastapi-uv", tmp_path)
    monkeypatch.setattr("jettison.fixer.lock.shutil.which", lambda name: None)
    plan = plan_fix(project, _options())
    assert plan.change_for("pyproject.toml") is None and plan.change_for("uv.lock") is None
    assert any("uv is not installed" in note for note in plan.notes)
    assert not any(f.path == "pyproject.toml" for f in plan.fixes)


def test_cli_shows_diff_and_rules_then_writes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from jettison.cli.fix import command

    monkeypatch.setenv("JETTISON_OFFLINE", "1")
    project = _copy("flask-bash-boot", tmp_path)
    (project / "requirements.txt").write_text("flask\ngunicorn\nrequests\n")
    shown = CliRunner().invoke(command, [str(project)])
    assert shown.exit_code == 0, shown.output
    assert "-requests\n" in shown.stdout
    assert "JR101 requirements.txt:3: remove requests from the requirements" in shown.stderr
    written = CliRunner().invoke(command, [str(project), "--write", "--no-verify"])
    assert written.exit_code == 0 and (project / "requirements.txt").read_text() == "flask\ngunicorn\n"
    again = CliRunner().invoke(command, [str(project), "--write", "--no-verify"])
    assert "nothing to change" in again.stderr


def test_edits_that_break_the_dockerfile_are_undone(tmp_path: Path) -> None:
    project = _copy("flask-bash-boot", tmp_path)

    def check(context: RuleContext) -> list:  # type: ignore[type-arg]
        first = context.model.dockerfile.instructions[0]
        edit = Edit.insert_before(context.model.path, first, "# syntax=docker/dockerfile:1\n")
        return [rule.finding(context, first, fix=Fix("add a syntax line", safe=True, edits=(edit,)))]

    rule = Rule("JT003", "test", Severity.INFO, "test", "test", "https://example.invalid", check)
    plan = plan_fix(project, _options(rules=(rule,)))
    assert plan.change_for("Dockerfile").new.count("# syntax=") == 1  # the second would not parse
    assert [f.rule for f in plan.fixes] == ["JT003"]
    assert any("unparseable" in note for note in plan.notes)


def test_an_unused_requirement_is_deleted_from_every_run_time_file_declaring_it(tmp_path: Path) -> None:
    """Declared twice (requirements.txt and the base file it includes): deleting one line would leave the
    package installed; the development file keeps its own line (pytest plugins may use it)."""
    project = _copy("flask-bash-boot", tmp_path)
    (project / "requirements").mkdir()
    (project / "requirements" / "base.txt").write_text("flask\nrequests==2.32.3\n")
    (project / "requirements.txt").write_text("-r requirements/base.txt\ngunicorn\nrequests\n")
    (project / "requirements-dev.txt").write_text("-r requirements.txt\npytest\nrequests\n")
    plan = plan_fix(project, _options())
    assert plan.change_for("requirements.txt").new == "-r requirements/base.txt\ngunicorn\n"
    assert plan.change_for("requirements/base.txt").new == "flask\n"
    assert plan.change_for("requirements-dev.txt") is None


def test_dockerfile_option_fixes_only_the_named_recipe(tmp_path: Path) -> None:
    project = _copy("flask-bash-boot", tmp_path)
    recipe = "FROM python:3.11-slim\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY . .\n"
    (project / "Dockerfile").write_text(recipe)
    (project / "Dockerfile.dev").write_text(recipe)
    plan = plan_fix(project, _options(dockerfile="Dockerfile.dev"))
    assert plan.change_for("Dockerfile.dev") is not None
    assert plan.change_for("Dockerfile") is None
    assert any("left alone: --dockerfile names Dockerfile.dev" in note for note in plan.notes)
    both = plan_fix(project, _options())
    assert both.change_for("Dockerfile") is not None and both.change_for("Dockerfile.dev") is not None


@pytest.mark.parametrize("ending", ["\n", ""])
def test_worker_tmp_dir_is_appended_to_the_projects_gunicorn_config(tmp_path: Path, ending: str) -> None:
    (tmp_path / "requirements.txt").write_text("flask\ngunicorn\n")
    (tmp_path / "app.py").write_text("from flask import Flask\n\napp = Flask(__name__)\n")
    (tmp_path / "gunicorn.conf.py").write_text(f'bind = "0.0.0.0:8000"\nworkers = 2{ending}')
    (tmp_path / "Dockerfile").write_text(
        "FROM python:3.11-slim\nWORKDIR /app\nCOPY requirements.txt .\n"
        "RUN pip install --no-cache-dir -r requirements.txt\nCOPY . .\n"
        'CMD ["gunicorn", "-c", "gunicorn.conf.py", "app:app"]\n'
    )
    plan = plan_fix(tmp_path, _options())
    new = plan.change_for("gunicorn.conf.py").new
    assert new.startswith('bind = "0.0.0.0:8000"\nworkers = 2\n')
    assert new.endswith('\nworker_tmp_dir = "/dev/shm"\n')
    assert "JD704" in [f.rule for f in plan.fixes]
    apply(plan)
    assert plan_fix(tmp_path, _options()).change_for("gunicorn.conf.py") is None  # a fixpoint
