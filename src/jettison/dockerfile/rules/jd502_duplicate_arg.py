"""JD502: the same ARG declared twice in a stage: the second default silently wins."""

from __future__ import annotations

from collections.abc import Iterator

from jettison.dockerfile.rules.base import Rule, RuleContext
from jettison.model.findings import Finding, Severity


def check(context: RuleContext) -> Iterator[Finding]:
    model = context.model
    scopes = [("global scope", model.global_args)] + [(f"stage {s.label}", s.args) for s in model.stages]
    for label, declarations in scopes:
        seen: dict[str, int] = {}
        for declaration in declarations:
            if declaration.name.startswith("$"):
                continue
            line = declaration.instruction.start_line
            if declaration.name in seen and seen[declaration.name] != line:
                yield RULE.finding(
                    context,
                    declaration.instruction,
                    f"ARG {declaration.name} declared again in {label} "
                    f"(first at line {seen[declaration.name]})",
                )
            else:
                seen.setdefault(declaration.name, line)


RULE = Rule(
    id="JD502",
    name="duplicate-arg",
    severity=Severity.WARNING,
    summary="ARG declared twice in a stage",
    rationale="A second declaration overrides the first default: the value depends on which one was edited.",
    url="https://docs.docker.com/reference/dockerfile/#arg",
    check=check,
)
