"""JD705: Gunicorn's graceful timeout is longer than the orchestrator's kill grace.

After SIGTERM Gunicorn waits graceful_timeout (default 30 s) for requests to finish; Docker sends
SIGKILL after 10 s (`docker stop`), Kubernetes after terminationGracePeriodSeconds (default 30 s).
If Gunicorn waits longer, the kill cuts requests the config meant to finish. The grace is set with
`kill-grace` in [tool.jettison].
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from jettison.dockerfile.rules.base import Rule, RuleContext
from jettison.model.findings import Finding, Fix, Severity

GUNICORN_DEFAULT = 30.0


def _number(text: str) -> float | None:
    try:
        return float(text.strip().strip("'\""))
    except ValueError:
        pass
    # `int(os.environ.get("GRACEFUL_TIMEOUT", "60"))`: the default decides
    # unless the deployment says otherwise.
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError:
        return None
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and len(node.args) == 2 and isinstance(node.args[1], ast.Constant):
            try:
                return float(node.args[1].value)  # type: ignore[arg-type]
            except (TypeError, ValueError):
                return None
    return None


def check(context: RuleContext) -> Iterator[Finding]:
    runtime = context.runtime
    if not runtime.uses_gunicorn:
        return
    value, source, line = runtime.setting("graceful_timeout")
    seconds = GUNICORN_DEFAULT if value is None else _number(value)
    grace = context.project.kill_grace
    if seconds is None or seconds <= grace:
        return
    yield RULE.finding(
        context,
        line if value is not None else None,
        f"graceful_timeout {seconds:g} s exceeds the orchestrator's kill grace of {grace:g} s: workers are "
        "SIGKILLed mid-request",
        path=source or None,
        fix=Fix(f"graceful_timeout = {int(grace) - 5 if grace > 5 else int(grace)}", safe=False),
    )


RULE = Rule(
    id="JD705",
    name="graceful-timeout-over-kill-grace",
    severity=Severity.WARNING,
    summary="graceful timeout longer than the orchestrator's kill grace",
    rationale="The orchestrator's SIGKILL ends a graceful shutdown that has not finished.",
    url="https://docs.gunicorn.org/en/stable/settings.html#graceful-timeout",
    check=check,
)
