"""JD201: the source is copied before the dependencies are installed.

Docker reuses a layer only while everything before it is unchanged: with `COPY . .` above
`pip install -r requirements.txt`, every code edit invalidates the install layer and reinstalls all
dependencies. Copy the dependency manifests first, install, then copy the source.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator

from jettison.dockerfile.installs import PipInstall
from jettison.dockerfile.model import CopySource, Stage, Step
from jettison.dockerfile.rules.base import Rule, RuleContext, shell_commands
from jettison.model.edits import Edit
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
                        fix=_fix(context, stage, broad, step, pip),
                        data={"install_line": step.line},
                    )
                    break
            else:
                continue
            break


_DESCRIPTION = "COPY the requirements file alone, install, then COPY the source"
# Requirements-file options that reach other files of the project (or the source itself).
_FILE_OPTIONS = ("-r", "-c", "-e", "-f", "--requirement", "--constraint", "--editable", "--find-links")
# Instructions the install may be moved above without changing what it sees.
_CROSSABLE = {"COPY", "ADD", "LABEL", "EXPOSE", "HEALTHCHECK", "STOPSIGNAL", "VOLUME", "CMD", "ENTRYPOINT"}


def _fix(context: RuleContext, stage: Stage, broad: CopySource, step: Step, pip: PipInstall) -> Fix:
    """Two edits: above `COPY . <dir>` insert a COPY of the requirements file and the install RUN as
    written; delete the RUN where it was. Only for `COPY . <dir>` and a pip/uv pip install whose
    requirement files land under <dir>, with nothing but COPY/ADD/metadata between them. Safe when
    the RUN runs nothing else, crosses no other COPY, and every requirements file is in the context
    and names no other file (-r/-c/-e/-f, local paths): then the install sees what it saw before."""
    copy = broad.step.instruction
    run = step.instruction
    flags = [flag for flag in copy.flags if flag.split("=", 1)[0] in ("--chown", "--chmod", "--link")]
    between = [s for s in stage.steps if broad.step.line < s.line < step.line]
    if (
        broad.sources not in ((".",), ("./",))
        or len(flags) != len(copy.flags)
        or pip.tool not in ("pip", "uv")
        or pip.local
        or not pip.requirement_files
        or run.heredocs
        or any(s.keyword not in _CROSSABLE for s in between)
    ):
        return Fix(_DESCRIPTION)
    target = posixpath.normpath(posixpath.join(broad.step.workdir, broad.destination))
    copies = []
    for requirements in (*pip.requirement_files, *pip.constraint_files):
        installed = posixpath.normpath(posixpath.join(step.workdir, requirements))
        source = posixpath.relpath(installed, target)
        if source.startswith("..") or re.search(r"[\s$\"'\\]", source + installed):
            return Fix(_DESCRIPTION)
        copies.append((source, installed))
    commands = shell_commands(context, run)
    safe = (
        commands is not None
        and len(commands) == 1
        and not any(s.keyword in ("COPY", "ADD") for s in between)
        and all(_plain_requirements(context, source) for source, _ in copies)
    )
    head = " ".join(["COPY", *flags])
    text = "".join(f"{head} {source} {installed}\n" for source, installed in copies) + run.original + "\n"
    path = context.model.path
    return Fix(
        _DESCRIPTION,
        safe=safe,
        edits=(Edit.insert_before(path, copy, text), Edit.delete_lines(path, run.start_line, run.end_line)),
    )


def _plain_requirements(context: RuleContext, source: str) -> bool:
    """The requirements file is in the build context and names only distributions."""
    project = context.project
    if source not in project.sent_files():
        return False
    text = project.read_text(source)
    if text is None:
        return False
    for line in text.splitlines():
        line = line.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        word = line.split()[0]
        if word.startswith(_FILE_OPTIONS) or word.startswith((".", "/", "~", "file:")):
            return False
        if "/" in word.split("@", 1)[0] and "://" not in word:
            return False
    return True


RULE = Rule(
    id="JD201",
    name="source-before-dependencies",
    severity=Severity.WARNING,
    summary="source copied before dependencies are installed",
    rationale="Any change to the copied files invalidates the cache of every later layer.",
    url="https://docs.docker.com/build/cache/optimize/#order-your-layers",
    check=check,
)
