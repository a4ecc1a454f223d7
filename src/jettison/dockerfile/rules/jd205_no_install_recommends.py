"""JD205: apt-get install without --no-install-recommends.

Recommended packages are not needed to run what you asked for; on Debian they often double the
size of an install (libpq-dev pulls in a whole toolchain of recommendations).
"""

from __future__ import annotations

from collections.abc import Iterator

from jettison.dockerfile.ast import Instruction
from jettison.dockerfile.installs import _APT_VALUE_OPTIONS as APT_VALUE_OPTIONS
from jettison.dockerfile.rules.base import Rule, RuleContext, Word, edit_at, shell_commands
from jettison.model.findings import Finding, Fix, Severity

FLAG = "--no-install-recommends"


def check(context: RuleContext) -> Iterator[Finding]:
    for step in context.model.steps():
        facts = step.run
        if facts is None:
            continue
        words = _install_words(context, step.instruction)
        apt = [install for install in facts.system_installs if install.manager != "apk"]
        if words is not None and len(words) != len(apt):
            words = None  # the words read here do not match the installs: advice only
        for number, install in enumerate(apt):
            if install.no_install_recommends or not install.packages:
                continue
            word = words[number] if words is not None and install.manager != "aptitude" else None
            edits = (
                () if word is None else (edit_at(context, step.instruction, word.end, word.end, f" {FLAG}"),)
            )
            yield RULE.finding(
                context,
                step.instruction,
                f"{install.manager} install of {', '.join(install.packages[:4])} without "
                "--no-install-recommends: recommended packages are installed too",
                # Unsafe: a program may need what a package only recommends (a locale, CA certificates).
                fix=Fix(f"add {FLAG}", safe=False, edits=edits),
            )


def _install_words(context: RuleContext, instruction: Instruction) -> list[Word] | None:
    """The `install` word of each apt-get/apt/aptitude install command, in order."""
    commands = shell_commands(context, instruction)
    if commands is None:
        return None
    words = []
    for command in commands:
        if command[0].text.rsplit("/", 1)[-1] not in ("apt-get", "apt", "aptitude"):
            continue
        index = 1
        while index < len(command) and command[index].text.startswith("-"):
            index += 2 if command[index].text in APT_VALUE_OPTIONS else 1
        if index < len(command) and command[index].text == "install":
            words.append(command[index])
    return words


RULE = Rule(
    id="JD205",
    name="missing-no-install-recommends",
    severity=Severity.STYLE,
    summary="apt-get install without --no-install-recommends",
    rationale="Recommended packages add size and attack surface the service never uses.",
    url="https://docs.docker.com/build/building/best-practices/#apt-get",
    check=check,
)
