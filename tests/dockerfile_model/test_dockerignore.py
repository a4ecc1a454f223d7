"""Docker's .dockerignore semantics: a table of moby's own cases plus properties."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jettison.errors import JettisonError
from jettison.project.dockerignore import DockerIgnore, clean, context_files, read_patterns

# (patterns, path, excluded) — cases from moby's patternmatcher tests and Docker's documentation.
CASES = [
    (["*"], "fileutils.go", True),
    (["*.go"], "fileutils.go", True),
    (["*.go"], "sub/fileutils.go", False),  # `*` does not cross `/`
    (["**/*.go"], "sub/deep/fileutils.go", True),
    (["**/*.go"], "fileutils.go", True),
    (["**"], "anything/at/all", True),
    (["docs"], "docs/readme.md", True),  # a directory excludes its children
    (["docs"], "docsite/readme.md", False),
    (["docs/"], "docs/readme.md", True),  # Clean drops the trailing slash
    (["/docs"], "docs/a", True),  # leading slash stripped
    (["*/temp*"], "somedir/temporary.txt", True),
    (["*/temp*"], "somedir/sub/temporary.txt", False),  # only one level down, per Docker docs
    (["*/*/temp*"], "somedir/subdir/temporary.txt", True),
    (["temp?"], "temp1", True),
    (["temp?"], "temp12", False),
    (["*.md", "!README.md"], "README.md", False),
    (["*.md", "!README.md"], "CHANGES.md", True),
    (["*.md", "!README*.md", "README-secret.md"], "README-secret.md", True),
    (["*.md", "README-secret.md", "!README*.md"], "README-secret.md", False),
    (["docs", "!docs/keep.md"], "docs/keep.md", False),
    (["docs", "!docs/keep.md"], "docs/drop.md", True),
    (["**/__pycache__"], "pkg/mod/__pycache__/x.pyc", True),
    (["a/**/b"], "a/b", True),
    (["a/**/b"], "a/x/y/b", True),
    (["a/**"], "a/x", True),
    (["a/**"], "ab", False),
    (["a.b"], "axb", False),  # `.` is literal
    (["[a-c]at"], "bat", True),
    (["[a-c]at"], "dat", False),
    (["\\*"], "*", True),
    (["\\*"], "x", False),
    (["dir/../other"], "other/file", True),
    (["./venv"], "venv/bin/python", True),
    (["**/.env"], ".env", True),
    (["**/.env"], "sub/.env", True),
    ([".git"], ".gitignore", False),
]


@pytest.mark.parametrize(("patterns", "path", "excluded"), CASES)
def test_matches_like_moby(patterns, path, excluded) -> None:
    assert DockerIgnore(read_patterns("\n".join(patterns))).excludes(path) is excluded


def test_comments_only_at_line_start_and_bom_is_dropped() -> None:
    text = "\ufeff# a comment\n  #notacomment\n\n  *.pyc  \n! keep.pyc\n"
    assert read_patterns(text) == ["#notacomment", "*.pyc", "!keep.pyc"]


def test_lone_exclamation_mark_is_a_user_error() -> None:
    with pytest.raises(JettisonError, match="illegal exclusion"):
        DockerIgnore(["!"], ".dockerignore")


def test_bad_class_is_a_user_error() -> None:
    with pytest.raises(JettisonError):
        DockerIgnore(["[a-"], ".dockerignore")


def test_clean_matches_go() -> None:
    assert clean("") == "."
    assert clean("//a//b/") == "/a/b"
    assert clean("a/../../b") == "../b"
    assert clean("/../a") == "/a"
    assert clean("./") == "."


def test_context_files_honours_exceptions_below_excluded_dirs(tmp_path) -> None:
    for name in ["app.py", "data/big.csv", "data/keep/schema.sql", ".git/HEAD"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    (tmp_path / ".dockerignore").write_text(".git\ndata\n!data/keep\n")
    ignore = DockerIgnore.for_context(tmp_path)
    assert list(context_files(tmp_path, ignore)) == [".dockerignore", "app.py", "data/keep/schema.sql"]


segment = st.sampled_from(["a", "b", "src", ".git", "x.py", "__pycache__"])
paths = st.lists(segment, min_size=1, max_size=4).map("/".join)


@given(paths, st.lists(st.sampled_from(["a", "*", "**/x.py", "src/**", "!a", "!b/*", "?", "b"]), max_size=5))
def test_exception_after_everything_reincludes(path, patterns) -> None:
    ignore = DockerIgnore([*patterns, "!" + path])
    # The last pattern matches the path itself, so it can never be excluded.
    assert not ignore.excludes(path)


@given(paths)
def test_directory_pattern_excludes_all_descendants(path) -> None:
    top = path.split("/")[0]
    assert DockerIgnore([top]).excludes(path)
