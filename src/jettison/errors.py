"""The one error type a user can cause.

Anything the user can get wrong (a malformed Dockerfile, requirement line, tar, manifest or registry
reply) is raised as a JettisonError naming the file and line. The CLI prints it as one line and exits 2;
any other exception is a bug in jettison.
"""

from __future__ import annotations

from pathlib import Path


class JettisonError(Exception):
    """A problem with the user's input or environment, rendered as `file:line: message`."""

    def __init__(self, message: str, path: str | Path | None = None, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line

    def __str__(self) -> str:
        if self.path is None:
            return self.message
        if self.line is None:
            return f"{self.path}: {self.message}"
        return f"{self.path}:{self.line}: {self.message}"
