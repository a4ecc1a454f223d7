"""JD501: an ARG where ENV was meant (`ARG PORT ${PORT}`): the value never reaches the container.

ARGs exist only while the image builds. A variable the running container reads (in CMD/ENTRYPOINT,
the entrypoint script or gunicorn.conf.py) must be set with ENV, whose value can default to the ARG.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from jettison.dockerfile.expand import references
from jettison.dockerfile.rules.base import Rule, RuleContext, final_chain
from jettison.model.findings import Finding, Fix, Severity


def _read_at_runtime(context: RuleContext, name: str) -> str | None:
    """Where the running container reads `name`, or None."""
    runtime = context.runtime
    pattern = re.compile(r"\$\{?" + re.escape(name) + r"\b")
    for instruction in (runtime.entrypoint, runtime.cmd):
        if instruction is not None and pattern.search(instruction.raw_args or " ".join(instruction.args)):
            return f"{instruction.keyword} (line {instruction.start_line})"
    if runtime.script is not None and pattern.search(runtime.script.text):
        return runtime.script.path
    config = runtime.gunicorn_config
    if config is not None and re.search(
        r"""(environ|getenv)[^\n]*['"]""" + re.escape(name) + "['\"]", config.text
    ):
        return config.path
    return None


def check(context: RuleContext) -> Iterator[Finding]:
    model = context.model
    for index in final_chain(context):
        stage = model.stages[index]
        env_names = {assignment.name for assignment in stage.envs}
        for declaration in stage.args:
            selfref = declaration.name in references(" ".join(declaration.extra_words)) or (
                declaration.default is not None and declaration.name in references(declaration.default)
            )
            if declaration.name in env_names:
                continue
            where = _read_at_runtime(context, declaration.name)
            if not (selfref or where):
                continue
            reason = f"read at run time by {where}" if where else "declared as its own value"
            yield RULE.finding(
                context,
                declaration.instruction,
                f"ARG {declaration.name} ({reason}) exists only during the build: "
                "the container never sees it; "
                f"use ENV {declaration.name}=${{{declaration.name}}}",
                fix=Fix(f"add `ENV {declaration.name}=${{{declaration.name}}}` after the ARG", safe=False),
            )


RULE = Rule(
    id="JD501",
    name="arg-instead-of-env",
    severity=Severity.ERROR,
    summary="ARG used where ENV was meant: the value never reaches the container",
    rationale="Build arguments are not part of the image's environment; only ENV persists to run time.",
    url="https://docs.docker.com/reference/dockerfile/#arg",
    check=check,
)
