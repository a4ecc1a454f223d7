"""Stage 3: judge every declared distribution — used, optional, transitive, unused — and find missing ones.

Inputs are the other stages' outputs (imports and string references, the resolver, the target), so
this module does no I/O of its own beyond asking the resolver.

The rules, in order:
- a distribution providing a module imported at run time, or named by a string reference, is USED;
- one imported only behind `try/except ImportError` is OPTIONAL (kept, reported);
- one never imported but required (Requires-Dist closure, target markers) by a kept one is TRANSITIVE;
- every other run-time requirement is UNUSED — including those only imported under TYPE_CHECKING
  and those only other unused packages require — unless a source file could not be read: then it is
  UNSURE (kept, with the file that might import it), since that file's imports are unknown;
- an imported module no declared distribution provides is MISSING (and says when it is installed
  anyway as someone's dependency).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache

from packaging.requirements import InvalidRequirement, Requirement

from jettison.deps.closure import Closure, dependency_closure
from jettison.deps.deferred import deferred_imports, named_features
from jettison.deps.distributions import DistributionInfo
from jettison.deps.imports import FileFacts, ImportKind
from jettison.deps.local import LocalModules
from jettison.deps.resolve import DistributionResolver, offline_table
from jettison.deps.strings import StringReference
from jettison.deps.target import STDLIB_CHANGES, Target
from jettison.model.requirements import (
    Evidence,
    RequirementSet,
    RequirementVerdict,
    SourceRef,
    Verdict,
    normalize_name,
)


def _provide_removed_stdlib(index: ModuleIndex, names: Iterable[str], target: Target) -> None:
    """Modules the target's standard library dropped are provided by their PyPI replacements
    (distutils by setuptools on 3.12+), when those are among `names`."""
    present = set(names)
    for module in STDLIB_CHANGES:
        for replacement in target.stdlib_replacements(module):
            if normalize_name(replacement) in present:
                index.by_module[module].add(normalize_name(replacement))


@dataclass
class Judgement:
    verdicts: list[RequirementVerdict] = field(default_factory=list)
    size_before: int | None = None
    size_after: int | None = None
    unknown_sizes: list[str] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)
    infos: dict[str, DistributionInfo] = field(default_factory=dict)


class ModuleIndex:
    """Import name -> distributions providing it, matched on the longest dotted prefix."""

    def __init__(self, infos: dict[str, DistributionInfo]) -> None:
        self.by_module: dict[str, set[str]] = defaultdict(set)
        for name, info in infos.items():
            for module in info.modules:
                self.by_module[module].add(name)

    def providers(self, module: str) -> set[str]:
        parts = module.split(".")
        for depth in range(len(parts), 0, -1):
            found = self.by_module.get(".".join(parts[:depth]))
            if found:
                return found
        # `import google.cloud` names a namespace several distributions share: all of them provide it.
        prefix = module + "."
        return {name for key, names in self.by_module.items() if key.startswith(prefix) for name in names}


@lru_cache(maxsize=1)
def _table_index() -> ModuleIndex:
    return ModuleIndex(offline_table())


def _suggest_distribution(module: str) -> str:
    """The distribution that provides a missing module, from the built-in table, else the module name."""
    candidates = _table_index().providers(module)
    if candidates:
        # Prefer the distribution whose name looks like the module (psycopg2 over psycopg2-binary).
        top = normalize_name(module.split(".")[0])
        return sorted(candidates, key=lambda n: (n != top, len(n), n))[0]
    return normalize_name(module.split(".")[0])


def judge(
    requirements: RequirementSet,
    facts: list[FileFacts],
    references: list[StringReference],
    local: LocalModules,
    resolver: DistributionResolver,
    target: Target,
    unreadable: Sequence[SourceRef] = (),
) -> Judgement:
    declared = requirements.names()
    # A line whose marker excludes the target (pywin32; sys_platform == "win32") installs nothing there.
    runtime = {
        line.name
        for line in requirements.lines
        if line.name and line.runtime and line.requirement and target.evaluate(line.requirement.marker)
    }
    first_line = {name: requirements.lines_for(name)[0] for name in declared}
    resolver.prefetch([(name, first_line[name].requirement, requirements.pin(name)) for name in declared])
    infos = {
        name: resolver.info(name, first_line[name].requirement, requirements.pin(name)) for name in declared
    }
    index = ModuleIndex(infos)
    _provide_removed_stdlib(index, infos, target)
    stdlib = target.stdlib_modules

    runtime_evidence: dict[str, list[Evidence]] = defaultdict(list)
    optional_evidence: dict[str, list[Evidence]] = defaultdict(list)
    typing_evidence: dict[str, list[Evidence]] = defaultdict(list)
    missing: dict[str, list[Evidence]] = defaultdict(list)  # module -> where it is needed
    missing_kind: dict[str, set[ImportKind]] = defaultdict(set)

    # Distributions no link knew: their module names are guesses. An import nothing else provides whose
    # name is inside exactly one of their names (`git` / gitpython) is taken to be theirs, so an unknown
    # distribution is never called unused while its import is called missing.
    guessed = [name for name, info in infos.items() if info.source.endswith("name guess")]

    def guessed_provider(top: str) -> set[str]:
        wanted = top.lower().replace("_", "")
        if len(wanted) < 3:
            return set()
        found = {n for n in guessed if wanted in n.replace("-", "").replace(".", "").replace("_", "")}
        return found if len(found) == 1 else set()

    shadowed: dict[str, list[Evidence]] = defaultdict(list)  # dist -> imports that resolve to local code
    named: set[tuple[str, str]] = set()  # (distribution, dotted name the project imports from it)
    for file in facts:
        for imported in file.imports:
            top = imported.top
            if top in stdlib:
                continue
            if local.is_local(top, file.path):
                for name in index.providers(top):
                    detail = f"import {top} in {file.path} is the project's own module {top}, not {name}"
                    where = SourceRef(file.path, imported.line)
                    shadowed[name].append(Evidence("not-imported", detail, where))
                continue
            where = SourceRef(file.path, imported.line)
            providers = index.providers(imported.name) or guessed_provider(top)
            verb = {
                "import": "imported",
                "importlib": "loaded by importlib",
                "__import__": "loaded by __import__",
            }
            detail = f"{imported.name} {verb[imported.via]} in {file.path}"
            if imported.kind is ImportKind.RUNTIME:
                evidence = Evidence("import", detail, where)
                bucket = runtime_evidence
            elif imported.kind is ImportKind.OPTIONAL:
                evidence = Evidence("optional-import", detail + " (inside try/except ImportError)", where)
                bucket = optional_evidence
            else:
                evidence = Evidence("type-checking-import", detail + " (only under TYPE_CHECKING)", where)
                bucket = typing_evidence
            if providers:
                for name in providers:
                    bucket[name].append(evidence)
                if imported.kind is ImportKind.RUNTIME:
                    named.update((name, imported.name) for name in providers)
            elif imported.kind is not ImportKind.TYPE_CHECKING:
                missing[top].append(evidence)
                missing_kind[top].add(imported.kind)

    for name, evidence in _deferred_evidence(named, index, resolver, requirements.pin):
        runtime_evidence[name].append(evidence)

    scripts: dict[str, set[str]] = defaultdict(set)  # console script name -> declared distributions
    for name, info in infos.items():
        for script in info.scripts:
            scripts[script].add(name)
    for reference in references:
        if reference.command is not None:
            detail = f"runs {reference.string} ({reference.rule})"
            for name in scripts.get(reference.command, ()):
                runtime_evidence[name].append(Evidence("string", detail, reference.source, reference.rule))
            continue
        tops = [m.split(".")[0] for m in reference.modules]
        if any(top in stdlib or local.is_local(top, None) for top in tops):
            continue
        evidence = Evidence(
            "string", f"{reference.string} ({reference.rule})", reference.source, reference.rule
        )
        for module in reference.modules:
            # A string names a module as an import does (INSTALLED_APPS "allauth"): the same guess applies.
            providers = index.providers(module) or guessed_provider(module.split(".")[0])
            if providers:
                for name in providers:
                    runtime_evidence[name].append(evidence)
                break
        else:
            if reference.soft:
                continue
            key = " or ".join(reference.modules)
            missing[key].append(evidence)
            missing_kind[key].add(ImportKind.RUNTIME)

    kept_roots = {
        name: requirements.extras_for(name)
        for name in declared
        if runtime_evidence.get(name) or optional_evidence.get(name)
    }
    pin = requirements.pin
    kept = dependency_closure(
        kept_roots, resolver, target, pin, {n: first_line[n].requirement for n in kept_roots}
    )
    everything = dependency_closure(
        {name: requirements.extras_for(name) for name in runtime},
        resolver, target, pin, {n: first_line[n].requirement for n in runtime},
    )  # fmt: skip

    # Which declared distributions require which (target markers): "required only by unused X" evidence.
    required_by: dict[str, set[str]] = defaultdict(set)
    for name in runtime:
        for raw in infos[name].requires or ():
            try:
                dependency = Requirement(raw)
            except InvalidRequirement:
                continue
            if target.evaluate(dependency.marker, requirements.extras_for(name)):
                required_by[normalize_name(dependency.name)].add(name)

    judgement = Judgement()
    for name in declared:
        info = infos[name]
        lines = tuple(requirements.lines_for(name))
        if runtime_evidence.get(name):
            verdict, evidence = Verdict.USED, runtime_evidence[name]
        elif optional_evidence.get(name):
            verdict, evidence = Verdict.OPTIONAL, optional_evidence[name]
        elif name in kept:
            verdict, evidence = Verdict.TRANSITIVE, [_required_by(kept, name, runtime)]
        elif name not in runtime:
            continue  # a development/extra group nobody imports: not ours to prune
        elif unreadable:
            verdict, evidence = Verdict.UNSURE, [_unsure(unreadable)]
        else:
            verdict = Verdict.UNUSED
            evidence = [*typing_evidence.get(name, []), *shadowed.get(name, [])[:1]]
            if not evidence and info.modules:
                modules = ", ".join(info.modules[:6]) + (", ..." if len(info.modules) > 6 else "")
                evidence.append(Evidence("not-imported", f"no module of {name} ({modules}) is imported"))
            elif not evidence:
                why = f"{name} provides no importable module and no kept package requires it"
                evidence.append(Evidence("not-imported", why))
            dependants = sorted(required_by.get(name, set()) - {name})
            if dependants:
                shown = ", ".join(dependants[:4]) + (", ..." if len(dependants) > 4 else "")
                evidence.append(Evidence("required-by", f"required only by unused {shown}"))
        judgement.verdicts.append(
            RequirementVerdict(
                name,
                verdict,
                tuple(_unique(evidence)),
                lines,
                info.modules,
                info.source,
                info.version,
                info.size,
            )
        )

    # Missing: modules nothing declared provides. Installed anyway as a dependency is softer, say so.
    closure_infos = {
        name: resolver.info(name, everything.requirement.get(name), pin(name)) for name in everything.parent
    }
    closure_index = ModuleIndex({n: i for n, i in closure_infos.items() if n not in infos})
    _provide_removed_stdlib(closure_index, (n for n in closure_infos if n not in infos), target)
    for module, evidence in sorted(missing.items()):
        alternatives = module.split(" or ")
        via = set().union(*(closure_index.providers(m) for m in alternatives))
        if via:
            name = sorted(via)[0]
            evidence = [
                *evidence,
                Evidence("required-by", f"installed only as a dependency of {_chain(everything, name)}"),
            ]
        else:
            replacements = target.stdlib_replacements(alternatives[0].split(".")[0])
            name = normalize_name(replacements[0]) if replacements else _suggest_distribution(alternatives[0])
        kind = Verdict.OPTIONAL if missing_kind[module] == {ImportKind.OPTIONAL} else Verdict.MISSING
        if kind is Verdict.OPTIONAL:
            continue  # an optional import of an undeclared package is the code's own fallback, not a problem
        judgement.verdicts.append(
            RequirementVerdict(name, Verdict.MISSING, tuple(_unique(evidence)), (), tuple(alternatives), None)
        )

    judgement.verdicts.sort(key=lambda v: (list(Verdict).index(v.verdict), v.name))
    judgement.infos = {**closure_infos, **infos}
    judgement.unresolved = sorted(kept.unresolved)  # only these can make a verdict wrong
    before, unknown_before = _total(everything, resolver, pin)
    if unreadable:  # what stays installed includes every unsure package and what it requires
        unsure = {
            v.name: requirements.extras_for(v.name) for v in judgement.verdicts if v.verdict is Verdict.UNSURE
        }
        kept = dependency_closure(
            {**kept_roots, **unsure}, resolver, target, pin,
            {n: first_line[n].requirement for n in (*kept_roots, *unsure)},
        )  # fmt: skip
    after, unknown_after = _total(kept, resolver, pin)
    judgement.size_before, judgement.size_after = before, after
    judgement.unknown_sizes = sorted(unknown_before | unknown_after)
    return judgement


MAX_DEFERRED_MODULES = 64  # module sources fetched per audit (each a few range requests, then cached)


def _deferred_evidence(
    named: set[tuple[str, str]],
    index: ModuleIndex,
    resolver: DistributionResolver,
    pin: Callable[[str], str | None],
) -> list[tuple[str, Evidence]]:
    """Declared distributions that the modules the project imports by name import inside their functions
    (deps/deferred.py): `from wtforms.validators import Email` keeps email-validator."""
    source_of = resolver.module_source
    if source_of is None or not named:
        return []
    by_dist: dict[str, set[str]] = defaultdict(set)
    for dist, dotted in named:
        by_dist[dist].add(dotted)
    jobs = sorted(
        (dist, module, frozenset(features))
        for dist, dotteds in by_dist.items()
        for module, features in named_features(dotteds).items()
    )[:MAX_DEFERRED_MODULES]

    def read(job: tuple[str, str, frozenset[str]]) -> tuple[str, str, frozenset[str], str | None]:
        dist, module, features = job
        return dist, module, features, source_of(dist, pin(dist), module)

    found: list[tuple[str, Evidence]] = []
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(read, jobs))
    for dist, module, features, source in results:
        if source is None:
            continue
        for imported, line in deferred_imports(source, features):
            for provider in index.providers(imported):
                if provider != dist:
                    shown = ", ".join(sorted(features))
                    detail = (f"{imported} imported inside {module}.{shown} ({dist}, line {line}), which the "
                              "project imports: when that feature runs")  # fmt: skip
                    found.append((provider, Evidence("deferred-import", detail)))
    return found


def _unsure(unreadable: Sequence[SourceRef]) -> Evidence:
    first = unreadable[0]
    others = f" and {len(unreadable) - 1} more" if len(unreadable) > 1 else ""
    detail = f"kept (unsure: {first}{others} could not be read, and may import it)"
    return Evidence("unreadable-source", detail)


def _required_by(closure: Closure, name: str, runtime: set[str]) -> Evidence:
    return Evidence("required-by", f"required by {_chain(closure, name)}")


def _chain(closure: Closure, name: str) -> str:
    """`flask` or `pandas <- numpy` style path from a root to `name` (excluding name)."""
    chain = []
    parent = closure.parent.get(name)
    while parent is not None and len(chain) < 6 and parent not in chain:
        chain.append(parent)
        parent = closure.parent.get(parent)
    return " <- ".join(chain) if chain else "a kept package"


def _total(closure: Closure, resolver: DistributionResolver, pin: object) -> tuple[int | None, set[str]]:
    unknown: set[str] = set()
    total = 0
    for name in closure.parent:
        info = resolver.info(name)
        if info.size is None:
            unknown.add(name)
        else:
            total += info.size
    return (total if closure.parent else 0), unknown


def _unique(evidence: list[Evidence], limit: int = 10) -> list[Evidence]:
    """Distinct evidence, the first `limit` items: enough to convince, short enough to read."""
    seen: set[tuple[str, str, SourceRef | None]] = set()
    out = []
    for item in evidence:
        key = (item.kind, item.detail, item.source)
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out[:limit]
