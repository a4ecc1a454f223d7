"""Differential test: random Dockerfiles parse the same here as in BuildKit's own Go parser.

The `dockerfile` package (PyPI, MIT) links BuildKit v0.12.5's parser through cgo. Its API flattens the
tree (ENV/LABEL pairs without BuildKit's separator nodes, strings cut at NUL, no escape or directive
details), so it cannot replace our parser or pass the conformance dumps, but it is a real BuildKit to
compare against. Left out of the comparison: what BuildKit changed after v0.12.5 (the `check` directive,
blanks between `<<` and the delimiter, and moby/buildkit#5107: a JSON array followed by more text is
shell form now, where v0.12.5 ignored the rest), what only a build rejects (we reject unknown instructions and
bad ONBUILD triggers at parse time), and strings the wrapper cannot decode.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jettison.dockerfile.parser import parse
from jettison.errors import JettisonError

buildkit = pytest.importorskip(
    "dockerfile", reason="the `dockerfile` package (BuildKit's Go parser) is absent"
)

_KEYWORDS = [
    "FROM", "RUN", "COPY", "ADD", "ENV", "ARG", "LABEL", "CMD", "ENTRYPOINT", "HEALTHCHECK", "ONBUILD RUN",
    "ONBUILD COPY", "MAINTAINER", "SHELL", "VOLUME", "EXPOSE", "USER", "WORKDIR", "STOPSIGNAL", "run", "Copy",
    "onbuild env",
]  # fmt: skip
_ATOMS = [
    "a", "b=c", 'x="y z"', "'q r'", "\\ ", '\\"', "\\", "`", "é", "--f", "--from=x",
    "--mount=type=cache,target=/x", '"--q=a b"', "[", "]", '"s"', ",", "<<EOF", "<<-EOF", "<<'E'", "2<<EOF",
    "$A", "${A:-b}", "${", "#", "=", "\t", "\x0b", "\u00a0", "\u3000", "\x85", "--", "-",
]  # fmt: skip
_SEPARATORS = [" ", "  ", "\t", " \\\n", " \\\n# c\n", "\\\n\n", " \\\n  \n  ", "`\n"]
_BODIES = ["", "EOF\n", "x\nEOF\n", "\tEOF\n", "E\n", "y\nE\nEOF\n", "EOF\nEOF\nEOF\n", "E\nEOF\nE\n"]
_BEFORE = ["", "# comment\n", "\n", "#\n", "  # x\n"]


@st.composite
def _instruction(draw: st.DrawFn) -> str:
    keyword = draw(st.sampled_from(_KEYWORDS))
    words = draw(st.lists(st.lists(st.sampled_from(_ATOMS), min_size=1, max_size=3).map("".join), max_size=5))
    if keyword in ("RUN", "COPY", "ONBUILD RUN") and len(words) % 2:
        keyword += " <<EOF"
    text = keyword + "".join(draw(st.sampled_from(_SEPARATORS)) + word for word in words)
    return (
        draw(st.sampled_from(_BEFORE))
        + text
        + draw(st.sampled_from(["", " ", "\\", " \\"]))
        + "\n"
        + draw(st.sampled_from(_BODIES))
    )


_JSON = st.lists(
    st.sampled_from(['"a"', '"b c"', '"\\u00e9"', '"\\\\"', '""', '"x\\"y"', "1"]), max_size=4
).map(lambda items: "CMD [" + ", ".join(items) + "]\n")
dockerfiles = st.tuples(
    st.sampled_from(["", "# escape=`\n", "# syntax=x\n", "#escape=\\\n\n"]),
    st.lists(_instruction() | _JSON, min_size=1, max_size=6),
).map(lambda parts: parts[0] + "".join(parts[1]))


def _json_then_more(text: str) -> bool:
    """A JSON array with more text after it, which v0.12.5 read as exec form and BuildKit now doesn't."""
    text = text.lstrip()
    try:
        _, end = json.JSONDecoder().raw_decode(text)
    except ValueError:
        return False
    return text.startswith("[") and bool(text[end:].strip())


def _ours(text: str) -> object:
    try:
        dockerfile = parse(text)
    except JettisonError as error:
        return "error", error.message
    tree = []
    for instruction in dockerfile.instructions:
        node = instruction.trigger or instruction
        if _json_then_more(node.raw_args) or _json_then_more(node.raw_args.partition(" ")[2]):
            return "skip", "JSON array then more text"
        args = node.args
        if node.keyword in ("ENV", "LABEL"):  # the wrapper drops the separator nodes
            args = tuple(arg for index, arg in enumerate(args) if index % 3 != 2)
        # the wrapper reads heredocs from ONBUILD's inner node, where BuildKit does not keep them
        heredocs = () if instruction.trigger else tuple((h.name, h.content) for h in instruction.heredocs)
        sub = node.keyword if instruction.trigger else None
        tree.append((instruction.keyword, sub, instruction.flags, node.json_form, args,
                     instruction.start_line, instruction.end_line, heredocs))  # fmt: skip
    return tree


def _buildkits(text: str) -> object:
    try:
        commands = buildkit.parse_string(text)
    except buildkit.GoParseError as error:
        return "error", str(error)
    return [
        ((c.cmd or "").upper(), c.sub_cmd.upper() if c.sub_cmd else None, c.flags, c.json, c.value,
         c.start_line, c.end_line, tuple((h.name, h.content) for h in c.heredocs))
        for c in commands
    ]  # fmt: skip


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dockerfiles)
def test_parses_like_buildkit(text: str) -> None:
    ours = _ours(text)
    if ours[0] == "skip":
        return
    try:
        theirs = _buildkits(text)
    except UnicodeDecodeError:
        return  # BuildKit split a UTF-8 character (bytes 0x85/0xa0 count as blanks); the wrapper can't decode
    if ours[0] == "error" and theirs[0] == "error":
        return  # both reject (the messages differ where the wrapper adds its own)
    message = ours[1] if ours[0] == "error" else ""
    if isinstance(message, str) and message.startswith(
        ("unknown instruction", "missing instruction", "ONBUILD")
    ):
        return  # BuildKit's build, not its parser, rejects these
    if "ONBUILD" in message or "isn't allowed as an ONBUILD trigger" in message:
        return
    assert ours == theirs


def test_a_typical_dockerfile_parses_like_buildkit() -> None:
    text = (
        "# syntax=docker/dockerfile:1\n"
        "FROM python:3.11-slim AS build\n"
        "ENV PIP_NO_CACHE_DIR=1 \\\n    # why\n    PATH=/venv/bin:$PATH\n"
        "RUN --mount=type=cache,target=/root/.cache <<-EOF\n\tpip install -r r.txt\n\tEOF\n"
        "COPY --from=build --chown=app <<A <<B /dst/\na\nA\nb\nB\n"
        'HEALTHCHECK --interval=5s CMD ["curl", "-f", "http://localhost/"]\n'
        "ONBUILD RUN echo later\n"
        'CMD ["gunicorn", "app:app"]\n'
    )
    ours = _ours(text)
    assert isinstance(ours, list) and len(ours) == 7
    assert ours == _buildkits(text)
