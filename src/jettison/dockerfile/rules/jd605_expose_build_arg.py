"""JD605: EXPOSE of a build-only ARG: the port is fixed at build time while the server's port is
chosen at run time, so the two drift apart (and the ARG usually means ENV was intended)."""

from __future__ import annotations

from collections.abc import Iterator

from jettison.dockerfile.rules.base import Rule, RuleContext
from jettison.model.findings import Finding, Severity


def check(context: RuleContext) -> Iterator[Finding]:
    for step in context.model.steps():
        if step.keyword != "EXPOSE" or step.expansion is None:
            continue
        build_only = sorted(
            {name for name in step.expansion.used if name in step.args and name not in step.env}
        )
        if build_only:
            yield RULE.finding(
                context,
                step.instruction,
                f"EXPOSE {step.instruction.raw_args.strip()} reads a build-only ARG: the port is frozen "
                f"at build time while the server reads its port at run time; declare ENV {build_only[0]}",
            )


RULE = Rule(
    id="JD605",
    name="expose-build-arg",
    severity=Severity.WARNING,
    summary="EXPOSE of a build-only ARG",
    rationale="ARG values are gone at run time; the server's port and the exposed one drift apart.",
    url="https://docs.docker.com/reference/dockerfile/#expose",
    check=check,
)
