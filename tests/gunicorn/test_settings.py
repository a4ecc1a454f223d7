"""Reading existing Gunicorn configuration: config files via ast, and command lines."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from jettison.errors import JettisonError
from jettison.gunicorn.settings import (
    EnvDefault,
    parse_gunicorn_args,
    parse_gunicorn_settings,
    read_gunicorn_settings,
)

CONF = """\
import multiprocessing
import os

bind = "0.0.0.0:" + os.environ.get("PORT", "8000")
workers = multiprocessing.cpu_count() * 2 + 1
worker_class: str = "gevent"
timeout = 120
preload_app = True
raw_env = ["A=1", "B=2"]
_private = 3

def on_starting(server):
    pass

timeout = 90
"""


def test_literal_and_dynamic_settings(tmp_path):
    path = tmp_path / "gunicorn.conf.py"
    path.write_text(CONF)
    settings = read_gunicorn_settings(path)
    assert settings.values == {
        "worker_class": "gevent",
        "timeout": 90,
        "preload_app": True,
        "raw_env": ["A=1", "B=2"],
    }
    assert settings.dynamic == {
        "bind": '"0.0.0.0:" + os.environ.get("PORT", "8000")',
        "workers": "multiprocessing.cpu_count() * 2 + 1",
    }
    assert settings.sources["timeout"].line == 15
    assert settings.sources["workers"].line == 5
    assert "on_starting" not in settings.sources


def test_syntax_error_names_file_and_line(tmp_path):
    path = tmp_path / "gunicorn.conf.py"
    path.write_text("workers = 4\nbind = (\n")
    with pytest.raises(JettisonError) as caught:
        read_gunicorn_settings(path)
    assert caught.value.path == str(path)
    assert caught.value.line is not None


def test_binary_file_is_a_user_error(tmp_path):
    path = tmp_path / "gunicorn.conf.py"
    path.write_bytes(b"\xff\xfe\x00workers")
    with pytest.raises(JettisonError):
        read_gunicorn_settings(path)


def test_command_line_forms():
    command = parse_gunicorn_args(
        ["gunicorn", "-w4", "--bind", "0.0.0.0:8000", "-b=[::]:8000", "--worker-class=gevent",
         "--preload", "-t", "60", "--graceful-timeout=20", "--keep-alive", "5", "app:app"]
    )
    assert command is not None
    assert command.app == "app:app"
    assert command.settings == {
        "workers": 4,
        "bind": ["0.0.0.0:8000", "[::]:8000"],
        "worker_class": "gevent",
        "preload_app": True,
        "timeout": 60,
        "graceful_timeout": 20,
        "keepalive": 5,
    }
    assert command.unknown == ()


def test_shell_text_with_variables_and_launchers():
    text = "exec /venv/bin/gunicorn -c gunicorn.conf.py -w $WORKERS --frobnicate app:app"
    command = parse_gunicorn_args(text)
    assert command is not None
    assert command.config == "gunicorn.conf.py"
    assert command.settings["workers"] == "$WORKERS"
    assert command.unknown == ("--frobnicate",)
    module_form = parse_gunicorn_args(["python", "-m", "gunicorn", "--workers=2", "wsgi:application"])
    assert module_form is not None and module_form.settings["workers"] == 2
    assert module_form.app == "wsgi:application"


def test_not_gunicorn():
    assert parse_gunicorn_args(["python", "app.py"]) is None
    assert parse_gunicorn_args(["uvicorn", "app:app"]) is None
    assert parse_gunicorn_args("echo 'unterminated") is None


def test_dangling_flag_is_reported_not_raised():
    command = parse_gunicorn_args(["gunicorn", "app:app", "--workers"])
    assert command is not None and command.unknown == ("--workers",)


@given(st.lists(st.text(max_size=12), max_size=12))
def test_any_argv_never_raises(words):
    parse_gunicorn_args(["gunicorn", *words])


@given(st.text(max_size=200))
@example("\0")  # ValueError on some Python releases, SyntaxError on others
@example("x = 1\n\0")
@example("x = " + "-" * 300_000 + "1")  # MemoryError in the parser
@example("x = " + ".".join(["a"] * 50_000))  # RecursionError in the parser
def test_any_text_gives_settings_or_a_user_error(text):
    try:
        parse_gunicorn_settings(text)
    except JettisonError:
        pass


def test_environment_lookups_and_their_fallbacks():
    settings = parse_gunicorn_settings(
        "import os\n"
        'timeout = int(os.environ.get("TIMEOUT", "60"))\n'
        'bind = "0.0.0.0:" + os.getenv("PORT", "8000")\n'
        'workers = os.environ["WORKERS"]\n'
        'keepalive = _env_int("KEEP_ALIVE", 5)\n'
        "CONSTANT = 3\n"
    )
    assert settings.from_env["timeout"] == (EnvDefault("TIMEOUT", 60, True),)
    assert settings.from_env["bind"] == (EnvDefault("PORT", "8000", False),)
    assert settings.from_env["workers"] == (EnvDefault("WORKERS", None, True),)
    assert settings.from_env["keepalive"] == (EnvDefault("KEEP_ALIVE", 5, True),)
    assert "CONSTANT" not in settings.sources  # not a Gunicorn setting


def test_generated_file_reads_back_as_its_defaults():
    from jettison.gunicorn.config import GunicornDefaults, render_gunicorn_conf

    text = render_gunicorn_conf(GunicornDefaults(port=5000, timeout=90, worker_class="gthread"))
    settings = parse_gunicorn_settings(text)
    assert settings.from_env["timeout"][0] == EnvDefault("TIMEOUT", 90, True)
    assert settings.from_env["worker_class"][0] == EnvDefault("WORKER_CLASS", "gthread", True)
    assert EnvDefault("PORT", 5000, False) in settings.from_env["bind"]
    assert settings.values["worker_tmp_dir"] == "/dev/shm"
