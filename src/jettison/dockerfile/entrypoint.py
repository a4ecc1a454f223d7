"""Entrypoint scripts: whether an image needs one, and the form it must take.

An entrypoint earns its place when it does work before the server starts (migrations, waiting for a
database, rendering config). One that only launches Gunicorn is dropped: the CMD does that directly,
and every extra shell is one more process that may swallow SIGTERM. A kept script always ends in
`exec "$@"`, so the CMD's Gunicorn replaces the shell as PID 1 and receives `docker stop`'s SIGTERM.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field

from jettison.gunicorn.settings import GunicornCommand, parse_gunicorn_args

_SET_E_WHY = "# Stop at the first failing step rather than start a server on a half-migrated database."
_EXEC_WHY = "# Replace this shell with the CMD (Gunicorn), so it is PID 1 and receives docker stop's SIGTERM."
# Lines that set up the shell but do no work of their own.
_SETUP_COMMANDS = frozenset({"set", "echo", "printf", "cd", "export", "true", ":", "trap", "umask"})


@dataclass(frozen=True)
class EntrypointRewrite:
    """What an existing entrypoint script becomes.

    needed:   it does work besides starting the server, so the image keeps an entrypoint.
    text:     the rewritten script (None when not needed).
    gunicorn: the Gunicorn command it ran, whose settings move into gunicorn.conf.py.
    dropped:  lines removed from the script (the server launch), for the report.
    """

    needed: bool
    text: str | None
    gunicorn: GunicornCommand | None = None
    dropped: tuple[str, ...] = field(default_factory=tuple)


def _logical_lines(text: str) -> list[str]:
    """Lines with backslash continuations joined."""
    lines: list[str] = []
    pending = ""
    for line in text.splitlines():
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        lines.append(pending + line)
        pending = ""
    if pending:
        lines.append(pending)
    return lines


def _words(line: str) -> list[str]:
    try:
        return shlex.split(line, comments=True)
    except ValueError:
        return line.split()


def _is_exec_args(words: list[str]) -> bool:
    return words[:1] == ["exec"] and words[1:] in (["$@"], ['"$@"'], ["${@}"])


def rewrite_entrypoint(text: str) -> EntrypointRewrite:
    """Decide whether the script is needed and rewrite it to end in `exec "$@"`."""
    kept: list[str] = []
    dropped: list[str] = []
    gunicorn: GunicornCommand | None = None
    does_work = False
    for line in _logical_lines(text):
        stripped = line.strip()
        words = _words(stripped)
        if not words or stripped.startswith("#"):
            if not stripped.startswith("#!"):
                kept.append(line)
            continue
        command = parse_gunicorn_args(words)
        if command is not None:
            gunicorn = command
            dropped.append(stripped)
            continue
        if _is_exec_args(words) or stripped == 'exec "$@"':
            continue
        if words[0] not in _SETUP_COMMANDS and "=" not in words[0]:
            does_work = True
        kept.append(line)
    if not does_work:
        return EntrypointRewrite(needed=False, text=None, gunicorn=gunicorn, dropped=tuple(dropped))
    ours = {"set -e", "set -eu", "set -o errexit", _SET_E_WHY, _EXEC_WHY}
    body = [line for line in kept if line.strip() not in ours]
    while body and not body[0].strip():
        body.pop(0)
    while body and not body[-1].strip():
        body.pop()
    script = [
        "#!/bin/sh",
        _SET_E_WHY,
        "set -e",
        "",
        *body,
        "",
        _EXEC_WHY,
        'exec "$@"',
    ]
    text = "\n".join(script) + "\n"
    return EntrypointRewrite(needed=True, text=text, gunicorn=gunicorn, dropped=tuple(dropped))
