"""JD701: Gunicorn workers computed from the host's cpu_count().

os.cpu_count()/multiprocessing.cpu_count()/nproc report the host's cores, not the container's cgroup
CPU quota: on a 64-core node a container limited to 2 CPUs starts 129 workers and is OOM-killed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from jettison.dockerfile.rules.base import Rule, RuleContext
from jettison.model.findings import Finding, Fix, Severity

_NPROC = re.compile(r"\$\((nproc|getconf _NPROCESSORS_ONLN)\)|`nproc`|cpu_count\(\)")


def check(context: RuleContext) -> Iterator[Finding]:
    runtime = context.runtime
    config = runtime.gunicorn_config
    # A config that reads the cgroup quota itself is fine even if it falls back to cpu_count().
    reads_quota = config is not None and ("cpu.max" in config.text or "cfs_quota" in config.text)
    uses_cpu_count = (
        config is not None
        and "workers" in config.settings
        and (config.mentions("workers", "cpu_count") or "cpu_count(" in config.text)
    )
    if config is not None and uses_cpu_count and not reads_quota:
        yield RULE.finding(
            context,
            config.lines["workers"],
            f"workers = {config.source_of('workers')} counts the host's CPUs, not the container's quota",
            path=config.path,
            fix=Fix(
                "derive workers from the cgroup CPU quota (jettison fix writes such a config)", safe=False
            ),
        )
    for command in runtime.gunicorn_commands:
        workers = command.settings.get("workers", "")
        if _NPROC.search(workers) or (workers and "nproc" in workers):
            yield RULE.finding(
                context,
                command.line,
                f"-w {workers} counts the host's CPUs, not the container's quota",
                path=command.source,
            )
    texts = [(i.raw_args, context.model.path, i.start_line) for i in (runtime.entrypoint, runtime.cmd) if i]
    if runtime.script is not None:
        texts += [
            (line, runtime.script.path, n) for n, line in enumerate(runtime.script.text.splitlines(), 1)
        ]
    for text, source, line in texts:
        if re.search(r"(WORKERS|WEB_CONCURRENCY)=.*(\$\(nproc\)|cpu_count)", text):
            yield RULE.finding(context, line, "worker count taken from the host's CPUs (nproc)", path=source)


RULE = Rule(
    id="JD701",
    name="workers-from-host-cpus",
    severity=Severity.ERROR,
    summary="Gunicorn workers from the host's cpu_count() in a container",
    rationale="cpu_count() ignores cgroup limits: too many workers on big nodes, then OOM kills.",
    url="https://docs.gunicorn.org/en/stable/design.html#how-many-workers",
    check=check,
)
