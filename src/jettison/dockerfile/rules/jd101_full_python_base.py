"""JD101: the full `python:X` image where `-slim` serves.

The full image carries compilers, headers and tools (buildpack-deps) a Python web service does not
need at run time. A builder stage may use it; the final stage should not.
"""

from __future__ import annotations

from collections.abc import Iterator

from jettison.dockerfile.rules.base import Rule, RuleContext, retag_base
from jettison.model.findings import Finding, Fix, Saving, Severity
from jettison.model.image_names import parse_image

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
    tag = slim_tag(image.tag)
    slim = f"{image.repository}:{tag}"
    edit = retag_base(context, stage.from_instruction, tag) if stage.base == stage.base_raw else None
    yield RULE.finding(
        context,
        stage.from_instruction,
        f"final image builds on {stage.base}; {slim} serves a web service ~800 MB smaller",
        saving=Saving(megabytes=SAVING_MB),
        fix=Fix(
            f"use {slim} (move compilers into a builder stage if the build needs them)",
            safe=False,  # slim lacks compilers, headers and libraries a build or the app may use
            edits=(edit,) if edit is not None else (),
        ),
    )


def slim_tag(tag: str | None) -> str:
    """The -slim tag of a full python tag: `3.11` -> `3.11-slim`, `3.12-bookworm` -> `3.12-slim-bookworm`,
    `bookworm` -> `slim-bookworm`, none or `latest` -> `slim`."""
    if not tag or tag == "latest":
        return "slim"
    if tag[0].isdigit():
        version, _, variant = tag.partition("-")
        return f"{version}-slim-{variant}" if variant else f"{version}-slim"
    return f"slim-{tag}"


RULE = Rule(
    id="JD101",
    name="full-python-base",
    severity=Severity.WARNING,
    summary="final stage uses the full python image where -slim serves",
    rationale="The full image ships gcc, headers and VCS tools that a running service never uses.",
    url="https://hub.docker.com/_/python#image-variants",
    check=check,
)
