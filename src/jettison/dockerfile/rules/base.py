"""What a rule is: an id, a severity, a message, a rationale with a link, and a pure check.

Rules never see pragmas or configuration beyond the facts handed to them; ignores, severity overrides
and the failure threshold are applied in one pass afterwards (jettison.policy).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from jettison.dockerfile.ast import Instruction
from jettison.dockerfile.facts import ProjectFacts
from jettison.dockerfile.model import DockerfileModel
from jettison.dockerfile.runtime import RuntimeFacts, runtime_facts
from jettison.model.edits import Edit
from jettison.model.findings import Finding, Fix, Location, Saving, Severity


@dataclass
class RuleContext:
    model: DockerfileModel
    project: ProjectFacts = field(default_factory=ProjectFacts)

    @functools.cached_property
    def runtime(self) -> RuntimeFacts:
        return runtime_facts(self.model, self.project)


@dataclass(frozen=True)
class Rule:
    """One check. `summary` is the one-line message; `rationale` says why it matters (rule docs)."""

    id: str
    name: str
    severity: Severity
    summary: str
    rationale: str
    url: str
    check: Callable[[RuleContext], Iterable[Finding]] = field(compare=False, repr=False)

    def run(self, context: RuleContext) -> list[Finding]:
        return list(self.check(context))

    def finding(
        self,
        context: RuleContext,
        where: Instruction | int | None,
        message: str | None = None,
        *,
        path: str | None = None,
        saving: Saving | None = None,
        fix: Fix | None = None,
        data: dict[str, Any] | None = None,
    ) -> Finding:
        """A finding of this rule at an instruction (or a line) of the Dockerfile, or of `path`."""
        if isinstance(where, Instruction):
            location = Location(
                path or context.model.path, where.start_line, where.start_column, where.end_line
            )
        elif isinstance(where, int):
            location = Location(path or context.model.path, where)
        else:
            location = Location(path or context.model.path)
        return Finding(
            rule=self.id,
            severity=self.severity,
            message=message or self.summary,
            location=location,
            saving=saving,
            fix=fix,
            url=self.url,
            data=data or {},
        )


def final_chain(context: RuleContext) -> list[int]:
    """Indices of the final stage and the stages it is built FROM: what ends up in the image."""
    model = context.model
    stage = model.final_stage
    chain = []
    while stage is not None:
        chain.append(stage.index)
        stage = model.stages[stage.parent] if stage.parent is not None else None
    return chain


def requirement_name(spec: str) -> str:
    """The canonical distribution name of a requirement specifier (`Flask[async]>=2` -> `flask`)."""
    for separator in "=<>!~[;@ ":
        spec = spec.split(separator, 1)[0]
    return spec.strip().lower().replace("_", "-").replace(".", "-")


def listed_requirement_names(text: str) -> set[str]:
    """The names a requirements file lists (options such as -r/-c and comments skipped)."""
    names = set()
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            names.add(requirement_name(line))
    return names


# --- Edits anchored on the words of an instruction's own text --------------------------------------


@dataclass(frozen=True)
class Word:
    """One shell word of an instruction as written: its unquoted value and its offsets in `original`."""

    text: str
    start: int
    end: int


_OPERATOR_CHARS = set(";&|()<>")


def edit_at(context: RuleContext, instruction: Instruction, start: int, end: int, content: str) -> Edit:
    """An Edit replacing original[start:end] of `instruction` (offsets into its source text)."""
    original = instruction.original

    def position(offset: int) -> tuple[int, int]:
        before = original[:offset]
        newlines = before.count("\n")
        if newlines == 0:
            return instruction.start_line, instruction.start_column + offset
        return instruction.start_line + newlines, offset - before.rfind("\n")

    line, column = position(start)
    end_line, end_column = position(end)
    return Edit(context.model.path, line, column, end_line, end_column, content)


def shell_commands(context: RuleContext, instruction: Instruction) -> list[list[Word]] | None:
    """The simple commands of a shell-form RUN/CMD/ENTRYPOINT as written, each word with its offsets.

    For edits on words (insert a flag after `install`): None when the text is beyond this reader, so the
    rule gives advice without an edit: exec form, an escape character other than backslash, heredocs
    other than one `RUN <<EOF` script. Leading `VAR=value`, sudo, exec and time are dropped as
    installs.split_commands drops them; the keyword and the instruction's own flags are not words.
    """
    if instruction.json_form or context.model.dockerfile.escape != "\\":
        return None
    text = instruction.original
    begin, stop = 0, len(text)
    if instruction.heredocs:
        first, _, rest = text.partition("\n")
        words = first.split()
        if len(instruction.heredocs) != 1 or len(words) < 2 or not words[-1].startswith("<<"):
            return None
        if any(not word.startswith("--") for word in words[1:-1]):
            return None  # `RUN python3 <<EOF`: the body is not the shell's
        begin, stop = len(first) + 1, len(text) - len(text.rsplit("\n", 1)[-1])
    commands: list[list[Word]] = []
    current: list[Word] = []
    word: list[str] = []
    word_start = -1
    i = begin

    def end_word(at: int) -> None:
        nonlocal word_start
        if word_start >= 0:
            current.append(Word("".join(word), word_start, at))
        word.clear()
        word_start = -1

    def end_command() -> None:
        if current:
            commands.append(list(current))
        current.clear()

    while i < stop:
        char = text[i]
        if char == "\\" and text.startswith(("\\\n", "\\\r\n"), i):
            i = text.index("\n", i) + 1
            if not instruction.heredocs:  # BuildKit drops comment and blank lines inside continuations
                while i < stop:
                    line_end = text.find("\n", i)
                    line = text[i : stop if line_end < 0 else line_end]
                    if line.strip() and not line.lstrip().startswith("#"):
                        break
                    if line_end < 0:
                        i = stop
                        break
                    i = line_end + 1
            continue
        if char in " \t\r":
            end_word(i)
            i += 1
        elif char == "\n" or char in _OPERATOR_CHARS:
            end_word(i)
            end_command()
            i += 1
        elif char == "#" and word_start < 0:
            line_end = text.find("\n", i)
            i = stop if line_end < 0 else line_end
        else:
            if word_start < 0:
                word_start = i
            if char == "'":
                close = text.find("'", i + 1)
                if close < 0 or close >= stop:
                    return None
                word.append(text[i + 1 : close])
                i = close + 1
            elif char == '"':
                i += 1
                while i < stop and text[i] != '"':
                    if text[i] == "\\" and i + 1 < stop:
                        i += 1
                    word.append(text[i])
                    i += 1
                if i >= stop:
                    return None
                i += 1
            elif char == "\\" and i + 1 < stop:
                word.append(text[i + 1])
                i += 2
            else:
                word.append(char)
                i += 1
    end_word(stop)
    end_command()
    if commands and not instruction.heredocs:  # the keyword and the instruction's flags
        head = commands[0]
        head.pop(0)
        while head and head[0].text.startswith("--"):
            head.pop(0)
    cleaned = []
    for command in commands:
        while command and (
            re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", command[0].text)
            or command[0].text in ("sudo", "exec", "time")
        ):
            command.pop(0)
        if command:
            cleaned.append(command)
    return cleaned


def install_word(command: list[Word]) -> tuple[str, Word] | None:
    """(`pip` or `uv`, the `install`/`sync` word) when the command installs with pip or uv."""
    words = [word.text for word in command]
    if not words:
        return None
    base = words[0].rsplit("/", 1)[-1]
    index = 1
    if re.match(r"^python(\d(\.\d+)?)?$", base):
        if words[1:3] in (["-m", "pip"], ["-m", "pip3"]):
            tool, index = "pip", 3
        else:
            return None
    elif re.match(r"^pip(3(\.\d+)?)?$", base):
        tool = "pip"
    elif base == "uv" and words[1:2] == ["pip"]:
        tool, index = "uv", 2
    elif base == "uv":
        tool = "uv"
    else:
        return None
    while index < len(words) and words[index].startswith("-"):
        index += 1
    if index >= len(words):
        return None
    subcommand = words[index]
    if subcommand == "install" or (tool == "uv" and index == 1 and subcommand == "sync"):
        return tool, command[index]
    return None


def retag_base(context: RuleContext, instruction: Instruction, tag: str) -> Edit | None:
    """An edit of a FROM giving its image reference `tag`, registry and repository kept as written and
    any digest dropped (it pins the old tag's image); None when the reference is not written plainly
    (a `$VAR`, quotes) and so cannot be edited here."""
    commands = shell_commands(context, instruction)
    if not commands or not commands[0]:
        return None
    word = commands[0][0]
    written = instruction.original[word.start : word.end]
    if written != word.text or "$" in written:
        return None
    name = written.split("@", 1)[0]
    if ":" in name.rsplit("/", 1)[-1]:
        name = name.rsplit(":", 1)[0]
    return edit_at(context, instruction, word.start, word.end, f"{name}:{tag}")
