"""What a RUN instruction does: the packages it installs and how, read from its shell command.

The command is split into simple commands on the shell's operators (`&&`, `||`, `;`, `|`, newlines),
each tokenised with shlex; leading `VAR=value` assignments and `sudo` are skipped. Then each simple
command is recognised: apt-get/apt/apk, pip in its spellings (pip, pip3, python -m pip, a venv's
bin/pip, `uv pip`), poetry, venv creation and activation. This is a reader for the commands people
write in Dockerfiles, not a shell: command substitution and functions are not followed.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field

from jettison.dockerfile.ast import Instruction

_OPERATORS = {";", "&&", "||", "|", "&", "(", ")", "{", "}", "!", ";;", "|&"}
_PIP = re.compile(r"^pip(3(\.\d+)?)?$")
_PYTHON = re.compile(r"^python(\d(\.\d+)?)?$")

# pip install options that take a value (so the value is not a package).
_PIP_VALUE_OPTIONS = {
    "-r", "--requirement", "-c", "--constraint", "-e", "--editable", "-t", "--target", "--prefix",
    "--root", "-i", "--index-url", "--extra-index-url", "-f", "--find-links", "--no-binary",
    "--only-binary", "--src", "--progress-bar", "--cache-dir", "--platform", "--python-version",
    "--implementation", "--abi", "--trusted-host", "--python", "-p", "--upgrade-strategy",
    "--log", "--proxy", "--retries", "--timeout", "--exists-action", "--cert", "--client-cert",
    "--global-option", "--install-option", "--config-settings", "-C", "--report", "--index",
    "--default-index", "--group", "--extra", "-o", "--output-file", "--resolution", "--prerelease",
}  # fmt: skip
_APT_VALUE_OPTIONS = {"-o", "-t", "-c", "--option", "--target-release", "--config-file"}
_APK_VALUE_OPTIONS = {"-t", "--virtual", "-X", "--repository", "-p", "--root", "--arch", "--cache-dir"}


@dataclass(frozen=True)
class SystemInstall:
    """`apt-get install ...` or `apk add ...`."""

    manager: str  # apt-get | apt | aptitude | apk
    packages: tuple[str, ...]
    options: tuple[str, ...]
    command: int  # index into RunFacts.commands

    @property
    def no_install_recommends(self) -> bool:
        joined = " ".join(self.options)
        return (
            "--no-install-recommends" in self.options
            or "Install-Recommends=false" in joined.replace('"', "").replace("'", "")
            or "Install-Recommends=0" in joined
        )

    @property
    def apk_no_cache(self) -> bool:
        return "--no-cache" in self.options

    @property
    def virtual(self) -> str | None:
        for i, option in enumerate(self.options):
            if option in ("-t", "--virtual") and i + 1 < len(self.options):
                return self.options[i + 1]
            if option.startswith("--virtual="):
                return option.split("=", 1)[1]
        return None


@dataclass(frozen=True)
class PipInstall:
    """A Python package installation: pip, `uv pip`, poetry or pipenv."""

    tool: str  # pip | uv | poetry | pipenv
    argv: tuple[str, ...]
    command: int
    requirement_files: tuple[str, ...] = ()
    constraint_files: tuple[str, ...] = ()
    packages: tuple[str, ...] = ()  # requirement specifiers named on the command line
    local: tuple[str, ...] = ()  # paths, wheels, `.`, editable installs
    no_cache_dir: bool = False
    upgrade: bool = False

    @property
    def text(self) -> str:
        return shlex.join(self.argv)


@dataclass(frozen=True)
class ShellCommand:
    argv: tuple[str, ...]
    exec_: bool = False  # started with `exec` (replaces the shell)


@dataclass
class RunFacts:
    script: str
    commands: list[ShellCommand] = field(default_factory=list)
    system_installs: list[SystemInstall] = field(default_factory=list)
    pip_installs: list[PipInstall] = field(default_factory=list)
    apt_update: bool = False
    apk_update: bool = False
    apt_lists_removed: bool = False
    apt_clean: bool = False
    removed_packages: list[str] = field(default_factory=list)  # apt-get purge/remove, apk del
    venvs_created: list[str] = field(default_factory=list)
    activations: list[str] = field(default_factory=list)  # `. venv/bin/activate`, `./venv/bin/activate`
    chmod_activate: list[str] = field(default_factory=list)
    cache_mounts: list[str] = field(default_factory=list)  # targets of --mount=type=cache
    secret_mounts: list[str] = field(default_factory=list)

    def mounts_cache_for(self, *paths: str) -> bool:
        return any(target.rstrip("/") in paths for target in self.cache_mounts)


def run_script(instruction: Instruction) -> str:
    """The shell text a RUN executes (heredoc bodies included)."""
    if instruction.json_form:
        args = list(instruction.args)
        if len(args) >= 3 and args[0].endswith("sh") and args[1] == "-c":
            return args[2]
        return shlex.join(args)
    text = instruction.raw_args
    if instruction.heredocs:
        bodies = [heredoc.content for heredoc in instruction.heredocs]
        first_line = text.split("\n", 1)[0].strip()
        # `RUN <<EOF` runs the heredoc as the script; `RUN python3 <<EOF` feeds it to a program.
        if first_line.startswith("<<"):
            return "\n".join(bodies)
        return first_line + "\n" + "\n".join(bodies)
    return text


def split_commands(script: str) -> list[ShellCommand]:
    """Simple commands of a shell script, in order."""
    script = re.sub(r"\\\r?\n", " ", script)
    lines = [line for line in script.splitlines() if not line.lstrip().startswith("#")]
    text = " ;\n".join(lines)
    try:
        lexer = shlex.shlex(text, posix=True, punctuation_chars=";&|()<>")
        lexer.whitespace_split = True
        lexer.commenters = ""
        tokens = list(lexer)
    except ValueError:
        tokens = text.replace(";", " ; ").replace("&&", " && ").split()
    commands: list[ShellCommand] = []
    current: list[str] = []

    def flush() -> None:
        words = list(current)
        current.clear()
        is_exec = False
        while words and (
            re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", words[0]) or words[0] in ("sudo", "exec", "time")
        ):
            is_exec = is_exec or words[0] == "exec"
            words.pop(0)
        # Drop redirections: `> file`, `2>&1`.
        cleaned: list[str] = []
        skip = False
        for word in words:
            if skip:
                skip = False
                continue
            if word in (">", ">>", "<", "2>", "&>") or re.fullmatch(r"\d?[<>]+&?\d*", word):
                skip = not re.fullmatch(r"\d?[<>]&\d", word)
                continue
            cleaned.append(word)
        if cleaned:
            commands.append(ShellCommand(tuple(cleaned), is_exec))

    for token in tokens:
        if token in _OPERATORS or set(token) <= set(";&|()"):
            flush()
        else:
            current.append(token)
    flush()
    return commands


def _positional(
    args: list[str], value_options: set[str]
) -> tuple[list[str], list[str], dict[str, list[str]]]:
    """Split arguments into positionals, options, and the values of value-taking options."""
    positional: list[str] = []
    options: list[str] = []
    values: dict[str, list[str]] = {}
    i = 0
    while i < len(args):
        arg = args[i]
        if arg.startswith("-") and arg != "-":
            options.append(arg)
            name, sep, inline = arg.partition("=")
            if sep:
                values.setdefault(name, []).append(inline)
            elif arg in value_options and i + 1 < len(args):
                values.setdefault(arg, []).append(args[i + 1])
                options.append(args[i + 1])
                i += 1
            elif re.fullmatch(r"-[rceit]\S+", arg) and arg[:2] in value_options:
                values.setdefault(arg[:2], []).append(arg[2:])
        else:
            positional.append(arg)
        i += 1
    return positional, options, values


def _pip_args(argv: tuple[str, ...]) -> tuple[str, list[str]] | None:
    """(`tool`, arguments after `install`) when argv installs Python packages."""
    words = list(argv)
    if not words:
        return None
    base = words[0].rsplit("/", 1)[-1]
    if _PYTHON.match(base) and "-m" in words[1:3]:
        index = words.index("-m")
        if index + 1 < len(words) and words[index + 1] in ("pip", "pip3"):
            words = ["pip", *words[index + 2 :]]
            base = "pip"
        else:
            return None
    tool = None
    if _PIP.match(base):
        tool, rest = "pip", words[1:]
    elif base == "uv" and len(words) > 1 and words[1] == "pip":
        tool, rest = "uv", words[2:]
    elif base in ("poetry", "pipenv") and len(words) > 1:
        tool, rest = base, words[1:]
    elif base == "uv" and len(words) > 1 and words[1] in ("sync", "add"):
        tool, rest = "uv", words[1:]
    if tool is None:
        return None
    # Global options may precede the subcommand (`pip --no-cache-dir install`).
    leading = []
    while rest and rest[0].startswith("-"):
        leading.append(rest.pop(0))
    if not rest or rest[0] not in ("install", "add", "sync"):
        return None
    return tool, [*leading, *rest[1:]] if rest[0] == "install" else [rest[0], *leading, *rest[1:]]


def _is_local(spec: str) -> bool:
    return (
        spec in (".", "..")
        or spec.startswith(("./", "../", "/", "file:", "git+", "http://", "https://"))
        or spec.endswith((".whl", ".tar.gz", ".zip"))
    )


def _pip_install(tool: str, argv: tuple[str, ...], args: list[str], command: int) -> PipInstall:
    positional, options, values = _positional(args, _PIP_VALUE_OPTIONS)
    if tool in ("poetry", "pipenv") or (tool == "uv" and positional[:1] in (["sync"], ["add"])):
        subcommand = positional[0] if tool == "uv" else "install"
        packages = positional[1:] if tool == "uv" else positional
        return PipInstall(
            tool=tool,
            argv=argv,
            command=command,
            packages=tuple(packages if subcommand == "add" or tool != "uv" else []),
            no_cache_dir="--no-cache" in options,
        )
    requirement_files = values.get("-r", []) + values.get("--requirement", [])
    constraint_files = values.get("-c", []) + values.get("--constraint", [])
    editable = values.get("-e", []) + values.get("--editable", [])
    local = [spec for spec in positional if _is_local(spec)] + editable
    packages = [spec for spec in positional if not _is_local(spec)]
    no_cache = "--no-cache-dir" in options or "--no-cache" in options  # uv spells it --no-cache
    upgrade = "-U" in options or "--upgrade" in options
    return PipInstall(
        tool=tool,
        argv=argv,
        command=command,
        requirement_files=tuple(requirement_files),
        constraint_files=tuple(constraint_files),
        packages=tuple(packages),
        local=tuple(local),
        no_cache_dir=no_cache,
        upgrade=upgrade,
    )


def analyze_script(script: str, mounts: list[str] | None = None) -> RunFacts:
    facts = RunFacts(script=script, commands=split_commands(script))
    for mount in mounts or []:
        options = dict(part.split("=", 1) if "=" in part else (part, "") for part in mount.split(","))
        target = options.get("target") or options.get("dst") or options.get("destination") or ""
        if options.get("type") == "cache":
            facts.cache_mounts.append(target)
        elif options.get("type") == "secret":
            facts.secret_mounts.append(target or options.get("id", ""))
    for index, command in enumerate(facts.commands):
        argv = command.argv
        base = argv[0].rsplit("/", 1)[-1]
        if base in ("apt-get", "apt", "aptitude"):
            positional, options, _ = _positional(list(argv[1:]), _APT_VALUE_OPTIONS)
            sub = positional[0] if positional else ""
            if sub == "update":
                facts.apt_update = True
            elif sub == "install":
                facts.system_installs.append(
                    SystemInstall(base, tuple(positional[1:]), tuple(options), index)
                )
            elif sub in ("remove", "purge", "autoremove"):
                facts.removed_packages.extend(positional[1:])
            elif sub in ("clean", "distclean"):
                facts.apt_clean = True
        elif base == "apk":
            positional, options, _ = _positional(list(argv[1:]), _APK_VALUE_OPTIONS)
            sub = positional[0] if positional else ""
            if sub == "add":
                facts.system_installs.append(
                    SystemInstall("apk", tuple(positional[1:]), tuple(options), index)
                )
            elif sub == "update":
                facts.apk_update = True
            elif sub == "del":
                facts.removed_packages.extend(positional[1:])
        elif base == "rm" and any(arg.startswith("/var/lib/apt/lists") for arg in argv[1:]):
            facts.apt_lists_removed = True
        elif base in (".", "source") and len(argv) > 1 and argv[1].endswith("bin/activate"):
            facts.activations.append(argv[1])
        elif argv[0].endswith("bin/activate"):
            facts.activations.append(argv[0])
        elif base == "chmod" and any(arg.endswith("bin/activate") for arg in argv[1:]):
            facts.chmod_activate.extend(arg for arg in argv[1:] if arg.endswith("bin/activate"))
        elif _PYTHON.match(base) and "-m" in argv and "venv" in argv:
            rest = [a for a in argv[argv.index("venv") + 1 :] if not a.startswith("-")]
            facts.venvs_created.extend(rest[:1])
        elif base == "virtualenv" or (base == "uv" and argv[1:2] == ("venv",)):
            rest = [a for a in argv[1 if base == "virtualenv" else 2 :] if not a.startswith("-")]
            facts.venvs_created.append(rest[0] if rest else ".venv")
        else:
            found = _pip_args(argv)
            if found is not None:
                tool, args = found
                facts.pip_installs.append(_pip_install(tool, argv, args, index))
    return facts


def analyze_run(instruction: Instruction) -> RunFacts:
    return analyze_script(run_script(instruction), instruction.flag_values("mount"))
