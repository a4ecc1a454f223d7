"""JD203: `apt-get update` in a RUN of its own.

The update layer is cached; a later `apt-get install` in another RUN reuses stale package lists
(and fails once the mirror drops the old versions). Update and install in the same RUN.
"""

from __future__ import annotations

from collections.abc import Iterator

from jettison.dockerfile.rules.base import Rule, RuleContext
from jettison.model.findings import Finding, Fix, Severity


def check(context: RuleContext) -> Iterator[Finding]:
    for step in context.model.steps():
        facts = step.run
        if facts is None or not facts.apt_update:
            continue
        if any(install.manager != "apk" for install in facts.system_installs):
            continue
        yield RULE.finding(
            context,
            step.instruction,
            "apt-get update in a RUN without an install: its cached lists go stale; "
            "run `apt-get update && apt-get install ...` in one RUN",
            fix=Fix("merge this RUN with the following apt-get install", safe=False),
        )


RULE = Rule(
    id="JD203",
    name="apt-update-alone",
    severity=Severity.WARNING,
    summary="apt-get update in a RUN of its own",
    rationale="A cached update layer serves stale lists to later installs.",
    url="https://docs.docker.com/build/building/best-practices/#apt-get",
    check=check,
)
