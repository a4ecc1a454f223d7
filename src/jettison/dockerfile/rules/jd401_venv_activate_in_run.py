"""JD401: a virtualenv activated in a RUN (`RUN . venv/bin/activate`, `RUN ./venv/bin/activate`).

Each RUN is a fresh shell: activation changes that shell's PATH and nothing else, so later RUN, CMD
and ENTRYPOINT still use the system Python. Executing the script (`./venv/bin/activate`) does not
even affect its own RUN. Put the venv on PATH with ENV instead.

The edit inserts that ENV above the stage's first RUN that activates the venv (once per stage and venv).
It is unsafe: from there on every RUN, and the container, runs the venv's python and pip instead of the
system's, which is what the recipe meant but not what it did.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from jettison.dockerfile.rules.base import Rule, RuleContext
from jettison.model.edits import Edit
from jettison.model.findings import Finding, Fix, Severity


def check(context: RuleContext) -> Iterator[Finding]:
    placed: set[tuple[int, str]] = set()  # (stage, venv) that already get the ENV
    for step in context.model.steps():
        facts = step.run
        if facts is None:
            continue
        for activate in facts.activations:
            venv = posixpath.normpath(
                posixpath.join(step.workdir, posixpath.dirname(posixpath.dirname(activate)))
            )
            if step.env.get("PATH", "").split(":")[0].rstrip("/") == f"{venv}/bin":
                continue  # ENV already puts the venv first on PATH: the activation is redundant, not wrong
            executed = any(command.argv[0] == activate for command in facts.commands)
            how = "executing activate does nothing at all" if executed else "activation ends with this RUN"
            env = f'ENV VIRTUAL_ENV={venv} PATH="{venv}/bin:$PATH"'
            edits: tuple[Edit, ...] = ()
            if (step.stage, venv) not in placed and '"' not in venv and "$" not in venv:
                placed.add((step.stage, venv))
                edits = (Edit.insert_before(context.model.path, step.instruction, env + "\n"),)
            yield RULE.finding(
                context,
                step.instruction,
                f"`{activate}` in RUN: {how}; later layers and the container use the system Python. "
                f'Use ENV PATH="{venv}/bin:$PATH"',
                fix=Fix(env, safe=False, edits=edits),
            )


RULE = Rule(
    id="JD401",
    name="venv-activate-in-run",
    severity=Severity.ERROR,
    summary="virtualenv activated in a RUN has no effect on later layers",
    rationale="Every RUN starts a new shell; only ENV persists into later instructions and the container.",
    url="https://pythonspeed.com/articles/activate-virtualenv-dockerfile/",
    check=check,
)
