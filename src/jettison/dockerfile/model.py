"""The semantic model of a Dockerfile: stages, build-argument scoping, environment and copies.

Built once from the syntax tree (ast.py) by `build_model`; the rules read it and never re-derive scope
themselves. It follows BuildKit's dockerfile2llb semantics:

- ARGs before the first FROM are global: usable in FROM lines, and inside a stage only after an
  `ARG NAME` without a value redeclares them (which then takes the global value).
- Inside a stage an ARG is in scope from its declaration to the end of the stage; a build-arg
  override (`--build-arg NAME=v`) replaces its default; ENV of the same name wins over an ARG.
- A stage built FROM an earlier stage inherits that stage's ENV (not its ARGs).
- The platform ARGs (TARGETPLATFORM, BUILDARCH, ...) are predefined globally; the proxy ARGs
  (HTTP_PROXY, ...) may be used in RUN without a declaration.
"""

from __future__ import annotations

import functools
import posixpath
import shlex
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from jettison.dockerfile.ast import Dockerfile, Instruction
from jettison.dockerfile.expand import EXPANDED_KEYWORDS, Expansion, expand
from jettison.dockerfile.installs import RunFacts, analyze_run
from jettison.dockerfile.scope import Assignments, Layered

# Values BuildKit gives these when the builder does not say otherwise; only their presence matters here.
PREDEFINED_PLATFORM_ARGS = {
    "TARGETPLATFORM": "linux/amd64",
    "TARGETOS": "linux",
    "TARGETARCH": "amd64",
    "TARGETVARIANT": "",
    "BUILDPLATFORM": "linux/amd64",
    "BUILDOS": "linux",
    "BUILDARCH": "amd64",
    "BUILDVARIANT": "",
}
PROXY_ARGS = frozenset(
    name
    for base in ("HTTP_PROXY", "HTTPS_PROXY", "FTP_PROXY", "NO_PROXY", "ALL_PROXY")
    for name in (base, base.lower())
)


@dataclass(frozen=True)
class ArgDeclaration:
    name: str
    default: str | None  # as written (unexpanded), None for `ARG NAME`
    instruction: Instruction
    stage: int | None  # None for a global ARG (before the first FROM)
    extra_words: tuple[str, ...] = ()  # further words of the same ARG instruction (`ARG PORT ${PORT}`)


@dataclass(frozen=True)
class EnvAssignment:
    name: str
    value: str  # expanded
    raw_value: str
    instruction: Instruction


@dataclass(frozen=True)
class Step:
    """An instruction in its stage, with the scope BuildKit evaluates it in."""

    instruction: Instruction
    stage: int
    args: Mapping[str, str]  # ARGs in scope here and their values ("" when declared without one)
    env: Mapping[str, str]  # ENV set so far in the stage (including inherited from a parent stage)
    expansion: Expansion | None = None  # Docker's own expansion of the arguments, where it does one
    workdir: str = "/"  # the working directory this instruction runs in

    @property
    def scope(self) -> Mapping[str, str]:
        """What `$NAME` resolves to here: ARGs, overridden by ENV."""
        return Layered(self.env, self.args)

    @property
    def keyword(self) -> str:
        return self.instruction.keyword

    @property
    def line(self) -> int:
        return self.instruction.start_line

    @functools.cached_property
    def run(self) -> RunFacts | None:
        """What a RUN does (installs, venv activation, ...); None for other instructions."""
        if self.keyword != "RUN":
            return None
        return analyze_run(self.instruction)


@dataclass(frozen=True)
class CopySource:
    """A COPY or ADD: its sources, destination, and where they come from."""

    step: Step
    sources: tuple[str, ...]  # expanded; context-relative unless from_stage/from_image is set
    destination: str
    from_stage: int | None = None
    from_image: str | None = None  # `--from=image:tag` naming no stage
    heredoc: bool = False

    @property
    def from_context(self) -> bool:
        return self.from_stage is None and self.from_image is None and not self.heredoc


@dataclass
class Stage:
    index: int
    name: str | None
    base: str  # expanded image reference, or the parent stage's name
    base_raw: str
    parent: int | None  # index of the stage this one is built FROM, if any
    from_instruction: Instruction
    steps: list[Step] = field(default_factory=list)
    args: list[ArgDeclaration] = field(default_factory=list)
    envs: list[EnvAssignment] = field(default_factory=list)
    from_expansion: Expansion | None = None

    @property
    def label(self) -> str:
        return self.name or str(self.index)


@dataclass
class DockerfileModel:
    dockerfile: Dockerfile
    global_args: list[ArgDeclaration]
    stages: list[Stage]
    build_args: Mapping[str, str] = field(default_factory=dict)
    # copies() of each stage, expanded once: rules ask for them again and again (every COPY expanded
    # per asking made the lint of a long Dockerfile quadratic).
    _copies: dict[int, list[CopySource]] = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def path(self) -> str:
        return self.dockerfile.path

    @property
    def final_stage(self) -> Stage | None:
        return self.stages[-1] if self.stages else None

    def stage_named(self, name: str) -> Stage | None:
        for stage in self.stages:
            if stage.name is not None and stage.name.lower() == name.lower():
                return stage
        if name.isdigit() and int(name) < len(self.stages):
            return self.stages[int(name)]
        return None

    def steps(self) -> Iterator[Step]:
        for stage in self.stages:
            yield from stage.steps

    def root_image(self, stage: Stage) -> str:
        """The external image a stage ultimately builds on (following FROM <stage> links)."""
        while stage.parent is not None:
            stage = self.stages[stage.parent]
        return stage.base

    def stages_used_by_final(self) -> set[int]:
        """Indices of the stages the final stage depends on (FROM and COPY --from), itself included."""
        final = self.final_stage
        if final is None:
            return set()
        needed: set[int] = set()
        todo = [final.index]
        while todo:
            index = todo.pop()
            if index in needed:
                continue
            needed.add(index)
            stage = self.stages[index]
            if stage.parent is not None:
                todo.append(stage.parent)
            for copy in self.copies(stage):
                if copy.from_stage is not None:
                    todo.append(copy.from_stage)
        return needed

    def copies(self, stage: Stage) -> list[CopySource]:
        """The COPY and ADD steps of a stage, their words expanded in the step's scope."""
        cached = self._copies.get(stage.index)
        if cached is None:
            cached = self._copies[stage.index] = self._expand_copies(stage)
        return list(cached)

    def _expand_copies(self, stage: Stage) -> list[CopySource]:
        result = []
        for step in stage.steps:
            if step.keyword not in ("COPY", "ADD"):
                continue
            instruction = step.instruction
            words = list(instruction.args)
            if instruction.heredocs and not instruction.json_form:
                heredoc_names = {"<<" + h.name for h in instruction.heredocs} | {
                    "<<-" + h.name for h in instruction.heredocs
                }
                literal = [w for w in words if w.strip("\"'") not in heredoc_names and not w.startswith("<<")]
                result.append(
                    CopySource(
                        step, (), expand(literal[-1], step.scope).value if literal else "", heredoc=True
                    )
                )
                continue
            if len(words) < 2:
                continue
            scope = step.scope
            values = [expand(word, scope, self.dockerfile.escape).value for word in words]
            from_name = instruction.flag("from")
            from_stage = from_image = None
            if from_name is not None:
                from_name = expand(from_name, scope).value
                target = self.stage_named(from_name)
                if target is not None and target.index < stage.index:
                    from_stage = target.index
                else:
                    from_image = from_name
            result.append(CopySource(step, tuple(values[:-1]), values[-1], from_stage, from_image))
        return result


def _split_arg_word(word: str) -> tuple[str, str | None]:
    name, sep, value = word.partition("=")
    return name, (value if sep else None)


def name_value_pairs(instruction: Instruction) -> list[tuple[str, str]]:
    """The name-value pairs of an ENV or LABEL instruction (every form BuildKit's tree keeps)."""
    args = list(instruction.args)
    # BuildKit's tree keeps ENV as (key, value, separator) triples: "=" for key=value, "" for legacy.
    if args and len(args) % 3 == 0 and all(args[i] in ("=", "") for i in range(2, len(args), 3)):
        return [(args[i], args[i + 1]) for i in range(0, len(args), 3)]
    if len(args) % 2 == 0 and args:
        return [(args[i], args[i + 1]) for i in range(0, len(args), 2)]
    # Fallback for a tree that keeps ENV words unsplit: read `key=value` words or `key value`.
    raw = instruction.raw_args.strip()
    first, _, rest = raw.partition(" ")
    if "=" not in first:
        return [(first, rest.strip())]
    try:
        words = shlex.split(raw, posix=False)
    except ValueError:
        words = raw.split()
    return [tuple(word.split("=", 1)) for word in words if "=" in word]  # type: ignore[misc]


def is_legacy_env(instruction: Instruction) -> bool:
    """`ENV key value` (no `=`): deprecated by Docker, and it cannot set several variables at once."""
    first = instruction.raw_args.strip().split(None, 1)[0] if instruction.raw_args.strip() else ""
    return bool(first) and "=" not in first


def build_model(dockerfile: Dockerfile, build_args: Mapping[str, str] | None = None) -> DockerfileModel:
    """Resolve stages and scopes of a parsed Dockerfile. Pure: reads nothing but the tree."""
    overrides = dict(build_args or {})
    escape = dockerfile.escape
    global_args: list[ArgDeclaration] = []
    global_values: dict[str, str] = dict(PREDEFINED_PLATFORM_ARGS)
    stages: list[Stage] = []
    stage_by_name: dict[str, int] = {}  # a FROM names the last stage so called before it
    current: Stage | None = None
    # The current stage's ARGs and ENV; each step keeps a snapshot of them (scope.py: no copies).
    args = Assignments()
    env = Assignments()
    env_logs: dict[int, Assignments] = {}  # stage index -> its ENV, inherited by child stages
    workdir = "/"
    workdirs: dict[int, str] = {}  # stage index -> its last WORKDIR, inherited by child stages

    for instruction in dockerfile.instructions:
        keyword = instruction.keyword
        if keyword == "FROM":
            words = list(instruction.args)
            image_raw = words[0] if words else ""
            from_expansion = expand(image_raw, global_values, escape)
            name = words[2] if len(words) >= 3 and words[1].upper() == "AS" else None
            parent = stage_by_name.get(from_expansion.value.lower())
            current = Stage(
                index=len(stages),
                name=name.lower() if name else None,
                base=from_expansion.value,
                base_raw=image_raw,
                parent=parent,
                from_instruction=instruction,
                from_expansion=from_expansion,
            )
            stages.append(current)
            if current.name is not None:
                stage_by_name[current.name] = current.index
            args = Assignments()
            env = Assignments(_final_env(stages[parent], env_logs[parent]) if parent is not None else None)
            env_logs[current.index] = env
            workdir = workdirs.get(parent, "/") if parent is not None else "/"
            workdirs[current.index] = workdir
            continue

        if keyword == "ARG":
            words = list(instruction.args)
            # Each word sees the words before it (`ARG A=1 B=$A`), ahead of ENV: `assigned` holds them.
            assigned: dict[str, str] = {}
            scope: Mapping[str, str] = (
                global_values if current is None else Layered(assigned, env.snapshot(), args.snapshot())
            )
            expansion = expand(instruction.raw_args or " ".join(words), scope, escape)
            for position, word in enumerate(words):
                name, default = _split_arg_word(word)
                declaration = ArgDeclaration(
                    name=name,
                    default=default,
                    instruction=instruction,
                    stage=None if current is None else current.index,
                    extra_words=tuple(words[position + 1 :]) if position == 0 else (),
                )
                if name in overrides:
                    value = overrides[name]
                elif default is not None:
                    value = expand(default, scope, escape).value
                elif current is not None and name in global_values:
                    value = global_values[name]  # redeclaration picks up the global value
                else:
                    value = ""
                if current is None:
                    global_args.append(declaration)
                    global_values[name] = value
                else:
                    current.args.append(declaration)
                    args.set(name, value)
                    assigned[name] = value
            if current is not None:
                current.steps.append(
                    Step(instruction, current.index, args.snapshot(), env.snapshot(), expansion, workdir)
                )
            continue

        if current is None:
            continue  # the parser rejects other instructions before FROM; nothing to scope here

        step_args, step_env = args.snapshot(), env.snapshot()
        expansion = None
        if keyword in EXPANDED_KEYWORDS:
            expansion = expand(
                instruction.raw_args or " ".join(instruction.args), Layered(step_env, step_args), escape
            )
        if keyword == "WORKDIR" and expansion is not None:
            workdir = posixpath.normpath(posixpath.join(workdir, expansion.value.strip() or "."))
            workdirs[current.index] = workdir
        step = Step(instruction, current.index, step_args, step_env, expansion, workdir)
        current.steps.append(step)
        if keyword == "ENV":
            for name, raw_value in name_value_pairs(instruction):
                value = expand(raw_value, Layered(env.snapshot(), args.snapshot()), escape).value
                env.set(name, value)
                current.envs.append(EnvAssignment(name, value, raw_value, instruction))

    return DockerfileModel(dockerfile, global_args, stages, overrides)


def _final_env(stage: Stage, env: Assignments) -> Mapping[str, str]:
    """The ENV a stage ends with. A stage with no step of its own passes on none (as it always did here;
    BuildKit would pass its parent's on)."""
    return env.snapshot() if stage.steps else {}
