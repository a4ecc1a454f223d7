"""What every subcommand shares: the console, and turning user errors into one line and exit 2."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console

from jettison.errors import JettisonError
from jettison.project.target import TargetPython

F = TypeVar("F", bound=Callable[..., Any])

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2


def console(stderr: bool = False) -> Console:
    """A rich console: colour only on a terminal, and never when NO_COLOR is set (rich reads it). No emoji
    codes: `Dockerfile:100:` printed as `Dockerfile💯` (rich's :100: shortcode)."""
    return Console(stderr=stderr, highlight=False, soft_wrap=True, emoji=False)


def print_target(target: TargetPython) -> None:
    """The one line every command prints about the Python it works for (same words in each)."""
    click.echo(f"target: {target}", err=True)


def user_errors_exit_2(func: F) -> F:
    """Print a JettisonError as `jettison: file:line: message` on stderr and exit 2, no traceback; and
    before the command reads its PATH, finish a `fix --write` a kill left there half done."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            _finish_interrupted_fix(kwargs.get("path"))
            return func(*args, **kwargs)
        except JettisonError as error:
            click.echo(f"jettison: {error}", err=True)
            sys.exit(EXIT_ERROR)
        except KeyboardInterrupt:
            click.echo("jettison: interrupted", err=True)
            sys.exit(130)

    return wrapper  # type: ignore[return-value]


def _finish_interrupted_fix(path: object) -> None:
    """Every command reading a project (its PATH argument) first rolls a `fix --write` a kill cut short
    forward or back (fixer/journal.py), so that nothing reads a half-written project."""
    if isinstance(path, Path) and path.is_dir():
        from jettison.fixer.journal import recover

        done = recover(path)
        if done:
            click.echo(f"jettison: {done}", err=True)
