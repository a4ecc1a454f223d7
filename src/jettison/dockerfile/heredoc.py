"""Finding heredocs (`<<EOF`) in an instruction line, the way BuildKit's parser finds them.

BuildKit splits the folded instruction line into words with its shell lexer (frontend/dockerfile/shell,
with quotes, escapes and unset variables kept raw), and every word that looks like `[fd]<<[-]WORD` opens
a heredoc. Whether the body is expanded depends on whether any part of WORD was quoted, which BuildKit
learns by lexing WORD twice (quotes dropped, then kept) and comparing the quote counts. This module ports
that subset of the lexer so `RUN <<'EOF' python3`, `COPY <<A <<B /dst` and `RUN << EOF` come out the same.
"""

from __future__ import annotations

import re

from jettison.dockerfile.ast import Heredoc

# Go's unicode.IsSpace: what the lexer's word splitting treats as blanks.
GO_SPACES = (
    "\t\n\v\f\r \x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u2028\u2029\u202f\u205f\u3000"
)
_HEREDOC = re.compile(r"([0-9]*)<<(-?)[\t\n\f\r ]*([^<]*)\Z")  # Go's \d and \s are ASCII-only
_SPECIAL_PARAMS = "@*#?-$!0"
_MAX_UINT64 = 2**64 - 1


class HeredocError(ValueError):
    """A heredoc word BuildKit refuses (its lexer failed on the delimiter)."""


class _Words:
    """Word splitting that keeps quoted and escaped blanks inside the word (BuildKit's wordsStruct)."""

    def __init__(self) -> None:
        self.words: list[str] = []
        self.word = ""
        self.in_word = False

    def add_char(self, ch: str) -> None:
        if ch in GO_SPACES:
            if self.in_word and self.word:
                self.words.append(self.word)
                self.word, self.in_word = "", False
        else:
            self.add_raw(ch)

    def add_raw(self, text: str) -> None:
        self.word += text
        self.in_word = True

    def add_string(self, text: str) -> None:
        for ch in text:
            self.add_char(ch)

    def result(self) -> list[str]:
        if self.word:
            self.words.append(self.word)
            self.word, self.in_word = "", False
        return self.words


class _Lexer:
    """BuildKit's shellWord with an empty environment and SkipUnsetEnv: `$X` and `${X...}` stay as written."""

    def __init__(self, text: str, raw_quotes: bool, raw_escapes: bool) -> None:
        # Go's text/scanner reads an invalid UTF-8 byte (a surrogate escape here) as U+FFFD.
        self.text = re.sub("[\udc80-\udcff]", "\ufffd", text)
        if self.text.startswith("\ufeff"):
            self.text = self.text[1:]  # text/scanner skips a byte-order mark where it starts reading
        self.pos = 0
        self.raw_quotes = raw_quotes
        self.raw_escapes = raw_escapes

    def peek(self) -> str | None:
        return self.text[self.pos] if self.pos < len(self.text) else None

    def next(self) -> str | None:
        ch = self.peek()
        if ch is not None:
            self.pos += 1
        return ch

    def take(self) -> str:
        """The next character, where the caller has peeked that there is one."""
        self.pos += 1
        return self.text[self.pos - 1]

    def words(self) -> list[str]:
        return self.stop_on(None, self.raw_escapes)[1]

    def stop_on(self, stop: str | None, raw_escapes: bool) -> tuple[str, list[str]]:
        saved, self.raw_escapes = self.raw_escapes, raw_escapes
        try:
            return self._stop_on(stop)
        finally:
            self.raw_escapes = saved

    def _stop_on(self, stop: str | None) -> tuple[str, list[str]]:
        result: list[str] = []
        words = _Words()
        while (ch := self.peek()) is not None:
            if ch == stop:
                self.next()
                return "".join(result), words.result()
            special = {"$": self.dollar, "<": self.possible_heredoc, "'": self.single_quote,
                       '"': self.double_quote}.get(ch)  # fmt: skip
            if special is not None:
                text = special()
                result.append(text)
                if ch == "$":
                    words.add_string(text)
                else:
                    words.add_raw(text)
                continue
            ch = self.take()
            if ch == "\\":
                if self.raw_escapes:
                    words.add_raw(ch)
                    result.append(ch)
                escaped = self.next()
                if escaped is None:
                    break
                ch = escaped
                words.add_raw(ch)
            else:
                words.add_char(ch)
            result.append(ch)
        if stop is not None:
            raise HeredocError(f"unexpected end of statement while looking for matching {stop}")
        return "".join(result), words.result()

    def single_quote(self) -> str:
        quote = self.take()
        result = [quote] if self.raw_quotes else []
        while True:
            ch = self.next()
            if ch is None:
                raise HeredocError("unexpected end of statement while looking for matching single-quote")
            if ch == "'":
                if self.raw_quotes:
                    result.append(ch)
                return "".join(result)
            result.append(ch)

    def double_quote(self) -> str:
        quote = self.take()
        result = [quote] if self.raw_quotes else []
        while True:
            peeked = self.peek()
            if peeked is None:
                raise HeredocError("unexpected end of statement while looking for matching double-quote")
            if peeked == '"':
                self.next()
                if self.raw_quotes:
                    result.append(peeked)
                return "".join(result)
            if peeked == "$":
                result.append(self.dollar())
                continue
            ch = self.take()
            if ch == "\\":
                if self.raw_escapes:
                    result.append(ch)
                after = self.peek()
                if after is None:
                    continue  # BuildKit drops an escape at the very end (and then misses the quote)
                if after in '"$\\':
                    ch = self.take()
            result.append(ch)

    def dollar(self) -> str:
        self.next()
        if self.peek() != "{":
            return "$" + self.name()
        self.next()
        first = self.peek()
        if first is None:
            raise HeredocError("syntax error: missing '}'")
        if first in "{}:":
            raise HeredocError("syntax error: bad substitution")
        name = self.name()
        ch = self.next()
        if ch is None:
            raise HeredocError("syntax error: missing '}'")
        if ch == "}":
            return "${" + name + "}"
        modifier = ch
        null_is_unset = ch == ":"
        if null_is_unset:
            ch = self.next()
            if ch is None:
                raise HeredocError("syntax error: missing '}'")
            modifier += ch
        elif ch == "/":
            op = "/"
            if self.peek() == "/":
                self.next()
                op = "//"
            pattern = self._until("/", True, "syntax error: missing '/' in ${}")
            replacement = self._until("}", True, "syntax error: missing '}'")
            return "${" + name + op + pattern + "/" + replacement + "}"
        elif ch not in "+-?#%":
            raise HeredocError(f"unsupported modifier ({modifier}) in substitution")
        raw = ch in "#%"
        if null_is_unset and raw:
            raise HeredocError(f"unsupported modifier ({modifier}) in substitution")
        word = self._until("}", raw, "syntax error: missing '}'")
        return "${" + name + modifier + word + "}"

    def _until(self, stop: str, raw_escapes: bool, at_end: str) -> str:
        try:
            return self.stop_on(stop, raw_escapes)[0]
        except HeredocError:
            if self.peek() is None:
                raise HeredocError(at_end) from None
            raise

    def name(self) -> str:
        name = ""
        while (ch := self.peek()) is not None:
            if not name and ch.isdecimal():
                while (digit := self.peek()) is not None and digit.isdecimal():
                    name += self.take()
                return name
            if not name and ch in _SPECIAL_PARAMS:
                return self.take()
            if not (ch.isalpha() or ch.isdecimal() or ch == "_"):
                break
            name += self.take()
        return name

    def possible_heredoc(self) -> str:
        self.next()
        if self.peek() != "<":
            return "<"
        self.next()
        space = ""
        while (ch := self.peek()) is not None and ch in " \t\r":  # `<< EOF` stays one word
            space += self.take()
        return "<<" + space


def parse_heredoc(word: str) -> Heredoc | None:
    """The heredoc a `[fd]<<[-]WORD` word opens, None when the word opens none."""
    match = _HEREDOC.match(word)
    if match is None or not match[3]:
        return None
    fd = int(match[1]) if match[1] else 0
    rest = match[3]
    words = _Lexer(rest, raw_quotes=False, raw_escapes=False).words()
    if len(words) != 1:
        return None
    raw_words = _Lexer(rest, raw_quotes=True, raw_escapes=False).words()
    if len(raw_words) != 1:
        raise HeredocError(f"internal lexing of heredoc produced inconsistent results: {rest}")
    name, raw = words[0], raw_words[0]
    quotes = name.count("'") + name.count('"')
    raw_quotes = raw.count("'") + raw.count('"')
    return Heredoc(
        name=name,
        content="",
        expand=quotes == raw_quotes,  # any quoting of the delimiter turns expansion off, as in sh
        chomp=match[2] == "-",
        fd=fd if fd <= _MAX_UINT64 else 0,  # Go's ParseUint fails (0) past uint64
    )


def heredocs_from_line(line: str) -> list[Heredoc]:
    """Heredocs opened on a folded instruction line, in order (their bodies not yet read)."""
    try:
        words = _Lexer(line, raw_quotes=True, raw_escapes=True).words()
    except HeredocError:
        return []  # BuildKit ignores a line its lexer cannot split: no heredocs then
    return [heredoc for word in words if (heredoc := parse_heredoc(word)) is not None]
