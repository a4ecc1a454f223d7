"""The syntax tree of a Dockerfile, as BuildKit's parser sees it.

Plain frozen data: the parser (parser.py) builds it, the semantic model (model.py) and the rules read it.
Lines and columns are 1-based and point into the original file, so findings and fixes can name them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Heredoc:
    """`<<EOF` (expand=True), `<<"EOF"`/`<<'EOF'` (expand=False); `<<-EOF` strips leading tabs (chomp)."""

    name: str
    content: str
    expand: bool = True
    chomp: bool = False
    fd: int = 0  # `3<<EOF` feeds file descriptor 3; 0 (stdin) when not given

    @property
    def body(self) -> str:
        """The content as the build uses it: `content` is kept raw, `<<-` strips leading tabs here."""
        return re.sub(r"(?m)^\t+", "", self.content) if self.chomp else self.content


@dataclass(frozen=True)
class Comment:
    line: int
    text: str  # without the leading '#', stripped


@dataclass(frozen=True)
class Instruction:
    """One instruction.

    keyword:   upper-case instruction name (RUN, COPY, ...), as BuildKit normalises it.
    args:      BuildKit's argument nodes after the flags: JSON-form elements decoded, or the words/
               the single shell-form string, exactly as BuildKit's AST dump shows them.
    flags:     the `--name=value` flags as written, in order (`--from=builder`, `--mount=type=cache,...`).
    json_form: True for exec form (`CMD ["gunicorn", ...]`).
    raw_args:  the argument text after the keyword and flags, continuations folded as BuildKit folds
               them; for shell form this is the command the shell runs.
    original:  the instruction's source text as written, continuation lines (and heredoc bodies)
               included, from start_column on start_line to the end of end_line.
    start_column/end_column: 1-based, in characters; end_column is exclusive (one past the last
               character of end_line), as SARIF regions count.
    comments:  the comments above the instruction since the previous one, as BuildKit's PrevComment
               keeps them: blank lines don't end the block, a bare `#` line does, directives and
               comments inside continuations are left out. Each has its line, so a reader that
               wants only the adjacent ones can tell.
    """

    keyword: str
    args: tuple[str, ...]
    flags: tuple[str, ...] = ()
    json_form: bool = False
    raw_args: str = ""
    original: str = ""
    heredocs: tuple[Heredoc, ...] = ()
    start_line: int = 0
    end_line: int = 0
    start_column: int = 1
    end_column: int = 1
    comments: tuple[Comment, ...] = ()
    trigger: Instruction | None = None  # ONBUILD's instruction (its args are then empty)

    def flag(self, name: str) -> str | None:
        """The value of the last `--name=value` flag, `""` for a bare `--name`, None when absent."""
        value = None
        for flag in self.flags:
            key, sep, rest = flag[2:].partition("=")
            if key == name:
                value = rest if sep else ""
        return value

    def flag_values(self, name: str) -> list[str]:
        """All values of a repeatable flag such as --mount."""
        values = []
        for flag in self.flags:
            key, sep, rest = flag[2:].partition("=")
            if key == name:
                values.append(rest if sep else "")
        return values


@dataclass(frozen=True)
class Dockerfile:
    path: str
    instructions: tuple[Instruction, ...]
    directives: dict[str, str] = field(default_factory=dict)  # syntax, escape, check (lower-case keys)
    escape: str = "\\"
    comments: tuple[Comment, ...] = ()  # every comment in the file, with its line (directives are not)
    source: str = ""  # the text parsed (decoded, byte-order mark removed): lines and columns index into it
