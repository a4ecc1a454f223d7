"""The environment the image will run: Python version and platform, for markers and wheel tags.

Markers are evaluated against the target, never the host (packaging's Marker.evaluate(environment=)),
and wheels are chosen by the target's tag priority, so sizes are those of the image's wheels.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from packaging import tags
from packaging.markers import Marker

from jettison.errors import JettisonError

_MACHINES = {
    "linux/amd64": "x86_64", "amd64": "x86_64", "x86_64": "x86_64",
    "linux/arm64": "aarch64", "linux/arm64/v8": "aarch64", "arm64": "aarch64", "aarch64": "aarch64",
}  # fmt: skip
# Debian bookworm's glibc, the base of python:3.11-slim.
DEFAULT_GLIBC = (2, 36)


@dataclass(frozen=True)
class Target:
    python: str = "3.11"
    platform: str = "linux/amd64"
    glibc: tuple[int, int] = DEFAULT_GLIBC

    @classmethod
    def parse(cls, python: str | None, platform: str | None) -> Target:
        python = python or "3.11"
        parts = python.split(".")
        if len(parts) < 2 or not all(p.isdigit() for p in parts[:2]):
            raise JettisonError(f"--target-python must look like 3.11, got {python!r}")
        platform = platform or "linux/amd64"
        if platform not in _MACHINES:
            raise JettisonError(f"unsupported --platform {platform!r}: use linux/amd64 or linux/arm64")
        return cls(".".join(parts[:2]), platform)

    @property
    def version_tuple(self) -> tuple[int, int]:
        major, minor = self.python.split(".")[:2]
        return int(major), int(minor)

    @property
    def machine(self) -> str:
        return _MACHINES[self.platform]

    @property
    def key(self) -> str:
        """Stable name for cache paths."""
        return f"cp{self.python.replace('.', '')}-{self.machine}-glibc{self.glibc[0]}.{self.glibc[1]}"

    def __str__(self) -> str:
        return f"Python {self.python} on {self.platform} (manylinux, glibc {self.glibc[0]}.{self.glibc[1]})"

    def marker_environment(self, extra: str = "") -> dict[str, str]:
        return {
            "implementation_name": "cpython",
            "implementation_version": f"{self.python}.0",
            "os_name": "posix",
            "platform_machine": self.machine,
            "platform_python_implementation": "CPython",
            "platform_release": "",
            "platform_system": "Linux",
            "platform_version": "",
            "python_full_version": f"{self.python}.0",
            "python_version": self.python,
            "sys_platform": "linux",
            "extra": extra,
        }

    def evaluate(self, marker: Marker | None, extras: frozenset[str] = frozenset()) -> bool:
        """True when a requirement with this marker applies, for any of the requested extras."""
        if marker is None:
            return True
        for extra in sorted(extras | {""}):
            try:
                if marker.evaluate(self.marker_environment(extra)):
                    return True
            except Exception:  # an undefined or malformed marker variable: keep the requirement
                return True
        return False

    @cached_property
    def platforms(self) -> list[str]:
        machine = self.machine
        names = [f"manylinux_{self.glibc[0]}_{minor}_{machine}" for minor in range(self.glibc[1], 16, -1)]
        if machine == "x86_64":
            names += ["manylinux2014_x86_64", "manylinux2010_x86_64", "manylinux1_x86_64"]
        else:
            names += ["manylinux2014_aarch64"]
        return names + [f"linux_{machine}"]

    @cached_property
    def tag_priority(self) -> dict[tags.Tag, int]:
        """Wheel tags this target accepts, best first (lower is better)."""
        version = self.version_tuple
        ordered = [
            *tags.cpython_tags(
                version, abis=[f"cp{version[0]}{version[1]}", "abi3", "none"], platforms=self.platforms
            ),
            *tags.compatible_tags(
                version, interpreter=f"cp{version[0]}{version[1]}", platforms=self.platforms
            ),
        ]
        priority: dict[tags.Tag, int] = {}
        for index, tag in enumerate(ordered):
            priority.setdefault(tag, index)
        return priority
