"""JD102: Alpine base with Python packages that must compile.

PyPI wheels are mostly built for glibc (manylinux); on musl many packages without musllinux wheels
build from source: builds get many times slower and need compilers in the image.
"""

from __future__ import annotations

from collections.abc import Iterator

from jettison.dockerfile.rules.base import Rule, RuleContext
from jettison.model.findings import Finding, Saving, Severity
from jettison.model.image_names import parse_image

# Distributions known to build from source on musl for common versions, or to need system libraries.
COMPILED = {
    "numpy", "pandas", "scipy", "psycopg2", "lxml", "grpcio", "cryptography", "pillow", "gevent",
    "greenlet", "uwsgi", "mysqlclient", "pyarrow", "scikit-learn", "matplotlib", "cffi", "orjson",
    "ujson", "pyyaml", "regex", "shapely", "h5py", "psutil", "pycurl", "bcrypt", "pynacl",
}  # fmt: skip
BUILD_TOOLS = {"gcc", "g++", "build-base", "musl-dev", "python3-dev", "libffi-dev", "make", "cmake"}
# Building numpy/pandas/grpcio from source on 2 cores takes minutes each; 300 s is a modest estimate.
SAVING_SECONDS = 300.0


def _name(spec: str) -> str:
    for separator in "=<>!~[;@ ":
        spec = spec.split(separator, 1)[0]
    return spec.lower().replace("_", "-")


def check(context: RuleContext) -> Iterator[Finding]:
    model = context.model
    for stage in model.stages:
        image = parse_image(model.root_image(stage))
        if not image.is_alpine:
            continue
        reasons: list[str] = []
        first = None
        for step in stage.steps:
            facts = step.run
            if facts is None:
                continue
            for install in facts.system_installs:
                tools = sorted(set(install.packages) & BUILD_TOOLS)
                if tools:
                    reasons.append("installs " + ", ".join(tools))
                    first = first or step.instruction
            for pip in facts.pip_installs:
                compiled = sorted({_name(spec) for spec in pip.packages} & COMPILED)
                if compiled:
                    reasons.append("pip builds " + ", ".join(compiled))
                    first = first or step.instruction
                for requirements in pip.requirement_files:
                    # An image path (/www/requirements.txt) is read from the context by its name.
                    text = (
                        context.project.read_text(requirements)
                        or context.project.read_text(requirements.rsplit("/", 1)[-1])
                        or ""
                    )
                    names = {_name(line.strip()) for line in text.splitlines() if line.strip()}
                    compiled = sorted(names & COMPILED)
                    if compiled:
                        reasons.append(f"{requirements} needs " + ", ".join(compiled[:5]))
                        first = first or step.instruction
        if reasons:
            yield RULE.finding(
                context,
                stage.from_instruction,
                f"Alpine (musl) base while the stage {'; '.join(reasons)}: these compile from source; "
                "use python:X-slim",
                saving=Saving(seconds=SAVING_SECONDS),
            )


RULE = Rule(
    id="JD102",
    name="alpine-with-compiled-packages",
    severity=Severity.WARNING,
    summary="Alpine base with Python packages that must compile",
    rationale="manylinux wheels don't install on musl; packages build from source, slowly, with compilers.",
    url="https://pythonspeed.com/articles/alpine-docker-python/",
    check=check,
)
