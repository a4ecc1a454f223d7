"""The Python releases jettison knows and when upstream support ends: the one table every part reads.

Dates are the Python devguide's release status table (https://devguide.python.org/versions/, PEP 602's
five years), Debian's from its LTS page (wiki.debian.org/LTS) for the releases python images are built
on. A newer release is added here and nowhere else.
"""

from __future__ import annotations

import datetime

PYTHON_END_OF_LIFE: dict[str, datetime.date] = {
    "2.7": datetime.date(2020, 1, 1),
    "3.5": datetime.date(2020, 9, 30),
    "3.6": datetime.date(2021, 12, 23),
    "3.7": datetime.date(2023, 6, 27),
    "3.8": datetime.date(2024, 10, 7),
    "3.9": datetime.date(2025, 10, 31),
    "3.10": datetime.date(2026, 10, 31),
    "3.11": datetime.date(2027, 10, 31),
    "3.12": datetime.date(2028, 10, 31),
    "3.13": datetime.date(2029, 10, 31),
    "3.14": datetime.date(2030, 10, 31),
}

DEBIAN_END_OF_LIFE: dict[str, datetime.date] = {
    "jessie": datetime.date(2020, 6, 30),
    "stretch": datetime.date(2022, 6, 30),
    "buster": datetime.date(2024, 6, 30),
    "bullseye": datetime.date(2026, 8, 31),
    "bookworm": datetime.date(2028, 6, 30),
}


def version_key(version: str) -> tuple[int, int]:
    major, minor = version.split(".")[:2]
    return int(major), int(minor)


KNOWN_PYTHONS: tuple[str, ...] = tuple(sorted(PYTHON_END_OF_LIFE, key=version_key))
NEWEST_PYTHON = KNOWN_PYTHONS[-1]


def supported_python(version: str, today: datetime.date) -> str:
    """`version` if upstream still supports it on `today` (or it is unknown), else the oldest version
    still supported: the smallest step that gets security fixes again."""
    end = PYTHON_END_OF_LIFE.get(version)
    if end is None or end > today:
        return version
    alive = [v for v, eol in PYTHON_END_OF_LIFE.items() if eol > today]
    return min(alive, key=version_key) if alive else version
