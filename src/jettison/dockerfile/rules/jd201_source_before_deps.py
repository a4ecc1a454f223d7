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
                        fix=_either(context, stage, broad, step, pip),
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


def _either(context: RuleContext, stage: Stage, broad: CopySource, step: Step, pip: PipInstall) -> Fix:
    """The install moved up above `COPY . <dir>`, else the source COPY moved down below the install."""
    fix = _fix(context, stage, broad, step, pip)
    return fix if fix.edits else (_move_source_down(context, stage, broad, step) or fix)


# Commands that read no file of the application (package managers, a venv, clean-ups of their caches):
# the source may be copied after them without changing what they do.
_PACKAGE_MANAGERS = {"apt-get", "apt", "apk", "yum", "dnf", "microdnf"}
_CACHE_DIRS = ("/var/lib/apt/lists", "/var/cache/", "/root/.cache", "/tmp/")


def _inert(argv: tuple[str, ...], pip: PipInstall | None) -> bool:
    name = posixpath.basename(argv[0]) if argv else ""
    if name in _PACKAGE_MANAGERS:
        return True
    if re.fullmatch(r"python[\d.]*", name) and argv[1:3] == ("-m", "venv"):
        return True
    if name in (".", "source") and len(argv) == 2 and argv[1].endswith("/bin/activate"):
        return True
    if name == "rm" and all(a.startswith("-") or a.startswith(_CACHE_DIRS) for a in argv[1:]):
        return True
    return pip is not None and not pip.local


def _written(context: RuleContext, copy: CopySource) -> set[str] | None:
    """The image paths a COPY of context files writes (None when that cannot be told)."""
    if not copy.from_context or copy.step.instruction.heredocs:
        return None
    sent = context.project.sent_files()
    target = posixpath.normpath(posixpath.join(copy.step.workdir, copy.destination))
    written = set()
    for raw in copy.sources:
        source = posixpath.normpath(raw.strip().lstrip("/")) if raw.strip("/.") else "."
        if re.search(r"[*?\[]|://", source):
            return None
        inside = [f for f in sent if source == "." or f.startswith(source.rstrip("/") + "/")]
        if inside:  # a directory: its contents land under the destination
            base = "" if source == "." else source.rstrip("/") + "/"
            written |= {posixpath.join(target, f[len(base):]) for f in inside}
        elif source in sent:
            into = copy.destination.endswith("/") or len(copy.sources) > 1
            written.add(posixpath.join(target, posixpath.basename(source)) if into else target)
        else:
            return None
    return written


def _move_source_down(context: RuleContext, stage: Stage, broad: CopySource, step: Step) -> Fix | None:
    """The other shape (`COPY ./src /www`, the requirements file copied on its own, then apt and venv steps,
    then the install): move the source COPY, as written, to just after the install. Only when its files
    cannot matter to the steps it crosses: every COPY in between writes other paths, the install's
    requirement files come from those COPYs, and a relative destination crosses no WORKDIR. Safe when every
    command crossed reads no application file (package managers, a venv, pip installing named packages or
    requirement files); else unsafe, since a RUN in between might read the source."""
    copy, run = broad.step.instruction, step.instruction
    if copy.heredocs or run.heredocs or broad.step.keyword not in ("COPY", "ADD"):
        return None
    crossed = [s for s in stage.steps if broad.step.line < s.line <= step.line]
    if not broad.destination.startswith("/") and any(s.keyword == "WORKDIR" for s in crossed):
        return None
    moved = _written(context, broad)
    if not moved:
        return None
    written_after: set[str] = set()
    for other in context.model.copies(stage):
        if broad.step.line < other.step.line < step.line:
            paths = _written(context, other)
            if paths is None or paths & moved:
                return None
            written_after |= paths
    facts = step.run
    if facts is None:
        return None
    for pip in facts.pip_installs:
        if pip.tool not in ("pip", "uv") or pip.local or (pip.tool == "uv" and pip.argv[1:2] == ("sync",)):
            return None  # poetry, uv sync and local installs read the project itself
        for requirements in (*pip.requirement_files, *pip.constraint_files):
            if posixpath.normpath(posixpath.join(step.workdir, requirements)) not in written_after:
                return None  # the install reads a file only the moved COPY brings
    safe = True
    for other in crossed:
        if other.keyword in ("COPY", "ADD", "WORKDIR", "ENV", "ARG", "LABEL", "EXPOSE", "USER"):
            safe = safe and other.keyword != "USER"  # a USER in between would own the moved files
            continue
        if other.run is None:
            return None
        by_command = {pip.command: pip for pip in other.run.pip_installs}
        commands = other.run.commands
        safe = safe and bool(commands) and all(
            _inert(command.argv, by_command.get(index)) for index, command in enumerate(commands)
        )
    path = context.model.path
    return Fix(
        "COPY the source after the dependencies are installed",
        safe=safe,
        edits=(
            Edit.delete_lines(path, copy.start_line, copy.end_line),
            Edit.insert_after(path, run, copy.original + "\n"),
        ),
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
