"""JD601: shell-form ENTRYPOINT or CMD.

Shell form runs `/bin/sh -c "..."`: the shell is PID 1 and does not forward SIGTERM, so Gunicorn
never hears `docker stop`, gets SIGKILLed after the grace period, and in-flight requests are cut.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Iterator

from jettison.dockerfile.rules.base import Rule, RuleContext
from jettison.model.findings import Finding, Fix, Severity

_SHELL_SYNTAX = re.compile(r"[$`|&;<>(){}*?~]")


def exec_form(command: str) -> str | None:
    """The exec form of a shell-form command when it uses no shell features, else None."""
    if _SHELL_SYNTAX.search(command):
        return None
    try:
        return json.dumps(shlex.split(command))
    except ValueError:
        return None


def check(context: RuleContext) -> Iterator[Finding]:
    runtime = context.runtime
    for instruction in (runtime.entrypoint, runtime.cmd):
        if instruction is None or instruction.json_form:
            continue
        if instruction.keyword == "CMD" and runtime.entrypoint is not None and runtime.entrypoint.json_form:
            note = "it is passed to the ENTRYPOINT as `/bin/sh -c ...`"
        else:
            note = "/bin/sh becomes PID 1 and never forwards SIGTERM: no graceful shutdown"
        replacement = exec_form(instruction.raw_args.strip())
        yield RULE.finding(
            context,
            instruction,
            f"shell-form {instruction.keyword}: {note}; use the exec form"
            + (f" {instruction.keyword} {replacement}" if replacement else " (or `exec` in a script)"),
            fix=Fix(
                "exec form",
                safe=replacement is not None,
                replacement=f"{instruction.keyword} {replacement}" if replacement else None,
            ),
        )


RULE = Rule(
    id="JD601",
    name="shell-form-command",
    severity=Severity.ERROR,
    summary="shell-form ENTRYPOINT/CMD: SIGTERM never reaches the server",
    rationale="The shell as PID 1 swallows signals; the server is killed instead of shutting down.",
    url="https://docs.docker.com/reference/build-checks/json-args-recommended/",
    check=check,
)
