"""JD302: the same requirements installed twice (the same file twice, or a package named again).

The second install costs build time and, when versions differ, silently replaces the pinned one.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from jettison.dockerfile.rules.base import Rule, RuleContext, listed_requirement_names, requirement_name
from jettison.model.findings import Finding, Severity


def check(context: RuleContext) -> Iterator[Finding]:
    model = context.model
    for stage in model.stages:
        seen_files: dict[str, int] = {}
        listed: dict[str, str] = {}
        for step in stage.steps:
            if step.run is None:
                continue
            for pip in step.run.pip_installs:
                for requirements in pip.requirement_files:
                    key = posixpath.basename(requirements)
                    if key in seen_files:
                        yield RULE.finding(
                            context,
                            step.instruction,
                            f"{requirements} installed again (already at line {seen_files[key]})",
                        )
                    else:
                        seen_files[key] = step.line
                    text = context.project.read_text(key) or context.project.read_text(requirements) or ""
                    for name in listed_requirement_names(text):
                        listed.setdefault(name, requirements)
                again = [
                    spec for spec in pip.packages if requirement_name(spec) in listed and not pip.upgrade
                ]
                if again and not pip.requirement_files:
                    yield RULE.finding(
                        context,
                        step.instruction,
                        f"{', '.join(again)} already installed from {listed[requirement_name(again[0])]}",
                    )


RULE = Rule(
    id="JD302",
    name="requirements-installed-twice",
    severity=Severity.WARNING,
    summary="requirements installed twice",
    rationale="A second install wastes build time and may replace the pinned version.",
    url="https://pip.pypa.io/en/stable/user_guide/#requirements-files",
    check=check,
)
