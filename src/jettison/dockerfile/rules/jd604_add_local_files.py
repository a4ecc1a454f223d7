"""JD604: ADD for local files where COPY does: ADD also unpacks archives and fetches URLs, surprises."""

from __future__ import annotations

from collections.abc import Iterator

from jettison.dockerfile.rules.base import Rule, RuleContext
from jettison.model.findings import Finding, Fix, Severity

ARCHIVES = (".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz", ".tar.zst")


def check(context: RuleContext) -> Iterator[Finding]:
    model = context.model
    for stage in model.stages:
        for copy in model.copies(stage):
            if copy.step.keyword != "ADD" or not copy.from_context:
                continue
            if any(
                s.startswith(("http://", "https://", "git@")) or s.endswith(ARCHIVES) for s in copy.sources
            ):
                continue
            original = copy.step.instruction.original
            yield RULE.finding(
                context,
                copy.step.instruction,
                f"ADD of local {', '.join(copy.sources)}: use COPY "
                "(ADD also extracts archives and fetches URLs)",
                fix=Fix(
                    "use COPY",
                    safe=True,
                    replacement="COPY" + original[3:] if original[:3].upper() == "ADD" else None,
                ),
            )


RULE = Rule(
    id="JD604",
    name="add-for-local-files",
    severity=Severity.STYLE,
    summary="ADD used for local files",
    rationale="COPY states the intent; ADD's archive extraction and URL fetching are implicit surprises.",
    url="https://docs.docker.com/build/building/best-practices/#add-or-copy",
    check=check,
)
