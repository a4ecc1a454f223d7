"""JD104: a Python version, or the Debian release under it, past its end of life.

Past end of life there are no more security fixes, and newer wheels stop being published for it.
The python image's tag names both: `3.8-slim-buster` is Python 3.8 on Debian 10.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from jettison.dockerfile.rules.base import Rule, RuleContext
from jettison.dockerfile.rules.images import parse_image
from jettison.model.findings import Finding, Severity

# End-of-life dates from the Python devguide's release status table (PEP 602 five-year support).
END_OF_LIFE = {
    (2, 7): datetime.date(2020, 1, 1),
    (3, 5): datetime.date(2020, 9, 30),
    (3, 6): datetime.date(2021, 12, 23),
    (3, 7): datetime.date(2023, 6, 27),
    (3, 8): datetime.date(2024, 10, 7),
    (3, 9): datetime.date(2025, 10, 31),
    (3, 10): datetime.date(2026, 10, 31),
    (3, 11): datetime.date(2027, 10, 31),
    (3, 12): datetime.date(2028, 10, 31),
    (3, 13): datetime.date(2029, 10, 31),
}

# End of Debian LTS for the releases python images were published on (wiki.debian.org/LTS).
DEBIAN_END_OF_LIFE = {
    "jessie": datetime.date(2020, 6, 30),
    "stretch": datetime.date(2022, 6, 30),
    "buster": datetime.date(2024, 6, 30),
    "bullseye": datetime.date(2026, 8, 31),
    "bookworm": datetime.date(2028, 6, 30),
}


def check(context: RuleContext) -> Iterator[Finding]:
    today = context.project.today
    for stage in context.model.stages:
        if stage.parent is not None:
            continue
        image = parse_image(stage.base)
        reasons = []
        version = image.python_version
        if version is not None and len(version) >= 2:
            end = END_OF_LIFE.get(version[:2])
            if end is not None and end <= today:
                reasons.append(f"Python {version[0]}.{version[1]} reached end of life on {end.isoformat()}")
            elif end is None and version[:2] < (3, 5):
                reasons.append(f"Python {version[0]}.{version[1]} is long past end of life")
        if image.is_python:
            for release, end in DEBIAN_END_OF_LIFE.items():
                if release in image.variant and end <= today:
                    reasons.append(f"Debian {release} reached end of life on {end.isoformat()}")
        if reasons:
            yield RULE.finding(
                context,
                stage.from_instruction,
                "; ".join(reasons) + ": no security fixes; move to a supported version",
            )


RULE = Rule(
    id="JD104",
    name="end-of-life-python",
    severity=Severity.ERROR,
    summary="base image runs a Python or Debian past end of life",
    rationale="End-of-life Pythons get no security fixes and newer wheels stop being published for them.",
    url="https://devguide.python.org/versions/",
    check=check,
)
