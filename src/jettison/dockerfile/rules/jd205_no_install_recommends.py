"""JD205: apt-get install without --no-install-recommends.

Recommended packages are not needed to run what you asked for; on Debian they often double the
size of an install (libpq-dev pulls in a whole toolchain of recommendations).
"""

from __future__ import annotations

from collections.abc import Iterator

from jettison.dockerfile.rules.base import Rule, RuleContext
from jettison.model.findings import Finding, Fix, Severity


def check(context: RuleContext) -> Iterator[Finding]:
    for step in context.model.steps():
        facts = step.run
        if facts is None:
            continue
        for install in facts.system_installs:
            if install.manager == "apk" or install.no_install_recommends or not install.packages:
                continue
            original = step.instruction.original
            yield RULE.finding(
                context,
                step.instruction,
                f"{install.manager} install of {', '.join(install.packages[:4])} without "
                "--no-install-recommends: recommended packages are installed too",
                fix=Fix(
                    "add --no-install-recommends",
                    safe=True,
                    replacement=original.replace(
                        f"{install.manager} install", f"{install.manager} install --no-install-recommends", 1
                    )
                    if f"{install.manager} install" in original
                    else None,
                ),
            )


RULE = Rule(
    id="JD205",
    name="missing-no-install-recommends",
    severity=Severity.STYLE,
    summary="apt-get install without --no-install-recommends",
    rationale="Recommended packages add size and attack surface the service never uses.",
    url="https://docs.docker.com/build/building/best-practices/#apt-get",
    check=check,
)
