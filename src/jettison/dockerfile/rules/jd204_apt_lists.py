"""JD204: apt package lists left in the image.

`apt-get update` writes ~20-40 MB of lists under /var/lib/apt/lists; removing them in the same RUN
keeps them out of the layer (a later RUN cannot: the earlier layer already holds them).
"""

from __future__ import annotations

from collections.abc import Iterator

from jettison.dockerfile.model import Step
from jettison.dockerfile.rules.base import Rule, RuleContext, edit_at, final_chain, shell_commands
from jettison.model.findings import Finding, Fix, Saving, Severity

# Debian bookworm main+updates+security lists are ~20 MB uncompressed after `apt-get update` (amd64).
SAVING_MB = 20.0
REMOVE = "&& rm -rf /var/lib/apt/lists/*"


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
                fix=_fix(context, step),
            )


def _fix(context: RuleContext, step: Step) -> Fix:
    """` && rm -rf /var/lib/apt/lists/*` at the end of the RUN as written (shell form, no heredoc, not
    ending in an operator or a comment); unsafe when a later RUN built on this one installs with apt
    without its own `apt-get update` (it would find no lists)."""
    description = f"append `{REMOVE}` to this RUN"
    instruction = step.instruction
    commands = shell_commands(context, instruction)
    original = instruction.original
    end = len(original.rstrip())
    if instruction.heredocs or not commands or commands[-1][-1].end != end or original[end - 1] in ";&|\\":
        return Fix(description, safe=True)
    later = [
        other.run
        for other in context.model.steps()
        if other.line > step.line and step.stage in _chain(context, other.stage) and other.run is not None
    ]
    safe = not any(
        not facts.apt_update and any(i.manager != "apk" for i in facts.system_installs) for facts in later
    )
    return Fix(description, safe=safe, edits=(edit_at(context, instruction, end, end, f" {REMOVE}"),))


def _chain(context: RuleContext, index: int) -> set[int]:
    """The stage and the stages it is built FROM."""
    chain = set()
    stage = context.model.stages[index]
    while stage is not None and stage.index not in chain:
        chain.add(stage.index)
        stage = context.model.stages[stage.parent] if stage.parent is not None else None
    return chain


RULE = Rule(
    id="JD204",
    name="apt-lists-not-removed",
    severity=Severity.WARNING,
    summary="apt lists not removed after install",
    rationale="Files deleted in a later layer still ship in the earlier one.",
    url="https://docs.docker.com/build/building/best-practices/#apt-get",
    check=check,
)
