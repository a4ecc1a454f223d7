"""The requirements audit end to end: read the project, scan it, resolve names, judge.

`audit_requirements(root, options)` is what both `jettison audit` (through jettison.audit) and
`jettison fix --requirements` (through deps/prune.py) run.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from jettison.deps.index import PackageIndex, cache_dir
from jettison.deps.installed import installed_distributions
from jettison.deps.local import LocalModules
from jettison.deps.resolve import DistributionResolver, Link, offline_link
from jettison.deps.scan import ScanResult, scan_project
from jettison.deps.target import Target
from jettison.deps.verdicts import Judgement, judge
from jettison.errors import JettisonError
from jettison.model.audit import AuditOptions
from jettison.model.requirements import LockedPackage, RequirementSet, RequirementSummary
from jettison.project.config import JettisonConfig, load_config
from jettison.project.declared import read_requirement_set
from jettison.project.sources import ProjectFiles, walk_project
from jettison.project.target import resolve_target_python


@dataclass
class RequirementsAudit:
    files: ProjectFiles
    requirements: RequirementSet
    scan: ScanResult
    judgement: Judgement
    resolver: DistributionResolver
    links: list[str]
    target: Target

    @property
    def summary(self) -> RequirementSummary:
        j = self.judgement
        return RequirementSummary(
            tuple(j.verdicts), self.requirements.files, str(self.target), j.size_before, j.size_after,
            tuple(j.unknown_sizes), tuple(j.unresolved),
        )  # fmt: skip


def build_resolver(
    options: AuditOptions,
    locked: Iterable[LockedPackage] = (),
    user_modules: dict[str, tuple[str, ...]] | None = None,
    target: Target | None = None,
) -> tuple[DistributionResolver, list[str]]:
    """The name-resolution chain for these options, and the names of its links (for the report)."""
    target = target or Target.parse(options.target_python, options.platform)
    links: list[tuple[str, Link]] = []
    if options.python is not None:
        installed = installed_distributions(options.python)
        links.append((f"installed ({options.python})", lambda name, requirement, pin: installed.get(name)))
    if not options.offline:
        index = PackageIndex(None, target, options.cache or cache_dir(), options.index_url)
        links.append(("index", index.lookup))
    links.append(("built-in table", offline_link))
    names = [label for label, _ in links] + ["name guess"]
    if user_modules:
        names.insert(0, "user mapping")
    resolver = DistributionResolver(links, locked, user_modules=user_modules)
    if not options.offline:
        resolver.module_source = index.module_source
    return resolver, names


def user_module_map(config: JettisonConfig) -> dict[str, tuple[str, ...]]:
    """`[tool.jettison.package-modules]`: distribution = "module" or ["module", ...]."""
    out: dict[str, tuple[str, ...]] = {}
    for name, modules in config.section("package-modules").items():
        if isinstance(modules, str):
            modules = [modules]
        if not isinstance(modules, list) or not all(isinstance(m, str) and m for m in modules):
            where = config.path or "pyproject.toml"
            raise JettisonError(f"package-modules.{name} must be a module name or a list of them", where)
        out[name] = tuple(modules)
    return out


def audit_requirements(path: Path, options: AuditOptions) -> RequirementsAudit:
    root = Path(path)
    if not root.exists():
        raise JettisonError("no such file or directory", str(path))
    if not root.is_dir():
        raise JettisonError("expected a project directory", str(path))
    # Callers that know the Dockerfile resolve the target first (jettison.dockerfile.python_target);
    # this fallback is the same chain without the base image.
    python = options.target_python or resolve_target_python(root).version
    target = Target.parse(python, options.platform)
    config = load_config(root)
    files = walk_project(root, (*options.exclude, *config.exclude), options.include_tests)
    requirements = read_requirement_set(root, files.requirement_files)
    scan = scan_project(files, options.cache or cache_dir(), target.version_tuple)
    resolver, links = build_resolver(options, requirements.locked, user_module_map(config), target)
    local = LocalModules(files.python)
    judgement = judge(requirements, scan.facts, scan.references, local, resolver, target, scan.unreadable)
    for label, link in resolver.links:
        unreachable = getattr(getattr(link, "__self__", None), "unreachable", None)
        if unreachable:  # say so: the verdicts then rest on the built-in table
            links = [f"{name} (unreachable: {unreachable})" if name == label else name for name in links]
    return RequirementsAudit(files, requirements, scan, judgement, resolver, links, target)
