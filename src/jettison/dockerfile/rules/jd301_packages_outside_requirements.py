"""JD301: packages installed by name outside the requirements file (`pip install gunicorn gevent`).

They escape the requirements audit, pinning and hashes, and the next `pip freeze` forgets them.
"""

from __future__ import annotations

from collections.abc import Iterator

from jettison.dockerfile.rules.base import Rule, RuleContext, requirement_name
from jettison.model.findings import Finding, Fix, Severity

# Installer tooling is legitimately upgraded outside the requirements (JD303 checks its pinning).
TOOLING = {"pip", "setuptools", "wheel", "uv", "poetry", "pipenv", "virtualenv"}


def _project_has_requirements(context: RuleContext) -> bool:
    for name in context.project.files:
        base = name.rsplit("/", 1)[-1]
        if base.startswith("requirements") and base.endswith(".txt"):
            return True
    return any(
        pip.requirement_files for step in context.model.steps() if step.run for pip in step.run.pip_installs
    )


def check(context: RuleContext) -> Iterator[Finding]:
    if not _project_has_requirements(context):
        return
    for step in context.model.steps():
        if step.run is None:
            continue
        for pip in step.run.pip_installs:
            if pip.tool not in ("pip", "uv"):
                continue
            outside = [
                spec for spec in pip.packages if requirement_name(spec) not in TOOLING and "$" not in spec
            ]
            if outside:
                yield RULE.finding(
                    context,
                    step.instruction,
                    f"{', '.join(outside)} installed outside the requirements file: add "
                    f"{'them' if len(outside) > 1 else 'it'} (pinned) to requirements.txt",
                    fix=Fix("move these packages into the requirements file", safe=False),
                    data={"packages": outside},
                )


RULE = Rule(
    id="JD301",
    name="packages-outside-requirements",
    severity=Severity.WARNING,
    summary="packages installed outside the requirements file",
    rationale="Unlisted packages escape pinning, hashes and the dependency audit.",
    url="https://pip.pypa.io/en/stable/user_guide/#requirements-files",
    check=check,
)
