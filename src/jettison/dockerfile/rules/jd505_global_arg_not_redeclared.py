"""JD505: an ARG declared before FROM used inside a stage without `ARG NAME` in that stage.

Global ARGs are only in scope for FROM lines; inside a stage they are empty until redeclared.
"""

from __future__ import annotations

from collections.abc import Iterator

from jettison.dockerfile.expand import references
from jettison.dockerfile.installs import run_script
from jettison.dockerfile.rules.base import Rule, RuleContext
from jettison.model.findings import Finding, Fix, Severity


def check(context: RuleContext) -> Iterator[Finding]:
    model = context.model
    global_names = {declaration.name for declaration in model.global_args}
    if not global_names:
        return
    for stage in model.stages:
        reported: set[str] = set()
        for step in stage.steps:
            if step.expansion is not None:
                used = set(step.expansion.missing)
            elif step.keyword == "RUN":
                used = set(references(run_script(step.instruction), model.dockerfile.escape))
            else:
                continue
            scope = step.scope
            for name in sorted(n for n in used & global_names if n not in scope and n not in reported):
                reported.add(name)
                yield RULE.finding(
                    context,
                    step.instruction,
                    f"${name} is a global ARG (declared before FROM) but stage {stage.label} "
                    "does not redeclare it: "
                    f"here it is empty; add `ARG {name}` after FROM",
                    fix=Fix(f"add `ARG {name}` after the stage's FROM", safe=True),
                )


RULE = Rule(
    id="JD505",
    name="global-arg-not-redeclared",
    severity=Severity.ERROR,
    summary="global ARG used in a stage without redeclaration",
    rationale="An ARG before FROM is out of scope inside stages until `ARG NAME` brings it in.",
    url="https://docs.docker.com/reference/dockerfile/#understand-how-arg-and-from-interact",
    check=check,
)
