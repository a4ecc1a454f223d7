"""requirements*.txt parsing: options, includes, markers, extras, hashes, URLs, editables, errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jettison.errors import JettisonError
from jettison.project.requirements_txt import LOCAL_GROUP, dev_group_for, parse_requirements_file


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_pins_markers_extras_and_comments_are_kept(tmp_path):
    path = write(tmp_path, "requirements.txt", (
        "# top comment\n"
        "Flask==3.0.3  # the web framework\n"
        "celery[redis]>=5.3\n"
        'pywin32==306; sys_platform == "win32"\n'
    ))  # fmt: skip
    lines = parse_requirements_file(path, tmp_path).lines
    assert [line.name for line in lines] == ["flask", "celery", "pywin32"]
    assert lines[0].pinned_version == "3.0.3"
    assert lines[0].comment == "# the web framework"
    assert lines[0].source.line == 2
    assert lines[1].extras == {"redis"}
    assert str(lines[2].requirement.marker) == 'sys_platform == "win32"'


def test_hashes_on_continuation_lines(tmp_path):
    path = write(tmp_path, "requirements.txt", (
        "requests==2.32.3 \\\n"
        "    --hash=sha256:aaaa \\\n"
        "    --hash=sha256:bbbb\n"
        "idna==3.7\n"
    ))  # fmt: skip
    first, second = parse_requirements_file(path, tmp_path).lines
    assert first.hashes == ("sha256:aaaa", "sha256:bbbb")
    assert (first.source.line, first.last_line) == (1, 3)
    assert second.source.line == 4


def test_includes_and_constraints(tmp_path):
    write(tmp_path, "base.txt", "flask\n")
    write(tmp_path, "constraints.txt", "flask==3.0.3\n")
    path = write(tmp_path, "requirements.txt", "-r base.txt\n--constraint constraints.txt\ngunicorn\n")
    parsed = parse_requirements_file(path, tmp_path)
    assert [line.name for line in parsed.lines] == ["flask", "gunicorn"]
    assert parsed.lines[0].source.path == "base.txt"
    assert [c.name for c in parsed.constraints] == ["flask"]


def test_include_cycle_reads_each_file_once(tmp_path):
    write(tmp_path, "a.txt", "-r b.txt\nflask\n")
    path = write(tmp_path, "b.txt", "-r a.txt\ngunicorn\n")
    assert sorted(line.name for line in parse_requirements_file(path, tmp_path).lines) == [
        "flask",
        "gunicorn",
    ]


def test_dev_file_included_from_runtime_file_is_a_dev_group(tmp_path):
    write(tmp_path, "requirements-dev.txt", "pytest\n")
    path = write(tmp_path, "requirements.txt", "flask\n-r requirements-dev.txt\n")
    lines = parse_requirements_file(path, tmp_path).lines
    assert {line.name: line.group for line in lines} == {"flask": None, "pytest": "requirements-dev"}


def test_dev_group_names():
    assert dev_group_for(Path("requirements.txt")) is None
    assert dev_group_for(Path("typing-project/requirements.txt")) is None
    assert dev_group_for(Path("requirements-dev.txt")) == "requirements-dev"
    assert dev_group_for(Path("requirements/test.txt")) == "test"
    assert dev_group_for(Path("requirements/prod.txt")) is None


def test_url_and_editable_lines(tmp_path):
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "pyproject.toml").write_text('[project]\nname = "shared-lib"\n')
    path = write(tmp_path, "requirements.txt", (
        "-e git+https://github.com/org/repo.git@v1#egg=repo-tool\n"
        "https://example.com/wheels/numpy-1.26.4-cp311-cp311-manylinux_2_17_x86_64.whl\n"
        "pkg @ https://example.com/pkg-1.0.tar.gz\n"
        "-e ./lib\n"
        "--index-url https://example.com/simple\n"
        "--extra-index-url=https://example.com/extra\n"
        "--no-binary :all:\n"
    ))  # fmt: skip
    lines = parse_requirements_file(path, tmp_path).lines
    assert [(line.name, line.editable) for line in lines] == [
        ("repo-tool", True), ("numpy", False), ("pkg", False), ("shared-lib", True),
    ]  # fmt: skip
    assert lines[2].url == "https://example.com/pkg-1.0.tar.gz"
    assert lines[3].group == LOCAL_GROUP  # a local project is built from source, never pruned


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("flask\nthis is not a requirement\n", 2, "invalid requirement"),
        ("flask==\n", 1, "invalid requirement"),
        ("--frobnicate\n", 1, "unknown option"),
        ("-r missing.txt\n", 1, "included file not found"),
        ("requests --hash=md5\n", 1, "malformed --hash"),
    ],
)
def test_malformed_lines_name_file_and_line(tmp_path, text, line, fragment):
    path = write(tmp_path, "requirements.txt", text)
    with pytest.raises(JettisonError) as caught:
        parse_requirements_file(path, tmp_path)
    assert caught.value.line == line
    assert caught.value.path == "requirements.txt"
    assert fragment in str(caught.value)
    assert str(caught.value).startswith(f"requirements.txt:{line}: ")


def test_undecodable_file_is_a_user_error(tmp_path):
    path = tmp_path / "requirements.txt"
    path.write_bytes(b"flask\n\xff\xfe\x00\x00")
    with pytest.raises(JettisonError, match="not UTF-8"):
        parse_requirements_file(path, tmp_path)


_NAME = st.from_regex(r"[A-Za-z][A-Za-z0-9]{0,6}([-_.][A-Za-z0-9]{1,4})?", fullmatch=True)
_VERSION = st.from_regex(r"[0-9]{1,2}(\.[0-9]{1,2}){0,2}", fullmatch=True)
_LINE = st.one_of(
    _NAME,
    st.builds(lambda n, v: f"{n}=={v}", _NAME, _VERSION),
    st.builds(lambda n, v: f"{n}>={v}  # why", _NAME, _VERSION),
    st.builds(lambda n: f'{n}; python_version >= "3.8"', _NAME),
    st.builds(lambda n: f"{n}[extra]", _NAME),
    st.just("# a comment"),
    st.just(""),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_LINE, max_size=12))
def test_any_valid_file_parses_with_one_line_per_requirement(tmp_path_factory, lines):
    root = tmp_path_factory.mktemp("req")
    path = root / "requirements.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    parsed = parse_requirements_file(path, root).lines
    expected = [number for number, text in enumerate(lines, 1) if text and not text.startswith("#")]
    assert [line.source.line for line in parsed] == expected
    assert all(line.name and line.group is None for line in parsed)


@settings(max_examples=200, deadline=None)
@given(
    st.text(
        alphabet=st.characters(codec="utf-8", exclude_characters="\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"),
        max_size=80,
    )
)
def test_arbitrary_text_parses_or_fails_with_a_located_error(tmp_path_factory, text):
    root = tmp_path_factory.mktemp("fuzz")
    path = root / "requirements.txt"
    path.write_text(text, encoding="utf-8")
    try:
        parse_requirements_file(path, root)
    except JettisonError as error:
        assert error.path == "requirements.txt"


def test_a_2000_deep_include_chain_is_a_located_error_not_a_recursion_error(tmp_path):
    for index in range(2000):
        write(tmp_path, f"r{index}.txt", f"-r r{index + 1}.txt\n")
    write(tmp_path, "r2000.txt", "flask\n")
    with pytest.raises(JettisonError) as raised:
        parse_requirements_file(tmp_path / "r0.txt", tmp_path)
    assert "nested deeper" in str(raised.value)
    assert ".txt" in str(raised.value)


def test_an_include_outside_the_project_is_refused_without_reading_it(tmp_path):
    project = tmp_path / "project"
    secret = write(tmp_path, "secret.txt", "s3cr3t-value\n")
    path = write(project, "requirements.txt", f"flask\n-r ../{secret.name}\n")
    with pytest.raises(JettisonError) as raised:
        parse_requirements_file(path, project)
    message = str(raised.value)
    assert "outside the project" in message and "requirements.txt" in message
    assert "s3cr3t" not in message
    with pytest.raises(JettisonError, match="outside the project"):
        parse_requirements_file(write(project, "r2.txt", "-r /etc/passwd\n"), project)
