"""The Dockerfile part of `jettison audit`: every Dockerfile of a project through every rule.

Dockerfiles are found as Docker names them (Dockerfile, Dockerfile.*, *.Dockerfile, *.dockerfile);
the project root is taken as the build context, as `docker build -f <file> .` from the root does.
Findings are raw: ignores and severity overrides are applied afterwards by jettison.policy.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import os
from collections.abc import Iterable, Mapping
from pathlib import Path

from jettison.dockerfile.facts import ProjectFacts
from jettison.dockerfile.model import DockerfileModel, build_model
from jettison.dockerfile.parser import MAX_DOCKERFILE_BYTES
from jettison.dockerfile.rules import RULES, Rule, RuleContext
from jettison.errors import JettisonError
from jettison.model.findings import Finding
from jettison.project.config import JettisonConfig
from jettison.project.dockerignore import DockerIgnore

# Never searched for Dockerfiles: VCS data, virtualenvs, dependency and build output.
SKIP_DIRS = {
    ".git",
    ".hg",
    ".svn",
    "node_modules",
    "__pycache__",
    ".venv",
    "venv",
    ".tox",
    ".nox",
    "build",
    "dist",
}
# Names that look like Dockerfiles but are not: docs, backups (ours: *.jettison-bak), editor files,
# and BuildKit's per-Dockerfile ignore files (Dockerfile.dockerignore).
NOT_DOCKERFILES = (".md", ".txt", ".orig", ".bak", ".rej", ".jettison-bak", "~", ".swp", ".dockerignore")


def is_dockerfile_name(name: str) -> bool:
    lower = name.lower()
    return lower == "dockerfile" or lower.startswith("dockerfile.") or lower.endswith(".dockerfile")


def find_dockerfiles(project_root: Path, exclude: Iterable[str] = ()) -> list[Path]:
    patterns = list(exclude)
    found = []
    for directory, dirnames, filenames in os.walk(project_root):
        relative_dir = os.path.relpath(directory, project_root)
        dirnames[:] = sorted(
            # os.path.exists, not Path.exists: a directory we may not enter is no virtualenv, not a crash
            d
            for d in dirnames
            if d not in SKIP_DIRS and not os.path.exists(os.path.join(directory, d, "pyvenv.cfg"))
        )
        for name in sorted(filenames):
            if not is_dockerfile_name(name) or name.lower().endswith(NOT_DOCKERFILES):
                continue
            relative = name if relative_dir == "." else f"{relative_dir}/{name}".replace(os.sep, "/")
            if any(fnmatch.fnmatch(relative, pattern) for pattern in patterns):
                continue
            found.append(Path(directory, name))
    return found


def _unused_sizes(unused: Mapping[str, int | None] | Iterable[str] | None) -> dict[str, int | None]:
    if unused is None:
        return {}
    if isinstance(unused, Mapping):
        return dict(unused)
    return {name: None for name in unused}


def read_dockerfile(path: Path, display: str) -> str:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise JettisonError(f"cannot read: {error.strerror}", display) from error
    if len(data) > MAX_DOCKERFILE_BYTES:
        raise JettisonError(f"{len(data)} bytes: too large for a Dockerfile", display)
    if b"\0" in data:
        raise JettisonError("binary file, not a Dockerfile", display, 1)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise JettisonError("not UTF-8 text", display, line) from error


def lint_dockerfile(
    text: str, display: str, project: ProjectFacts, rules: Iterable[Rule] = RULES
) -> list[Finding]:
    """Parse one Dockerfile and run the rules on it (raises JettisonError on a malformed file)."""
    return lint_model(parse_model(text, display), project, rules)


def parse_model(text: str, display: str) -> DockerfileModel:
    from jettison.dockerfile.parser import parse  # the parser module is the parsing helper's

    return build_model(parse(text, display))


def lint_model(model: DockerfileModel, project: ProjectFacts, rules: Iterable[Rule] = RULES) -> list[Finding]:
    context = RuleContext(model, project)
    findings: list[Finding] = []
    for rule in rules:
        findings.extend(rule.run(context))
    return findings


def build_context(root: Path, dockerfile: Path, model: DockerfileModel) -> Path:
    """The directory a Dockerfile is most likely built from.

    `docker build .` beside the Dockerfile is the common case; a Dockerfile kept in a subdirectory
    (docker/Dockerfile, built with `-f docker/Dockerfile .`) names sources that only exist further
    up. So: the nearest directory, from the Dockerfile's up to the project root, that holds every
    source its COPY/ADD instructions take from the context."""
    sources = {
        source.strip().lstrip("/").removeprefix("./").rstrip("/")
        for stage in model.stages
        for copy in model.copies(stage)
        if copy.from_context
        for source in copy.sources
    }
    sources = {s for s in sources if s and s != "." and not any(ch in s for ch in "*?[$")}
    directory = dockerfile.parent
    while True:
        if all((directory / source).exists() for source in sources):
            return directory
        if directory == root or root not in directory.parents:
            return dockerfile.parent
        directory = directory.parent


def dockerfile_findings(
    project_root: Path,
    config: JettisonConfig | None = None,
    unused_requirements: Mapping[str, int | None] | Iterable[str] | None = None,
) -> list[Finding]:
    """Findings of all rules on every Dockerfile of the project, paths relative to the project root."""
    config = config or JettisonConfig()
    root = project_root.resolve()
    dockerfiles = find_dockerfiles(root, config.exclude)
    if not dockerfiles:
        return []
    unused = _unused_sizes(unused_requirements)
    contexts: dict[Path, ProjectFacts] = {}
    findings: list[Finding] = []
    seen: set[tuple[str, str | None, int | None, str]] = set()
    for path in dockerfiles:
        display = path.relative_to(root).as_posix()
        model = parse_model(read_dockerfile(path, display), display)
        prefix, model_findings = _lint_in_context(root, path, display, model, config, unused, RULES, contexts)
        for finding in model_findings:
            location = finding.location
            # Context rules and script rules see the same files from every Dockerfile: report once.
            key = (finding.rule, location.path if location else None, location.line if location else None,
                   finding.message)  # fmt: skip
            if finding.rule.startswith("JC"):
                key = (finding.rule, prefix, None, finding.message)  # once per context
            if key not in seen:
                seen.add(key)
                findings.append(finding)
    return findings


def _lint_in_context(
    root: Path, path: Path, display: str, model: DockerfileModel, config: JettisonConfig,
    unused: Mapping[str, int | None], rules: Iterable[Rule], contexts: dict[Path, ProjectFacts],
) -> tuple[str, list[Finding]]:  # fmt: skip
    """The rules' findings on one Dockerfile's model with its build context's facts (read once per
    context into `contexts`); context files are named relative to the project root. Returns the
    context's path relative to the root, and the findings."""
    directory = build_context(root, path, model)
    if directory not in contexts:
        contexts[directory] = ProjectFacts.from_directory(
            directory, unused=unused, kill_grace=config.kill_grace
        )
    facts = contexts[directory]
    own_ignore = path.with_name(path.name + ".dockerignore")
    if own_ignore.is_file():  # BuildKit prefers <Dockerfile>.dockerignore to the context's
        text = own_ignore.read_text(encoding="utf-8", errors="replace")
        facts = dataclasses.replace(facts, dockerignore=DockerIgnore.from_text(text, str(own_ignore)))
    prefix = directory.relative_to(root).as_posix()
    findings = []
    for finding in lint_model(model, facts, rules):
        location = finding.location
        if location is not None and location.path != display and prefix != ".":
            # Context files (scripts, gunicorn.conf.py) are named relative to the context.
            location = dataclasses.replace(location, path=f"{prefix}/{location.path}")
            finding = dataclasses.replace(finding, location=location)
        findings.append(finding)
    return prefix, findings


def lint_dockerfile_text(
    project_root: Path,
    relative: str,
    text: str,
    config: JettisonConfig | None = None,
    unused_requirements: Mapping[str, int | None] | Iterable[str] | None = None,
    rules: Iterable[Rule] = RULES,
    contexts: dict[Path, ProjectFacts] | None = None,
) -> list[Finding]:
    """The rules' findings on `text` as the project's Dockerfile `relative` (nothing is read from that
    path, nothing written): the same build context and project facts dockerfile_findings gives it. This
    is how `jettison fix` asks the rules again about the text it has edited in memory; `contexts` keeps
    the contexts' facts between its passes."""
    root = project_root.resolve()
    model = parse_model(text, relative)
    unused = _unused_sizes(unused_requirements)
    config = config or JettisonConfig()
    contexts = {} if contexts is None else contexts
    return _lint_in_context(root, root / relative, relative, model, config, unused, rules, contexts)[1]
