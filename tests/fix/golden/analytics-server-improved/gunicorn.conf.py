"""Gunicorn settings for main:app, written by `jettison fix`.

Every setting has a default here and an environment variable that overrides it when the container
starts, so one image serves every environment. Gunicorn's own precedence still applies on top:
this file < GUNICORN_CMD_ARGS (e.g. GUNICORN_CMD_ARGS="--workers=3 --timeout=60") < flags on the
command line. The WSGI application is named in the image's CMD (main:app): every Gunicorn
release reads it there, while `wsgi_app` here needs 20.1 or later.

    BIND              address to listen on              (default 0.0.0.0:$PORT)
    PORT              port, when BIND is not set        (default 8000)
    WEB_CONCURRENCY   worker processes                  (default: from the container's CPU quota and memory)
    WORKER_MEMORY_MB  MB one worker needs: caps workers by the memory limit (default 256)
    WORKER_CLASS      sync, gthread, gevent, ...        (default gevent)
    THREADS           threads per worker (gthread)      (default 1)
    TIMEOUT           seconds before a silent worker is killed      (default 120)
    GRACEFUL_TIMEOUT  seconds workers get to finish on SIGTERM      (default 8)
    KEEP_ALIVE        seconds to hold an idle keep-alive connection (default 5)
    LOG_LEVEL         debug, info, warning, error       (default info)
    ACCESS_LOG        access log target, "-" is stdout  (default -)
    ERROR_LOG         error log target, "-" is stderr   (default -)

This file imports nothing but the standard library: it must load in the image before anything else.
"""

import math
import os


def _env_str(name, default):
    value = os.environ.get(name, "").strip()
    return value or default


def _env_int(name, default, minimum=0):
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = int(text)
    except ValueError:
        raise SystemExit(f"gunicorn.conf.py: {name}={text!r} is not a whole number") from None
    if value < minimum:
        raise SystemExit(f"gunicorn.conf.py: {name}={value} must be at least {minimum}")
    return value


def _env_bool(name, default):
    text = os.environ.get(name, "").strip().lower()
    if not text:
        return default
    return text in ("1", "true", "yes", "on")


def _read_first_line(path):
    try:
        with open(path, encoding="ascii") as handle:
            return handle.readline().strip()
    except (OSError, UnicodeDecodeError):
        return None


# Where the container's cgroup filesystem is mounted; an override exists for tests and odd hosts.
CGROUP_ROOT = os.environ.get("JETTISON_CGROUP_ROOT", "/sys/fs/cgroup")
# cgroup v1 reports "no limit" as a page-rounded 2**63-1; anything this large means unlimited.
_UNLIMITED = 1 << 60


def cgroup_cpu_quota(root=CGROUP_ROOT):
    """CPUs the container may use per period (e.g. 1.5), or None when it has no quota."""
    # cgroup v2: cpu.max holds "<quota> <period>", quota "max" when unlimited.
    line = _read_first_line(os.path.join(root, "cpu.max"))
    if line:
        fields = line.split()
        if fields[0] == "max":
            return None
        if len(fields) == 2 and fields[0].isdigit() and fields[1].isdigit() and int(fields[1]) > 0:
            return int(fields[0]) / int(fields[1])
    # cgroup v1: cpu.cfs_quota_us is -1 when unlimited; the controller directory name varies.
    for controller in ("cpu", "cpu,cpuacct", "cpuacct,cpu"):
        quota = _read_first_line(os.path.join(root, controller, "cpu.cfs_quota_us"))
        period = _read_first_line(os.path.join(root, controller, "cpu.cfs_period_us"))
        if quota is None or period is None:
            continue
        try:
            quota_us, period_us = int(quota), int(period)
        except ValueError:
            continue
        if quota_us > 0 and period_us > 0:
            return quota_us / period_us
        return None
    return None


def cgroup_memory_limit(root=CGROUP_ROOT):
    """The container's memory limit in bytes, or None when it has none."""
    for path in (os.path.join(root, "memory.max"), os.path.join(root, "memory", "memory.limit_in_bytes")):
        line = _read_first_line(path)
        if line is None or line == "max":
            continue
        if line.isdigit() and 0 < int(line) < _UNLIMITED:
            return int(line)
    return None


def available_cpus(root=CGROUP_ROOT):
    """CPUs this container can really use: the cgroup quota, within the CPUs it may be scheduled on.

    os.cpu_count() reports the host's cores: on a 64-core node a container limited to one CPU would
    start 129 workers and be OOM-killed.
    """
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    quota = cgroup_cpu_quota(root)
    if quota is not None:
        cpus = min(cpus, max(1, math.ceil(quota)))
    return max(1, cpus)


def default_workers(root=CGROUP_ROOT, worker_memory_mb=256):
    """2 x CPUs + 1 (Gunicorn's advice), but never more workers than the memory limit can hold."""
    workers = 2 * available_cpus(root) + 1
    limit = cgroup_memory_limit(root)
    if limit is not None and worker_memory_mb > 0:
        workers = min(workers, max(1, limit // (worker_memory_mb * 1024 * 1024)))
    return workers


bind = [_env_str("BIND", "0.0.0.0:" + str(_env_int("PORT", 8000, minimum=1)))]
workers = _env_int("WEB_CONCURRENCY", 0, minimum=0) or default_workers(
    worker_memory_mb=_env_int("WORKER_MEMORY_MB", 256)
)
# The literal first: it is the default, and tools that read this file without running it (dependency
# scanners such as `jettison audit`) see which worker library Gunicorn will import.
worker_class = 'gevent'
worker_class = _env_str("WORKER_CLASS", worker_class)
threads = _env_int("THREADS", 1, minimum=1)
timeout = _env_int("TIMEOUT", 120)
# Below the orchestrator's kill grace (docker stop: 10 s, Kubernetes: 30 s), so requests in flight
# finish before SIGKILL arrives.
graceful_timeout = _env_int("GRACEFUL_TIMEOUT", 8)
keepalive = _env_int("KEEP_ALIVE", 5)
# The worker heartbeat file on tmpfs: on overlayfs or a disk-backed /tmp, heartbeats can block
# workers long enough for the arbiter to kill them.
worker_tmp_dir = "/dev/shm"
preload_app = _env_bool("PRELOAD_APP", False)
loglevel = _env_str("LOG_LEVEL", 'info')
# Logs go to the container's stdout and stderr, where the runtime collects them; files inside the
# image would grow in the container's writable layer and vanish with it.
accesslog = _env_str("ACCESS_LOG", '-')
errorlog = _env_str("ERROR_LOG", "-")

# Kept from the previous configuration (no environment override).
worker_connections = 1000
