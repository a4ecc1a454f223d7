"""Facts about the project a Dockerfile builds, handed to the rules: the build context and its files,
the audit's verdicts, and settings. Pure data plus a reader, so rules stay testable without a disk."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from jettison.project.dockerignore import DockerIgnore, context_files
from jettison.project.secrets import Secret, detect

# Files larger than this are never read whole by a rule (data dumps, models): secrets live in small files.
MAX_READ_BYTES = 1_000_000


@dataclass(frozen=True)
class ProjectFacts:
    """The build context as the rules see it.

    files:          every file of the context directory (context-relative posix paths), before
                    .dockerignore filtering, so context rules can tell what the ignore file saves.
    dockerignore:   the compiled .dockerignore, None when the context has none.
    unused:         distributions the requirements audit found unused -> installed size in bytes
                    (None when unknown).
    kill_grace:     seconds the orchestrator waits between SIGTERM and SIGKILL (Docker and
                    Kubernetes default to 10 s and 30 s; configurable, 30 by default).
    """

    files: tuple[str, ...] = ()
    dockerignore: DockerIgnore | None = None
    unused: Mapping[str, int | None] = field(default_factory=dict)
    kill_grace: float = 30.0
    today: datetime.date = field(default_factory=datetime.date.today)
    reader: Callable[[str], bytes | None] = field(default=lambda path: None, compare=False)
    sizes: Mapping[str, int] = field(default_factory=dict)
    _secrets: dict[str, list[Secret]] = field(default_factory=dict, compare=False, repr=False)

    def secrets(self, path: str) -> list[Secret]:
        """Secrets in a context file (jettison.project.secrets), read and scanned once per path."""
        if path not in self._secrets:
            self._secrets[path] = detect(path, self.read(path))
        return self._secrets[path]

    def read(self, path: str) -> bytes | None:
        return self.reader(path.lstrip("/").removeprefix("./"))

    def read_text(self, path: str) -> str | None:
        data = self.read(path)
        if data is None:
            return None
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return None

    def sent_files(self) -> list[str]:
        """Files Docker sends to the builder, after .dockerignore."""
        if self.dockerignore is None:
            return list(self.files)
        return self.dockerignore.filter(self.files)

    def exists(self, path: str) -> bool:
        path = path.lstrip("/").removeprefix("./").rstrip("/")
        return path in self.files or any(name.startswith(path + "/") for name in self.files)

    @classmethod
    def from_mapping(cls, files: Mapping[str, bytes | str], **kwargs: object) -> ProjectFacts:
        """Facts over in-memory files (tests, and contexts already read elsewhere)."""
        data = {name: value.encode() if isinstance(value, str) else value for name, value in files.items()}
        ignore = None
        if ".dockerignore" in data:
            ignore = DockerIgnore.from_text(data[".dockerignore"].decode("utf-8", "replace"), ".dockerignore")
        return cls(
            files=tuple(sorted(data)),
            dockerignore=ignore,
            reader=data.get,
            sizes={name: len(value) for name, value in data.items()},
            **kwargs,  # type: ignore[arg-type]
        )

    @classmethod
    def from_directory(
        cls, context: Path, skip_dirs: frozenset[str] = frozenset(), **kwargs: object
    ) -> ProjectFacts:
        """Facts over a context directory on disk. Reads file contents lazily, small files only."""
        root = context.resolve()
        names = (
            list(context_files(root, None))
            if not skip_dirs
            else [name for name in context_files(root, None) if not set(name.split("/")[:-1]) & skip_dirs]
        )
        sizes: dict[str, int] = {}
        for name in names:
            try:
                sizes[name] = (root / name).lstat().st_size
            except OSError:
                sizes[name] = 0

        def reader(path: str) -> bytes | None:
            target = root / path
            try:
                if not target.is_file() or target.stat().st_size > MAX_READ_BYTES:
                    return None
                return target.read_bytes()
            except OSError:
                return None

        return cls(
            files=tuple(names),
            dockerignore=DockerIgnore.for_context(root),
            reader=reader,
            sizes=sizes,
            **kwargs,  # type: ignore[arg-type]
        )
