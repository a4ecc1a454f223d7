"""JD104: a Python version, or the Debian release under it, past its end of life.

Past end of life there are no more security fixes, and newer wheels stop being published for it.
The python image's tag names both: `3.8-slim-buster` is Python 3.8 on Debian 10.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from jettison.dockerfile.rules.base import Rule, RuleContext, retag_base
from jettison.model.findings import Finding, Fix, Severity
from jettison.model.image_names import parse_image
from jettison.model.pythons import DEBIAN_END_OF_LIFE, PYTHON_END_OF_LIFE, supported_python


def check(context: RuleContext) -> Iterator[Finding]:
    today = context.project.today
    for stage in context.model.stages:
        if stage.parent is not None:
            continue
        image = parse_image(stage.base)
        reasons = []
        version = image.python_version
        if version is not None and len(version) >= 2:
            end = PYTHON_END_OF_LIFE.get(f"{version[0]}.{version[1]}")
            if end is not None and end <= today:
                reasons.append(f"Python {version[0]}.{version[1]} reached end of life on {end.isoformat()}")
            elif end is None and version[:2] < (3, 5):
                reasons.append(f"Python {version[0]}.{version[1]} is long past end of life")
        if image.is_python:
            for release, end in DEBIAN_END_OF_LIFE.items():
                if release in image.variant and end <= today:
                    reasons.append(f"Debian {release} reached end of life on {end.isoformat()}")
        if reasons:
            tag = _supported_tag(image.tag, version, today)
            edit = None
            if tag is not None and tag != image.tag and stage.base == stage.base_raw:
                edit = retag_base(context, stage.from_instruction, tag)
            yield RULE.finding(
                context,
                stage.from_instruction,
                "; ".join(reasons) + ": no security fixes; move to a supported version",
                fix=Fix(
                    f"use {image.repository}:{tag}" if tag else "move to a supported Python",
                    # Unsafe: the app and its pinned wheels may not run on the newer Python or Debian.
                    safe=False,
                    edits=(edit,) if edit is not None else (),
                ),
            )


def _supported_tag(tag: str | None, version: tuple[int, ...] | None, today: datetime.date) -> str | None:
    """The tag with the oldest supported Python minor (and Debian release) in place of end-of-life ones:
    `3.8-slim-buster` -> `3.11-slim-bookworm` on 2026-11-29; None when the tag is not read here."""
    if not tag or version is None or len(version) < 2 or not tag[0].isdigit():
        return None
    written, _, variant = tag.partition("-")
    python = supported_python(f"{version[0]}.{version[1]}", today)
    if python != f"{version[0]}.{version[1]}":
        written = python  # a pinned patch release of the old minor means nothing for the new one
    alive = sorted((end, release) for release, end in DEBIAN_END_OF_LIFE.items() if end > today)
    parts = []
    for part in variant.split("-") if variant else []:
        if part in DEBIAN_END_OF_LIFE and DEBIAN_END_OF_LIFE[part] <= today:
            if not alive:
                return None
            part = alive[0][1]
        elif part.startswith("alpine") and written != tag.partition("-")[0]:
            part = "alpine"  # alpine3.12 is not published for the newer Python
        parts.append(part)
    return "-".join([written, *parts])


RULE = Rule(
    id="JD104",
    name="end-of-life-python",
    severity=Severity.ERROR,
    summary="base image runs a Python or Debian past end of life",
    rationale="End-of-life Pythons get no security fixes and newer wheels stop being published for them.",
    url="https://devguide.python.org/versions/",
    check=check,
)
