"""How the image starts: the final stage's ENTRYPOINT/CMD, the entrypoint script they run, and the
Gunicorn command lines and config file involved. Read from the Dockerfile and the build context.

gunicorn.conf.py is read with the ast module (never executed): module-level assignments give the
settings, and we note whether a value is a literal, reads the environment, or calls cpu_count().
"""

from __future__ import annotations

import ast
import posixpath
import shlex
from dataclasses import dataclass, field

from jettison.dockerfile.ast import Instruction
from jettison.dockerfile.facts import ProjectFacts
from jettison.dockerfile.installs import ShellCommand, split_commands
from jettison.dockerfile.model import DockerfileModel, Stage
from jettison.gunicorn.settings import parse_gunicorn_args


@dataclass(frozen=True)
class GunicornLaunch:
    """Where a gunicorn invocation was found (the Dockerfile or a script, and the line), with its settings
    as written, read by the one Gunicorn command-line reader (jettison.gunicorn.settings)."""

    argv: tuple[str, ...]
    settings: dict[str, str]  # option values as written (`workers` -> "4", `preload_app` -> "true")
    source: str  # path of the file it was found in (the Dockerfile or a script)
    line: int


@dataclass(frozen=True)
class GunicornConfig:
    path: str
    settings: dict[str, ast.expr]
    lines: dict[str, int]
    text: str

    def literal(self, name: str) -> object | None:
        node = self.settings.get(name)
        if node is None:
            return None
        try:
            return ast.literal_eval(node)
        except (ValueError, SyntaxError, TypeError):
            return None

    def source_of(self, name: str) -> str:
        node = self.settings.get(name)
        return ast.get_source_segment(self.text, node) or "" if node is not None else ""

    def mentions(self, name: str, *words: str) -> bool:
        """True when the value expression of `name` mentions any of `words` (a call or a name)."""
        node = self.settings.get(name)
        if node is None:
            return False
        for child in ast.walk(node):
            if isinstance(child, ast.Attribute) and child.attr in words:
                return True
            if isinstance(child, ast.Name) and child.id in words:
                return True
        return False


@dataclass
class ScriptCommands:
    """The entrypoint script the final command runs, as read: its text and its shell commands."""

    path: str  # context-relative
    text: str
    commands: list[tuple[int, ShellCommand]]  # (line, command)


@dataclass
class RuntimeFacts:
    stage: Stage | None
    entrypoint: Instruction | None = None
    cmd: Instruction | None = None
    script: ScriptCommands | None = None
    gunicorn_commands: list[GunicornLaunch] = field(default_factory=list)
    gunicorn_config: GunicornConfig | None = None

    @property
    def uses_gunicorn(self) -> bool:
        return bool(self.gunicorn_commands) or self.gunicorn_config is not None

    def setting(self, name: str) -> tuple[str | None, str, int]:
        """The effective value of a Gunicorn setting as written, the file that sets it, and its line.

        Command line wins over the config file, as in Gunicorn."""
        for command in self.gunicorn_commands:
            if name in command.settings:
                return command.settings[name], command.source, command.line
        config = self.gunicorn_config
        if config is not None and name in config.settings:
            return config.source_of(name), config.path, config.lines[name]
        return None, "", 0


def command_words(instruction: Instruction) -> list[str]:
    """The words of ENTRYPOINT/CMD: exec-form elements, or the shell-form string tokenised."""
    if instruction.json_form:
        return list(instruction.args)
    try:
        return shlex.split(instruction.raw_args)
    except ValueError:
        return instruction.raw_args.split()


def _final_command(model: DockerfileModel, keyword: str) -> Instruction | None:
    stage = model.final_stage
    while stage is not None:
        for step in reversed(stage.steps):
            if step.keyword == keyword:
                return step.instruction
        stage = model.stages[stage.parent] if stage.parent is not None else None
    return None


def parse_gunicorn(argv: list[str] | tuple[str, ...]) -> dict[str, str] | None:
    """Settings of a gunicorn command line as written (`workers` -> "4", `preload_app` -> "true", the
    application under "app"), or None when argv does not start gunicorn."""
    command = parse_gunicorn_args(list(argv))
    if command is None:
        return None
    settings: dict[str, str] = {}
    for name, value in command.settings.items():
        if isinstance(value, bool):
            settings[name] = "true" if value else "false"
        elif isinstance(value, list):
            settings[name] = str(value[-1]) if value else ""
        else:
            settings[name] = str(value)
    if command.app is not None:
        settings["app"] = command.app
    return settings


def _context_path_for(
    model: DockerfileModel, stage: Stage, image_path: str, project: ProjectFacts, by_name: bool = True
) -> str | None:
    """The context file that ends up at `image_path` in the final image, through the stage's COPY/ADD.

    A relative `image_path` is taken from the stage's last WORKDIR (where the command runs); a
    directory source copies its contents, a file source lands at the destination (or inside it when
    the destination ends with `/` or there are several sources), as Docker does."""
    copies = {id(copy.step): copy for copy in model.copies(stage) if copy.from_context}
    workdir = "/"
    placed: list[tuple[str, str, bool]] = []  # (image path, context path, is a directory)
    for step in stage.steps:
        if step.keyword == "WORKDIR" and step.expansion is not None:
            workdir = posixpath.normpath(posixpath.join(workdir, step.expansion.value.strip()))
        copy = copies.get(id(step))
        if copy is None:
            continue
        dest = posixpath.join(workdir, copy.destination)
        for source in copy.sources:
            source = posixpath.normpath(source.strip().lstrip("/")) if source.strip("/.") else "."
            is_dir = source == "." or (source not in project.files and project.exists(source))
            if is_dir:
                placed.append((posixpath.normpath(dest), source, True))
            elif copy.destination.endswith("/") or len(copy.sources) > 1:
                placed.append(
                    (posixpath.join(posixpath.normpath(dest), posixpath.basename(source)), source, False)
                )
            else:
                placed.append((posixpath.normpath(dest), source, False))
    wanted = posixpath.normpath(posixpath.join(workdir, image_path))
    for target, source, is_dir in reversed(placed):  # the last COPY to a path wins
        if not is_dir and target == wanted:
            candidate = source
        elif is_dir and (wanted.startswith(target.rstrip("/") + "/") or target == "/"):
            relative = posixpath.relpath(wanted, target)
            candidate = relative if source == "." else posixpath.join(source, relative)
        else:
            continue
        if project.read(candidate) is not None:
            return candidate
    # Scripts are often copied by RUN steps or onto PATH: a file of that name in the context is the guess.
    base = posixpath.basename(image_path)
    if by_name and project.read(base) is not None:
        return base
    return None


def _script_path(words: list[str]) -> str | None:
    for word in words[:3]:
        if word in ("sh", "bash", "/bin/sh", "/bin/bash", "-c", "exec", "tini", "/tini", "--", "dumb-init"):
            continue
        if word.endswith(".sh") or "entrypoint" in word.rsplit("/", 1)[-1]:
            return word
        return None
    return None


def read_gunicorn_config(path: str, text: str) -> GunicornConfig | None:
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return None
    settings: dict[str, ast.expr] = {}
    lines: dict[str, int] = {}
    for node in tree.body:
        targets: list[ast.expr] = []
        value = None
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        for target in targets:
            if isinstance(target, ast.Name) and value is not None:
                settings[target.id] = value
                lines[target.id] = node.lineno
    return GunicornConfig(path, settings, lines, text)


def runtime_facts(model: DockerfileModel, project: ProjectFacts) -> RuntimeFacts:
    stage = model.final_stage
    facts = RuntimeFacts(stage)
    if stage is None:
        return facts
    facts.entrypoint = _final_command(model, "ENTRYPOINT")
    facts.cmd = _final_command(model, "CMD")
    for instruction in (facts.entrypoint, facts.cmd):
        if instruction is None:
            continue
        words = command_words(instruction)
        for command in (
            split_commands(shlex.join(words))
            if instruction.json_form
            else split_commands(instruction.raw_args)
        ):
            settings = parse_gunicorn(command.argv)
            if settings is None and instruction.json_form and len(words) >= 3 and words[1] == "-c":
                for inner in split_commands(words[2]):
                    inner_settings = parse_gunicorn(inner.argv)
                    if inner_settings is not None:
                        facts.gunicorn_commands.append(
                            GunicornLaunch(inner.argv, inner_settings, model.path, instruction.start_line)
                        )
            elif settings is not None:
                facts.gunicorn_commands.append(
                    GunicornLaunch(command.argv, settings, model.path, instruction.start_line)
                )
        script = _script_path(words)
        if script is not None and facts.script is None:
            context_path = _context_path_for(model, stage, script, project)
            text = project.read_text(context_path) if context_path else None
            if context_path and text is not None:
                commands = []
                for number, line in enumerate(text.splitlines(), start=1):
                    for command in split_commands(line):
                        commands.append((number, command))
                facts.script = ScriptCommands(context_path, text, commands)
                for number, command in commands:
                    settings = parse_gunicorn(command.argv)
                    if settings is not None:
                        facts.gunicorn_commands.append(
                            GunicornLaunch(command.argv, settings, context_path, number)
                        )
    config_path = None
    for command in facts.gunicorn_commands:
        if "config" in command.settings:
            config_path = command.settings["config"].removeprefix("python:")
    if config_path is not None:
        context_path = _context_path_for(model, stage, config_path, project) or (
            config_path if project.read(config_path) is not None else None
        )
    else:
        # Gunicorn reads ./gunicorn.conf.py from its working directory: only if the image has one there.
        context_path = _context_path_for(model, stage, "gunicorn.conf.py", project, by_name=False)
    text = project.read_text(context_path) if context_path else None
    if context_path and text is not None:
        facts.gunicorn_config = read_gunicorn_config(context_path, text)
    return facts
