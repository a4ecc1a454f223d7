"""The generated gunicorn.conf.py, executed as Gunicorn would, against fake cgroup trees."""

from __future__ import annotations

import ast
import runpy
from pathlib import Path

import pytest

from jettison.gunicorn.config import GunicornDefaults, render_gunicorn_conf

ENV_VARS = [
    *("APP_MODULE", "BIND", "PORT", "WEB_CONCURRENCY", "WORKER_MEMORY_MB", "WORKER_CLASS", "THREADS"),
    *("TIMEOUT", "GRACEFUL_TIMEOUT", "KEEP_ALIVE", "LOG_LEVEL", "ACCESS_LOG", "ERROR_LOG", "PRELOAD_APP"),
    "JETTISON_CGROUP_ROOT",
]


@pytest.fixture
def clean_env(monkeypatch):
    for name in ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def cgroup_v2(root: Path, cpu_max: str, memory_max: str = "max") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "cpu.max").write_text(cpu_max + "\n")
    (root / "memory.max").write_text(memory_max + "\n")
    return root


def cgroup_v1(root: Path, quota: int, period: int = 100000, memory: int = 9223372036854771712,
              controller: str = "cpu") -> Path:
    (root / controller).mkdir(parents=True, exist_ok=True)
    (root / controller / "cpu.cfs_quota_us").write_text(f"{quota}\n")
    (root / controller / "cpu.cfs_period_us").write_text(f"{period}\n")
    (root / "memory").mkdir(exist_ok=True)
    (root / "memory" / "memory.limit_in_bytes").write_text(f"{memory}\n")
    return root


def load(tmp_path: Path, env, cgroup_root: Path, defaults: GunicornDefaults | None = None, cpus: int = 64):
    """Run the file the way Gunicorn does (exec of the module), on a host with `cpus` cores."""
    conf = tmp_path / "gunicorn.conf.py"
    conf.write_text(render_gunicorn_conf(defaults or GunicornDefaults()))
    env.setenv("JETTISON_CGROUP_ROOT", str(cgroup_root))
    env.setattr("os.sched_getaffinity", lambda pid: set(range(cpus)))
    env.setattr("os.cpu_count", lambda: cpus)
    return runpy.run_path(str(conf))


def test_file_imports_only_the_standard_library():
    tree = ast.parse(render_gunicorn_conf(GunicornDefaults()))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert imported == {"math", "os"}


def test_cgroup_v2_quota_of_one_cpu_gives_three_workers_on_a_64_core_host(tmp_path, clean_env):
    settings = load(tmp_path, clean_env, cgroup_v2(tmp_path / "cg", "100000 100000"))
    assert settings["workers"] == 3


def test_cgroup_v2_fractional_quota_rounds_up(tmp_path, clean_env):
    settings = load(tmp_path, clean_env, cgroup_v2(tmp_path / "cg", "150000 100000"))
    assert settings["workers"] == 5


def test_cgroup_v1_quota(tmp_path, clean_env):
    settings = load(tmp_path, clean_env, cgroup_v1(tmp_path / "cg", quota=200000))
    assert settings["workers"] == 5


def test_cgroup_v1_combined_controller_directory(tmp_path, clean_env):
    settings = load(tmp_path, clean_env, cgroup_v1(tmp_path / "cg", quota=50000, controller="cpu,cpuacct"))
    assert settings["workers"] == 3


def test_no_quota_uses_schedulable_cpus_not_more(tmp_path, clean_env):
    settings = load(tmp_path, clean_env, cgroup_v1(tmp_path / "cg", quota=-1), cpus=2)
    assert settings["workers"] == 5
    settings = load(tmp_path, clean_env, cgroup_v2(tmp_path / "cg2", "max 100000"), cpus=4)
    assert settings["workers"] == 9


def test_missing_cgroup_files_fall_back_to_affinity(tmp_path, clean_env):
    settings = load(tmp_path, clean_env, tmp_path / "nowhere", cpus=1)
    assert settings["workers"] == 3


def test_memory_limit_caps_workers(tmp_path, clean_env):
    # 4 CPUs would give 9 workers; 512 MiB at 256 MiB a worker holds 2.
    root = cgroup_v2(tmp_path / "cg", "400000 100000", memory_max=str(512 * 1024 * 1024))
    assert load(tmp_path, clean_env, root)["workers"] == 2
    clean_env.setenv("WORKER_MEMORY_MB", "64")
    assert load(tmp_path, clean_env, root)["workers"] == 8


def test_v1_memory_limit_caps_workers(tmp_path, clean_env):
    root = cgroup_v1(tmp_path / "cg", quota=400000, memory=300 * 1024 * 1024)
    assert load(tmp_path, clean_env, root)["workers"] == 1


def test_web_concurrency_overrides_the_derived_count(tmp_path, clean_env):
    clean_env.setenv("WEB_CONCURRENCY", "7")
    settings = load(tmp_path, clean_env, cgroup_v2(tmp_path / "cg", "100000 100000"))
    assert settings["workers"] == 7


def test_defaults_and_environment_overrides(tmp_path, clean_env):
    defaults = GunicornDefaults(app_module="server:app", port=5000, worker_class="gthread", threads=4)
    root = cgroup_v2(tmp_path / "cg", "max 100000")
    settings = load(tmp_path, clean_env, root, defaults)
    assert settings["bind"] == ["0.0.0.0:5000"]
    assert settings["worker_class"] == "gthread"
    assert settings["threads"] == 4
    assert settings["timeout"] == 30
    assert settings["graceful_timeout"] == 8
    assert settings["keepalive"] == 5
    assert settings["worker_tmp_dir"] == "/dev/shm"
    assert settings["accesslog"] == "-"
    assert settings["errorlog"] == "-"
    assert settings["preload_app"] is False
    overrides = {
        "PORT": "9090",
        "WORKER_CLASS": "gevent",
        "THREADS": "2",
        "TIMEOUT": "120",
        "GRACEFUL_TIMEOUT": "20",
        "KEEP_ALIVE": "75",
        "LOG_LEVEL": "debug",
        "ACCESS_LOG": "/dev/null",
        "PRELOAD_APP": "true",
    }
    for name, value in overrides.items():
        clean_env.setenv(name, value)
    settings = load(tmp_path, clean_env, root, defaults)
    assert settings["bind"] == ["0.0.0.0:9090"]
    assert (settings["worker_class"], settings["threads"]) == ("gevent", 2)
    assert (settings["timeout"], settings["graceful_timeout"], settings["keepalive"]) == (120, 20, 75)
    assert settings["loglevel"] == "debug"
    assert (settings["accesslog"], settings["preload_app"]) == ("/dev/null", True)
    clean_env.setenv("BIND", "unix:/run/app.sock")
    assert load(tmp_path, clean_env, root, defaults)["bind"] == ["unix:/run/app.sock"]


@pytest.mark.parametrize("name,value", [("PORT", "eighty"), ("WEB_CONCURRENCY", "-1"), ("TIMEOUT", "1.5")])
def test_bad_environment_values_stop_with_a_message(tmp_path, clean_env, name, value):
    clean_env.setenv(name, value)
    with pytest.raises(SystemExit, match=name):
        load(tmp_path, clean_env, tmp_path / "nowhere")


def test_unmanaged_user_settings_are_kept(tmp_path, clean_env):
    defaults = GunicornDefaults(extra={"max_requests": 1000, "forwarded_allow_ips": "*", "workers": 99})
    text = render_gunicorn_conf(defaults)
    settings = load(tmp_path, clean_env, tmp_path / "nowhere", defaults, cpus=1)
    assert settings["max_requests"] == 1000
    assert settings["forwarded_allow_ips"] == "*"
    assert settings["workers"] == 3  # a managed setting is never overwritten by the kept block
    assert "workers = 99" not in text


def test_rendering_is_deterministic():
    defaults = GunicornDefaults(extra={"b": 1, "a": 2})
    assert render_gunicorn_conf(defaults) == render_gunicorn_conf(defaults)
