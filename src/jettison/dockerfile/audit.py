"""The Dockerfile part of `jettison audit`: every Dockerfile of a project through every rule.

Dockerfiles are found as Docker names them (Dockerfile, Dockerfile.*, *.Dockerfile, *.dockerfile);
the project root is taken as the build context, as `docker build -f <file> .` from the root does.
Findings are raw: ignores and severity overrides are applied afterwards by jettison.policy.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import importlib.util
import os
from collections.abc import Iterable, Mapping
from pathlib import Path

from jettison.dockerfile.facts import ProjectFacts
from jettison.dockerfile.model import build_model
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
MAX_DOCKERFILE_BYTES = 1_000_000
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
            d for d in dirnames if d not in SKIP_DIRS and not (Path(directory, d) / "pyvenv.cfg").exists()
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
    from jettison.dockerfile.parser import parse  # the parser module is the parsing helper's

    model = build_model(parse(text, display))
    context = RuleContext(model, project)
    findings: list[Finding] = []
    for rule in rules:
        findings.extend(rule.run(context))
    return findings


def dockerfile_findings(
    project_root: Path,
    config: JettisonConfig | None = None,
    unused_requirements: Mapping[str, int | None] | Iterable[str] | None = None,
) -> list[Finding]:
    """Findings of all rules on every Dockerfile of the project, paths relative to the project root."""
    config = config or JettisonConfig()
    root = project_root.resolve()
    dockerfiles = find_dockerfiles(root, config.exclude)
    if not dockerfiles or importlib.util.find_spec("jettison.dockerfile.parser") is None:
        return []  # no Dockerfile, or (while the parser is being merged) nothing to parse them with
    project = ProjectFacts.from_directory(
        root, unused=_unused_sizes(unused_requirements), kill_grace=config.kill_grace
    )
    findings: list[Finding] = []
    seen: set[tuple[str, str | None, int | None, str]] = set()
    for path in dockerfiles:
        display = path.relative_to(root).as_posix()
        facts = project
        own_ignore = path.with_name(path.name + ".dockerignore")
        if own_ignore.is_file():  # BuildKit prefers <Dockerfile>.dockerignore to the context's
            text = own_ignore.read_text(encoding="utf-8", errors="replace")
            facts = dataclasses.replace(project, dockerignore=DockerIgnore.from_text(text, str(own_ignore)))
        for finding in lint_dockerfile(read_dockerfile(path, display), display, facts):
            location = finding.location
            # Context rules and script rules see the same files from every Dockerfile: report once.
            key = (finding.rule, location.path if location else None, location.line if location else None,
                   finding.message)  # fmt: skip
            if finding.rule.startswith("JC"):
                key = (finding.rule, None, None, finding.message)  # one context, whichever Dockerfile saw it
            if key not in seen:
                seen.add(key)
                findings.append(finding)
    return findings
