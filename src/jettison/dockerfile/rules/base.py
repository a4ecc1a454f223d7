"""What a rule is: an id, a severity, a message, a rationale with a link, and a pure check.

Rules never see pragmas or configuration beyond the facts handed to them; ignores, severity overrides
and the failure threshold are applied in one pass afterwards (jettison.policy).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from jettison.dockerfile.ast import Instruction
from jettison.dockerfile.facts import ProjectFacts
from jettison.dockerfile.model import DockerfileModel
from jettison.dockerfile.runtime import RuntimeFacts, runtime_facts
from jettison.model.findings import Finding, Fix, Location, Saving, Severity


@dataclass
class RuleContext:
    model: DockerfileModel
    project: ProjectFacts = field(default_factory=ProjectFacts)

    @functools.cached_property
    def runtime(self) -> RuntimeFacts:
        return runtime_facts(self.model, self.project)


@dataclass(frozen=True)
class Rule:
    """One check. `summary` is the one-line message; `rationale` says why it matters (rule docs)."""

    id: str
    name: str
    severity: Severity
    summary: str
    rationale: str
    url: str
    check: Callable[[RuleContext], Iterable[Finding]] = field(compare=False, repr=False)

    def run(self, context: RuleContext) -> list[Finding]:
        return list(self.check(context))

    def finding(
        self,
        context: RuleContext,
        where: Instruction | int | None,
        message: str | None = None,
        *,
        path: str | None = None,
        saving: Saving | None = None,
        fix: Fix | None = None,
        data: dict[str, Any] | None = None,
    ) -> Finding:
        """A finding of this rule at an instruction (or a line) of the Dockerfile, or of `path`."""
        if isinstance(where, Instruction):
            location = Location(
                path or context.model.path, where.start_line, where.start_column, where.end_line
            )
        elif isinstance(where, int):
            location = Location(path or context.model.path, where)
        else:
            location = Location(path or context.model.path)
        return Finding(
            rule=self.id,
            severity=self.severity,
            message=message or self.summary,
            location=location,
            saving=saving,
            fix=fix,
            url=self.url,
            data=data or {},
        )


def final_chain(context: RuleContext) -> list[int]:
    """Indices of the final stage and the stages it is built FROM: what ends up in the image."""
    model = context.model
    stage = model.final_stage
    chain = []
    while stage is not None:
        chain.append(stage.index)
        stage = model.stages[stage.parent] if stage.parent is not None else None
    return chain


def requirement_name(spec: str) -> str:
    """The canonical distribution name of a requirement specifier (`Flask[async]>=2` -> `flask`)."""
    for separator in "=<>!~[;@ ":
        spec = spec.split(separator, 1)[0]
    return spec.strip().lower().replace("_", "-").replace(".", "-")


def listed_requirement_names(text: str) -> set[str]:
    """The names a requirements file lists (options such as -r/-c and comments skipped)."""
    names = set()
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            names.add(requirement_name(line))
    return names
