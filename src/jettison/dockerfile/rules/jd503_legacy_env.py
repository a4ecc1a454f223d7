"""JD503: legacy `ENV key value` form; Docker recommends `ENV key=value` (BuildKit's LegacyKeyValueFormat)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from jettison.dockerfile.model import is_legacy_env
from jettison.dockerfile.rules.base import Rule, RuleContext, edit_at
from jettison.model.findings import Finding, Fix, Severity


def check(context: RuleContext) -> Iterator[Finding]:
    for step in context.model.steps():
        instruction = step.instruction
        if step.keyword != "ENV" or not is_legacy_env(instruction):
            continue
        key, value = (instruction.raw_args.strip().split(None, 1) + [""])[:2]
        written = _equals_value(value)
        new = f"{key}={written}" if written is not None else None
        keyword = re.match(r"\S+[ \t]+", instruction.original)
        edits = ()
        if new is not None and keyword is not None and not instruction.trigger:
            edits = (edit_at(context, instruction, keyword.end(), len(instruction.original), new),)
        yield RULE.finding(
            context,
            instruction,
            f"legacy `ENV {key} {value}` form: write `ENV {new or f'{key}=...'}`",
            fix=Fix(f"ENV {new}" if new else "key=value form", safe=bool(edits), edits=edits),
        )


def _equals_value(value: str) -> str | None:
    """The legacy value written as one `key=value` word that expands the same, or None when unsure.

    Legacy ENV takes the rest of the line as the value and then expands it; the `=` form expands one
    word. A value without blanks is that word already; one with blanks is wrapped in double quotes,
    which keep `$VAR` expanding (single quotes would not). Quotes or backslashes in a value with
    blanks are left to the user.
    """
    if not value:
        return None
    if not re.search(r"\s", value):
        return value
    if re.search(r"[\"'\\`]", value):
        return None
    return f'"{value}"'


RULE = Rule(
    id="JD503",
    name="legacy-env-format",
    severity=Severity.STYLE,
    summary="legacy ENV key value form",
    rationale="The space form is deprecated and ambiguous: everything after the key becomes the value.",
    url="https://docs.docker.com/reference/build-checks/legacy-key-value-format/",
    check=check,
)
