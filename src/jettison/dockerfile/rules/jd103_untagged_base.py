"""JD103: base image without a tag, or tagged `latest`: the build changes under you."""

from __future__ import annotations

from collections.abc import Iterator

from jettison.dockerfile.rules.base import Rule, RuleContext
from jettison.model.findings import Finding, Severity
from jettison.model.image_names import parse_image


def check(context: RuleContext) -> Iterator[Finding]:
    for stage in context.model.stages:
        if stage.parent is not None or stage.base in ("scratch", ""):
            continue
        if stage.from_expansion is not None and stage.from_expansion.used and not stage.base:
            continue  # a variable with no value: JD504/JD505 say so
        image = parse_image(stage.base)
        if image.digest:
            continue
        if image.tag is None or image.tag == "latest":
            yield RULE.finding(
                context,
                stage.from_instruction,
                f"base image {stage.base!r} is {'untagged' if image.tag is None else 'tagged latest'}: "
                "pin a version (e.g. python:3.12-slim)",
            )


RULE = Rule(
    id="JD103",
    name="untagged-base-image",
    severity=Severity.WARNING,
    summary="base image has no tag or uses latest",
    rationale="`latest` moves: the same Dockerfile builds a different Python next month.",
    url="https://docs.docker.com/build/building/best-practices/#from",
    check=check,
)
