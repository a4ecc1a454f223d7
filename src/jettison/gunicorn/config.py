"""The gunicorn.conf.py that `jettison fix` writes.

The file is rendered from gunicorn.conf.py.tmpl with the project's defaults (port, app module, and the
values the user had set). It must stay self-contained: it runs inside the image, where jettison is not
installed, so it imports only the standard library and reads the cgroup files itself.
"""

from __future__ import annotations

import keyword
from dataclasses import dataclass, field
from importlib import resources
from string import Template
from typing import Any

# Settings the template writes itself; anything else the user had set is carried over verbatim.
MANAGED_SETTINGS = frozenset(
    {
        "wsgi_app",
        "bind",
        "workers",
        "worker_class",
        "threads",
        "timeout",
        "graceful_timeout",
        "keepalive",
        "worker_tmp_dir",
        "preload_app",
        "loglevel",
        "accesslog",
        "errorlog",
    }
)


# The environment variable that overrides each setting in the generated file.
ENV_OVERRIDES = {
    "bind": "BIND",
    "workers": "WEB_CONCURRENCY",
    "worker_class": "WORKER_CLASS",
    "threads": "THREADS",
    "timeout": "TIMEOUT",
    "graceful_timeout": "GRACEFUL_TIMEOUT",
    "keepalive": "KEEP_ALIVE",
    "preload_app": "PRELOAD_APP",
    "loglevel": "LOG_LEVEL",
    "accesslog": "ACCESS_LOG",
    "errorlog": "ERROR_LOG",
}


@dataclass(frozen=True)
class GunicornDefaults:
    """The defaults baked into the generated file; each one stays overridable from the environment."""

    app_module: str = "app:app"
    port: int = 8000
    worker_class: str = "sync"
    threads: int = 1
    timeout: int = 30
    # Under docker stop's 10 s and Kubernetes' 30 s grace, so in-flight requests finish before SIGKILL.
    graceful_timeout: int = 8
    keepalive: int = 5
    preload_app: bool = False
    loglevel: str = "info"
    accesslog: str = "-"
    worker_memory_mb: int = 256
    # Settings outside MANAGED_SETTINGS to keep from the user's configuration: name -> literal value.
    extra: dict[str, Any] = field(default_factory=dict)


def render_gunicorn_conf(defaults: GunicornDefaults) -> str:
    """The text of gunicorn.conf.py for these defaults."""
    template = Template(resources.files(__package__).joinpath("gunicorn.conf.py.tmpl").read_text("utf-8"))
    kept = ""
    extra = {
        name: value
        for name, value in sorted(defaults.extra.items())
        if name not in MANAGED_SETTINGS and name.isidentifier() and not keyword.iskeyword(name)
    }
    if extra:
        lines = ["", "# Kept from the previous configuration (no environment override)."]
        lines += [f"{name} = {value!r}" for name, value in extra.items()]
        kept = "\n".join(lines) + "\n"
    return template.substitute(
        app_module=defaults.app_module,
        app_module_repr=repr(defaults.app_module),
        port=int(defaults.port),
        worker_class=defaults.worker_class,
        worker_class_repr=repr(defaults.worker_class),
        threads=int(defaults.threads),
        timeout=int(defaults.timeout),
        graceful_timeout=int(defaults.graceful_timeout),
        keepalive=int(defaults.keepalive),
        preload_app_repr=repr(bool(defaults.preload_app)),
        loglevel=defaults.loglevel,
        loglevel_repr=repr(defaults.loglevel),
        accesslog=defaults.accesslog,
        accesslog_repr=repr(defaults.accesslog),
        worker_memory_mb=int(defaults.worker_memory_mb),
        kept_settings=kept,
    )
