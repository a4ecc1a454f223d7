"""Docker's .dockerignore semantics, as moby/patternmatcher and its ignorefile reader apply them.

Written by hand because no maintained Python library follows moby exactly: pathspec and fnmatch
implement .gitignore or shell globbing, which differ from Docker on `**` at the start, on a pattern
naming a directory excluding its children, and on `!` exceptions being re-checked against every
parent directory. The behaviour here mirrors moby's code path by path:

- reading (ignorefile.ReadAll): a UTF-8 BOM on the first line is dropped; lines *starting* with `#`
  are comments (an indented `#` is a pattern); surrounding whitespace is trimmed; `!` marks an
  exception; every pattern goes through filepath.Clean and loses one leading `/`.
- matching (PatternMatcher.MatchesOrParentMatches): patterns are tried in order, the last one that
  matches the path or any of its parent directories decides (so `!` re-includes), `*` and `?` never
  cross `/`, `**` crosses any number of directories, `[...]` classes and `\\` escapes as in Go.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from jettison.errors import JettisonError

_BOM = "\ufeff"
# Regex metacharacters that have no meaning in filepath.Match and are escaped (moby's shouldEscape).
_ESCAPE = set(".+()|{}$")


def clean(path: str) -> str:
    """Go's filepath.Clean on a slash-separated path (posixpath.normpath differs on a leading `//`)."""
    if path == "":
        return "."
    rooted = path.startswith("/")
    parts: list[str] = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if parts and parts[-1] != "..":
                parts.pop()
            elif not rooted:
                parts.append("..")
            continue
        parts.append(part)
    cleaned = "/".join(parts)
    if rooted:
        return "/" + cleaned
    return cleaned or "."


def read_patterns(text: str) -> list[str]:
    """The patterns of a .dockerignore file, normalised as moby's ignorefile.ReadAll does."""
    patterns = []
    for number, line in enumerate(text.splitlines()):
        if number == 0 and line.startswith(_BOM):
            line = line[len(_BOM) :]
        if line.startswith("#"):
            continue
        pattern = line.strip()
        if not pattern:
            continue
        invert = pattern.startswith("!")
        if invert:
            pattern = pattern[1:].strip()
        if pattern:
            pattern = clean(pattern)
            if len(pattern) > 1 and pattern.startswith("/"):
                pattern = pattern[1:]
        patterns.append("!" + pattern if invert else pattern)
    return patterns


@dataclass
class _Pattern:
    text: str
    exclusion: bool
    kind: str = "exact"  # exact | prefix | suffix | regexp, as moby's matchType
    regexp: re.Pattern[str] | None = None

    def compile(self) -> None:
        out = "^"
        kind = "exact"
        text = self.text
        i = 0
        position = 0  # moby's loop counter: counts consumed runes per step, not characters
        while i < len(text):
            ch = text[i]
            i += 1
            if ch == "*":
                if i < len(text) and text[i] == "*":
                    i += 1
                    if i < len(text) and text[i] == "/":
                        i += 1
                    if i >= len(text):
                        if kind == "exact":
                            kind = "prefix"
                        else:
                            out += ".*"
                            kind = "regexp"
                    else:
                        out += "(.*/)?"
                        kind = "regexp"
                    if position == 0:
                        kind = "suffix"
                else:
                    out += "[^/]*"
                    kind = "regexp"
            elif ch == "?":
                out += "[^/]"
                kind = "regexp"
            elif ch in _ESCAPE:
                out += "\\" + ch
            elif ch == "\\":
                if i < len(text):
                    out += "\\" + text[i]
                    i += 1
                    kind = "regexp"
                else:
                    out += "\\\\"
            elif ch in "[]":
                out += ch
                kind = "regexp"
            else:
                out += ch  # verbatim, as moby does (so `^` stays an anchor, as in Go)
            position += 1
        if kind == "regexp":
            try:
                self.regexp = re.compile(out + "$", re.DOTALL)
            except re.error as error:
                raise ValueError(f"bad pattern {self.text!r}: {error}") from error
        self.kind = kind

    def match(self, path: str) -> bool:
        if self.kind == "exact":
            return path == self.text
        if self.kind == "prefix":
            return path.startswith(self.text[:-2])
        if self.kind == "suffix":
            suffix = self.text[2:]
            if path.endswith(suffix):
                return True
            return suffix.startswith("/") and path == suffix[1:]
        assert self.regexp is not None
        return self.regexp.match(path) is not None


@dataclass
class DockerIgnore:
    """A compiled .dockerignore: `excludes(path)` says whether Docker leaves a context path out."""

    patterns: list[str] = field(default_factory=list)
    source: str | None = None  # the file the patterns came from, for error messages

    def __post_init__(self) -> None:
        self._compiled: list[_Pattern] = []
        for raw in self.patterns:
            pattern = raw.strip()
            if not pattern:
                continue
            pattern = clean(pattern)
            exclusion = pattern.startswith("!")
            if exclusion:
                if len(pattern) == 1:
                    raise JettisonError('illegal exclusion pattern: "!"', self.source)
                pattern = pattern[1:]
            compiled = _Pattern(pattern, exclusion)
            try:
                compiled.compile()
            except ValueError as error:
                raise JettisonError(str(error), self.source) from error
            self._compiled.append(compiled)

    @classmethod
    def from_text(cls, text: str, source: str | None = None) -> DockerIgnore:
        return cls(read_patterns(text), source)

    @classmethod
    def for_context(cls, context: Path) -> DockerIgnore | None:
        """The context's .dockerignore, or None when it has none (then Docker sends everything)."""
        path = context / ".dockerignore"
        if not path.is_file():
            return None
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as error:
            raise JettisonError(f"not UTF-8 text: {error.reason}", path) from error
        return cls.from_text(text, str(path))

    @property
    def has_exceptions(self) -> bool:
        return any(pattern.exclusion for pattern in self._compiled)

    def excludes(self, path: str) -> bool:
        """True when the slash-separated context-relative `path` is left out of the build context."""
        path = clean(path)
        if path == ".":
            return False  # moby: never exclude the context root itself
        matched = False
        parent = path.rsplit("/", 1)[0] if "/" in path else "."
        parent_dirs = parent.split("/")
        for pattern in self._compiled:
            # An inclusion cannot change an already-excluded path, nor an exception an included one.
            if pattern.exclusion != matched:
                continue
            match = pattern.match(path)
            if not match and parent != ".":
                for i in range(len(parent_dirs)):
                    if pattern.match("/".join(parent_dirs[: i + 1])):
                        match = True
                        break
            if match:
                matched = not pattern.exclusion
        return matched

    def filter(self, paths: Iterable[str]) -> list[str]:
        return [path for path in paths if not self.excludes(path)]


def context_files(context: Path, ignore: DockerIgnore | None = None) -> Iterator[str]:
    """Context-relative posix paths of the files Docker would send, sorted; symlinks are not followed.

    Directories that are excluded are still walked when the ignore file has `!` exceptions, since an
    exception may re-include a file below them (Docker's walker does the same).
    """
    root = context.resolve()

    def walk(directory: Path, prefix: str) -> Iterator[str]:
        try:
            entries = sorted(directory.iterdir(), key=lambda entry: entry.name)
        except OSError:
            return
        for entry in entries:
            relative = f"{prefix}{entry.name}"
            if entry.is_dir() and not entry.is_symlink():
                if ignore is not None and ignore.excludes(relative) and not ignore.has_exceptions:
                    continue
                yield from walk(entry, relative + "/")
            elif ignore is None or not ignore.excludes(relative):
                yield relative

    yield from walk(root, "")
