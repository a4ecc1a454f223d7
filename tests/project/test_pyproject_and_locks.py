"""pyproject.toml (PEP 621, dependency groups, Poetry) and lock files (uv.lock, poetry.lock)."""

from __future__ import annotations

import pytest

from jettison.errors import JettisonError
from jettison.project.declared import read_requirement_set
from jettison.project.locks import read_poetry_lock, read_uv_lock
from jettison.project.pyproject import read_pyproject


def test_pep621_dependencies_are_runtime_and_extras_are_groups(tmp_path):
    path = tmp_path / "pyproject.toml"
    path.write_text(
        '[project]\nname = "svc"\ndependencies = [\n  "fastapi>=0.110",\n  "uvicorn[standard]",\n]\n'
        '[project.optional-dependencies]\ndev = ["pytest"]\n'
        '[dependency-groups]\nlint = ["ruff", {include-group = "dev"}]\n'
    )
    lines = read_pyproject(path, "pyproject.toml")
    assert [(line.name, line.group) for line in lines] == [
        ("fastapi", None), ("uvicorn", None), ("pytest", "extra:dev"), ("ruff", "group:lint"),
    ]  # fmt: skip
    assert lines[0].source.line == 4
    assert lines[1].extras == {"standard"}


def test_poetry_dependencies(tmp_path):
    path = tmp_path / "pyproject.toml"
    path.write_text(
        '[tool.poetry.dependencies]\npython = "^3.11"\nflask = "^3.0"\n'
        'celery = { version = "5.3.6", extras = ["redis"] }\n'
        '[tool.poetry.group.dev.dependencies]\npytest = "*"\n'
    )
    lines = read_pyproject(path, "pyproject.toml")
    assert [(line.name, line.group) for line in lines] == [
        ("flask", None),
        ("celery", None),
        ("pytest", "group:dev"),
    ]
    assert lines[1].pinned_version == "5.3.6"
    assert lines[1].extras == {"redis"}
    assert lines[0].source.line == 3


def test_invalid_pyproject_is_a_located_error(tmp_path):
    path = tmp_path / "pyproject.toml"
    path.write_text('[project]\ndependencies = ["flask = 1.0"]\n')
    with pytest.raises(JettisonError, match="invalid requirement"):
        read_pyproject(path, "pyproject.toml")
    path.write_text("[project\n")
    with pytest.raises(JettisonError, match="invalid TOML"):
        read_pyproject(path, "pyproject.toml")


def test_uv_lock_pins_and_edges(tmp_path):
    path = tmp_path / "uv.lock"
    path.write_text(
        'version = 1\n[[package]]\nname = "Flask"\nversion = "3.0.3"\n'
        'dependencies = [{ name = "werkzeug" },\n'
        '  { name = "colorama", marker = "sys_platform == \'win32\'" }]\n'
        '[package.optional-dependencies]\nasync = [{ name = "asgiref" }]\n'
        '[[package]]\nname = "werkzeug"\nversion = "3.0.3"\n'
    )
    flask, werkzeug = read_uv_lock(path, "uv.lock")
    assert (flask.name, flask.version, werkzeug.version) == ("flask", "3.0.3", "3.0.3")
    assert [str(d) for d in flask.dependencies] == [
        "werkzeug", 'colorama; sys_platform == "win32"', 'asgiref; extra == "async"',
    ]  # fmt: skip


def test_poetry_lock_pins_and_edges(tmp_path):
    path = tmp_path / "poetry.lock"
    path.write_text(
        '[[package]]\nname = "celery"\nversion = "5.3.6"\n'
        '[package.dependencies]\nkombu = ">=5.3.4,<6.0"\nredis = {version = ">=4.5.2", optional = true}\n'
        '[package.extras]\nredis = ["redis (>=4.5.2)"]\n'
    )
    (celery,) = read_poetry_lock(path, "poetry.lock")
    assert [str(d) for d in celery.dependencies] == ["kombu", 'redis; extra == "redis"']


def test_lock_pins_feed_the_requirement_set(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\ndependencies = ["flask"]\n')
    (tmp_path / "uv.lock").write_text('version = 1\n[[package]]\nname = "flask"\nversion = "3.0.3"\n')
    requirements = read_requirement_set(tmp_path, [])
    assert requirements.pin("flask") == "3.0.3"
    assert requirements.files == ("pyproject.toml", "uv.lock")


def test_docs_requirements_are_a_tooling_group(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "requirements.txt").write_text("sphinx\n")
    (tmp_path / "requirements.txt").write_text("flask\n")
    requirements = read_requirement_set(tmp_path, ["docs/requirements.txt", "requirements.txt"])
    assert {line.name: line.group for line in requirements.lines} == {"flask": None, "sphinx": "docs"}


def test_deeply_nested_arrays_are_a_located_error_not_a_recursion_error(tmp_path):
    from jettison.project.pyproject import read_pyproject

    path = tmp_path / "pyproject.toml"
    path.write_text("[project]\nname = 'x'\nx = " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    with pytest.raises(JettisonError, match="nested too deeply"):
        read_pyproject(path, "pyproject.toml")


@pytest.mark.parametrize(("body", "key"), [
    ('[project]\nname = "x"\ndependencies = "flask"\n', "project.dependencies"),
    ('[project]\nname = "x"\noptional-dependencies = ["a"]\n', "project.optional-dependencies"),
    ('[tool.poetry]\ndependencies = ["flask"]\n', "tool.poetry.dependencies"),
    ('[tool.poetry.dependencies]\nflask = 3\n', "flask"),
    ('[tool.poetry.dependencies]\nflask = {version = "1", extras = "x"}\n', "extras"),
])  # fmt: skip
def test_wrong_types_are_located_errors_not_letters_read_as_packages(tmp_path, body, key):
    from jettison.project.pyproject import read_pyproject

    path = tmp_path / "pyproject.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(JettisonError) as raised:
        read_pyproject(path, "pyproject.toml")
    assert key in str(raised.value)
    assert raised.value.line is not None
