"""Requirements declared in pyproject.toml: PEP 621, PEP 735 dependency groups, and Poetry.

tomllib gives values, not positions, so each entry's line is found by searching the file text for the
entry's own string: good enough to point a user at it, and never used to rewrite the file.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement

from jettison.errors import JettisonError
from jettison.model.requirements import RequirementLine, SourceRef

_EXACT = re.compile(r"^(==)?\s*(\d[\w.+!-]*)$")


def load_toml(path: Path, shown: str) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as error:
        raise JettisonError(f"not UTF-8 text ({error.reason})", shown) from error
    except tomllib.TOMLDecodeError as error:
        line = getattr(error, "lineno", None)
        raise JettisonError(f"invalid TOML: {getattr(error, 'msg', error)}", shown, line) from error
    except RecursionError:  # tomllib recurses once per nested array/inline table
        raise JettisonError("invalid TOML: arrays or tables nested too deeply", shown) from None


def _typed(value: object, kind: type, key: str, text_lines: list[str], shown: str) -> Any:
    """`value` if it is a `kind` (None -> empty); else a located error: never "flask" read as f,l,a,s,k."""
    if value is None:
        return kind()
    if not isinstance(value, kind):
        name = "an array" if kind is list else "a table"
        line = _line_of(text_lines, key.rsplit(".", 1)[-1])
        raise JettisonError(f"{key} must be {name}, got {type(value).__name__}", shown, line)
    return value


def _line_of(text_lines: list[str], needle: str, start: int = 0) -> int | None:
    for number in range(start, len(text_lines)):
        if needle in text_lines[number]:
            return number + 1
    return None


def read_pyproject(path: Path, shown: str) -> list[RequirementLine]:
    """Every requirement a pyproject.toml declares; run-time ones have group None."""
    data = load_toml(path, shown)
    text_lines = path.read_text(encoding="utf-8").splitlines()
    out: list[RequirementLine] = []

    def pep508(entry: object, group: str | None) -> None:
        if not isinstance(entry, str):
            raise JettisonError(f"dependency must be a string, got {entry!r}", shown)
        line = _line_of(text_lines, entry) or _line_of(text_lines, entry.split(";")[0].strip())
        try:
            requirement = Requirement(entry)
        except InvalidRequirement as error:
            raise JettisonError(f"invalid requirement {entry!r}: {error}", shown, line) from error
        out.append(
            RequirementLine(requirement, SourceRef(shown, line), entry, url=requirement.url, group=group)
        )

    def typed(value: object, kind: type, key: str) -> Any:
        return _typed(value, kind, key, text_lines, shown)

    project = typed(data.get("project"), dict, "project")
    for entry in typed(project.get("dependencies"), list, "project.dependencies"):
        pep508(entry, None)
    optional = typed(project.get("optional-dependencies"), dict, "project.optional-dependencies")
    for extra, entries in sorted(optional.items()):
        for entry in typed(entries, list, f"project.optional-dependencies.{extra}"):
            pep508(entry, f"extra:{extra}")
    groups = typed(data.get("dependency-groups"), dict, "dependency-groups")
    for group, entries in sorted(groups.items()):
        for entry in typed(entries, list, f"dependency-groups.{group}"):
            if isinstance(entry, str):  # `{include-group = ...}` tables repeat other groups
                pep508(entry, f"group:{group}")

    poetry = typed(typed(data.get("tool"), dict, "tool").get("poetry"), dict, "tool.poetry")
    if poetry:
        main = typed(poetry.get("dependencies"), dict, "tool.poetry.dependencies")
        out.extend(_poetry(main, None, text_lines, shown))
        dev = typed(poetry.get("dev-dependencies"), dict, "tool.poetry.dev-dependencies")
        out.extend(_poetry(dev, "group:dev", text_lines, shown))
        for group, table in sorted(typed(poetry.get("group"), dict, "tool.poetry.group").items()):
            table = typed(table, dict, f"tool.poetry.group.{group}")
            deps = typed(table.get("dependencies"), dict, f"tool.poetry.group.{group}.dependencies")
            out.extend(_poetry(deps, f"group:{group}", text_lines, shown))
    return out


def _poetry(
    table: dict[str, Any], group: str | None, text_lines: list[str], shown: str
) -> list[RequirementLine]:
    """Poetry's `name = "^1.2"` / `name = {version=..., extras=[...]}` entries as PEP 508 requirements.

    Caret and tilde constraints are not PEP 440, so only exact pins are carried over as `==`; the
    audit needs the name and extras, and the pin when there is one (for sizes and metadata).
    """
    out: list[RequirementLine] = []
    for name, spec in table.items():
        if name.lower() == "python":
            continue
        line = _line_of(text_lines, f"{name} =") or _line_of(text_lines, f'"{name}"')
        entries = spec if isinstance(spec, list) else [spec]  # multiple-constraint form
        entry = entries[0] if entries else None
        if not isinstance(entry, (str, dict)):
            raise JettisonError(f"Poetry dependency {name!r} must be a string or table", shown, line)
        version = (
            entry if isinstance(entry, str) else (entry.get("version") if isinstance(entry, dict) else None)
        )
        extras = entry.get("extras", []) if isinstance(entry, dict) else []
        if not isinstance(extras, list) or not all(isinstance(extra, str) for extra in extras):
            message = f"Poetry dependency {name!r}: extras must be an array of strings"
            raise JettisonError(message, shown, line)
        optional = isinstance(entry, dict) and bool(entry.get("optional"))
        markers = entry.get("markers") if isinstance(entry, dict) else None
        url = None
        if isinstance(entry, dict):
            url = entry.get("git") or entry.get("url") or entry.get("path")
        text = name + (f"[{','.join(extras)}]" if extras else "")
        if isinstance(version, str) and (match := _EXACT.match(version.strip())):
            text += f"=={match.group(2)}"
        if markers:
            text += f"; {markers}"
        try:
            requirement = Requirement(text)
        except InvalidRequirement as error:
            raise JettisonError(f"invalid Poetry dependency {name!r}: {error}", shown, line) from error
        entry_group = group if group is not None else ("extra:poetry" if optional else None)
        if isinstance(entry, dict) and entry.get("path"):
            entry_group = entry_group or "local-path"
        out.append(
            RequirementLine(
                requirement, SourceRef(shown, line), f"{name} = {spec!r}", url=url, group=entry_group
            )
        )
    return out
