"""JD402: `chmod +x` on a virtualenv's activate script: a sign someone executes it, which does nothing."""

from __future__ import annotations

from collections.abc import Iterator

from jettison.dockerfile.rules.base import Rule, RuleContext
from jettison.model.findings import Finding, Severity


def check(context: RuleContext) -> Iterator[Finding]:
    for step in context.model.steps():
        if step.run is None:
            continue
        for path in step.run.chmod_activate:
            yield RULE.finding(
                context,
                step.instruction,
                f"chmod on {path}: activate must be sourced, not executed; "
                "put the venv's bin on PATH with ENV",
            )


RULE = Rule(
    id="JD402",
    name="chmod-activate",
    severity=Severity.WARNING,
    summary="chmod +x on a virtualenv activate script",
    rationale="Executing activate runs it in a child shell whose PATH change is lost immediately.",
    url="https://docs.python.org/3/library/venv.html#how-venvs-work",
    check=check,
)
