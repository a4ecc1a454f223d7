"""JD602: an entrypoint script that starts the server without `exec`.

Without exec the script's shell stays PID 1 and the server is its child: SIGTERM from `docker stop`
goes to the shell, which ignores it, and the server is SIGKILLed after the grace period.
"""

from __future__ import annotations

from collections.abc import Iterator

from jettison.dockerfile.rules.base import Rule, RuleContext
from jettison.model.findings import Finding, Fix, Severity

# Commands a script runs before the server; they finish, so they need no exec.
SETUP = {
    "set", "echo", "export", "cd", "mkdir", "test", "[", "[[", "if", "then", "fi", "else", "elif", "for",
    "do", "done", "while", "case", "esac", "shift", "trap", "printf", "source", ".", "true", "false",
    "sleep", "chmod", "chown", "cp", "mv", "rm", "ln", "touch", "local", "return", "wait", "unset", "umask",
}  # fmt: skip


def check(context: RuleContext) -> Iterator[Finding]:
    script = context.runtime.script
    if script is None or not script.commands:
        return
    if any(command.exec_ for _, command in script.commands):
        return
    last = None
    for line, command in script.commands:
        if command.argv[0].rsplit("/", 1)[-1] not in SETUP and "=" not in command.argv[0]:
            last = (line, command)
    if last is None:
        return
    line, command = last
    yield RULE.finding(
        context,
        line,
        f"{script.path} starts `{' '.join(command.argv[:3])}` without exec: the shell stays PID 1 and "
        "SIGTERM never reaches it; write `exec " + " ".join(command.argv[:3]) + " ...`",
        path=script.path,
        fix=Fix("prefix the last command with exec", safe=True),
    )


RULE = Rule(
    id="JD602",
    name="entrypoint-without-exec",
    severity=Severity.ERROR,
    summary="entrypoint script does not exec the server",
    rationale="Only PID 1 receives docker stop's SIGTERM; a shell parent doesn't pass it on.",
    url="https://docs.docker.com/build/building/best-practices/#entrypoint",
    check=check,
)
