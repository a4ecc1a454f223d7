"""JD204: apt package lists left in the image.

`apt-get update` writes ~20-40 MB of lists under /var/lib/apt/lists; removing them in the same RUN
keeps them out of the layer (a later RUN cannot: the earlier layer already holds them).
"""

from __future__ import annotations

from collections.abc import Iterator

from jettison.dockerfile.rules.base import Rule, RuleContext, final_chain
from jettison.model.findings import Finding, Fix, Saving, Severity

# Debian bookworm main+updates+security lists are ~20 MB uncompressed after `apt-get update` (amd64).
SAVING_MB = 20.0


def check(context: RuleContext) -> Iterator[Finding]:
    model = context.model
    for index in final_chain(context):
        for step in model.stages[index].steps:
            facts = step.run
            if facts is None or not any(i.manager != "apk" for i in facts.system_installs):
                continue
            if facts.apt_lists_removed or facts.mounts_cache_for("/var/lib/apt", "/var/lib/apt/lists"):
                continue
            yield RULE.finding(
                context,
                step.instruction,
                "apt-get install without `rm -rf /var/lib/apt/lists/*` in the same RUN: the package lists "
                "stay in the image",
                saving=Saving(megabytes=SAVING_MB),
                fix=Fix("append ` && rm -rf /var/lib/apt/lists/*` to this RUN", safe=True),
            )


RULE = Rule(
    id="JD204",
    name="apt-lists-not-removed",
    severity=Severity.WARNING,
    summary="apt lists not removed after install",
    rationale="Files deleted in a later layer still ship in the earlier one.",
    url="https://docs.docker.com/build/building/best-practices/#apt-get",
    check=check,
)
