"""JD303: `pip install --upgrade pip` without a version: every build may get a different pip."""

from __future__ import annotations

from collections.abc import Iterator

from jettison.dockerfile.rules.base import Rule, RuleContext, requirement_name
from jettison.model.findings import Finding, Severity

TOOLING = {"pip", "setuptools", "wheel"}


def check(context: RuleContext) -> Iterator[Finding]:
    for step in context.model.steps():
        if step.run is None:
            continue
        for pip in step.run.pip_installs:
            unpinned = [
                spec
                for spec in pip.packages
                if requirement_name(spec) in TOOLING and "==" not in spec and "$" not in spec
            ]
            if pip.upgrade and unpinned:
                yield RULE.finding(
                    context,
                    step.instruction,
                    f"`{pip.text}` upgrades {', '.join(unpinned)} to whatever is newest: pin it "
                    "(pip==24.3.1) or drop the upgrade",
                )


RULE = Rule(
    id="JD303",
    name="unpinned-pip-upgrade",
    severity=Severity.WARNING,
    summary="pip install --upgrade pip without a pinned version",
    rationale="An unpinned upgrade makes builds irreproducible and can break on a new pip release.",
    url="https://pip.pypa.io/en/stable/topics/repeatable-installs/",
    check=check,
)
