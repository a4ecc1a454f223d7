"""JD603: the container runs as root (no USER in the final stage)."""

from __future__ import annotations

from collections.abc import Iterator

from jettison.dockerfile.rules.base import Rule, RuleContext, final_chain
from jettison.model.findings import Finding, Fix, Severity

ROOT = {"root", "0", "0:0", "root:root"}


def check(context: RuleContext) -> Iterator[Finding]:
    model = context.model
    final = model.final_stage
    if final is None:
        return
    last_user = None
    for index in reversed(final_chain(context)):
        for step in model.stages[index].steps:
            if step.keyword == "USER":
                last_user = step
    if last_user is None and "nonroot" in model.root_image(final):
        return  # distroless :nonroot and similar bases already run as an unprivileged user
    if last_user is None:
        yield RULE.finding(
            context,
            final.from_instruction,
            "no USER in the final stage: the service runs as root",
            fix=Fix("create a user and add `USER app` before CMD", safe=False),
        )
    elif last_user.expansion is not None and last_user.expansion.value.strip() in ROOT:
        yield RULE.finding(context, last_user.instruction, "final USER is root: the service runs as root")


RULE = Rule(
    id="JD603",
    name="runs-as-root",
    severity=Severity.WARNING,
    summary="no USER: the container runs as root",
    rationale="A compromised process running as root owns the container and is one bug away from the host.",
    url="https://docs.docker.com/build/building/best-practices/#user",
    check=check,
)
