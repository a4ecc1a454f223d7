"""Variable expansion as BuildKit's shell lexer (frontend/dockerfile/shell/lex.go) performs it.

Docker expands `$VAR`, `${VAR}`, `${VAR:-word}`, `${VAR-word}`, `${VAR:+word}`, `${VAR+word}` and
`${VAR:?msg}` itself in FROM, ARG, ENV, COPY, ADD, WORKDIR, USER, EXPOSE, LABEL, VOLUME, STOPSIGNAL and
ONBUILD; RUN, CMD and ENTRYPOINT are left to the shell. Quotes are removed the way the lexer removes
them (single quotes: literal; double quotes: expansion, escapes only before `"`, `$` and the escape
character). Written by hand because no library reproduces this dialect; it is small.

Besides the value, an expansion records which names were read and which were read while unset and
without a default: the ARG/ENV rules need exactly that.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

# Instructions whose arguments Docker itself expands (the others reach a shell or are literal).
EXPANDED_KEYWORDS = frozenset(
    {
        "ADD",
        "ARG",
        "COPY",
        "ENV",
        "EXPOSE",
        "FROM",
        "LABEL",
        "ONBUILD",
        "STOPSIGNAL",
        "USER",
        "VOLUME",
        "WORKDIR",
    }
)

_NAME_START = re.compile(r"[A-Za-z_]")
_NAME_CHAR = re.compile(r"[A-Za-z0-9_]")


@dataclass
class Expansion:
    value: str
    used: list[str] = field(default_factory=list)  # every name read, in order
    missing: list[str] = field(default_factory=list)  # read while unset and without a default


class _Lexer:
    def __init__(self, text: str, env: Mapping[str, str], escape: str, unquote: bool) -> None:
        self.text = text
        self.pos = 0
        self.env = env
        self.escape = escape
        self.unquote = unquote
        self.used: list[str] = []
        self.missing: list[str] = []

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def next(self) -> str:
        ch = self.peek()
        self.pos += 1 if ch else 0
        return ch

    def run(self, stop: str = "") -> str:
        """Read until EOF or an unescaped, unquoted `stop` character (used inside `${...:-word}`)."""
        out = []
        while self.pos < len(self.text):
            ch = self.peek()
            if stop and ch in stop:
                break
            self.pos += 1
            if ch == self.escape:
                nxt = self.next()
                if nxt == "":
                    out.append(ch)
                elif self.unquote:
                    out.append(nxt)
                else:
                    out.append(ch + nxt)
            elif ch == "'":
                out.append(self.single_quoted())
            elif ch == '"':
                out.append(self.double_quoted())
            elif ch == "$":
                out.append(self.dollar())
            else:
                out.append(ch)
        return "".join(out)

    def single_quoted(self) -> str:
        end = self.text.find("'", self.pos)
        end = len(self.text) if end < 0 else end
        body = self.text[self.pos : end]
        self.pos = min(end + 1, len(self.text))
        return body if self.unquote else f"'{body}'"

    def double_quoted(self) -> str:
        out = []
        while self.pos < len(self.text):
            ch = self.next()
            if ch == '"':
                break
            if ch == self.escape and self.peek() in ('"', "$", self.escape) and self.peek():
                nxt = self.next()
                out.append(nxt if self.unquote else ch + nxt)
            elif ch == "$":
                out.append(self.dollar())
            else:
                out.append(ch)
        body = "".join(out)
        return body if self.unquote else f'"{body}"'

    def name(self) -> str:
        start = self.pos
        if not _NAME_START.match(self.peek() or " "):
            # BuildKit reads a single digit or special character as a positional/special parameter.
            if self.peek().isdigit():
                self.pos += 1
            return self.text[start : self.pos]
        while self.peek() and _NAME_CHAR.match(self.peek()):
            self.pos += 1
        return self.text[start : self.pos]

    def lookup(self, name: str) -> str | None:
        self.used.append(name)
        return self.env.get(name)

    def dollar(self) -> str:
        if self.peek() == "{":
            self.pos += 1
            return self.braced()
        name = self.name()
        if not name:
            return "$"
        value = self.lookup(name)
        if value is None:
            self.missing.append(name)
            return ""
        return value

    def braced(self) -> str:
        name = self.name()
        ch = self.next()
        if ch == "}" or ch == "":
            value = self.lookup(name) if name else None
            if value is None:
                if name:
                    self.missing.append(name)
                return ""
            return value
        colon = ch == ":"
        if colon:
            ch = self.next()
        word = self.run(stop="}")
        self.next()  # the closing brace
        value = self.lookup(name) if name else None
        unset = value is None or (colon and value == "")
        if ch == "-":
            return word if unset else value or ""
        if ch == "+":
            return "" if unset else word
        if ch == "?":
            if unset:
                self.missing.append(name)
            return value or ""
        # Pattern removal and substitution (#, %, /) keep the value: enough for our rules.
        if value is None:
            self.missing.append(name)
        return value or ""


def expand(text: str, env: Mapping[str, str], escape: str = "\\", unquote: bool = True) -> Expansion:
    """Expand `text` against `env`; quotes and escapes are removed unless `unquote` is False."""
    lexer = _Lexer(text, env, escape, unquote)
    value = lexer.run()
    return Expansion(value, lexer.used, lexer.missing)


def references(text: str, escape: str = "\\") -> list[str]:
    """The variable names `text` reads, in order (with repeats), as Docker's expansion sees them."""
    return expand(text, {}, escape).used
