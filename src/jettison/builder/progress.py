"""How a build reports progress: a small protocol the CLI implements with rich, silent by default."""

from __future__ import annotations

from typing import Protocol


class BuildProgress(Protocol):
    def start(self, task: str, total: int | None = None) -> None:
        """A phase begins (resolve, download, layer, push); `total` in bytes or items when known."""

    def advance(self, task: str, amount: int = 1) -> None: ...

    def finish(self, task: str, detail: str = "") -> None: ...

    def note(self, text: str) -> None:
        """Something the user should read (a skipped step, a cache hit)."""


class SilentProgress:
    def __init__(self) -> None:
        self.notes: list[str] = []

    def start(self, task: str, total: int | None = None) -> None:
        pass

    def advance(self, task: str, amount: int = 1) -> None:
        pass

    def finish(self, task: str, detail: str = "") -> None:
        pass

    def note(self, text: str) -> None:
        self.notes.append(text)
