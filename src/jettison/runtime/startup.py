"""The start-up path of a project: what its servers, workers and scripts load when the image starts.

Derived from the project's own files, never executed here: the final stage's ENTRYPOINT/CMD and the
script they run, a Procfile, compose `command:` lines, gunicorn's config (`wsgi_app`), Django's
settings module (manage.py / wsgi.py / DJANGO_SETTINGS_MODULE), Celery's `-A` app, plus the commands
the user names (`[tool.jettison] trace = [...]`, `--trace-cmd`). Each becomes a `StartupStep`, which the
tracer (runtime/trace.py) runs with an import recorder.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

from jettison.dockerfile.installs import split_commands
from jettison.errors import JettisonError

# Servers whose first positional argument is the app string (`module:variable`).
WSGI_SERVERS = {"gunicorn", "waitress-serve"}
ASGI_SERVERS = {"uvicorn", "hypercorn", "daphne", "granian"}
# Words that start no program of the project's (shell plumbing, and the launchers we see through).
_SHELL = {
    "set", "echo", "printf", "cd", "export", "true", ":", "trap", "umask", "sleep", "test", "[", "[[", "if",
    "then", "else", "fi", "for", "do", "done", "while", "until", "case", "esac", "exit", "wait", "source",
    ".", "mkdir", "chmod", "chown", "cp", "mv", "rm", "ln", "touch", "cat", "env", "sh", "bash", "gosu",
    "su-exec", "exec", "nc", "curl", "wget", "python", "python3", "pip", "uv", "npm", "node",
    "yarn", "apt-get", "local", "return", "shift", "eval", "dumb-init", "tini", "nginx", "supervisord",
}  # fmt: skip
# Options of the servers above that take a value (so their value is not mistaken for the app string).
_VALUE_OPTIONS = {
    "-c", "--config", "-b", "--bind", "-w", "--workers", "-k", "--worker-class", "--chdir", "--host",
    "--port", "-p", "--log-level", "--timeout", "-t", "--threads", "--env", "-e", "--app-dir", "--name",
    "--log-config", "--access-logfile", "--error-logfile", "--max-requests", "--graceful-timeout",
    "--keep-alive", "--worker-connections", "--pid", "--root-path", "--proxy-headers", "--interface",
    "--loop", "--http", "--ws", "--lifespan", "--uds", "--fd", "--limit-concurrency", "--worker-tmp-dir",
    "--forwarded-allow-ips", "--backlog", "--user", "--group", "-u", "-g", "--umask", "--listen",
}  # fmt: skip
_APP_STRING = re.compile(r"^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*(?::[A-Za-z_][\w.]*(?:\(.*\))?)?$")
_COMMAND_NAME = re.compile(r"[A-Za-z][\w.-]*")
_SETTINGS_DEFAULT = re.compile(r"""DJANGO_SETTINGS_MODULE["']?\s*[,:=]\s*["']([\w.]+)["']""")
_COMPOSE_COMMAND = re.compile(r"^\s*(?:-\s*)?(?:command|entrypoint)\s*:\s*(.+)$")


@dataclass(frozen=True)
class StartupStep:
    """One thing to run: `kind` wsgi|asgi|django|celery|command, its argument, and where it was found.

    For a command, `argument` is the shell-quoted command line and `help` says whether the tracer
    should run `COMMAND --help` (commands found in the project) or the command itself (the user's).
    """

    kind: str
    argument: str
    source: str  # file:line that asked for it
    option: str | None = None  # gunicorn config path / "factory" for ASGI
    help: bool = False

    @property
    def label(self) -> str:
        shown = self.argument if self.kind == "command" else f"{self.kind} {self.argument}"
        return f"{shown} ({self.source})"


@dataclass(frozen=True)
class CommandLine:
    argv: tuple[str, ...]
    source: str


def _read(root: Path, rel: str) -> str | None:
    try:
        return (root / rel).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None


def _dockerfile_commands(root: Path, dockerfile: str) -> tuple[list[CommandLine], list[str]]:
    """ENTRYPOINT + CMD of the final stage, and the scripts they name (context-relative guesses)."""
    from jettison.dockerfile.model import build_model
    from jettison.dockerfile.parser import parse
    from jettison.dockerfile.runtime import command_words

    text = _read(root, dockerfile)
    if text is None:
        return [], []
    try:
        model = build_model(parse(text, dockerfile))
    except JettisonError:
        return [], []
    stage = model.final_stage
    if stage is None:
        return [], []
    words: list[str] = []
    line = 0
    for keyword in ("ENTRYPOINT", "CMD"):
        for step in reversed(stage.steps):
            if step.keyword == keyword:
                words += command_words(step.instruction)
                line = line or step.line
                break
    lines: list[CommandLine] = []
    if words[:2] in (["/bin/sh", "-c"], ["sh", "-c"], ["bash", "-c"]) and len(words) > 2:
        words = shlex.split(words[2]) if _splits(words[2]) else words
    for command in split_commands(shlex.join(words)):
        lines.append(CommandLine(command.argv, f"{dockerfile}:{line}"))
    scripts = [w for w in words if w.endswith(".sh") or "entrypoint" in w.rsplit("/", 1)[-1]]
    return lines, scripts


def _splits(text: str) -> bool:
    try:
        shlex.split(text)
    except ValueError:
        return False
    return True


def _find_script(root: Path, name: str, files: list[str]) -> str | None:
    base = name.rsplit("/", 1)[-1]
    candidates = sorted((f for f in files if f.rsplit("/", 1)[-1] == base), key=lambda f: (f.count("/"), f))
    return candidates[0] if candidates else None


def _script_commands(root: Path, rel: str) -> list[CommandLine]:
    text = _read(root, rel) or ""
    out: list[CommandLine] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.lstrip().startswith("#"):
            continue
        for command in split_commands(line):
            out.append(CommandLine(command.argv, f"{rel}:{number}"))
    return out


def _procfile_commands(root: Path) -> list[CommandLine]:
    text = _read(root, "Procfile")
    out: list[CommandLine] = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if ":" in line and not line.lstrip().startswith("#"):
            for command in split_commands(line.split(":", 1)[1]):
                out.append(CommandLine(command.argv, f"Procfile:{number}"))
    return out


def _compose_commands(root: Path, files: list[str]) -> list[CommandLine]:
    out: list[CommandLine] = []
    for rel in files:
        name = rel.rsplit("/", 1)[-1]
        if not (name.startswith(("docker-compose", "compose")) and name.endswith((".yml", ".yaml"))):
            continue
        for number, line in enumerate((_read(root, rel) or "").splitlines(), start=1):
            match = _COMPOSE_COMMAND.match(line)
            if not match:
                continue
            value = match.group(1).strip()
            if value.startswith("["):
                words = [w.strip().strip("\"'") for w in value.strip("[]").split(",") if w.strip()]
                value = shlex.join(words)
            value = value.strip("\"'")
            if value.startswith(("sh -c", "bash -c", "/bin/sh -c")):
                value = value.split("-c", 1)[1].strip().strip("\"'")
            for command in split_commands(value):
                out.append(CommandLine(command.argv, f"{rel}:{number}"))
    return out


def _positional(argv: tuple[str, ...]) -> list[str]:
    out: list[str] = []
    skip = False
    for word in argv[1:]:
        if skip:
            skip = False
            continue
        if word.startswith("-"):
            skip = "=" not in word and word in _VALUE_OPTIONS
            continue
        out.append(word)
    return out


def _option(argv: tuple[str, ...], *names: str) -> str | None:
    for index, word in enumerate(argv):
        for name in names:
            if word == name and index + 1 < len(argv):
                return argv[index + 1]
            if word.startswith(name + "="):
                return word.split("=", 1)[1]
    return None


def _strip_launchers(argv: tuple[str, ...]) -> tuple[str, ...]:
    """`python -m gunicorn ...` -> `gunicorn ...`; also VAR=value prefixes, `exec`, `newrelic-admin`."""
    words = list(argv)
    while words and "=" in words[0] and not words[0].startswith("-"):
        words = words[1:]
    if words and words[0] == "exec":
        words = words[1:]
    if len(words) > 2 and re.fullmatch(r"(?:.*/)?python[\d.]*", words[0]) and words[1] == "-m":
        words = [words[2], *words[3:]]
    if len(words) > 2 and words[0].endswith(("newrelic-admin", "ddtrace-run", "opentelemetry-instrument")):
        words = words[2:] if words[1] == "run-program" else words[1:]
    return tuple(words)


def startup_steps(
    root: Path, files: list[str], dockerfile: str = "Dockerfile", extra_commands: tuple[str, ...] = (),
    configured: tuple[str, ...] = (),
) -> list[StartupStep]:  # fmt: skip
    """Every start-up step the project's files name, in a stable order, without duplicates."""
    root = Path(root)
    commands, scripts = _dockerfile_commands(root, dockerfile)
    for name in scripts:
        rel = _find_script(root, name, files)
        if rel is not None:
            commands += _script_commands(root, rel)
    for rel in files:  # scripts a Procfile, compose file or the Dockerfile RUN under a bin/ or scripts/ dir
        if rel.endswith(".sh") and rel not in scripts and ("entrypoint" in rel or "start" in rel):
            commands += _script_commands(root, rel)
    commands += _procfile_commands(root) + _compose_commands(root, files)

    steps: list[StartupStep] = []
    for line in commands:
        steps.extend(_steps_for(line, root, files))
    steps.extend(_django_steps(root, files))
    if not any(s.kind in ("wsgi", "asgi", "django") for s in steps):
        steps.extend(_gunicorn_config_steps(root, files))
    for text, origin in [*((c, "pyproject.toml [tool.jettison] trace") for c in configured),
                         *((c, "--trace-cmd") for c in extra_commands)]:  # fmt: skip
        steps.append(StartupStep("command", text, origin))
    seen: set[tuple[str, str, str | None, bool]] = set()
    unique = []
    for step in steps:
        key = (step.kind, step.argument, step.option, step.help)
        if key not in seen:
            seen.add(key)
            unique.append(step)
    return unique


def _steps_for(line: CommandLine, root: Path, files: list[str]) -> list[StartupStep]:
    argv = _strip_launchers(line.argv)
    if not argv:
        return []
    command = argv[0].rsplit("/", 1)[-1]
    steps: list[StartupStep] = []
    if command in WSGI_SERVERS or command in ASGI_SERVERS:
        asgi = command in ASGI_SERVERS
        config = _option(argv, "-c", "--config")
        if config is None and command == "gunicorn" and "gunicorn.conf.py" in files:
            config = "gunicorn.conf.py"
        for word in _positional(argv)[:1]:
            if _APP_STRING.match(word):
                option = ("factory" if "--factory" in argv else None) if asgi else config
                steps.append(StartupStep("asgi" if asgi else "wsgi", word, line.source, option))
        if not steps and config and command == "gunicorn":
            steps.extend(_gunicorn_config_steps(root, files, config))
    elif command == "celery":
        app = _option(argv, "-A", "--app")
        if app:
            steps.append(StartupStep("celery", app, line.source))
    elif command in _SHELL or command.endswith((".sh", ".py")) or not _COMMAND_NAME.fullmatch(command):
        return []
    if command not in _SHELL:
        # The command itself with --help: what its distribution and its plug-ins load (flask's CLI loads
        # every flask.commands entry point; `alembic upgrade --help` loads alembic's command layer).
        words = [argv[0].rsplit("/", 1)[-1]]
        for word in argv[1:3]:
            if word.startswith("-") or not re.fullmatch(r"[a-z][\w-]*", word):
                break
            words.append(word)
            break
        steps.append(StartupStep("command", shlex.join(words), line.source, help=True))
    return steps


def _gunicorn_config_steps(root: Path, files: list[str], config: str | None = None) -> list[StartupStep]:
    """`wsgi_app = "pkg.wsgi:app"` in a gunicorn config file gunicorn reads."""
    if config:
        candidates = [config.removeprefix("python:")]
    else:
        candidates = [f for f in files if f.endswith("gunicorn.conf.py")]
    out = []
    for rel in candidates:
        text = _read(root, rel) or ""
        match = re.search(r"""^wsgi_app\s*=\s*["']([^"']+)["']""", text, re.MULTILINE)
        if match:
            out.append(StartupStep("wsgi", match.group(1), rel, rel))
    return out


def _django_steps(root: Path, files: list[str]) -> list[StartupStep]:
    for rel in sorted(files, key=lambda f: (f.rsplit("/", 1)[-1] != "manage.py", f.count("/"), f)):
        if rel.rsplit("/", 1)[-1] not in ("manage.py", "wsgi.py", "asgi.py"):
            continue
        match = _SETTINGS_DEFAULT.search(_read(root, rel) or "")
        if match:
            return [StartupStep("django", match.group(1), rel)]
    return []


def module_root(root: Path, module: str, files: list[str]) -> Path:
    """The directory an app module is imported from: the shallowest one holding `module`'s file."""
    parts = module.split(":", 1)[0].split(".")
    wanted = ["/".join(parts) + ".py", "/".join(parts) + "/__init__.py"]
    if len(parts) > 1:
        wanted.append("/".join(parts[:-1]) + "/__init__.py")
    best: str | None = None
    for rel in files:
        for suffix in wanted:
            if rel == suffix or rel.endswith("/" + suffix):
                prefix = rel[: len(rel) - len(suffix)].rstrip("/")
                if best is None or (prefix.count("/"), prefix) < (best.count("/"), best):
                    best = prefix
    return root / best if best else root
