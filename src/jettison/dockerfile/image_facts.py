"""Reading what the generated Dockerfile must preserve from a project's current image recipe.

From the semantic model of the existing Dockerfile, its entrypoint script and Gunicorn settings, this
gathers an ImageFacts for generate.py, plus a sentence for everything that could not be carried over,
so `jettison fix` can say what it dropped instead of silently losing it.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import PurePosixPath
from typing import Any

from jettison.dockerfile.entrypoint import EntrypointRewrite, rewrite_entrypoint
from jettison.dockerfile.expand import expand
from jettison.dockerfile.generate import MANAGED_ENV, ImageFacts
from jettison.dockerfile.model import DockerfileModel, Stage, name_value_pairs
from jettison.dockerfile.runtime import command_words
from jettison.gunicorn.config import ENV_OVERRIDES, MANAGED_SETTINGS, GunicornDefaults
from jettison.gunicorn.settings import (
    GunicornCommand,
    GunicornSettings,
    parse_gunicorn_args,
    parse_gunicorn_settings,
)
from jettison.model.pythons import supported_python
from jettison.project.target import python_of_image

# RUN commands the generated recipe does itself (package installs, the venv, the user).
_HANDLED_COMMANDS = frozenset(
    {"apt-get", "apt", "pip", "pip3", "virtualenv", "uv", "useradd", "adduser", "groupadd", "addgroup",
     ".", "source", "true"}
)  # fmt: skip
# Where a COPY --from=<image> puts a build tool (uv, a static binary) rather than files the app reads.
_BIN_DIRS = frozenset({"/bin", "/usr/bin", "/usr/local/bin", "/sbin", "/usr/sbin", "/usr/local/sbin"})
_HEALTH_ROUTE = re.compile(r"""["'](/(?:health|healthz|healthcheck|ping|status|ready|live)/?)["']""")
_PORT_IN_BIND = re.compile(r":(\d+)$")


@dataclass(frozen=True)
class RecipeReading:
    """ImageFacts plus what could not be kept, and what the requirements file lacks."""

    facts: ImageFacts
    notes: tuple[str, ...] = ()
    entrypoint: EntrypointRewrite | None = None
    # Packages the old recipe installed outside the requirements file (`pip install gunicorn`).
    extra_packages: tuple[str, ...] = ()
    requirements_file: str | None = None


@dataclass
class _Reader:
    model: DockerfileModel
    read_file: Callable[[str], str | None]
    today: datetime.date
    name: str
    notes: list[str] = field(default_factory=list)
    blocked: list[tuple[int | None, str]] = field(default_factory=list)
    # COPY --from=<image> into a bin directory: (line, copied names); kept only if the image runs them.
    tool_copies: list[tuple[int, tuple[str, ...], str]] = field(default_factory=list)

    def note(self, line: int | None, text: str) -> None:
        where = f"{self.name}:{line}: " if line else ""
        self.notes.append(where + text)

    def block(self, line: int | None, text: str) -> None:
        """A step the reading cannot reproduce: a note for fix's template, a refusal for build."""
        self.note(line, text)
        self.blocked.append((line, text))


def python_version_of(image: str) -> str | None:
    """`3.8` from `python:3.8-slim-buster`, `docker.io/library/python:3.11.4@sha256:...`; the newest
    Python jettison knows for `python:slim`; None otherwise (jettison.project.target reads the tag)."""
    found = python_of_image(image)
    return found[0] if found else None


def _exec_words(instruction: Any) -> tuple[str, ...]:
    """ENTRYPOINT/CMD as the image config holds it: a shell-form command runs under /bin/sh -c."""
    if instruction.json_form:
        return tuple(instruction.args)
    return ("/bin/sh", "-c", instruction.raw_args.strip())


def read_recipe(
    model: DockerfileModel,
    read_file: Callable[[str], str | None],
    *,
    today: datetime.date | None = None,
    requirements_file: str | None = None,
    source_files: tuple[str, ...] = (),
    name: str | None = None,
) -> RecipeReading:
    """Gather the facts of the final image of `model`.

    read_file(path) returns a context file's text (None when absent); source_files are the app's
    Python files, searched for a health route; `name` is how notes name the Dockerfile.
    """
    reader = _Reader(model, read_file, today or datetime.date.today(), name or model.path)
    final = model.final_stage
    if final is None:
        return RecipeReading(facts=ImageFacts(), notes=(f"{model.path}: no FROM: nothing to keep",))
    used = sorted(model.stages_used_by_final())
    stages = [model.stages[i] for i in used]
    # The final image's own lineage (FROM parents): its RUN steps are the image's; other stages only
    # matter through COPY --from, which is judged where it happens.
    lineage = {id(final)}
    stage = final
    while stage.parent is not None:
        stage = model.stages[stage.parent]
        lineage.add(id(stage))

    # Base image and Python version.
    root = model.root_image(final)
    line = final.from_instruction.start_line
    version = python_version_of(root)
    if version is None:
        version = "3.11"
        reader.note(line, f"base image {root} is not an official python image: the new recipe uses "
                          f"python:{version}-slim; packages the old base provided must be added by hand")
    target = supported_python(version, reader.today)
    if target != version:
        reader.note(line, f"Python {version} is past its end of life: the new recipe uses {target}; check "
                          f"that the pinned requirements support it")

    # What the RUN steps installed.
    apt: list[str] = []
    extra_packages: list[str] = []
    req_files: list[str] = []
    for stage in stages:
        note = reader.block if id(stage) in lineage else reader.note
        for step in stage.steps:
            run = step.run
            if run is None:
                continue
            for install in run.system_installs:
                if install.manager in ("apt-get", "apt", "aptitude"):
                    apt += [p.split("=", 1)[0] for p in install.packages if not p.startswith("$")]
                else:
                    reader.note(step.line, f"`{install.manager}` packages ({' '.join(install.packages)}) "
                                           f"have Debian names to find: not carried over")
            for pip in run.pip_installs:
                req_files += list(pip.requirement_files)
                if pip.upgrade and set(pip.packages) <= {"pip", "setuptools", "wheel"}:
                    continue
                extra_packages += [p for p in pip.packages if p not in ("pip", "setuptools", "wheel")]
                for local in pip.local:
                    note(step.line, f"local install `{local}` not carried over: add it to the "
                                    f"requirements or install it after `COPY . .`")
            for command in run.commands:
                if command.argv and not _handled(command.argv):
                    note(step.line, f"RUN command not carried over: {' '.join(command.argv)}")
    requirements = requirements_file or _context_path(req_files[0] if req_files else "requirements.txt")

    # Run-time settings of the final stage.
    env: list[tuple[str, str]] = []
    labels: list[tuple[str, str]] = []
    expose: list[int] = []
    workdir = "/app"
    env_port: int | None = None
    arg_port: int | None = None  # the default of `ARG PORT=...`, a hint of the intended port
    entrypoint_words: list[str] = []
    kept_entrypoint: tuple[str, ...] | None = None
    kept_cmd: tuple[str, ...] | None = None
    cmd_words: list[str] = []
    healthcheck_line: int | None = None
    workdir_at: dict[int, str] = {}
    for declaration in final.args:
        if declaration.name == "PORT" and declaration.default and declaration.default.isdigit():
            arg_port = int(declaration.default)
    for step in final.steps:
        instruction = step.instruction
        keyword = step.keyword
        if keyword == "ENV":
            for name, raw in name_value_pairs(instruction):
                value = expand(raw, step.scope).value
                if name == "PORT" and value.isdigit():
                    env_port = int(value)
                elif name not in MANAGED_ENV and name != "WEB_CONCURRENCY":
                    env.append((name, value))
                elif name == "WEB_CONCURRENCY":
                    reader.note(step.line, f"ENV WEB_CONCURRENCY={value} not kept: the worker count "
                                           "now follows the container's CPU quota; `docker run -e "
                                           "WEB_CONCURRENCY=...` sets it")
        elif keyword == "LABEL":
            labels += [(name, expand(raw, step.scope).value) for name, raw in name_value_pairs(instruction)]
        elif keyword == "EXPOSE":
            for word in instruction.args:
                expansion = expand(word, step.scope)
                port = expansion.value.split("/", 1)[0]
                if port.isdigit():
                    expose.append(int(port))
                else:
                    reader.note(step.line, f"EXPOSE {word} has no value at build time: not kept")
        elif keyword == "WORKDIR" and instruction.args:
            workdir = str(PurePosixPath(workdir) / expand(instruction.args[0], step.scope).value)
        elif keyword in ("COPY", "ADD"):
            workdir_at[step.line] = workdir
        elif keyword == "ENTRYPOINT":
            entrypoint_words = command_words(instruction)
            kept_entrypoint = _exec_words(instruction)
        elif keyword == "CMD":
            cmd_words = command_words(instruction)
            kept_cmd = _exec_words(instruction)
        elif keyword == "HEALTHCHECK":
            healthcheck_line = step.line
        elif keyword in ("VOLUME", "STOPSIGNAL", "SHELL", "ONBUILD"):
            reader.note(step.line, f"{keyword} not carried over")

    # The server command: ENTRYPOINT + CMD, possibly through an entrypoint script.
    command = parse_gunicorn_args(entrypoint_words + cmd_words)
    script_path = _script_in(entrypoint_words or cmd_words, workdir, read_file)
    script = None
    if script_path is not None:
        script = rewrite_entrypoint(read_file(script_path) or "")
        if command is None:
            command = script.gunicorn
    if command is None:
        reader.note(None, "no gunicorn command found in ENTRYPOINT/CMD: the new CMD starts gunicorn with "
                          "gunicorn.conf.py; check the app module")
    # What the image ran, for a builder that keeps a command it does not understand (None: gunicorn's).
    # A script is a program in its own dialect (bash loops, retries, computed flags): the image keeps it
    # and the command that runs it, byte for byte.
    direct = command is not None and script_path is None
    original_command = None if direct else (kept_entrypoint, kept_cmd)

    needed_script = script_path if script is not None and script.needed else None
    unused_script = script_path if script is not None and not script.needed else None
    copies = _source_copies(reader, final, workdir_at, workdir, requirements, needed_script, unused_script)
    # A tool copied from another image is a build tool unless the image's command or script runs it.
    runs = " ".join([*entrypoint_words, *cmd_words, (read_file(script_path) or "") if script_path else ""])
    for line, names, what in reader.tool_copies:
        used = [name for name in names if re.search(rf"(?<![\w.-]){re.escape(name)}(?![\w.-])", runs)]
        if used:
            reader.block(line, f"{what} not carried over, and the image runs {', '.join(used)}")
        else:
            reader.note(line, f"{what} not carried over: a build tool (the image's command never runs it)")

    conf_path = (command.config if command else None) or "gunicorn.conf.py"
    conf_settings = _read_conf(read_file, _context_path(conf_path))
    gunicorn = _gunicorn_defaults(reader, command, conf_settings, env_port or arg_port, expose)
    _note_build_args(reader, final, gunicorn.port)

    health = None
    for path in source_files:
        text = read_file(path)
        match = _HEALTH_ROUTE.search(text or "")
        if match:
            health = match.group(1)
            break
    if healthcheck_line is not None and health is None:
        reader.note(healthcheck_line, "HEALTHCHECK not carried over: no health route found in the app")

    facts = ImageFacts(
        python_version=target,
        apt_packages=tuple(sorted(set(apt))),
        requirements_file=requirements,
        workdir=workdir,
        gunicorn=gunicorn,
        env=tuple(env),
        labels=tuple(labels),
        expose=tuple(p for p in dict.fromkeys(expose) if p != gunicorn.port),
        entrypoint=script_path if script is not None and script.needed else None,
        health_path=health,
        copies=copies,
        unreproducible=tuple(reader.blocked),
        original_command=original_command,
        script=script_path,
    )
    return RecipeReading(
        facts=facts,
        notes=tuple(reader.notes),
        entrypoint=script,
        extra_packages=tuple(dict.fromkeys(extra_packages)),
        requirements_file=requirements,
    )


# Instructions whose expanded values the new recipe keeps: an ARG they read is resolved, not lost.
_KEPT_KEYWORDS = frozenset({"ENV", "LABEL", "WORKDIR", "COPY", "ADD", "EXPOSE"})


def _note_build_args(reader: _Reader, final: Stage, port: int) -> None:
    """Say what became of each ARG of the final stage: build arguments never reach the container."""
    resolved = {
        name
        for step in final.steps
        if step.keyword in _KEPT_KEYWORDS and step.expansion is not None
        for name in step.expansion.used
    }
    seen = set()
    for declaration in final.args:
        name = declaration.name
        if name in seen or not name.isidentifier():  # `ARG PORT ${PORT}`: the second word is no name
            continue
        seen.add(name)
        line = declaration.instruction.start_line
        if name == "PORT":
            reader.note(line, f"ARG PORT only existed at build time, so the server never saw it: the new "
                              f"recipe sets ENV PORT={port}, read when the container starts")
        elif name in ("WORKERS", "WEB_CONCURRENCY", "GUNICORN_WORKERS"):
            reader.note(line, f"ARG {name} never reached Gunicorn: WEB_CONCURRENCY sets the workers at run "
                              "time (default: from the CPU quota)")
        elif name not in resolved and name != "PYTHON_VERSION":
            reader.note(line, f"ARG {name} dropped: nothing the new recipe keeps reads it")


def _source_copies(
    reader: _Reader,
    final: Stage,
    workdir_at: dict[int, str],
    workdir: str,
    requirements: str,
    entrypoint: str | None,
    unused_script: str | None,
) -> tuple[tuple[tuple[str, ...], str], ...]:
    """The final stage's COPY/ADD of context files, to keep the app's layout in the image.

    The requirements (copied first, into the builder) and a dropped entrypoint script are left out;
    gunicorn.conf.py and a kept entrypoint are added where no copy brings them.
    """
    copies: list[tuple[tuple[str, ...], str]] = []
    for copy in reader.model.copies(final):
        line = copy.step.line
        if not copy.from_context:
            if copy.from_stage is not None:
                reader.block(line, f"COPY --from={copy.step.instruction.flag('from')} (another stage's "
                                   "output) not carried over")
            elif not copy.heredoc and copy.destination.rstrip("/") in _BIN_DIRS:
                names = tuple(PurePosixPath(source).name for source in copy.sources)
                reader.tool_copies.append((line, names, f"COPY --from={copy.from_image}"))
            elif not copy.heredoc:
                reader.block(line, f"COPY --from={copy.from_image} not carried over")
            continue
        sources = []
        for source in copy.sources:
            path = _context_path(source) or "."
            if path in (requirements, unused_script):
                continue
            if "://" in source:
                reader.note(line, f"ADD {source} not carried over: download it in a RUN you can verify")
                continue
            sources.append(source)
        if not sources:
            continue
        destination = copy.destination
        if not destination.startswith("/"):
            base = PurePosixPath(workdir_at.get(line, "/"))
            destination = str(base / destination) + ("/" if destination.endswith(("/", ".")) else "")
        for flag in ("chown", "chmod"):
            if copy.step.instruction.flag(flag) is not None:
                reader.note(line, f"COPY --{flag} dropped: the source stays root-owned and read-only for the "
                                  "app user; give what the app writes a volume")
        copies.append((tuple(sources), destination))
    if not copies:
        return (((".",), "."),)
    brought = {_context_path(source) or "." for sources, _ in copies for source in sources}
    extra = [path for path in ("gunicorn.conf.py", entrypoint) if path and not ({".", path} & brought)]
    if extra:
        copies.append((tuple(extra), workdir.rstrip("/") + "/"))
    return tuple(copies)


def _handled(argv: tuple[str, ...]) -> bool:
    """Whether the generated recipe does what this RUN command did (so dropping it loses nothing)."""
    program = argv[0].rsplit("/", 1)[-1]
    if program in _HANDLED_COMMANDS:
        return True
    if program.startswith("python"):
        # The generated builder's own probe for Python.h counts as handled, so a re-run is stable.
        return list(argv[1:3]) in (["-m", "pip"], ["-m", "venv"]) or any("Python.h" in a for a in argv)
    if program == "rm":
        caches = ("/var/lib/apt/lists", "/root/.cache", "/var/cache/apt")
        return all(arg.startswith("-") or any(c in arg for c in caches) for arg in argv[1:])
    if program == "chmod":
        return "+x" in argv  # scripts: the fixer sets the mode on the file itself
    return False


def _script_in(words: list[str], workdir: str, read_file: Callable[[str], str | None]) -> str | None:
    """The context path of the shell script an ENTRYPOINT (or CMD) runs, if it runs one we can read."""
    for word in words:
        for part in word.split():
            if not part.endswith(".sh"):
                continue
            path = PurePosixPath(part)
            candidates = []
            if path.is_absolute() and path.is_relative_to(workdir):
                candidates.append(str(path.relative_to(workdir)))
            candidates += [_context_path(part), path.name]
            for candidate in candidates:
                if read_file(candidate) is not None:
                    return candidate
    return None


def _context_path(path: str) -> str:
    """A path in the build context, from how a Dockerfile or script names it."""
    return str(PurePosixPath(path.lstrip("/").removeprefix("./"))) if path else path


def _read_conf(read_file: Callable[[str], str | None], path: str) -> GunicornSettings | None:
    text = read_file(path)
    if text is None:
        return None
    return parse_gunicorn_settings(text, path)


def _gunicorn_defaults(
    reader: _Reader,
    command: GunicornCommand | None,
    conf: GunicornSettings | None,
    port: int | None,
    expose: list[int],
) -> GunicornDefaults:
    """The config file's settings, overridden by the command line's, as Gunicorn itself ranks them."""
    settings: dict[str, Any] = {}
    env_port: int | None = None
    if conf is not None:
        settings.update(conf.values)
        for name, expression in sorted(conf.dynamic.items()):
            lookups = conf.from_env.get(name, ())
            ours = ENV_OVERRIDES.get(name)
            if name == "bind":
                ports = [e.default for e in lookups if e.variable == "PORT" and str(e.default).isdigit()]
                if ports:
                    env_port = int(ports[0])
                    continue
            if lookups and name in ENV_OVERRIDES:
                first = lookups[0]
                if first.whole and first.default is not None and name != "workers":
                    settings[name] = first.default
                variables = {e.variable for e in lookups}
                if not variables <= {ours, "PORT", "WORKER_MEMORY_MB"}:
                    reader.note(None, f"{conf.path}: {name} is now read from {ours} (was "
                                      f"{', '.join(sorted(variables))})")
                continue
            if name == "workers":
                reader.note(None, f"{conf.path}: workers = {expression} replaced: the count now follows "
                                  "the container's CPU quota and memory (WEB_CONCURRENCY overrides it)")
            elif name in MANAGED_SETTINGS:
                reader.note(None, f"{conf.path}: {name} = {expression} replaced by an environment override")
            else:
                reader.note(None, f"{conf.path}: {name} = {expression} is computed, not kept")
    if command is not None:
        settings.update(command.settings)
        for flag in command.unknown:
            reader.note(None, f"gunicorn option {flag} not kept: add it to GUNICORN_CMD_ARGS")
    defaults = GunicornDefaults()
    changes: dict[str, Any] = {}
    if command is not None and command.app:
        changes["app_module"] = command.app
    elif isinstance(settings.get("wsgi_app"), str):
        changes["app_module"] = settings["wsgi_app"]
    bind = settings.get("bind")
    binds = [bind] if isinstance(bind, str) else list(bind or [])
    bind_port = None
    for item in binds:
        match = _PORT_IN_BIND.search(str(item))
        if match:
            bind_port = int(match.group(1))
            break
    changes["port"] = bind_port or env_port or port or (expose[0] if expose else defaults.port)
    for name in ("worker_class", "loglevel"):
        if isinstance(settings.get(name), str) and "$" not in settings[name]:
            changes[name] = settings[name]
    for name in ("threads", "timeout", "keepalive"):
        if isinstance(settings.get(name), int) and not isinstance(settings.get(name), bool):
            changes[name] = settings[name]
    graceful = settings.get("graceful_timeout")
    if isinstance(graceful, int) and not isinstance(graceful, bool):
        if graceful < 10:
            changes["graceful_timeout"] = graceful
        else:
            reader.note(None, f"graceful_timeout={graceful} is not below docker stop's 10 s grace: now "
                              f"{defaults.graceful_timeout} (GRACEFUL_TIMEOUT overrides it)")
    workers = settings.get("workers")
    if isinstance(workers, int) and not isinstance(workers, bool):
        reader.note(None, f"{workers} workers were fixed: the count now follows the container's CPU quota; "
                          f"set WEB_CONCURRENCY={workers} to keep it")
    preload = settings.get("preload_app")
    worker_class = changes.get("worker_class", defaults.worker_class)
    if preload is True:
        if worker_class in ("gevent", "eventlet"):
            reader.note(None, f"preload_app dropped: with {worker_class} workers the app is imported before "
                              "the monkey-patching (PRELOAD_APP=1 turns it back on)")
        else:
            changes["preload_app"] = True
    accesslog = settings.get("accesslog")
    if isinstance(accesslog, str):
        if accesslog in ("-", "/dev/stdout"):
            changes["accesslog"] = "-"
        else:
            reader.note(None, f"access log {accesslog} replaced by stdout, where the container runtime "
                              "collects it (ACCESS_LOG overrides it)")
    errorlog = settings.get("errorlog")
    if isinstance(errorlog, str) and errorlog not in ("-", "/dev/stderr"):
        reader.note(None, f"error log {errorlog} replaced by stderr (ERROR_LOG overrides it)")
    # Settings jettison does not manage keep their value, from the file or the command line.
    extra = {k: v for k, v in settings.items() if k not in MANAGED_SETTINGS and k != "config"}
    if extra:
        changes["extra"] = extra
    return replace(defaults, **changes)
