"""Walking a project: what is scanned, what is skipped, and inputs that must never crash."""

from __future__ import annotations

import os

from jettison.deps.scan import scan_project
from jettison.project.sources import MAX_SOURCE_BYTES, walk_project


def test_skips_venvs_build_output_tests_and_user_excludes(tmp_path):
    for rel in ["app/main.py", ".venv/lib/x.py", "myenv/lib/y.py", "build/lib/z.py", "tests/test_a.py",
                "app/test_b.py", "scripts/gen.py", "node_modules/n.py", "pkg.egg-info/p.py"]:  # fmt: skip
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("import os\n")
    (tmp_path / "myenv" / "pyvenv.cfg").write_text("home = /usr\n")
    files = walk_project(tmp_path, exclude=("scripts",))
    assert files.python == ["app/main.py"]
    with_tests = walk_project(tmp_path, include_tests=True).python
    assert with_tests == ["app/main.py", "app/test_b.py", "scripts/gen.py", "tests/test_a.py"]


def test_finds_requirement_and_command_files(tmp_path):
    for rel in ["requirements.txt", "requirements-dev.txt", "Dockerfile", "Procfile", "entrypoint.sh",
                "docker-compose.yml", "package.json"]:  # fmt: skip
        (tmp_path / rel).write_text("x\n")
    files = walk_project(tmp_path)
    assert files.requirement_files == ["requirements-dev.txt", "requirements.txt"]
    assert files.other == ["Dockerfile", "Procfile", "docker-compose.yml", "entrypoint.sh"]


def test_symlink_loops_binary_undecodable_and_huge_files_do_not_crash(tmp_path):
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "main.py").write_text("import flask\n")
    os.symlink(tmp_path, tmp_path / "app" / "loop")  # a directory loop
    os.symlink(tmp_path / "missing.py", tmp_path / "app" / "dangling.py")
    (tmp_path / "app" / "binary.py").write_bytes(b"\x7fELF\x00\x01\x02" * 100)
    (tmp_path / "app" / "latin1.py").write_bytes(b"x = '\xe9t\xe9'\n")  # undecodable as UTF-8
    (tmp_path / "app" / "py2.py").write_text("print 'hello'\n")
    with open(tmp_path / "app" / "huge.py", "wb") as handle:
        handle.write(b"x = 1\n" * (MAX_SOURCE_BYTES // 6 + 10))
    (tmp_path / "app" / "ten_mb_data.txt").write_bytes(b"a" * (10 * 1024 * 1024))
    files = walk_project(tmp_path)
    assert "app/loop/app/main.py" not in files.python
    result = scan_project(files, cache=tmp_path / "cache")
    assert [f.path for f in result.facts] == ["app/main.py"]
    reasons = dict(result.skipped)
    assert reasons["app/binary.py"] == "binary file"
    assert reasons["app/huge.py"].startswith("larger than")
    assert reasons["app/py2.py"].startswith("does not parse")
    assert reasons["app/latin1.py"].startswith("does not parse")


def test_second_scan_reads_facts_from_the_cache(tmp_path, monkeypatch):
    (tmp_path / "main.py").write_text("import flask\n")
    first = scan_project(walk_project(tmp_path), cache=tmp_path / "cache")
    import jettison.deps.scan as scan_module

    def refuse(data, path):
        raise AssertionError("parsed again")

    monkeypatch.setattr(scan_module, "scan_source", refuse)
    second = scan_project(walk_project(tmp_path), cache=tmp_path / "cache")
    assert [i.name for i in second.facts[0].imports] == [i.name for i in first.facts[0].imports] == ["flask"]
    (tmp_path / "main.py").write_text("import flask, yaml\n")  # a changed file is parsed again
    monkeypatch.undo()
    third = scan_project(walk_project(tmp_path), cache=tmp_path / "cache")
    assert [i.name for i in third.facts[0].imports] == ["flask", "yaml"]


def test_requirements_directory_files_are_found(tmp_path):
    (tmp_path / "requirements").mkdir()
    for name in ("base.txt", "prod.txt", "notes.md"):
        (tmp_path / "requirements" / name).write_text("flask\n")
    assert walk_project(tmp_path).requirement_files == ["requirements/base.txt", "requirements/prod.txt"]
