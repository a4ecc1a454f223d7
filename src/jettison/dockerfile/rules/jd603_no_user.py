"""JD603: the container runs as root (no USER in the final stage).

The edit (unsafe) adds, above the final stage's CMD or ENTRYPOINT, a system user `app` (uid 10001) that
owns the working directory the command runs in, then `USER app`: an app writing under its working
directory (logs/, a SQLite file) keeps working. It cannot know other paths the app writes to, hence
unsafe, and verify runs the result. Only on bases with a known user tool: Debian's useradd (the official
python images and anything that runs apt-get) or Alpine's adduser; none on other bases.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from jettison.dockerfile.rules.base import Rule, RuleContext, final_chain
from jettison.model.edits import Edit
from jettison.model.findings import Finding, Fix, Severity
from jettison.model.image_names import parse_image

UID = 10001
_DEBIAN = f"useradd --system --uid {UID} --user-group --no-create-home app"
_ALPINE = f"addgroup -S -g {UID} app && adduser -S -D -H -u {UID} -G app app"

ROOT = {"root", "0", "0:0", "root:root"}


def check(context: RuleContext) -> Iterator[Finding]:
    model = context.model
    final = model.final_stage
    if final is None:
        return
    last_user = None
    for index in reversed(final_chain(context)):
        for step in model.stages[index].steps:
            if step.keyword == "USER":
                last_user = step
    if last_user is None and "nonroot" in model.root_image(final):
        return  # distroless :nonroot and similar bases already run as an unprivileged user
    if last_user is None:
        yield RULE.finding(
            context,
            final.from_instruction,
            "no USER in the final stage: the service runs as root",
            fix=Fix("create a user and add `USER app` before CMD", safe=False, edits=_user_edit(context)),
        )
    elif last_user.expansion is not None and last_user.expansion.value.strip() in ROOT:
        yield RULE.finding(context, last_user.instruction, "final USER is root: the service runs as root")


def _user_edit(context: RuleContext) -> tuple[Edit, ...]:
    model = context.model
    final = model.final_stage
    assert final is not None
    image = parse_image(model.root_image(final))
    runs = [step.run for index in final_chain(context) for step in model.stages[index].steps if step.run]
    apt = any(install.manager in ("apt-get", "apt") for run in runs for install in run.system_installs)
    apk = any(install.manager == "apk" for run in runs for install in run.system_installs)
    if image.is_alpine or apk:
        create = _ALPINE
    elif apt or (image.is_python and "windows" not in image.variant):
        create = _DEBIAN
    else:
        return ()  # distroless, scratch, another distribution: no known way to add a user
    anchor = next((s for s in final.steps if s.keyword in ("CMD", "ENTRYPOINT")), None)
    workdir = (anchor or final.steps[-1] if final.steps else None)
    where = workdir.workdir if workdir is not None else "/"
    if re.search(r"[\s$\"'\\]", where):
        return ()
    owns = f" && chown -R app:app {where}" if where != "/" else ""
    text = (f"# JD603: an unprivileged user that owns the working directory the app may write to\n"
            f"RUN {create}{owns}\nUSER app\n")  # fmt: skip
    path = model.path
    if anchor is not None:
        return (Edit.insert_before(path, anchor.instruction, text),)
    last = final.steps[-1].instruction if final.steps else final.from_instruction
    return (Edit.insert_after(path, last, text),)


RULE = Rule(
    id="JD603",
    name="runs-as-root",
    severity=Severity.WARNING,
    summary="no USER: the container runs as root",
    rationale="A compromised process running as root owns the container and is one bug away from the host.",
    url="https://docs.docker.com/build/building/best-practices/#user",
    check=check,
)
