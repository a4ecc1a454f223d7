"""JD601: shell-form ENTRYPOINT or CMD.

Shell form runs `/bin/sh -c "..."`: the shell is PID 1 and does not forward SIGTERM, so Gunicorn
never hears `docker stop`, gets SIGKILLed after the grace period, and in-flight requests are cut.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from jettison.dockerfile.rules.base import Rule, RuleContext, edit_at
from jettison.model.findings import Finding, Fix, Severity

# What makes /bin/sh do more than split on blanks: expansions, operators, globs, quotes, escapes,
# comments, several lines. A command with any of them has no exec form that behaves the same.
_SHELL_SYNTAX = re.compile(r"[$`|&;<>(){}*?~\[\]'\"\\#!\n]")
# Words the shell runs itself: in exec form they are not programs.
_SHELL_WORDS = {
    ".", "source", "cd", "export", "set", "unset", "eval", "ulimit", "umask", "trap", "if", "for", "while",
    "until", "case", "shift", "alias", "readonly", "local", "wait", "command", "builtin", "exit",
}  # fmt: skip


def exec_form(command: str) -> str | None:
    """The exec form of a shell-form command when /bin/sh would only split it on blanks, else None.

    A leading `exec` is dropped (exec form already replaces the shell); a leading `NAME=value` or a
    shell builtin has no exec form.
    """
    if _SHELL_SYNTAX.search(command):
        return None
    words = command.split()
    if words[:1] == ["exec"]:
        words = words[1:]
    if not words or "=" in words[0] or words[0] in _SHELL_WORDS:
        return None
    return json.dumps(words, ensure_ascii=False)


_ACTIVATION = re.compile(r"^\s*(?:\.|source)\s+(/[^\s$`'\"]+)/bin/activate\s*&&\s*(.+)$", re.DOTALL)


def _without_activation(command: str, env: dict[str, str]) -> str:
    """`. /venv/bin/activate && gunicorn ...` is `gunicorn ...` where ENV already puts that venv first on
    PATH with VIRTUAL_ENV set (what activation does for a command): the shell is then not needed at all."""
    match = _ACTIVATION.match(command)
    if match is None:
        return command
    venv = match.group(1).rstrip("/")
    on_path = env.get("PATH", "").split(":")[0].rstrip("/") == f"{venv}/bin"
    return match.group(2).strip() if on_path and env.get("VIRTUAL_ENV", "").rstrip("/") == venv else command


def check(context: RuleContext) -> Iterator[Finding]:
    runtime = context.runtime
    for instruction in (runtime.entrypoint, runtime.cmd):
        if instruction is None or instruction.json_form:
            continue
        entrypoint = runtime.entrypoint
        if instruction.keyword == "CMD" and entrypoint is not None and entrypoint.json_form:
            note = "it is passed to the ENTRYPOINT as `/bin/sh -c ...`"
        else:
            note = "/bin/sh becomes PID 1 and never forwards SIGTERM: no graceful shutdown"
        step = next((s for s in context.model.steps() if s.instruction is instruction), None)
        command = _without_activation(instruction.raw_args.strip(), dict(step.env) if step else {})
        replacement = exec_form(command)
        edits = ()
        safe = replacement is not None
        if instruction.keyword == "ENTRYPOINT" and runtime.cmd is not None:
            replacement = None  # in exec form the CMD's words become the ENTRYPOINT's arguments
        elif instruction.keyword == "CMD" and entrypoint is not None and entrypoint.json_form:
            safe = False  # the ENTRYPOINT saw `/bin/sh -c "..."`; it would see the words themselves
        if replacement is not None:
            original = instruction.original
            keyword = re.match(r"\S+[ \t]+", original)
            if keyword is not None:
                edits = (edit_at(context, instruction, keyword.end(), len(original), replacement),)
        yield RULE.finding(
            context,
            instruction,
            f"shell-form {instruction.keyword}: {note}; use the exec form"
            + (f" {instruction.keyword} {replacement}" if replacement else " (or `exec` in a script)"),
            fix=Fix("exec form", safe=safe and bool(edits), edits=edits),
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
