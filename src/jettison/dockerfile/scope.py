"""Build-time variable scopes that share one history per stage instead of a copy per instruction.

Every instruction of a stage sees the ARGs and ENV set before it. Giving each its own dict made a
Dockerfile of N instructions that set variables hold N dicts of up to N names (issue 10: 18,000 lines
took 20 s and most of it was copying). A stage keeps one append-only `Assignments` log per kind; an
instruction holds a `Snapshot` (the log and how many assignments it sees), so taking one is O(1) and a
lookup is a bisect over that name's own history.

Snapshots read like the dicts they replace: same keys, values and iteration order (first assignment
first), and `==` compares them as mappings.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator, Mapping


class Assignments:
    """The values a stage gives its variables of one kind, in the order it gives them."""

    def __init__(self, initial: Mapping[str, str] | None = None) -> None:
        self._times: dict[str, list[int]] = {}  # name -> when each of its values was set
        self._values: dict[str, list[str]] = {}
        self._names: list[str] = []  # in order of first assignment, as a dict would iterate
        self._first: list[int] = []  # when each of _names was first set (ascending)
        self._clock = 0
        for name, value in (initial or {}).items():
            self.set(name, value)

    def set(self, name: str, value: str) -> None:
        times = self._times.get(name)
        if times is None:
            self._times[name] = [self._clock]
            self._values[name] = [value]
            self._names.append(name)
            self._first.append(self._clock)
        else:
            times.append(self._clock)
            self._values[name].append(value)
        self._clock += 1

    def snapshot(self) -> Snapshot:
        """What has been set so far; later assignments do not show through it."""
        return Snapshot(self, self._clock)

    def value_at(self, name: str, clock: int) -> str | None:
        times = self._times.get(name)
        if times is None:
            return None
        if times[-1] < clock:  # the usual case: the latest value
            return self._values[name][-1]
        index = bisect_left(times, clock) - 1
        return self._values[name][index] if index >= 0 else None

    def names_at(self, clock: int) -> list[str]:
        return self._names[: bisect_left(self._first, clock)]


class Snapshot(Mapping[str, str]):
    """The variables of one `Assignments` log as they stood at one instruction."""

    __slots__ = ("_log", "_clock")

    def __init__(self, log: Assignments, clock: int) -> None:
        self._log = log
        self._clock = clock

    def __getitem__(self, name: str) -> str:
        value = self._log.value_at(name, self._clock)
        if value is None:
            raise KeyError(name)
        return value

    def get(self, name: str, default: str | None = None) -> str | None:  # type: ignore[override]
        value = self._log.value_at(name, self._clock)
        return default if value is None else value

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self._log.value_at(name, self._clock) is not None

    def __iter__(self) -> Iterator[str]:
        return iter(self._log.names_at(self._clock))

    def __len__(self) -> int:
        return len(self._log.names_at(self._clock))

    def __repr__(self) -> str:
        return repr(dict(self))


class Layered(Mapping[str, str]):
    """Mappings read as one, the first that has a name deciding: `Layered(env, args)` is what
    `{**args, **env}` was, without building it (and iterates in that dict's order)."""

    __slots__ = ("_layers",)

    def __init__(self, *layers: Mapping[str, str]) -> None:
        self._layers = layers

    def __getitem__(self, name: str) -> str:
        for layer in self._layers:
            value = layer.get(name)
            if value is not None:
                return value
        raise KeyError(name)

    def get(self, name: str, default: str | None = None) -> str | None:  # type: ignore[override]
        for layer in self._layers:
            value = layer.get(name)
            if value is not None:
                return value
        return default

    def __contains__(self, name: object) -> bool:
        return any(name in layer for layer in self._layers)

    def __iter__(self) -> Iterator[str]:
        seen: dict[str, None] = {}
        for layer in reversed(self._layers):
            seen.update(dict.fromkeys(layer))
        return iter(seen)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __repr__(self) -> str:
        return repr(dict(self))
