"""JD704: Gunicorn without `--worker-tmp-dir /dev/shm`.

Workers heartbeat by touching a file in the temp dir; in a container /tmp is on the overlay
filesystem (or a slow volume), where those writes can block for seconds and get workers killed as
timed out. /dev/shm is in memory.

The edit appends the setting to the project's own Gunicorn config file, the one the command loads (a
command-line flag would win over it, and none sets it here); without a config file there is no edit.
"""

from __future__ import annotations

from collections.abc import Iterator

from jettison.dockerfile.rules.base import Rule, RuleContext
from jettison.model.edits import Edit
from jettison.model.findings import Finding, Fix, Severity

_SETTING = "# JD704: worker heartbeat files in memory, not on the container's overlay filesystem\n" \
    'worker_tmp_dir = "/dev/shm"\n'


def _append(path: str, text: str) -> Edit:
    """An insertion at the end of `text`, on a line of its own."""
    lines = text.split("\n")
    if text.endswith("\n") or not text:
        return Edit(path, len(lines), 1, len(lines), 1, "\n" + _SETTING if text.strip() else _SETTING)
    end = len(lines[-1]) + 1
    return Edit(path, len(lines), end, len(lines), end, "\n\n" + _SETTING)


def check(context: RuleContext) -> Iterator[Finding]:
    runtime = context.runtime
    if not runtime.uses_gunicorn:
        return
    value, _, _ = runtime.setting("worker_tmp_dir")
    if value is not None:
        return
    if runtime.gunicorn_commands:
        command = runtime.gunicorn_commands[0]
        where, path = command.line, command.source
    else:
        assert runtime.gunicorn_config is not None
        where, path = 1, runtime.gunicorn_config.path
    config = runtime.gunicorn_config
    edits = (_append(config.path, config.text),) if config is not None else ()
    yield RULE.finding(
        context,
        where,
        "Gunicorn heartbeat files go to the container's overlay /tmp: set worker_tmp_dir = '/dev/shm'",
        path=path,
        fix=Fix("worker_tmp_dir = '/dev/shm'", safe=True, edits=edits),
    )


RULE = Rule(
    id="JD704",
    name="no-worker-tmp-dir",
    severity=Severity.INFO,
    summary="no --worker-tmp-dir /dev/shm",
    rationale="Heartbeat writes on overlayfs can block and make the arbiter kill healthy workers.",
    url="https://docs.gunicorn.org/en/stable/faq.html#blocking-os-fchmod",
    check=check,
)
