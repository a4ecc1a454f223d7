"""Pruning as edits: an unused requirement (JR101) becomes the deletion of its line(s) in the file the
project declares it in: a requirements*.txt line (with its continuation lines), or a PEP 621
`dependencies = [...]` element that stands on its own line in pyproject.toml. Anything else is left
as written, with a note saying why.
"""

from __future__ import annotations

import re

from packaging.requirements import InvalidRequirement, Requirement

from jettison.model.edits import Edit
from jettison.model.findings import Finding
from jettison.model.requirements import normalize_name

_TXT_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
_TOML_ELEMENT = re.compile(r"""^\s*(?P<q>["'])(?P<spec>[^"']+)(?P=q)\s*,?\s*(?:#.*)?$""")


def _logical_end(lines: list[str], first: int) -> int:
    """The last line (1-based) of the requirement starting at `first`: continued with a backslash."""
    last = first
    while last < len(lines) and lines[last - 1].rstrip("\r\n").endswith("\\"):
        last += 1
    return last


def _txt_edits(path: str, text: str, distribution: str) -> list[Edit]:
    lines = text.splitlines(keepends=True)
    edits = []
    number = 1
    while number <= len(lines):
        last = _logical_end(lines, number)
        line = lines[number - 1]
        match = _TXT_NAME.match(line)
        if (
            match
            and not line.lstrip().startswith(("#", "-"))
            and normalize_name(match.group(1)) == distribution
        ):
            edits.append(Edit.delete_lines(path, number, last))
        number = last + 1
    return edits


def _pyproject_edit(path: str, text: str, line: int | None, distribution: str) -> Edit | None:
    lines = text.splitlines(keepends=True)
    if line is None or not 1 <= line <= len(lines):
        return None
    match = _TOML_ELEMENT.match(lines[line - 1].rstrip("\r\n"))
    if not match:
        return None
    try:
        name = normalize_name(Requirement(match.group("spec")).name)
    except InvalidRequirement:
        return None
    return Edit.delete_lines(path, line, line) if name == distribution else None


def requirement_edits(finding: Finding, text: str) -> tuple[list[Edit], str | None]:
    """The edits removing an unused requirement from `text` (the file its finding points at), or a note."""
    distribution = normalize_name(str(finding.data.get("distribution", "")))
    location = finding.location
    if location is None or not distribution:
        return [], f"{finding.rule}: {distribution or 'a requirement'}: no location to edit; left as declared"
    name = location.path.rsplit("/", 1)[-1]
    if name.endswith(".txt") or name.endswith(".in"):
        edits = _txt_edits(location.path, text, distribution)
        if edits:
            return edits, None
    elif name == "pyproject.toml":
        edit = _pyproject_edit(location.path, text, location.line, distribution)
        if edit is not None:
            return [edit], None
        return [], (f"{location}: {distribution} is unused but not on a line of its own in a PEP 621 "
                    "dependencies array: left as declared; remove it by hand")  # fmt: skip
    return [], f"{location}: {distribution} is unused; jettison fix does not edit {name}: left as declared"
