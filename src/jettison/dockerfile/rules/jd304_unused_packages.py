"""JD304: the image installs packages the requirements audit found unused.

The audit (jettison audit) decides which distributions the code never needs; this rule points at the
RUN that installs them, with the size they add.
"""

from __future__ import annotations

from collections.abc import Iterator

from jettison.dockerfile.rules.base import (
    Rule,
    RuleContext,
    final_chain,
    listed_requirement_names,
    requirement_name,
)
from jettison.model.findings import Finding, Fix, Saving, Severity


def check(context: RuleContext) -> Iterator[Finding]:
    unused = {requirement_name(name): size for name, size in context.project.unused.items()}
    if not unused:
        return
    model = context.model
    for index in sorted(model.stages_used_by_final() | set(final_chain(context))):
        for step in model.stages[index].steps:
            if step.run is None:
                continue
            for pip in step.run.pip_installs:
                found: set[str] = {requirement_name(spec) for spec in pip.packages} & set(unused)
                for requirements in pip.requirement_files:
                    text = context.project.read_text(requirements.rsplit("/", 1)[-1])
                    text = text if text is not None else context.project.read_text(requirements)
                    # An unreadable file is installed whole: the audit's unused set applies to it.
                    listed = listed_requirement_names(text) if text is not None else set(unused)
                    found |= listed & set(unused)
                if not found:
                    continue
                sizes = [unused[name] for name in found if unused[name] is not None]
                megabytes = sum(sizes) / 1_000_000 if sizes else None  # type: ignore[arg-type]
                names = sorted(found)
                yield RULE.finding(
                    context,
                    step.instruction,
                    f"installs {len(names)} package(s) the code never uses ({', '.join(names[:6])}"
                    f"{', ...' if len(names) > 6 else ''}): prune them with `jettison fix --requirements`",
                    saving=Saving(megabytes=megabytes) if megabytes and megabytes >= 0.1 else None,
                    fix=Fix("install the pruned requirements file", safe=False),
                    data={"unused": names},
                )


RULE = Rule(
    id="JD304",
    name="unused-packages-installed",
    severity=Severity.WARNING,
    summary="image installs packages the audit found unused",
    rationale="Every unused package adds size, build time and vulnerabilities to scan.",
    url="https://github.com/fpgmaas/deptry#readme",
    check=check,
)
