"""JD201: the source is copied before the dependencies are installed.

Docker reuses a layer only while everything before it is unchanged: with `COPY . .` above
`pip install -r requirements.txt`, every code edit invalidates the install layer and reinstalls all
dependencies. Copy the dependency manifests first, install, then copy the source.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from jettison.dockerfile.rules.base import Rule, RuleContext
from jettison.model.findings import Finding, Fix, Saving, Severity

MANIFESTS = (
    "requirements",
    "constraints",
    "pyproject.toml",
    "poetry.lock",
    "uv.lock",
    "pipfile",
    "setup.cfg",
)
# A dependency install of a typical web service takes 30-120 s on CI; each code-only rebuild saves it.
SAVING_SECONDS = 60.0


def _is_manifest(source: str) -> bool:
    base = posixpath.basename(source.rstrip("/")).lower()
    return base.startswith(MANIFESTS) or base.endswith((".txt", ".lock", ".in"))


def check(context: RuleContext) -> Iterator[Finding]:
    for stage in context.model.stages:
        broad = None
        for copy in context.model.copies(stage):
            if copy.from_context and any(not _is_manifest(source) for source in copy.sources):
                broad = copy
                break
        if broad is None:
            continue
        for step in stage.steps:
            if step.line <= broad.step.line or step.run is None:
                continue
            for pip in step.run.pip_installs:
                installs_deps = (
                    pip.requirement_files
                    or pip.tool in ("poetry", "pipenv")
                    or (pip.tool == "uv" and pip.argv[1:2] == ("sync",))
                )
                if installs_deps:
                    what = ", ".join(pip.requirement_files) or pip.text
                    yield RULE.finding(
                        context,
                        broad.step.instruction,
                        f"source copied (line {broad.step.line}) before dependencies are installed "
                        f"({what}, line {step.line}): every code edit reinstalls them",
                        saving=Saving(seconds=SAVING_SECONDS),
                        fix=Fix(
                            "COPY the requirements file alone, install, then COPY the source", safe=False
                        ),
                        data={"install_line": step.line},
                    )
                    break
            else:
                continue
            break


RULE = Rule(
    id="JD201",
    name="source-before-dependencies",
    severity=Severity.WARNING,
    summary="source copied before dependencies are installed",
    rationale="Any change to the copied files invalidates the cache of every later layer.",
    url="https://docs.docker.com/build/cache/optimize/#order-your-layers",
    check=check,
)
