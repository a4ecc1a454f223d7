"""Parse a Dockerfile into its syntax tree (ast.py) exactly as BuildKit's parser does.

A port of moby/buildkit frontend/dockerfile/parser (parser.go, line_parsers.go, split_command.go,
directives.go): line continuations with comments and blank lines inside, the `escape`/`syntax`/`check`
directives, `--flags`, exec (JSON) form with BuildKit's fallback to shell form for arrays that are not
JSON, ONBUILD, HEALTHCHECK and heredocs (heredoc.py). `dump` (dump.py, re-exported here) prints the tree
as BuildKit's AST dump does; every case of BuildKit's parser conformance suite dumps byte for byte.

Written by hand because no Python library passes the conformance cases: `dockerfile-parse` splits lines
with its own regular expressions and knows no heredocs (their bodies come out as instructions: `RUN
<<EOF`, `ECHO hi`, `EOF`), nor BuildKit's argument nodes; `dockerfile` (BuildKit v0.12.5's Go parser
through cgo) flattens the tree, dropping ENV/LABEL separator nodes and cutting strings at NUL (17 of 33
dumps match), and has no columns, comments or heredoc quoting. It serves as the oracle of
tests/dockerfile_parser/test_against_buildkit.py instead.

Beyond BuildKit's parser, `parse` rejects what a BuildKit build rejects right after parsing: unknown
instructions and invalid ONBUILD triggers. It also rejects binary and non-UTF-8 input. Every rejection is
a JettisonError naming the file and line.
"""

from __future__ import annotations

import dataclasses
import difflib
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from jettison.dockerfile.ast import Comment, Dockerfile, Heredoc, Instruction
from jettison.dockerfile.dump import dump, go_quote
from jettison.dockerfile.heredoc import GO_SPACES, HeredocError, heredocs_from_line
from jettison.errors import JettisonError

__all__ = ["MAX_DOCKERFILE_BYTES", "MAX_LINE_BYTES", "MAX_LINES", "dump", "go_quote", "parse", "parse_file"]

MAX_LINE_BYTES = 65535  # Go's bufio.Scanner refuses longer lines, and so BuildKit does
# Our own limits, far above any real Dockerfile: past them every reader (audit, fix, build) refuses the
# file with one located line instead of spending minutes and hundreds of MB on it.
MAX_DOCKERFILE_BYTES = 1_000_000
MAX_LINES = 20_000
MAX_EXPANSION_DEPTH = 64  # nested ${a:-${b:-...}}; the expander recurses once per level

# Which BuildKit line parser reads each instruction's arguments (parser.go's dispatch table).
_PARSERS = {
    "ADD": "json_or_list",
    "ARG": "name_or_name_value",
    "CMD": "json_or_string",
    "COPY": "json_or_list",
    "ENTRYPOINT": "json_or_string",
    "ENV": "name_value",
    "EXPOSE": "whitespace_list",
    "FROM": "whitespace_list",
    "HEALTHCHECK": "healthcheck",
    "LABEL": "name_value",
    "MAINTAINER": "string",
    "ONBUILD": "subcommand",
    "RUN": "json_or_string",
    "SHELL": "json_or_string",
    "STOPSIGNAL": "string",
    "USER": "string",
    "VOLUME": "json_or_list",
    "WORKDIR": "string",
}
_KEYWORDS = {keyword.lower(): keyword for keyword in _PARSERS}
_HEREDOC_INSTRUCTIONS = {"ADD", "COPY", "RUN"}
_VALID_DIRECTIVES = {"syntax", "escape", "check"}
_DIRECTIVE = re.compile(r"([a-zA-Z][a-zA-Z0-9]*)[\t\n\f\r ]*=[\t\n\f\r ]*(.+?)[\t\n\f\r ]*\Z")
_WHITESPACE = re.compile(r"[\t\v\f\r ]+")  # BuildKit's reWhitespace: ASCII blanks only, unlike GO_SPACES
# unicode.IsSpace on a single byte, as split_command.go and parseHealthConfig test bytes, not runes.
_BYTE_SPACES = frozenset(b"\t\n\v\f\r \x85\xa0")


class _SyntaxError(ValueError):
    """A parse error whose line the caller knows."""


class _NotJSON(ValueError):
    """Arguments that do not parse as a JSON array: BuildKit reads them as shell form instead."""


@dataclass
class _Directives:
    """Parser directives (`# escape=\\``): only before the first line that is not one (directives.go)."""

    escape: str = "\\"
    values: dict[str, str] = field(default_factory=dict)
    done: bool = False
    continuation: re.Pattern[str] = field(init=False)

    def __post_init__(self) -> None:
        self.set_escape("\\")

    def set_escape(self, token: str) -> None:
        if token not in ("`", "\\"):
            raise _SyntaxError(f"invalid escape token '{token}' does not match ` or \\")
        self.escape = token
        e = re.escape(token)
        # The escape token ends a line as continuation unless it is itself escaped; BuildKit's regexp.
        self.continuation = re.compile(rf"([^{e}]){e}[ \t]*\Z|^{e}[ \t]*\Z")

    def read(self, line: str) -> bool:
        """Take `line` as a directive if it is one; True when it was."""
        if self.done:
            return False
        match = _DIRECTIVE.match(line[1:].lstrip(GO_SPACES)) if line.startswith("#") else None
        if match is None or match[1].lower() not in _VALID_DIRECTIVES:
            self.done = True
            return False
        name, value = match[1].lower(), match[2]
        if name in self.values:
            raise _SyntaxError(f"only one {name} parser directive can be used")
        self.values[name] = value
        if name == "escape":
            self.set_escape(value)
        return True

    def fold(self, line: str) -> tuple[str, bool]:
        """The line without its continuation token, and whether the instruction ends here."""
        folded, count = self.continuation.subn(r"\1", line, count=1)
        return folded, count == 0


@dataclass
class _Node:
    """One instruction as BuildKit's line parsers leave it, before positions are attached."""

    keyword: str
    flags: list[str]
    args: list[str]
    raw_args: str
    json_form: bool = False
    trigger: _Node | None = None


# --- input ---------------------------------------------------------------------------------------


def _decode(data: str | bytes, path: str) -> str:
    if isinstance(data, bytes | bytearray):
        data = bytes(data)
        if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
            raise JettisonError("UTF-16 text: save the Dockerfile as UTF-8", path, 1)
        if b"\0" in data:
            raise JettisonError("binary file, not a Dockerfile", path, 1)
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as error:
            line = data[: error.start].count(b"\n") + 1
            raise JettisonError(f"not UTF-8 text (byte 0x{data[error.start]:02x})", path, line) from None
    if "\0" in data:
        raise JettisonError("binary file, not a Dockerfile", path, 1)
    try:
        data.encode("utf-8")
    except UnicodeEncodeError as error:
        line = data[: error.start].count("\n") + 1
        raise JettisonError("not UTF-8 text", path, line) from None
    return data


def _lines(text: str) -> list[str]:
    """Lines with their '\\n' kept, as BuildKit's scanner yields them; '\\r' alone ends no line."""
    lines = text.split("\n")
    last = lines.pop()
    lines = [line + "\n" for line in lines]
    if last:
        lines.append(last)
    return lines


def _trim_newline(line: str) -> str:
    return line.rstrip("\r\n")


def _is_comment(line: str) -> bool:
    return line.lstrip(GO_SPACES).startswith("#")


def _comment_text(line: str) -> str:
    return line.lstrip(GO_SPACES)[1:].strip(GO_SPACES)


# --- the line parsers (line_parsers.go) -----------------------------------------------------------


def _go_lower(text: str) -> str:
    # Go lower-cases U+0130 to a plain 'i'; Python adds a combining dot. Instruction names are matched
    # after lower-casing, so keep Go's answer.
    return text.replace("\u0130", "i").lower()


def _split_command(line: str) -> tuple[str, list[str], str]:
    """Instruction name, `--flags`, and the rest of the line (split_command.go)."""
    parts = _WHITESPACE.split(line.strip(GO_SPACES), maxsplit=1)
    args, flags = "", []
    if len(parts) == 2:
        args, flags = _extract_flags(parts[1])
    return parts[0], flags, args.strip(GO_SPACES)


def _extract_flags(line: str) -> tuple[str, list[str]]:
    """Leading `--name[=value]` words, then the rest; BuildKit reads these byte by byte.

    Like BuildKit, each byte of a flag is taken as one character, so a non-ASCII flag value comes out
    as its UTF-8 bytes read as Latin-1 (`--chown=josé` gives `--chown=josÃ©`), and the bytes 0x85 and
    0xa0 separate words even inside a UTF-8 character.
    """
    data = line.encode("utf-8", "surrogateescape")
    words: list[str] = []
    word: list[str] = []
    quote = 0
    blank_ok = False
    in_word = in_quote = False
    pos = 0
    end = len(data)
    while pos <= end:
        if not (in_word or in_quote):
            if pos == end:
                break
            ch = data[pos]
            if ch in _BYTE_SPACES:
                pos += 1
                continue
            if ch != ord("-") or pos + 1 == end or data[pos + 1] != ord("-"):
                return data[pos:].decode("utf-8", "surrogateescape"), words
            in_word = True
        if pos == end:
            if "".join(word) != "--" and (blank_ok or word):
                words.append("".join(word))
            break
        ch = data[pos]
        if in_word:
            if ch in _BYTE_SPACES:
                in_word = False
                if "".join(word) == "--":
                    return data[pos:].decode("utf-8", "surrogateescape"), words
                if blank_ok or word:
                    words.append("".join(word))
                word, blank_ok = [], False
            elif ch in b"'\"":
                quote, blank_ok, in_word, in_quote = ch, True, False, True
            elif ch == ord("\\"):
                if pos + 1 != end:
                    pos += 1
                    word.append(chr(data[pos]))
            else:
                word.append(chr(ch))
        elif ch == quote:
            in_word, in_quote = True, False
        elif ch == ord("\\"):
            if pos + 1 == end:
                in_word, in_quote = True, False
            else:
                pos += 1
                word.append(chr(data[pos]))
        else:
            word.append(chr(ch))
        pos += 1
    return "", words


def _rune(ch: str) -> str:
    # Go decodes an invalid UTF-8 byte as U+FFFD and writes that back.
    return "\ufffd" if "\udc80" <= ch <= "\udcff" else ch


def _parse_words(rest: str, escape: str) -> list[str]:
    """Words split at blanks with quotes kept (parseWords): `a="b c" d` gives `a="b c"` and `d`."""
    words: list[str] = []
    word: list[str] = []
    quote = ""
    blank_ok = False
    in_word = in_quote = False
    pos = 0
    end = len(rest)
    while pos <= end:
        if not (in_word or in_quote):
            if pos == end:
                break
            if rest[pos] in GO_SPACES:
                pos += 1
                continue
            in_word = True
        if pos == end:
            if blank_ok or word:
                words.append("".join(word))
            break
        ch = rest[pos]
        if in_word:
            if ch in GO_SPACES:
                in_word = False
                if blank_ok or word:
                    words.append("".join(word))
                word, blank_ok = [], False
                pos += 1
                continue
            if ch in "'\"":
                quote, blank_ok, in_word, in_quote = ch, True, False, True
            if ch == escape:
                if pos + 1 == end:
                    pos += 1
                    continue  # an escape at the very end is dropped
                word.append(ch)
                pos += 1
                ch = rest[pos]
            word.append(_rune(ch))
        else:
            if ch == quote:
                in_word, in_quote = True, False
            if ch == escape and quote != "'":
                if pos + 1 == end:
                    in_word, in_quote = True, False
                    pos += 1
                    continue
                pos += 1
                word.append(ch)
                ch = rest[pos]
            word.append(_rune(ch))
        pos += 1
    return words


def _parse_name_value(rest: str, keyword: str, escape: str) -> list[str]:
    """ENV and LABEL: `KEY value` (legacy) or `k=v k2=v2`, as [key, value, separator] triplets."""
    words = _parse_words(rest, escape)
    if not words:
        return []
    if "=" not in words[0]:
        parts = _WHITESPACE.split(rest, maxsplit=1)
        if len(parts) < 2:
            raise _SyntaxError(f"{keyword} must have two arguments")
        return [parts[0], parts[1], ""]
    args: list[str] = []
    for word in words:
        if "=" not in word:
            raise _SyntaxError(
                f"Syntax error - can't find = in {go_quote(word)}. Must be of the form: name=value"
            )
        key, _, value = word.partition("=")
        args += [key, value, "="]
    return args


class _Overflow(ValueError):
    pass


def _go_number(text: str) -> float:
    # Go decodes JSON numbers into float64 and fails past its range; BuildKit then reads shell form.
    if not text.isascii() or math.isinf(float(text)):
        raise _Overflow(text)
    return 0.0


def _nesting(text: str) -> int:
    """How deeply arrays and objects nest in `text`, strings skipped."""
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            escaped, in_string = (False, True) if escaped else (ch == "\\", ch != '"')
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


def _expansion_depth(text: str) -> int:
    """How deeply `${` nests in `text` (quotes ignored: an over-estimate is harmless at this limit)."""
    if "${" not in text:
        return 0
    depth = deepest = 0
    previous = ""
    for ch in text:
        if ch == "{" and previous == "$":
            depth += 1
            deepest = max(deepest, depth)
        elif ch == "}" and depth:
            depth -= 1
        previous = ch
    return deepest


def _reject_constant(text: str) -> float:
    raise _NotJSON(text)  # NaN and Infinity are Python's JSON extensions, not JSON


def _parse_json(rest: str) -> list[str]:
    rest = rest.lstrip(GO_SPACES)
    if not rest.startswith("["):
        raise _NotJSON(rest)
    try:  # the whole text must be the array (json.Unmarshal since moby/buildkit#5107), or it is shell form
        value = json.loads(
            rest, parse_float=_go_number, parse_int=_go_number, parse_constant=_reject_constant
        )
    except RecursionError:
        # Deeper than Python recurses: Go's decoder accepts up to 10000 levels (then not an array of
        # strings) and calls deeper input invalid JSON (then shell form).
        if _nesting(rest) > 10000:
            raise _NotJSON(rest) from None
        value = [[]]
    except ValueError as error:
        raise _NotJSON(rest) from error
    if not all(isinstance(item, str) for item in value):
        raise _SyntaxError("when using JSON array syntax, arrays must be comprised of strings only")
    # Go's decoder turns lone surrogates (and invalid bytes) into U+FFFD.
    return [re.sub("[\ud800-\udfff]", "\ufffd", item) for item in value]


def _json_or_string(rest: str) -> tuple[list[str], bool]:
    if not rest:
        return [], False
    try:
        return _parse_json(rest), True
    except _NotJSON:
        return [rest], False


def _json_or_list(rest: str) -> tuple[list[str], bool]:
    try:
        return _parse_json(rest), True
    except _NotJSON:
        return _whitespace_list(rest), False


def _whitespace_list(rest: str) -> list[str]:
    return _WHITESPACE.split(rest) if rest else []


def _healthcheck(rest: str) -> tuple[list[str], bool]:
    """`HEALTHCHECK [flags] CMD command` or `NONE`: the type word, then the command as CMD reads it."""
    data = rest.encode("utf-8", "surrogateescape")
    sep = 0
    while sep < len(data) and data[sep] not in _BYTE_SPACES:
        sep += 1
    after = sep
    while after < len(data) and data[after] in _BYTE_SPACES:
        after += 1
    if sep == 0:
        return [], False
    command, json_form = _json_or_string(data[after:].decode("utf-8", "surrogateescape"))
    return [data[:sep].decode("utf-8", "surrogateescape"), *command], json_form


def _node(line: str, directives: _Directives) -> _Node:
    """newNodeFromLine: split off name and flags, then read the arguments the instruction's way."""
    name, flags, rest = _split_command(line)
    # BuildKit looks the lower-cased name up (upper-casing would also turn 'ſ' or 'ı' into ASCII).
    keyword = _KEYWORDS.get(_go_lower(name))
    if keyword is None:
        raise _SyntaxError(_unknown_instruction(name))
    kind = _PARSERS[keyword]
    node = _Node(keyword, flags, [], rest)
    if kind == "json_or_string":
        node.args, node.json_form = _json_or_string(rest)
    elif kind == "json_or_list":
        node.args, node.json_form = _json_or_list(rest)
    elif kind == "healthcheck":
        node.args, node.json_form = _healthcheck(rest)
    elif kind == "whitespace_list":
        node.args = _whitespace_list(rest)
    elif kind == "string":
        node.args = [rest] if rest else []
    elif kind == "name_value":
        node.args = _parse_name_value(rest, keyword, directives.escape)
    elif kind == "name_or_name_value":
        node.args = _parse_words(rest, directives.escape)
    elif rest:  # ONBUILD
        node.trigger = _node(rest, directives)
        if node.trigger.keyword == "ONBUILD":
            raise _SyntaxError("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed")
        if node.trigger.keyword in ("FROM", "MAINTAINER"):
            raise _SyntaxError(f"{node.trigger.keyword} isn't allowed as an ONBUILD trigger")
    else:
        raise _SyntaxError("ONBUILD requires at least one argument")
    # BuildKit's byte-wise flag splitting can cut a UTF-8 character (at 0x85 or 0xa0) and leave invalid
    # bytes in the arguments; we hand on U+FFFD instead, so no later encode() fails on them.
    node.flags = [_valid(flag) for flag in node.flags]
    node.args = [_valid(arg) for arg in node.args]
    node.raw_args = _valid(node.raw_args)
    return node


def _valid(text: str) -> str:
    return re.sub("[\udc80-\udcff]", "\ufffd", text)


def _unknown_instruction(name: str) -> str:
    if not name:
        return "missing instruction"
    close = difflib.get_close_matches(name.upper(), _PARSERS, n=1, cutoff=0.7)
    hint = f" (did you mean {close[0].lower() if name.islower() else close[0]}?)" if close else ""
    return f"unknown instruction: {name}{hint}"


def _can_contain_heredoc(node: _Node) -> bool:
    if node.keyword == "ONBUILD" and node.trigger is not None:
        node = node.trigger
    return node.keyword in _HEREDOC_INSTRUCTIONS and not node.json_form


# --- the file (parser.go Parse) -------------------------------------------------------------------


@dataclass
class _Reader:
    """The file's lines, consumed in order as BuildKit's scanner does, with the comments seen so far."""

    path: str
    lines: list[str]
    consumed: int = 0  # also the 1-based number of the last line read
    directives: _Directives = field(default_factory=_Directives)
    comments: list[Comment] = field(default_factory=list)  # every comment, directives excluded
    above: list[Comment] = field(default_factory=list)  # since the last instruction (BuildKit's PrevComment)

    def next(self) -> str | None:
        if self.consumed == len(self.lines):
            return None
        self.consumed += 1
        return self.lines[self.consumed - 1]

    def fail(self, message: str, line: int) -> JettisonError:
        return JettisonError(message, self.path, max(line, 1))

    def first_line(self, raw: str) -> str:
        """An instruction's first line without its comment; reads directives and collects comments."""
        token = _trim_newline(raw).lstrip(GO_SPACES)
        try:
            is_directive = self.directives.read(token)
        except _SyntaxError as error:
            raise self.fail(str(error), self.consumed) from None
        if is_directive:
            return ""
        if not _is_comment(token):
            return token
        comment = Comment(self.consumed, _comment_text(raw))
        self.comments.append(comment)
        # A bare `#` line starts a new block of comments; blank lines do not, as in BuildKit.
        self.above = [*self.above, comment] if comment.text else []
        return ""

    def continuation(self, folded: str, ends: bool) -> str:
        """The instruction folded over its continuation lines; comment and blank lines inside are skipped."""
        parts = [folded]
        while not ends and (raw := self.next()) is not None:
            if _is_comment(raw):
                self.comments.append(Comment(self.consumed, _comment_text(raw)))
                continue
            body = _trim_newline(raw)
            if not body.lstrip(GO_SPACES):
                continue  # an empty continuation line: BuildKit skips it (and warns)
            folded, ends = self.directives.fold(body)
            parts.append(folded)
        return "".join(parts)

    def heredoc_bodies(self, line: str, start: int) -> list[Heredoc]:
        """Bodies of the heredocs `line` opens, read one after the other from the following lines."""
        try:
            opened = heredocs_from_line(line)
        except HeredocError as error:
            raise self.fail(str(error), start) from None
        heredocs = []
        for heredoc in opened:
            body: list[str] = []
            while (raw := self.next()) is not None:
                candidate = _trim_newline(raw)
                if (candidate.lstrip("\t") if heredoc.chomp else candidate) == heredoc.name:
                    break
                body.append(raw)
            else:
                raise self.fail(f"unterminated heredoc <<{heredoc.name}", start)
            heredocs.append(dataclasses.replace(heredoc, content="".join(body)))
        return heredocs


def parse(text: str | bytes, path: str = "Dockerfile") -> Dockerfile:
    """The syntax tree of a Dockerfile; raises JettisonError(message, path, line) on malformed input."""
    path = str(path)  # a Path works too
    size = len(text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text)
    if size > MAX_DOCKERFILE_BYTES:
        raise JettisonError(
            f"{size} bytes: too large for a Dockerfile (at most {MAX_DOCKERFILE_BYTES})", path
        )
    source = _decode(text, path).removeprefix("\ufeff")
    reader = _Reader(path, _lines(source))
    if len(reader.lines) > MAX_LINES:
        raise reader.fail(
            f"{len(reader.lines)} lines: too many for a Dockerfile (at most {MAX_LINES})", MAX_LINES + 1
        )
    for number, line in enumerate(reader.lines, 1):
        if len(_trim_newline(line).encode("utf-8")) > MAX_LINE_BYTES:
            raise reader.fail(f"dockerfile line greater than max allowed size of {MAX_LINE_BYTES}", number)
    instructions: list[Instruction] = []
    while (raw := reader.next()) is not None:
        start = reader.consumed
        folded, ends = reader.directives.fold(reader.first_line(raw))
        if ends and not folded:
            continue  # a blank line, a comment or a directive
        line = reader.continuation(folded, ends)
        if _expansion_depth(line) > MAX_EXPANSION_DEPTH:
            raise reader.fail(
                f"variables nested more than {MAX_EXPANSION_DEPTH} levels deep (${{a:-${{b:-...}}}})", start
            )
        try:
            node = _node(line, reader.directives)
        except _SyntaxError as error:
            raise reader.fail(str(error), start) from None
        heredocs = reader.heredoc_bodies(line, start) if "<<" in line and _can_contain_heredoc(node) else []
        instructions.append(_instruction(node, reader.lines, start, reader.consumed, reader.above, heredocs))
        reader.above = []
    if not instructions:
        raise reader.fail("file with no instructions", reader.consumed)
    return Dockerfile(
        path=path,
        instructions=tuple(instructions),
        directives=dict(reader.directives.values),
        escape=reader.directives.escape,
        comments=tuple(reader.comments),
        source=source,
    )


def parse_file(path: str | Path) -> Dockerfile:
    """Read and parse a Dockerfile; unreadable files are a JettisonError too."""
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise JettisonError(f"cannot read: {error.strerror}", path) from None
    return parse(data, str(path))


def _instruction(
    node: _Node,
    lines: list[str],
    start: int,
    end: int,
    comments: list[Comment],
    heredocs: list[Heredoc],
) -> Instruction:
    first = _trim_newline(lines[start - 1])
    indent = len(first) - len(first.lstrip(GO_SPACES))
    source = "".join(lines[start - 1 : end])[indent:]
    last = _trim_newline(lines[end - 1])
    return Instruction(
        keyword=node.keyword,
        args=tuple(node.args),
        flags=tuple(node.flags),
        json_form=node.json_form,
        raw_args=node.raw_args,
        original=_trim_newline(source),
        heredocs=tuple(heredocs),
        start_line=start,
        end_line=end,
        start_column=indent + 1,
        end_column=len(last) + 1,
        comments=tuple(comments),
        trigger=_trigger(node.trigger, start, end, indent) if node.trigger else None,
    )


def _trigger(node: _Node, start: int, end: int, indent: int) -> Instruction:
    # ONBUILD's instruction shares its lines; its own position inside them is not needed by anyone.
    return Instruction(
        keyword=node.keyword,
        args=tuple(node.args),
        flags=tuple(node.flags),
        json_form=node.json_form,
        raw_args=node.raw_args,
        start_line=start,
        end_line=end,
        start_column=indent + 1,
    )
