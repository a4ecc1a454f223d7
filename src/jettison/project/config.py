"""jettison's configuration: `[tool.jettison]` in pyproject.toml, or the top level of jettison.toml.

    [tool.jettison]
    ignore = ["JD205", "JD704"]          # finding ids never reported
    fail-on = "warning"                  # lowest severity that makes the exit status 1
    kill-grace = 30                      # seconds the orchestrator waits before SIGKILL (JD705)
    exclude = ["notebooks/**"]           # paths (globs) the audit skips
    [tool.jettison.severity]
    JD603 = "error"                      # per-id severity overrides
    [tool.jettison.budgets]              # any other table is kept for other parts to read

jettison.toml wins over pyproject.toml when both exist. A file that is not valid TOML, or a value of
the wrong type, is a JettisonError naming the file and line.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jettison.errors import JettisonError
from jettison.model.findings import Severity

DEFAULT_KILL_GRACE = 30.0  # Kubernetes' default terminationGracePeriodSeconds


@dataclass(frozen=True)
class JettisonConfig:
    ignore: frozenset[str] = frozenset()
    severity: dict[str, Severity] = field(default_factory=dict)
    fail_on: Severity = Severity.WARNING  # findings at or above it fail the audit (exit 1), as audit does
    exclude: tuple[str, ...] = ()
    kill_grace: float = DEFAULT_KILL_GRACE
    table: dict[str, Any] = field(default_factory=dict)  # the whole table, for other sections
    path: str | None = None

    def section(self, name: str) -> dict[str, Any]:
        """An open sub-table (e.g. `budgets`) for other parts of jettison; {} when absent."""
        value = self.table.get(name, {})
        return value if isinstance(value, dict) else {}


def _line_of(text: str, key: str) -> int | None:
    match = re.search(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=", text, re.MULTILINE)
    return text.count("\n", 0, match.start()) + 1 if match else None


def _read_toml(path: Path) -> tuple[dict[str, Any], str]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise JettisonError(f"not UTF-8 text: {error.reason}", path) from error
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        match = re.search(r"\(at line (\d+), column \d+\)", message)
        line = int(match.group(1)) if match else None
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", message) if match else message
        raise JettisonError(f"invalid TOML: {message}", path, line) from error


def parse_config(table: dict[str, Any], path: str | None = None, text: str = "") -> JettisonConfig:
    def fail(key: str, message: str) -> JettisonError:
        return JettisonError(f"[tool.jettison] {key}: {message}", path, _line_of(text, key))

    def get(*names: str) -> tuple[str, Any]:
        for name in names:
            if name in table:
                return name, table[name]
        return names[0], None

    key, ignore = get("ignore")
    if ignore is not None and not (isinstance(ignore, list) and all(isinstance(i, str) for i in ignore)):
        raise fail(key, "expected a list of finding ids")
    key, severity = get("severity", "severity-overrides")
    overrides: dict[str, Severity] = {}
    if severity is not None:
        if not isinstance(severity, dict):
            raise fail(key, "expected a table of id = severity")
        for rule_id, level in severity.items():
            try:
                overrides[rule_id] = Severity.parse(str(level))
            except KeyError:
                raise fail(rule_id, f"unknown severity {level!r} (info, style, warning, error)") from None
    key, fail_on = get("fail-on", "fail_on", "threshold")
    threshold = Severity.WARNING
    if fail_on is not None:
        try:
            threshold = Severity.parse(str(fail_on))
        except KeyError:
            raise fail(key, f"unknown severity {fail_on!r} (info, style, warning, error)") from None
    key, exclude = get("exclude")
    if exclude is not None and not (isinstance(exclude, list) and all(isinstance(i, str) for i in exclude)):
        raise fail(key, "expected a list of paths")
    key, grace = get("kill-grace", "kill_grace")
    if grace is not None and (isinstance(grace, bool) or not isinstance(grace, int | float) or grace < 0):
        raise fail(key, "expected a number of seconds")
    return JettisonConfig(
        ignore=frozenset(ignore or ()),
        severity=overrides,
        fail_on=threshold,
        exclude=tuple(exclude or ()),
        kill_grace=float(grace) if grace is not None else DEFAULT_KILL_GRACE,
        table=dict(table),
        path=path,
    )


def load_config(project_root: Path) -> JettisonConfig:
    """The project's configuration; defaults when it has none."""
    dedicated = project_root / "jettison.toml"
    if dedicated.is_file():
        data, text = _read_toml(dedicated)
        return parse_config(data, str(dedicated), text)
    pyproject = project_root / "pyproject.toml"
    if pyproject.is_file():
        data, text = _read_toml(pyproject)
        tool = data.get("tool", {})
        table = tool.get("jettison") if isinstance(tool, dict) else None
        if isinstance(table, dict):
            return parse_config(table, str(pyproject), text)
    return JettisonConfig()
