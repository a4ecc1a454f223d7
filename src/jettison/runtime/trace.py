"""Trace: what the app loads when it starts (runs subprocesses: the start-up steps, each bounded).

Every declared requirement is installed into a cached throwaway environment (runtime/venv.py), then each
start-up step (runtime/startup.py) runs on the target Python with the import recorder on PYTHONPATH
(runtime/child/sitecustomize.py). Every module recorded maps to the distribution whose RECORD lists its
file; each traced distribution is kept with its evidence ("imported at run time by config.settings ->
bcrypt (traced: django config.settings)"). A step that crashes or hangs gets a one-line verdict; its
process group is killed at the deadline.

The traced verdict only ever adds reasons to keep: a distribution the static pass keeps stays kept
(a start-up trace cannot see code paths that run later, at the first request).
"""

from __future__ import annotations

import json
import os
import shlex
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement

from jettison.deps.deferred import lazy_evidence, named_features, top_level_owners
from jettison.deps.distributions import parse_metadata
from jettison.errors import JettisonError
from jettison.model.requirements import normalize_name
from jettison.runtime.process import Completed, Runner, run_bounded
from jettison.runtime.startup import StartupStep, module_root
from jettison.runtime.venv import TraceEnvironment
from jettison.scratch import run_directory

STDLIB = frozenset(sys.stdlib_module_names) | {"__main__", "sitecustomize"}
CHILD_DIR = Path(__file__).with_name("child")
STEP_TIMEOUT = 60.0  # seconds for one start-up step; the step's whole process group dies after it


@dataclass(frozen=True)
class StepOutcome:
    step: StartupStep
    status: str  # ok | crashed | hung
    detail: str  # one line: what was loaded, the error, or how long it hung
    seconds: float

    def __str__(self) -> str:
        return f"{self.step.label}: {self.status}" + (f" — {self.detail}" if self.detail else "")


@dataclass(frozen=True)
class InstalledDistribution:
    name: str  # normalized
    version: str
    files: frozenset[str]  # absolute paths from RECORD
    requires: tuple[str, ...]


@dataclass
class TraceResult:
    environment: TraceEnvironment
    outcomes: list[StepOutcome] = field(default_factory=list)
    evidence: dict[str, list[str]] = field(default_factory=dict)  # distribution -> why it was loaded
    transitive: dict[str, str] = field(default_factory=dict)  # distribution -> "required by X"
    unmapped: list[str] = field(default_factory=list)  # loaded modules no RECORD lists (project's own)

    @property
    def loaded(self) -> set[str]:
        return set(self.evidence)

    def kept(self) -> set[str]:
        return set(self.evidence) | set(self.transitive)

    def failures(self) -> list[StepOutcome]:
        return [o for o in self.outcomes if o.status != "ok"]


def installed_distributions(environment: TraceEnvironment) -> dict[str, InstalledDistribution]:
    """Each distribution in the environment with the absolute paths its RECORD lists."""
    out: dict[str, InstalledDistribution] = {}
    for site in environment.site_packages():
        for info in sorted(site.glob("*.dist-info")):
            try:
                metadata = (info / "METADATA").read_text(encoding="utf-8", errors="replace")
                record = (info / "RECORD").read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            name = next((line.split(":", 1)[1].strip() for line in metadata.splitlines()
                         if line.startswith("Name:")), info.name.split("-")[0])  # fmt: skip
            version = next((line.split(":", 1)[1].strip() for line in metadata.splitlines()
                            if line.startswith("Version:")), "")  # fmt: skip
            files = set()
            for row in record.splitlines():
                rel = row.rsplit(",", 2)[0] if row.count(",") >= 2 else row
                if rel:
                    files.add(os.path.normpath(os.path.join(site, rel)))
            requires, _, _ = parse_metadata(metadata)
            out[normalize_name(name)] = InstalledDistribution(normalize_name(name), version, frozenset(files),
                                                             requires)  # fmt: skip
    return out


def _step_argv(
    step: StartupStep, environment: TraceEnvironment, root: Path, files: list[str]
) -> tuple[list[str], Path]:
    python = str(environment.python)
    loader = str(CHILD_DIR / "jettison_startup.py")
    if step.kind in ("wsgi", "asgi"):
        cwd = module_root(root, step.argument, files)
        argv = [python, loader, step.kind, step.argument]
        if step.option:
            config = step.option.removeprefix("python:")
            if step.kind == "wsgi" and not step.option.startswith("python:"):
                found = cwd / config if (cwd / config).is_file() else _find_file(root, config, files)
                config = str(found) if found else config
            argv.append(config if step.kind == "wsgi" else step.option)
        return argv, cwd
    if step.kind == "django":
        return [python, loader, "django", step.argument], module_root(root, step.argument, files)
    if step.kind == "celery":
        return [python, loader, "celery", step.argument], module_root(
            root, step.argument.split(":")[0], files
        )
    words = shlex.split(step.argument)
    executable = environment.bin / words[0]
    if words[0] in ("python", "python3"):
        words[0] = python
    elif executable.exists():
        words = [python, str(executable), *words[1:]]  # never by shebang: the venv may have moved
    if step.help:
        words.append("--help")
    return words, root


def _find_file(root: Path, rel: str, files: list[str]) -> Path | None:
    base = rel.rsplit("/", 1)[-1]
    matches = sorted((f for f in files if f == rel or f.endswith("/" + rel) or f.rsplit("/", 1)[-1] == base),
                     key=lambda f: (f != rel, f.count("/"), f))  # fmt: skip
    return root / matches[0] if matches else None


def _outcome(step: StartupStep, completed: Completed, timeout: float) -> StepOutcome:
    if completed.timed_out:
        return StepOutcome(step, "hung", f"still running after {timeout:.0f} s; its processes were killed",
                           completed.seconds)  # fmt: skip
    if completed.returncode == 0:
        return StepOutcome(step, "ok", "", completed.seconds)
    return StepOutcome(
        step, "crashed", f"exit {completed.returncode}: {completed.last_line()}", completed.seconds
    )


def run_trace(
    root: Path, files: list[str], steps: list[StartupStep], environment: TraceEnvironment,
    app_env: dict[str, str], runner: Runner = run_bounded, timeout: float = STEP_TIMEOUT,
    imported_names: frozenset[str] = frozenset(),
) -> TraceResult:  # fmt: skip
    """Run every step with the recorder; map what was loaded to distributions. `imported_names` are the
    dotted names the project's code imports (`wtforms.validators.Email`), for runtime/deferred.py."""
    features = named_features(imported_names)
    root = Path(root).resolve()
    result = TraceResult(environment)
    if not steps:
        raise JettisonError(
            "nothing to trace: no server command, Procfile, Django settings or Celery app found; "
            "name one with --trace-cmd or [tool.jettison] trace"
        )
    distributions = installed_distributions(environment)
    by_file = {path: dist.name for dist in distributions.values() for path in dist.files}
    base_env = {
        key: value for key, value in os.environ.items() if key in ("HOME", "LANG", "LC_ALL", "TMPDIR", "TERM")
    }
    records: list[tuple[StartupStep, dict[str, object]]] = []
    with tempfile.TemporaryDirectory(prefix="trace-", dir=run_directory()) as scratch:
        for index, step in enumerate(steps):
            out = Path(scratch) / f"step{index}"
            out.mkdir()
            argv, cwd = _step_argv(step, environment, root, files)
            env = {
                **base_env, **app_env,
                "PATH": f"{environment.bin}{os.pathsep}/usr/local/bin:/usr/bin:/bin",
                "VIRTUAL_ENV": str(environment.path), "PYTHONPATH": f"{CHILD_DIR}{os.pathsep}{cwd}",
                "JETTISON_TRACE_DIR": str(out), "JETTISON_TRACE_STEP": step.label,
                "PYTHONDONTWRITEBYTECODE": "1",
            }  # fmt: skip
            completed = runner(argv, timeout=timeout, env=env, cwd=cwd)
            result.outcomes.append(_outcome(step, completed, timeout))
            for dump in sorted(out.glob("*.json")):
                try:
                    records.append((step, json.loads(dump.read_text(encoding="utf-8"))))
                except (OSError, ValueError):
                    continue
    evidence: dict[str, list[str]] = defaultdict(list)
    unmapped: set[str] = set()
    owners = top_level_owners({d.name: d.files for d in distributions.values()},
                              [str(site) for site in environment.site_packages()])
    for step, record in records:
        modules: dict[str, str | None] = record.get("modules") or {}  # type: ignore[assignment]
        importers: dict[str, str] = record.get("importers") or {}  # type: ignore[assignment]
        argv0 = Path(str((record.get("argv") or ["?"])[0])).name  # type: ignore[index]
        owner = {
            name: by_file.get(os.path.normpath(path)) if path else None for name, path in modules.items()
        }
        for name, dist in owner.items():
            if name not in importers:
                continue  # loaded before the recorder started: interpreter start-up and .pth files
            importer = importers[name]
            if dist is None:
                path = modules.get(name)
                top = name.split(".")[0]
                if (
                    path
                    and top not in STDLIB
                    and not path.startswith((str(root), sys.base_prefix, str(CHILD_DIR)))
                ):
                    unmapped.add(top)
                continue
            if owner.get(importer) == dist or importer == "site":
                continue  # inside the distribution, or a .pth file that site runs in every interpreter
            who = importer if importer not in ("?", "__main__") else f"the {argv0} script"
            line = f"imported at run time by {who} -> {name} (traced: {step.label})"
            if line not in evidence[dist] and len(evidence[dist]) < 5:
                evidence[dist].append(line)
        # What the third-party modules the project's code imports by name do later, inside their functions
        # (runtime/deferred.py): `from wtforms.validators import Email` in the app's forms. Modules that
        # only other packages load (pandas' own printing helpers) would keep their optional extras: not read.
        loaded = {name: (str(modules[name]), dist) for name, dist in owner.items()
                  if dist is not None and modules.get(name) and name in features}  # fmt: skip
        for dist, lines in lazy_evidence(loaded, owners, step.label, features).items():
            for line in lines:
                if line not in evidence[dist] and len(evidence[dist]) < 5:
                    evidence[dist].append(line)
    result.evidence = {name: lines for name, lines in sorted(evidence.items()) if name != "jettison"}
    result.unmapped = sorted(unmapped)
    result.transitive = _required_closure(set(result.evidence), distributions)
    return result


def _required_closure(loaded: set[str], distributions: dict[str, InstalledDistribution]) -> dict[str, str]:
    """Distributions a loaded one requires (Requires-Dist, markers for this environment), with who."""
    out: dict[str, str] = {}
    queue = sorted(loaded)
    while queue:
        name = queue.pop(0)
        dist = distributions.get(name)
        if dist is None:
            continue
        for raw in dist.requires:
            try:
                requirement = Requirement(raw)
            except InvalidRequirement:
                continue
            try:
                if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
                    continue
            except Exception:
                pass
            dependency = normalize_name(requirement.name)
            if dependency in distributions and dependency not in loaded and dependency not in out:
                out[dependency] = f"required by {name} (traced)"
                queue.append(dependency)
    return out
