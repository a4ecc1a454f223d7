"""JD504: a variable Docker expands that is defined nowhere: it expands to an empty string.

`COPY $APP_DIR/ /app` with no ARG or ENV APP_DIR copies the whole context root; BuildKit's
UndefinedVar check reports the same. Names a base image is known to set are accepted.
"""

from __future__ import annotations

from collections.abc import Iterator

from jettison.dockerfile.model import PREDEFINED_PLATFORM_ARGS, PROXY_ARGS
from jettison.dockerfile.rules.base import Rule, RuleContext
from jettison.model.findings import Finding, Severity

# Set by the official python (and Debian/Alpine) images or by Docker itself.
BASE_IMAGE_ENV = {
    "PATH", "HOME", "HOSTNAME", "LANG", "LC_ALL", "TERM", "PYTHON_VERSION", "PYTHON_PIP_VERSION",
    "PYTHON_SETUPTOOLS_VERSION", "PYTHON_GET_PIP_URL", "PYTHON_GET_PIP_SHA256", "PYTHON_SHA256", "GPG_KEY",
    "PWD", "USER", "SHELL",
}  # fmt: skip


def defined_names(context: RuleContext) -> set[str]:
    model = context.model
    names = {declaration.name for declaration in model.global_args}
    for stage in model.stages:
        names |= {declaration.name for declaration in stage.args}
        names |= {assignment.name for assignment in stage.envs}
    return names


def check(context: RuleContext) -> Iterator[Finding]:
    model = context.model
    known = defined_names(context) | BASE_IMAGE_ENV | set(PREDEFINED_PLATFORM_ARGS) | PROXY_ARGS
    candidates = [(stage.from_instruction, stage.from_expansion) for stage in model.stages]
    candidates += [(step.instruction, step.expansion) for step in model.steps()]
    for instruction, expansion in candidates:
        if expansion is None:
            continue
        undefined = sorted({name for name in expansion.missing if name not in known and not name.isdigit()})
        if undefined:
            yield RULE.finding(
                context,
                instruction,
                f"{', '.join('$' + name for name in undefined)} in {instruction.keyword} is "
                "defined by no ARG or "
                "ENV: it expands to an empty string",
                data={"variables": undefined},
            )


RULE = Rule(
    id="JD504",
    name="undefined-variable",
    severity=Severity.WARNING,
    summary="variable used but never defined",
    rationale="An undefined variable silently expands to nothing, changing paths and image names.",
    url="https://docs.docker.com/reference/build-checks/undefined-var/",
    check=check,
)
