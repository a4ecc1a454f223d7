"""JD506: secrets passed through ARG or ENV.

ENV values are stored in the image config; ARG values in the image history (`docker history`).
Both are readable by anyone who pulls the image. Use `RUN --mount=type=secret` for build secrets and
inject run-time secrets when the container starts.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from jettison.dockerfile.rules.base import Rule, RuleContext
from jettison.model.findings import Finding, Fix, Severity
from jettison.project.secrets import scan_text

SECRET_NAME = re.compile(
    r"(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|ACCESS_KEY|PRIVATE_KEY|CREDENTIALS?|AUTH)", re.IGNORECASE
)
NOT_SECRET = re.compile(
    r"(_FILE|_PATH|_DIR|_ID|_NAME|_USER|_URL_PATH|_HEADER|_LENGTH|_TTL|_EXPIRY)$", re.IGNORECASE
)


def check(context: RuleContext) -> Iterator[Finding]:
    model = context.model
    for stage in model.stages:
        declarations = [(d.name, d.default, d.instruction, "ARG") for d in stage.args]
        declarations += [(a.name, a.raw_value, a.instruction, "ENV") for a in stage.envs]
        for name, value, instruction, keyword in declarations:
            by_name = bool(SECRET_NAME.search(name)) and not NOT_SECRET.search(name)
            by_value = bool(value) and bool(scan_text(f"{name}={value}"))
            if keyword == "ENV" and not value:
                by_name = False  # an empty ENV holds nothing
            if not (by_name or by_value):
                continue
            where = "the image history" if keyword == "ARG" else "the image config"
            yield RULE.finding(
                context,
                instruction,
                f"{keyword} {name} looks like a secret: its value is stored in {where}; use "
                "RUN --mount=type=secret at build time or inject it at run time",
                fix=Fix("use a BuildKit secret mount or a run-time secret", safe=False),
            )


RULE = Rule(
    id="JD506",
    name="secret-in-arg-or-env",
    severity=Severity.ERROR,
    summary="secret passed through ARG or ENV",
    rationale="ARG and ENV values are visible to anyone who can pull the image.",
    url="https://docs.docker.com/reference/build-checks/secrets-used-in-arg-or-env/",
    check=check,
)
