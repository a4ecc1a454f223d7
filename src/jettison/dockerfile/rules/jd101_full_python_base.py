"""JD101: the full `python:X` image where `-slim` serves.

The full image carries compilers, headers and tools (buildpack-deps) a Python web service does not
need at run time. A builder stage may use it; the final stage should not.
"""

from __future__ import annotations

from collections.abc import Iterator

from jettison.dockerfile.rules.base import Rule, RuleContext
from jettison.dockerfile.rules.images import parse_image
from jettison.model.findings import Finding, Fix, Saving, Severity

# python:3.11 is ~1,010 MB uncompressed, python:3.11-slim ~130 MB (Docker Hub, amd64): ~880 MB apart;
# we say 800 to stay on the safe side across versions.
SAVING_MB = 800.0


def check(context: RuleContext) -> Iterator[Finding]:
    model = context.model
    final = model.final_stage
    if final is None:
        return
    stage = final
    while stage.parent is not None:
        stage = model.stages[stage.parent]
    image = parse_image(stage.base)
    if not image.is_python or image.is_slim or image.is_alpine or "windows" in image.variant:
        return
    if image.variant not in ("", "bookworm", "bullseye", "buster", "stretch", "trixie"):
        return
    slim = f"{image.repository}:{image.tag}-slim" if image.tag else f"{image.repository}:slim"
    yield RULE.finding(
        context,
        stage.from_instruction,
        f"final image builds on {stage.base}; {slim} serves a web service ~800 MB smaller",
        saving=Saving(megabytes=SAVING_MB),
        fix=Fix(
            f"use {slim} (move compilers into a builder stage if the build needs them)",
            safe=False,
            replacement=slim,
        ),
    )


RULE = Rule(
    id="JD101",
    name="full-python-base",
    severity=Severity.WARNING,
    summary="final stage uses the full python image where -slim serves",
    rationale="The full image ships gcc, headers and VCS tools that a running service never uses.",
    url="https://hub.docker.com/_/python#image-variants",
    check=check,
)
