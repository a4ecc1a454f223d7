"""JD305: compilers and -dev packages in the final image.

gcc, build-essential and headers are needed to build wheels, not to run them. Build in a builder
stage and copy the virtualenv, or use binary wheels (psycopg2-binary, or psycopg[binary]) so no
compiler is needed at all.
"""

from __future__ import annotations

from collections.abc import Iterator

from jettison.dockerfile.rules.base import Rule, RuleContext, final_chain
from jettison.model.findings import Finding, Fix, Saving, Severity

# Installed sizes on Debian bookworm amd64 with --no-install-recommends (apt's "will be used" figure).
SIZES_MB = {
    "build-essential": 230.0,
    "gcc": 170.0,
    "g++": 190.0,
    "make": 1.5,
    "libpq-dev": 12.0,
    "python3-dev": 60.0,
    "libc6-dev": 25.0,
    "build-base": 200.0,  # Alpine
    "musl-dev": 4.0,
    "cmake": 40.0,
    "clang": 300.0,
}
EXACT = set(SIZES_MB) | {"gfortran", "cc", "autoconf", "automake", "libtool", "pkg-config", "cargo", "rustc"}


def is_build_tool(package: str) -> bool:
    name = package.split("=", 1)[0]
    return name in EXACT or name.endswith("-dev") or name.endswith("-devel")


def check(context: RuleContext) -> Iterator[Finding]:
    model = context.model
    for index in final_chain(context):
        for step in model.stages[index].steps:
            facts = step.run
            if facts is None:
                continue
            for install in facts.system_installs:
                tools = [p for p in install.packages if is_build_tool(p) and p not in facts.removed_packages]
                if install.virtual and install.virtual in facts.removed_packages:
                    tools = []
                if not tools:
                    continue
                megabytes = sum(SIZES_MB.get(p.split("=", 1)[0], 5.0) for p in tools)
                binary = " or psycopg2-binary instead of psycopg2" if any("libpq" in p for p in tools) else ""
                yield RULE.finding(
                    context,
                    step.instruction,
                    f"{', '.join(tools)} stay in the final image: build wheels in a builder stage and copy "
                    f"the virtualenv{binary}",
                    saving=Saving(megabytes=megabytes),
                    fix=Fix("multi-stage build: compilers only in the builder stage", safe=False),
                    data={"packages": tools},
                )


RULE = Rule(
    id="JD305",
    name="build-tools-in-final-image",
    severity=Severity.WARNING,
    summary="compilers or -dev packages in the final stage",
    rationale="Build tools add hundreds of MB and attack surface to an image that never compiles.",
    url="https://docs.docker.com/build/building/multi-stage/",
    check=check,
)
