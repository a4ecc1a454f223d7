"""The environment the image will run: Python version and platform, for markers and wheel tags.

Markers are evaluated against the target, never the host (packaging's Marker.evaluate(environment=)),
and wheels are chosen by the target's tag priority, so sizes are those of the image's wheels.
"""

from __future__ import annotations

import sys
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

# Standard-library modules that came or went (What's New; PEP 594, PEP 632): (first version with it,
# first version without it, distributions on PyPI that provide the same module name after removal).
# The host's sys.stdlib_module_names is corrected by this table for the target's version, so an import
# of distutils on 3.12+ needs setuptools, and on 3.11 needs nothing.
STDLIB_CHANGES: dict[str, tuple[tuple[int, int] | None, tuple[int, int] | None, tuple[str, ...]]] = {
    "distutils": (None, (3, 12), ("setuptools",)),
    "asynchat": (None, (3, 12), ("pyasynchat", "standard-asynchat")),
    "asyncore": (None, (3, 12), ("pyasyncore", "standard-asyncore")),
    "imp": (None, (3, 12), ("zombie-imp",)),
    "smtpd": (None, (3, 12), ("standard-smtpd",)),
    "aifc": (None, (3, 13), ("standard-aifc",)),
    "audioop": (None, (3, 13), ("audioop-lts",)),
    "cgi": (None, (3, 13), ("legacy-cgi", "standard-cgi")),
    "cgitb": (None, (3, 13), ("legacy-cgi", "standard-cgitb")),
    "chunk": (None, (3, 13), ("standard-chunk",)),
    "crypt": (None, (3, 13), ("standard-crypt",)),
    "imghdr": (None, (3, 13), ("standard-imghdr",)),
    "mailcap": (None, (3, 13), ("standard-mailcap",)),
    "msilib": (None, (3, 13), ()),
    "nis": (None, (3, 13), ()),
    "nntplib": (None, (3, 13), ("standard-nntplib",)),
    "ossaudiodev": (None, (3, 13), ()),
    "pipes": (None, (3, 13), ("standard-pipes",)),
    "sndhdr": (None, (3, 13), ("standard-sndhdr",)),
    "spwd": (None, (3, 13), ()),
    "sunau": (None, (3, 13), ("standard-sunau",)),
    "telnetlib": (None, (3, 13), ("standard-telnetlib",)),
    "uu": (None, (3, 13), ("standard-uu",)),
    "xdrlib": (None, (3, 13), ("standard-xdrlib",)),
    "lib2to3": (None, (3, 13), ()),
    "zoneinfo": ((3, 9), None, ("backports.zoneinfo",)),
    "graphlib": ((3, 9), None, ("graphlib-backport",)),
    "tomllib": ((3, 11), None, ()),
    "annotationlib": ((3, 14), None, ()),
    "compression": ((3, 14), None, ()),
}
_HOST_STDLIB = frozenset(sys.stdlib_module_names) | {"__future__", "__main__"}


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

    @cached_property
    def stdlib_modules(self) -> frozenset[str]:
        """Top-level standard-library modules of the target's Python (not the host's)."""
        version = self.version_tuple
        present = set(_HOST_STDLIB)
        for module, (added, removed, _) in STDLIB_CHANGES.items():
            if (added is None or version >= added) and (removed is None or version < removed):
                present.add(module)
            else:
                present.discard(module)
        return frozenset(present)

    def stdlib_replacements(self, module: str) -> tuple[str, ...]:
        """Distributions providing `module` on a target whose standard library no longer has it."""
        change = STDLIB_CHANGES.get(module)
        if change is None or module in self.stdlib_modules:
            return ()
        return change[2]

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
