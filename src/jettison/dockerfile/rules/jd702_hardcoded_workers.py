"""JD702: a hard-coded `-w N` on the gunicorn command line: no run-time override.

Command-line options beat both GUNICORN_CMD_ARGS and WEB_CONCURRENCY, so the worker count cannot be
tuned per deployment without rebuilding the image.
"""

from __future__ import annotations

from collections.abc import Iterator

from jettison.dockerfile.rules.base import Rule, RuleContext
from jettison.model.findings import Finding, Fix, Severity


def check(context: RuleContext) -> Iterator[Finding]:
    for command in context.runtime.gunicorn_commands:
        workers = command.settings.get("workers")
        if workers is not None and workers.strip().isdigit():
            yield RULE.finding(
                context,
                command.line,
                f"gunicorn -w {workers} is fixed in the image: command-line options override "
                "WEB_CONCURRENCY and GUNICORN_CMD_ARGS; set workers in gunicorn.conf.py from the environment",
                path=command.source,
                fix=Fix("drop -w; `workers = int(os.environ.get('WEB_CONCURRENCY', ...))`", safe=False),
            )


RULE = Rule(
    id="JD702",
    name="hardcoded-workers",
    severity=Severity.WARNING,
    summary="hard-coded gunicorn -w with no run-time override",
    rationale="Worker count depends on the container's CPU and memory, which only the deployment knows.",
    url="https://docs.gunicorn.org/en/stable/settings.html#workers",
    check=check,
)
