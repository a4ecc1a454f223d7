"""Text edits: how a rule repairs its finding in the user's own file, as ruff's fixes do.

An Edit replaces one range of one file with new text; a rule's Fix carries the edits that repair its
finding (usually one). `jettison fix` applies them pass by pass (jettison.fixer): within a pass, edits
of one file that overlap an edit already taken are skipped and the rule is asked again in the next pass,
on the edited text, so two rules never fight over the same characters. Everything outside the edited
ranges stays byte for byte.

Positions are the parser's: lines and columns are 1-based, columns count characters, and the end is
exclusive (one past the last character replaced), as dockerfile.ast.Instruction's end_column and SARIF
regions count. An insertion has start == end. A range may end at column 1 of the line after the last
one (delete whole lines) or at column len(line) + 1 of the last line.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol


class Span(Protocol):
    """What an Edit can be anchored on: a parsed instruction (dockerfile.ast.Instruction) or the like."""

    start_line: int
    start_column: int
    end_line: int
    end_column: int


@dataclass(frozen=True, order=True)
class Edit:
    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    content: str = ""

    @classmethod
    def replace(cls, path: str, span: Span, content: str) -> Edit:
        """Replace the whole instruction (continuation lines and heredoc bodies included)."""
        return cls(path, span.start_line, span.start_column, span.end_line, span.end_column, content)

    @classmethod
    def insert_before(cls, path: str, span: Span, text: str) -> Edit:
        """Insert `text` (whole lines, ending in a newline) at the start of the instruction's first line."""
        return cls(path, span.start_line, 1, span.start_line, 1, text)

    @classmethod
    def insert_after(cls, path: str, span: Span, text: str) -> Edit:
        """Insert `text` (whole lines, ending in a newline) after the instruction's last line."""
        return cls(path, span.end_line + 1, 1, span.end_line + 1, 1, text)

    @classmethod
    def delete_lines(cls, path: str, first: int, last: int) -> Edit:
        """Delete lines `first`..`last` (1-based, inclusive) with their line ends."""
        return cls(path, first, 1, last + 1, 1, "")

    @property
    def is_insertion(self) -> bool:
        return (self.line, self.column) == (self.end_line, self.end_column)


def _line_starts(text: str) -> list[int]:
    starts = [0]
    for index, char in enumerate(text):
        if char == "\n":
            starts.append(index + 1)
    return starts


def _offset(starts: list[int], text: str, line: int, column: int) -> int:
    if line == len(starts) + 1 and column == 1:  # one past the last line: the end of the text
        return len(text)
    if not 1 <= line <= len(starts):
        raise ValueError(f"line {line} is outside the text ({len(starts)} lines)")
    start = starts[line - 1]
    end = starts[line] if line < len(starts) else len(text)
    if not 1 <= column <= end - start + 1:
        raise ValueError(f"column {column} is outside line {line}")
    return start + column - 1


APPLIED = "applied"
CONFLICT = "conflict"  # overlaps an edit taken before it: asked again in a next pass
OVERLAPS_ITSELF = "its edits overlap each other"


def _conflict(a: tuple[int, int], b: tuple[int, int]) -> bool:
    # Overlapping ranges conflict; so do two edits starting at one point (their order is arbitrary).
    return a[0] < b[1] and b[0] < a[1] or a[0] == b[0]


def apply_edit_groups(text: str, groups: Iterable[tuple[Edit, ...]]) -> tuple[str, list[str]]:
    """Apply groups of edits of one file, each group all or none; return the text and, per group,
    APPLIED, CONFLICT, OVERLAPS_ITSELF or "does not fit the file (...)".

    Groups are taken in the order given (callers order them by rule, so the outcome does not depend on
    the order findings were produced); a group conflicting with one already taken is left for later.
    """
    starts = _line_starts(text)
    taken: list[tuple[int, int, Edit]] = []
    outcomes: list[str] = []
    for group in groups:
        try:
            ranges = []
            for edit in group:
                start = _offset(starts, text, edit.line, edit.column)
                end = _offset(starts, text, edit.end_line, edit.end_column)
                if end < start:
                    raise ValueError(f"edit ends before it starts: {edit}")
                ranges.append((start, end))
        except ValueError as error:
            outcomes.append(f"does not fit the file ({error})")
            continue
        if any(i != j and _conflict(a, b) for i, a in enumerate(ranges) for j, b in enumerate(ranges)):
            outcomes.append(OVERLAPS_ITSELF)
        elif any(_conflict(r, (t_start, t_end)) for r in ranges for t_start, t_end, _ in taken):
            outcomes.append(CONFLICT)
        else:
            taken += [(start, end, edit) for (start, end), edit in zip(ranges, group, strict=True)]
            outcomes.append(APPLIED)
    out = []
    position = 0
    for start, end, edit in sorted(taken, key=lambda item: (item[0], item[1])):
        out.append(text[position:start])
        out.append(edit.content)
        position = end
    out.append(text[position:])
    return "".join(out), outcomes


def apply_edits(text: str, edits: Iterable[Edit]) -> tuple[str, list[Edit], list[Edit]]:
    """Apply the edits of one file that do not overlap an earlier one; return (text, applied, skipped).
    An edit that does not fit the text is a ValueError."""
    edits = list(edits)
    new_text, outcomes = apply_edit_groups(text, [(edit,) for edit in edits])
    for outcome in outcomes:
        if outcome not in (APPLIED, CONFLICT):
            raise ValueError(outcome)
    paired = list(zip(edits, outcomes, strict=True))
    applied = [edit for edit, outcome in paired if outcome == APPLIED]
    return new_text, applied, [edit for edit, outcome in paired if outcome == CONFLICT]
