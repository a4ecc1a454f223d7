"""JD503: legacy `ENV key value` form; Docker recommends `ENV key=value` (BuildKit's LegacyKeyValueFormat)."""

from __future__ import annotations

import shlex
from collections.abc import Iterator

from jettison.dockerfile.model import is_legacy_env
from jettison.dockerfile.rules.base import Rule, RuleContext
from jettison.model.findings import Finding, Fix, Severity


def check(context: RuleContext) -> Iterator[Finding]:
    for step in context.model.steps():
        if step.keyword != "ENV" or not is_legacy_env(step.instruction):
            continue
        key, _, value = step.instruction.raw_args.strip().partition(" ")
        value = value.strip()
        quoted = value if value[:1] in ("'", '"') or " " not in value else shlex.quote(value)
        yield RULE.finding(
            context,
            step.instruction,
            f"legacy `ENV {key} {value}` form: write `ENV {key}={quoted}`",
            fix=Fix(f"ENV {key}={quoted}", safe=True, replacement=f"ENV {key}={quoted}"),
        )


RULE = Rule(
    id="JD503",
    name="legacy-env-format",
    severity=Severity.STYLE,
    summary="legacy ENV key value form",
    rationale="The space form is deprecated and ambiguous: everything after the key becomes the value.",
    url="https://docs.docker.com/reference/build-checks/legacy-key-value-format/",
    check=check,
)
