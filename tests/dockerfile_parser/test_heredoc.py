"""Heredocs as BuildKit finds them (cases from BuildKit's parser_heredoc_test.go)."""

from __future__ import annotations

import pytest

from jettison.dockerfile.heredoc import HeredocError, heredocs_from_line, parse_heredoc
from jettison.dockerfile.parser import parse
from jettison.errors import JettisonError

DOCKERFILE = """
FROM alpine:3.6
RUN ls
USER <<INVALID
WORKDIR INVALID
RUN <<EMPTY
EMPTY
RUN 3<<EMPTY2
EMPTY2
RUN "<<NOHEREDOC"
RUN <<INDENT
\tfoo
\tbar
INDENT
RUN <<-UNINDENT
\tbaz
\tquux
\tUNINDENT
RUN <<-'NOEXPAND'
\tdon't expand $NAME
NOEXPAND
RUN <<COMMENT
# internal comment
echo foo bar # trailing comment
COMMENT
RUN --mount=type=cache,target=/foo <<MOUNT
echo hello
MOUNT
COPY <<FILE1 <<FILE2 /dest
content 1
FILE1
content 2
FILE2
COPY <<X <<Y /dest
Y
X
X
Y
RUN <<COMPLEX python3
print('hello world')
COMPLEX
RUN <<eo'f'
echo foo
eof
RUN <<eo\\'f
echo foo
eo'f
RUN <<'e'o\\'f
echo foo
eo'f
RUN <<'one two'
echo bar
one two
RUN <<$EOF
$EOF
RUN <<  EOF  > foo
EOF
RUN ["<<EOF"]
ONBUILD RUN <<EOF
echo later
EOF
"""

# (name, content, expand, chomp, fd) per instruction, in order.
EXPECTED = [
    [],  # FROM
    [],  # RUN ls
    [],  # USER <<INVALID: only ADD, COPY and RUN take heredocs
    [],  # WORKDIR
    [("EMPTY", "", True, False, 0)],
    [("EMPTY2", "", True, False, 3)],
    [],  # quoted "<<NOHEREDOC"
    [("INDENT", "\tfoo\n\tbar\n", True, False, 0)],
    [("UNINDENT", "\tbaz\n\tquux\n", True, True, 0)],
    [("NOEXPAND", "\tdon't expand $NAME\n", False, True, 0)],
    [("COMMENT", "# internal comment\necho foo bar # trailing comment\n", True, False, 0)],
    [("MOUNT", "echo hello\n", True, False, 0)],
    [("FILE1", "content 1\n", True, False, 0), ("FILE2", "content 2\n", True, False, 0)],
    [("X", "Y\n", True, False, 0), ("Y", "X\n", True, False, 0)],
    [("COMPLEX", "print('hello world')\n", True, False, 0)],
    [("eof", "echo foo\n", False, False, 0)],
    [("eo'f", "echo foo\n", True, False, 0)],
    [("eo'f", "echo foo\n", False, False, 0)],
    [("one two", "echo bar\n", False, False, 0)],
    [("$EOF", "", True, False, 0)],
    [("EOF", "", True, False, 0)],
    [],  # exec form never has heredocs
    [("EOF", "echo later\n", True, False, 0)],  # ONBUILD looks at its trigger
]


def test_heredocs_match_buildkit() -> None:
    dockerfile = parse(DOCKERFILE)
    got = [
        [(h.name, h.content, h.expand, h.chomp, h.fd) for h in instruction.heredocs]
        for instruction in dockerfile.instructions
    ]
    assert got == EXPECTED


def test_heredoc_lines_and_body() -> None:
    dockerfile = parse("FROM a\nRUN <<-EOF bash\n\techo hi\n\tEOF\nRUN true\n")
    run = dockerfile.instructions[1]
    assert (run.start_line, run.end_line) == (2, 4)
    assert run.heredocs[0].body == "echo hi\n"  # <<- strips tabs from the body the build sees
    assert run.raw_args == "<<-EOF bash" and run.args == ("<<-EOF bash",)
    assert run.original == "RUN <<-EOF bash\n\techo hi\n\tEOF"
    assert dockerfile.instructions[2].start_line == 5


def test_copy_heredoc_keeps_destination_and_flags() -> None:
    text = 'FROM a\nCOPY --chmod=755 <<"EOF" /usr/local/bin/run\n#!/bin/sh\nexec "$@"\nEOF\n'
    copy = parse(text).instructions[1]
    assert copy.flags == ("--chmod=755",)
    assert copy.args == ('<<"EOF"', "/usr/local/bin/run")
    assert copy.heredocs[0].content == '#!/bin/sh\nexec "$@"\n' and not copy.heredocs[0].expand


@pytest.mark.parametrize(
    "word", ["<<EOF", "<<'EOF'", '<<"EOF"', "<<-EOF", "<<-'EOF'", '<<-"EOF"', '<<EO"F"', "<< EOF"]
)
def test_heredoc_words(word: str) -> None:
    heredoc = parse_heredoc(word)
    assert heredoc is not None and heredoc.name == "EOF"


@pytest.mark.parametrize("word", ["", "EOF", "<<", "<<-", "<EOF", "<<<EOF", "<<EOF sh"])
def test_not_heredoc_words(word: str) -> None:
    assert parse_heredoc(word) is None


@pytest.mark.parametrize("word", ["<<'EOF", '<<"EOF', "<<EOF'", '<<EOF"'])
def test_invalid_heredoc_words(word: str) -> None:
    with pytest.raises(HeredocError):
        parse_heredoc(word)


@pytest.mark.parametrize(
    ("line", "names"),
    [
        ("RUN <<EOF", ["EOF"]),
        ("RUN << EOF", ["EOF"]),
        # The lexer keeps blanks right after `<<` only, so `<<-` and `EOF` are two words and neither opens a
        # heredoc (BuildKit's own test of this line loops over an empty result).
        ("RUN <<- EOF", []),
        ("RUN << -EOF", ["-EOF"]),
        ("RUN 4<<EOF", ["EOF"]),
        ("RUN <<EOF <<EOF2", ["EOF", "EOF2"]),
        ("RUN '<<EOF'", []),
        ('RUN "<<EOF"', []),
        ("RUN cat<<EOF", []),
        ("RUN <<EOF ${", []),  # BuildKit's lexer fails on the line: it then sees no heredoc at all
    ],
)
def test_heredocs_from_line(line: str, names: list[str]) -> None:
    assert [heredoc.name for heredoc in heredocs_from_line(line)] == names


def test_unterminated_heredoc_names_the_instruction_line() -> None:
    with pytest.raises(JettisonError) as raised:
        parse(b"FROM python:3.11-slim\nRUN <<EOF\necho never closed\n", "Dockerfile")
    assert str(raised.value) == "Dockerfile:2: unterminated heredoc <<EOF"


def test_second_heredoc_unterminated() -> None:
    with pytest.raises(JettisonError, match="unterminated heredoc <<B"):
        parse("FROM a\nCOPY <<A <<B /x\na\nA\nb\n")
