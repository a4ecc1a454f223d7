"""JD703: `--preload` (preload_app = True) with gevent workers.

With preload the app (and its SSL, database and threading modules) is imported in the master before
gevent's worker monkey-patches them: the patching comes too late, causing hangs, RecursionError in
ssl, and connections shared across forked workers.
"""

from __future__ import annotations

from collections.abc import Iterator

from jettison.dockerfile.rules.base import Rule, RuleContext
from jettison.model.findings import Finding, Severity


def check(context: RuleContext) -> Iterator[Finding]:
    runtime = context.runtime
    preload, source, line = runtime.setting("preload_app")
    if preload is None or preload.strip() not in ("true", "True", "1"):
        return
    worker_class, _, _ = runtime.setting("worker_class")
    if worker_class is None or "gevent" not in worker_class:
        return
    yield RULE.finding(
        context,
        line,
        "preload_app with gevent workers: the app is imported before gevent monkey-patches; drop --preload "
        "or patch at the top of the config",
        path=source,
    )


RULE = Rule(
    id="JD703",
    name="preload-with-gevent",
    severity=Severity.WARNING,
    summary="--preload with gevent workers",
    rationale="Preloading imports modules before gevent patches them in the worker.",
    url="https://docs.gunicorn.org/en/stable/settings.html#preload-app",
    check=check,
)
