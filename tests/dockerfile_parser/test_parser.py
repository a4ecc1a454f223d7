"""The parser's tree: positions, comments, directives, flags, forms, and one-line errors on bad input."""

from __future__ import annotations

import pytest

from jettison.dockerfile.parser import dump, go_quote, parse, parse_file
from jettison.errors import JettisonError


def test_positions_original_text_and_comments() -> None:
    text = (
        "# syntax=docker/dockerfile:1\n"
        "# check=skip=JSONArgsRecommended\n"
        "\n"
        "# the base\n"
        "# jettison: ignore=JD101\n"
        "FROM python:3.11 AS base\n"
        "\n"
        "  RUN pip install \\\n"
        "    # a comment inside the continuation\n"
        "\n"
        "      flask  \n"
        'CMD ["gunicorn", "app:app"]\n'
    )
    dockerfile = parse(text)
    assert dockerfile.directives == {"syntax": "docker/dockerfile:1", "check": "skip=JSONArgsRecommended"}
    from_, run, cmd = dockerfile.instructions
    assert (from_.start_line, from_.end_line, from_.start_column, from_.end_column) == (6, 6, 1, 25)
    assert [c.text for c in from_.comments] == ["the base", "jettison: ignore=JD101"]
    assert [c.line for c in from_.comments] == [4, 5]
    assert (run.start_line, run.end_line, run.start_column, run.end_column) == (8, 11, 3, 14)
    assert run.args == ("pip install       flask",) and run.raw_args == "pip install       flask"
    assert run.original == "RUN pip install \\\n    # a comment inside the continuation\n\n      flask  "
    assert run.comments == ()
    assert cmd.json_form and cmd.args == ("gunicorn", "app:app")
    # directives are not comments; the comment inside the continuation is
    assert [c.line for c in dockerfile.comments] == [4, 5, 9]


def test_blank_comment_line_separates_comment_blocks() -> None:
    dockerfile = parse("# one\n#\n# two\nFROM a\n")
    assert [c.text for c in dockerfile.instructions[0].comments] == ["two"]


def test_backtick_escape_directive() -> None:
    dockerfile = parse("# escape=`\nFROM mcr.microsoft.com/windows\nRUN dir c:\\ `\n  && echo done\n")
    assert dockerfile.escape == "`"
    assert dockerfile.instructions[1].args == ("dir c:\\   && echo done",)


def test_directive_only_counts_at_the_top() -> None:
    dockerfile = parse("FROM a\n# escape=`\nRUN echo \\\n  done\n")
    assert dockerfile.escape == "\\" and dockerfile.directives == {}
    assert dockerfile.instructions[1].args == ("echo   done",)


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("# escape=x\nFROM a\n", "invalid escape token 'x' does not match ` or \\", 1),
        ("# syntax=a\n# syntax=b\nFROM a\n", "only one syntax parser directive can be used", 2),
        ("FROM a\nFROBNICATE now\n", "unknown instruction: FROBNICATE", 2),
        ("FROM a\nRUNN echo\n", "unknown instruction: RUNN (did you mean RUN?)", 2),
        ("FROM a\nONBUILD ONBUILD RUN x\n", "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed", 2),
        ("FROM a\nONBUILD FROM b\n", "FROM isn't allowed as an ONBUILD trigger", 2),
        ("FROM a\nONBUILD\n", "ONBUILD requires at least one argument", 2),
        ("FROM a\nENV \\\n  PATH\n", "ENV must have two arguments", 2),
        ("FROM a\nLABEL a=b c\n", 'Syntax error - can\'t find = in "c". Must be of the form: name=value', 2),
        ('CMD ["a", 1]\n', "when using JSON array syntax, arrays must be comprised of strings only", 1),
        ("", "file with no instructions", 1),
        ("\n\n# only a comment\n", "file with no instructions", 3),
        ("FROM a\nRUN " + "x" * 70000 + "\n", "dockerfile line greater than max allowed size of 65535", 2),
    ],
)
def test_errors_are_one_line_with_location(text: str, message: str, line: int) -> None:
    with pytest.raises(JettisonError) as raised:
        parse(text, "app/Dockerfile")
    assert (raised.value.message, raised.value.path, raised.value.line) == (message, "app/Dockerfile", line)
    assert "\n" not in str(raised.value)


@pytest.mark.parametrize(
    ("data", "message", "line"),
    [
        (b"FROM a\n\x00\x01binary", "binary file, not a Dockerfile", 1),
        (b"FROM a\nRUN echo \xff\n", "not UTF-8 text (byte 0xff)", 2),
        ("FROM a\n".encode("utf-16"), "UTF-16 text: save the Dockerfile as UTF-8", 1),
        ("FROM a\nRUN \udcff\n", "not UTF-8 text", 2),
    ],
)
def test_undecodable_input(data: bytes | str, message: str, line: int) -> None:
    with pytest.raises(JettisonError) as raised:
        parse(data, "Dockerfile")
    assert (raised.value.message, raised.value.line) == (message, line)


def test_bom_and_crlf() -> None:
    dockerfile = parse(b"\xef\xbb\xbf# escape=`\r\nFROM a\r\nRUN echo `\r\n  b\r\n")
    assert dockerfile.escape == "`"
    assert dump(dockerfile) == '(from "a")\n(run "echo   b")'
    assert dockerfile.source.startswith("# escape=`\r\n")  # lines and columns index into the text as parsed


def test_flags_and_json_forms() -> None:
    text = (
        "FROM --platform=$BUILDPLATFORM python:3.11-slim AS build\n"
        "RUN --mount=type=cache,target=/root/.cache/pip --mount=type=bind,source=req.txt,target=/r.txt \\\n"
        "    pip install -r /r.txt\n"
        "COPY --from=build --chown=app:app --link /venv /venv\n"
        'ADD --chmod=644 ["a b", "/c"]\n'
        'HEALTHCHECK --interval=5s CMD ["curl", "-f", "localhost"]\n'
        "ONBUILD COPY --from=x . /app\n"
        "MAINTAINER someone <a@b.c>\n"
    )
    dockerfile = parse(text)
    from_, run, copy, add, health, onbuild, maintainer = dockerfile.instructions
    assert from_.flag("platform") == "$BUILDPLATFORM" and from_.args == ("python:3.11-slim", "AS", "build")
    assert run.flag_values("mount") == [
        "type=cache,target=/root/.cache/pip",
        "type=bind,source=req.txt,target=/r.txt",
    ]
    assert copy.flag("link") == "" and copy.flag("from") == "build" and copy.flag("missing") is None
    assert add.json_form and add.args == ("a b", "/c")
    assert health.json_form and health.args == ("CMD", "curl", "-f", "localhost")
    assert onbuild.args == () and onbuild.trigger is not None and onbuild.trigger.flag("from") == "x"
    assert maintainer.args == ("someone <a@b.c>",)
    assert dump(dockerfile).splitlines()[-2:] == [
        '(onbuild (copy ["--from=x"] "." "/app"))',
        '(maintainer "someone <a@b.c>")',
    ]


@pytest.mark.parametrize(
    ("line", "args", "json_form"),
    [
        ('CMD ["a", "b"]', ("a", "b"), True),
        ("CMD ['a', 'b']", ("['a', 'b']",), False),  # not JSON: BuildKit runs it as shell form
        ('CMD ["a", "b"] c', ('["a", "b"] c',), False),
        ('CMD ["a", 1e999]', ('["a", 1e999]',), False),  # Go's decoder fails on the number: shell form
        ("CMD [NaN]", ("[NaN]",), False),
        ('CMD ["\\ud800"]', ("\ufffd",), True),
        ("CMD []", (), True),
    ],
)
def test_json_or_shell_form(line: str, args: tuple[str, ...], json_form: bool) -> None:
    cmd = parse(line).instructions[0]
    assert (cmd.args, cmd.json_form) == (args, json_form)


def test_non_ascii_flags_are_read_byte_by_byte_like_buildkit() -> None:
    copy = parse("FROM a\nCOPY --chown=jos\u00e9 . /app\n").instructions[1]
    assert copy.flags == ("--chown=jos\u00c3\u00a9",)
    # 兀 is E5 85 80: BuildKit takes byte 0x85 for a blank and splits the character; the stray byte
    # left in the arguments becomes U+FFFD here rather than a string that cannot be encoded.
    copy = parse("FROM a\nCOPY --chown=\u5140x y z\n").instructions[1]
    assert copy.flags == ("--chown=\u00e5",) and copy.args == ("\ufffdx", "y", "z")
    copy.raw_args.encode("utf-8")


def test_go_quote() -> None:
    quoted = go_quote('a"\\\n\t\x00\x7f\u00a0\u2665\U0001f600\udcff')
    assert quoted == '"a\\"\\\\\\n\\t\\x00\\x7f\\u00a0\u2665\U0001f600\\xff"'


def test_parse_file(tmp_path) -> None:
    path = tmp_path / "Dockerfile"
    path.write_text("FROM a\n")
    assert parse_file(path).path == str(path)
    with pytest.raises(JettisonError, match="cannot read"):
        parse_file(tmp_path / "missing")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("HEALTHCHEC\u212a NONE", '(healthcheck "NONE")'),  # Go lower-cases the Kelvin sign to k
        ("MA\u0130NTAINER me", '(maintainer "me")'),  # and U+0130 to a plain i
        ("CMD " + "[" * 10001 + "]" * 10001, None),  # deeper than Go's JSON decoder: shell form
        ("CMD [1\u0663]", '(cmd "[1\u0663]")'),  # JSON digits are ASCII
        ("FROM a\rRUN b\r", '(from "a" "RUN" "b")'),  # a lone CR ends no line in BuildKit either
        ('FROM a\nENV A="b \\" c" D=e', '(from "a")\n(env "A" "\\"b \\\\\\" c\\"" "=" "D" "e" "=")'),
    ],
)
def test_go_corner_cases(text: str, expected: str | None) -> None:
    got = dump(parse(text))
    if expected is None:
        assert got.startswith('(cmd "[[[')
    else:
        assert got == expected


@pytest.mark.parametrize(
    "text",
    [
        '\u017fHELL ["a"]',  # 'ſ'.upper() is S, but BuildKit compares lower-cased names
        "CMD " + "[" * 1500 + "]" * 1500,  # nested arrays are not strings, however deep Python recursed
    ],
)
def test_go_corner_case_errors(text: str) -> None:
    with pytest.raises(JettisonError):
        parse(text)


def test_dump_command(tmp_path, capsys) -> None:
    from jettison.dockerfile.dump import main

    good, bad = tmp_path / "good", tmp_path / "bad"
    good.write_text('FROM a\nCMD ["b"]\n')
    bad.write_text("FROM a\nNOPE\n")
    assert main([str(good), str(bad)]) == 2
    out, err = capsys.readouterr()
    assert out == '(from "a")\n(cmd "b")\n' and err == f"{bad}:2: unknown instruction: NOPE\n"


@pytest.mark.parametrize(
    ("rest", "words"),
    [  # BuildKit's TestParseWords, through ARG (which keeps parseWords' words as they are)
        ("foo", ("foo",)),
        ("foo bar", ("foo", "bar")),
        ("foo\\ bar", ("foo\\ bar",)),
        ("foo=bar", ("foo=bar",)),
        ("foo bar 'abc xyz'", ("foo", "bar", "'abc xyz'")),
        ('foo bar "abc xyz"', ("foo", "bar", '"abc xyz"')),
        ("àöû", ("àöû",)),
        ('föo bàr "âbc xÿz"', ("föo", "bàr", '"âbc xÿz"')),
    ],
)
def test_words(rest: str, words: tuple[str, ...]) -> None:
    assert parse(f"ARG {rest}").instructions[0].args == words


def test_empty_continuation_lines_and_comments_are_skipped() -> None:
    text = (
        "FROM alpine:3.6\n"
        "RUN something \\\n\n    following \\\n\n    more\n"
        "RUN non-indented \\\n# this is a comment\n   after-comment\n"
        "RUN indented \\\n    # this is an indented comment\n    comment\n"
    )
    runs = parse(text).instructions[1:]
    assert [run.args[0] for run in runs] == [
        "something     following     more",
        "non-indented    after-comment",
        "indented     comment",
    ]
    assert [(run.start_line, run.end_line) for run in runs] == [(2, 6), (7, 9), (10, 12)]
