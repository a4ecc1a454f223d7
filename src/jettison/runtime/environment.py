"""The environment an app starts with, for tracing and for verifying: the same for both images.

First answer wins, per variable: the user's `--env-file`, then the project's example env file
(.env.example, .env.sample, .env.template, example.env, .env.dist), then `environment:` of its compose
files, then the final stage's ENV. A value still empty or pointing at a server this run does not have
(a database or broker URL) gets a stand-in the app can start with: SQLite for databases, an in-memory
broker, a dummy secret. `placeholders()` names the variables given stand-ins, for the report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from jettison.errors import JettisonError

EXAMPLE_ENV_FILES = (
    ".env.example",
    ".env.sample",
    ".env.template",
    "example.env",
    ".env.dist",
    "env.example",
)
_LINE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$")
_COMPOSE_ENV_ITEM = re.compile(r"^\s*-\s*[\"']?([A-Za-z_][A-Za-z0-9_]*)=(.*?)[\"']?\s*$")
_COMPOSE_ENV_MAP = re.compile(r"^\s+([A-Za-z_][A-Za-z0-9_]*)\s*:\s*(.*?)\s*$")
_DATABASE_SCHEMES = ("postgres", "postgresql", "mysql", "mariadb", "oracle", "mssql")
_BROKER_SCHEMES = ("redis", "rediss", "amqp", "amqps", "pyamqp")


@dataclass(frozen=True)
class AppEnvironment:
    values: dict[str, str] = field(default_factory=dict)
    origins: dict[str, str] = field(default_factory=dict)  # variable -> file it came from
    stand_ins: tuple[str, ...] = ()

    def placeholders(self) -> list[str]:
        return list(self.stand_ins)


def parse_env_file(text: str, path: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        match = _LINE.match(line)
        if not match:
            raise JettisonError("expected NAME=value", path, number)
        value = match.group(2)
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        elif " #" in value:
            value = value.split(" #", 1)[0].rstrip()
        values[match.group(1)] = value
    return values


def _compose_environment(text: str) -> dict[str, str]:
    values: dict[str, str] = {}
    inside = False
    indent = 0
    for line in text.splitlines():
        if re.match(r"^\s*environment\s*:\s*$", line):
            inside, indent = True, len(line) - len(line.lstrip())
            continue
        if inside:
            if line.strip() and len(line) - len(line.lstrip()) <= indent:
                inside = False
                continue
            match = _COMPOSE_ENV_ITEM.match(line) or _COMPOSE_ENV_MAP.match(line)
            if match:
                value = match.group(2).strip().strip("\"'")
                if "${" not in value:
                    values.setdefault(match.group(1), value)
    return values


def _stand_in(name: str, value: str, scratch: str) -> str | None:
    scheme = value.split("://", 1)[0].split("+", 1)[0].lower() if "://" in value else ""
    if scheme in _DATABASE_SCHEMES:
        return f"sqlite:///{scratch}/jettison-verify.sqlite3"
    if scheme in _BROKER_SCHEMES and ("CELERY" in name or "BROKER" in name):
        return "memory://"
    if not value and re.search(r"SECRET|_KEY$|TOKEN|SALT", name):
        return "jettison-dummy-" + "x" * 40
    return None


def app_environment(
    root: Path, files: list[str], image_env: dict[str, str] | None = None, env_file: Path | None = None,
    scratch: str = "/tmp", stand_ins: bool = True,
) -> AppEnvironment:  # fmt: skip
    """The variables to start the app with (see the module docstring for the order)."""
    layers: list[tuple[str, dict[str, str]]] = []
    if env_file is not None:
        try:
            layers.append(
                (str(env_file), parse_env_file(env_file.read_text(encoding="utf-8"), str(env_file)))
            )
        except OSError as error:
            raise JettisonError(f"cannot read env file: {error.strerror}", str(env_file)) from error
    for name in EXAMPLE_ENV_FILES:
        if (root / name).is_file():
            layers.append(
                (name, parse_env_file((root / name).read_text(encoding="utf-8", errors="replace"), name))
            )
            break
    for rel in files:
        base = rel.rsplit("/", 1)[-1]
        if base.startswith(("docker-compose", "compose")) and base.endswith((".yml", ".yaml")):
            try:
                layers.append((rel, _compose_environment((root / rel).read_text(encoding="utf-8"))))
            except OSError:
                continue
    if image_env:
        layers.append(("Dockerfile ENV", dict(image_env)))
    values: dict[str, str] = {}
    origins: dict[str, str] = {}
    user_given: set[str] = set()
    for origin, layer in layers:
        for key, value in layer.items():
            if key not in values:
                values[key], origins[key] = value, origin
                if env_file is not None and origin == str(env_file):
                    user_given.add(key)
    replaced: list[str] = []
    if stand_ins:
        for key, value in sorted(values.items()):
            if key in user_given or key in (image_env or {}):
                continue
            substitute = _stand_in(key, value, scratch)
            if substitute is not None:
                values[key] = substitute
                replaced.append(key)
    return AppEnvironment(values, origins, tuple(replaced))
