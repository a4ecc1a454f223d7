"""JD606: logs written to files inside the container instead of stdout/stderr.

Files under the container's writable layer grow until the disk fills, vanish with the container, and
`docker logs` / the orchestrator's log collection never see them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from jettison.dockerfile.rules.base import Rule, RuleContext
from jettison.model.findings import Finding, Fix, Severity

STREAMS = {"-", "/dev/stdout", "/dev/stderr", "/proc/self/fd/1", "/proc/self/fd/2", "None", "'-'", '"-"'}
_REDIRECT = re.compile(r">>?\s*(/\S+\.log)\b")


def check(context: RuleContext) -> Iterator[Finding]:
    runtime = context.runtime
    for setting in ("accesslog", "errorlog"):
        value, source, line = runtime.setting(setting)
        if value is None:
            continue
        literal = value.strip().strip("'\"")
        if value.strip() in STREAMS or literal in STREAMS or "/" not in literal or "environ" in value:
            continue
        yield RULE.finding(
            context,
            line,
            f"Gunicorn {setting} writes to {literal} inside the container: log to '-' (stdout) instead",
            path=source,
            fix=Fix(f"{setting} = '-'", safe=True),
        )
    texts = [(i.raw_args, context.model.path, i.start_line) for i in (runtime.entrypoint, runtime.cmd) if i]
    if runtime.script is not None:
        texts += [
            (line, runtime.script.path, n) for n, line in enumerate(runtime.script.text.splitlines(), 1)
        ]
    for text, source, line in texts:
        match = _REDIRECT.search(text)
        if match:
            yield RULE.finding(
                context, line, f"output redirected to {match.group(1)} inside the container", path=source
            )


RULE = Rule(
    id="JD606",
    name="logs-in-image",
    severity=Severity.WARNING,
    summary="logs written to files inside the container",
    rationale="Containers should log to stdout/stderr so the runtime collects and rotates logs.",
    url="https://12factor.net/logs",
    check=check,
)
