"""`jettison fix` as an editor (ruff's fix model): the audit's findings carry their own edits of the
user's files (model/edits.py); fix applies them and changes nothing else.

Pass 1 takes the fixes of `run_audit`'s findings: safe ones always, unsafe ones with `unsafe`; unused
requirements (JR101) become deletions of their lines (fixer/requirements.py). Edits are taken per file
in a stable order (rule id, then position), a finding's edits all or none; a finding whose edits
overlap ones already taken waits. Each next pass asks the Dockerfile rules again about the edited text
(in memory, nothing written) and takes their new edits, until no edit is left or MAX_PASSES: the plan
is a fixpoint, so applying it and planning again changes nothing. Files no fix names are not touched.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from jettison.audit import RULE_DEPENDENCY_ONLY, RULE_MISSING, RULE_UNUSED, run_audit
from jettison.dockerfile.audit import find_dockerfiles, lint_dockerfile_text
from jettison.dockerfile.facts import ProjectFacts
from jettison.dockerfile.fixplan import AppliedFix, FileChange, FixOptions, FixPlan
from jettison.dockerfile.template import new_project_plan
from jettison.errors import JettisonError
from jettison.fixer.lock import relock
from jettison.fixer.python_move import new_python, pins_block_move
from jettison.fixer.requirements import requirement_edits
from jettison.model.audit import AuditOptions
from jettison.model.edits import APPLIED, CONFLICT, Edit, apply_edit_groups
from jettison.model.findings import Finding, Location
from jettison.model.requirements import normalize_name
from jettison.policy import apply_policy, policy_reader
from jettison.project.config import load_config
from jettison.project.target import python_of_image

MAX_PASSES = 10


@dataclass(frozen=True)
class _Candidate:
    finding: Finding
    edits: tuple[Edit, ...]
    safe: bool

    @property
    def order(self) -> tuple:  # type: ignore[type-arg]
        first = min(self.edits)
        return (self.finding.rule, first.line, first.column, first.end_line, first.end_column, self.edits)


class _Texts:
    """The project's files as edited so far (read on first use)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.original: dict[str, str | None] = {}
        self.current: dict[str, str] = {}
        # The build contexts' facts, read once for all passes (edits are in memory, not on disk).
        self.contexts: dict[Path, ProjectFacts] = {}

    def relative(self, path: str) -> str | None:
        candidate = Path(path)
        absolute = (candidate if candidate.is_absolute() else self.root / candidate).resolve()
        root = self.root.resolve()
        if root not in absolute.parents:
            return None  # an edit outside the project is never made
        return absolute.relative_to(root).as_posix()

    def get(self, relative: str) -> str:
        if relative not in self.current:
            try:
                text = (self.root / relative).read_text(encoding="utf-8")
            except FileNotFoundError:
                text = None
            except (UnicodeDecodeError, IsADirectoryError) as error:
                raise JettisonError("cannot edit: not a UTF-8 text file", self.root / relative) from error
            self.original[relative] = text
            self.current[relative] = text or ""
        return self.current[relative]


def _key(finding: Finding) -> tuple:  # type: ignore[type-arg]
    location = finding.location
    return (finding.rule, location.path if location else None, location.line if location else None,
            finding.fix.description if finding.fix else finding.message)  # fmt: skip


def _where(finding: Finding) -> str:
    return f"{finding.location}: " if finding.location else ""


def _traced_keep(root: Path, options: AuditOptions) -> set[str]:
    from jettison.deps.index import cache_dir
    from jettison.deps.pipeline import audit_requirements
    from jettison.runtime.traced_audit import traced_audit

    audit = audit_requirements(root, options)
    return set(traced_audit(root, audit, options.cache or cache_dir()).kept_by_trace())


def _declared_at(finding: Finding) -> list[Location]:
    """Each file:line declaring an unused requirement (the audit lists them; else the finding's own)."""
    places: list[Location] = []
    for where in finding.data.get("declared_at") or ():
        path, _, line = str(where).rpartition(":")
        if path and line.isdigit():
            places.append(Location(path, int(line)))
    if not places and finding.location is not None:
        places.append(finding.location)
    return places


def _python_move_blocked(
    finding: Finding, texts: _Texts, options: FixOptions, requirement_files: list[str]
) -> str | None:
    """Why an unsafe edit that moves the recipe's Python must not be made (fixer/python_move.py)."""
    target = new_python(finding)
    location = finding.location
    if target is None or location is None or location.line is None:
        return None
    path = texts.relative(location.path)
    lines = texts.get(path).splitlines() if path else []
    words = lines[location.line - 1].split() if 0 < location.line <= len(lines) else []
    current = python_of_image(words[1]) if len(words) > 1 else None
    if current is not None and current[0] == target:
        return None  # the same Python (a slim tag of it): nothing to check
    offline = bool(options.audit and options.audit.offline)
    return pins_block_move(texts.root, requirement_files, target, offline, current[0] if current else None)


def _candidates(
    findings: Iterable[Finding],
    texts: _Texts,
    options: FixOptions,
    keep: set[str],
    notes: list[str],
    unsafe: dict[tuple, Finding],  # type: ignore[type-arg]
    requirement_files: list[str] | None = None,
) -> list[_Candidate]:
    out = []
    for finding in findings:
        fix = finding.fix
        if finding.rule == RULE_UNUSED:
            distribution = normalize_name(str(finding.data.get("distribution", "")))
            if distribution in keep:
                notes.append(f"{_where(finding)}{distribution} kept (it is needed at run time)")
                continue
            all_edits: list[Edit] = []
            for location in _declared_at(finding):
                path = texts.relative(location.path)
                if path is None:
                    notes.append(f"{location}: {distribution} is unused: no file to edit; left as declared")
                    continue
                edits, note = requirement_edits(replace(finding, location=location), texts.get(path))
                if note:
                    notes.append(note)
                all_edits.extend(edits)
            # One fix per file: each deletion is safe alone (the package stays installed from the other file).
            for path in sorted({edit.path for edit in all_edits}):
                mine = sorted({edit for edit in all_edits if edit.path == path})
                out.append(_Candidate(finding, tuple(mine), True))
            if not all_edits and not _declared_at(finding):
                notes.append(f"{_where(finding)}{distribution} is unused: no file to edit; left as declared")
            continue
        if finding.rule in (RULE_MISSING, RULE_DEPENDENCY_ONLY):
            notes.append(f"{finding.rule} {_where(finding)}{finding.message} (fix never adds requirements: "
                         "declare it yourself)")  # fmt: skip
            continue
        if fix is None:
            continue
        if not fix.edits:
            notes.append(f"{finding.rule} {_where(finding)}{fix.description} (no automatic edit)")
            continue
        if not (fix.safe or options.unsafe):
            unsafe[_key(finding)] = finding
            continue
        blocked = None if fix.safe else _python_move_blocked(finding, texts, options, requirement_files or [])
        if blocked:
            notes.append(f"{finding.rule} {_where(finding)}{fix.description}: not made: {blocked}")
            continue
        out.append(_Candidate(finding, fix.edits, fix.safe))
    return out


def _apply_pass(
    candidates: list[_Candidate],
    texts: _Texts,
    notes: list[str],
    seen: set[tuple],  # type: ignore[type-arg]
) -> tuple[list[AppliedFix], int]:
    """Apply what fits; return the fixes made and how many waited for a next pass."""
    by_file: dict[str, list[tuple[_Candidate, list[Edit]]]] = {}
    for candidate in sorted(candidates, key=lambda c: c.order):
        identity = (candidate.finding.rule, candidate.edits)
        if identity in seen:
            continue  # the same fix reported twice (a context rule seen from two Dockerfiles)
        seen.add(identity)
        edits = []
        for edit in candidate.edits:
            relative = texts.relative(edit.path)
            if relative is None:
                notes.append(f"{candidate.finding.rule}: edit of {edit.path} (outside the project) not made")
                break
            edits.append(replace(edit, path=relative))
        else:
            if len({e.path for e in edits}) != 1:
                notes.append(f"{candidate.finding.rule}: a fix editing several files is not applied")
                continue
            by_file.setdefault(edits[0].path, []).append((candidate, edits))
    made: list[AppliedFix] = []
    waiting = 0
    for relative, items in sorted(by_file.items()):
        new_text, outcomes = apply_edit_groups(texts.get(relative), [tuple(edits) for _, edits in items])
        for (candidate, edits), outcome in zip(items, outcomes, strict=True):
            rule = candidate.finding.rule
            if outcome == CONFLICT:
                waiting += 1
                seen.discard((rule, candidate.edits))
            elif outcome != APPLIED:
                notes.append(f"{rule} {relative}: {outcome}; skipped")
            else:
                fix = candidate.finding.fix
                why = fix.description if fix else candidate.finding.message
                made.append(AppliedFix(rule, relative, min(edits).line, why, candidate.safe))
        texts.current[relative] = new_text
    return made, waiting


def _parsing(
    dockerfiles: list[str], texts: _Texts, before: dict[str, str], made: list[AppliedFix], notes: list[str]
) -> list[AppliedFix]:
    """Undo this pass's edits of a Dockerfile that no longer parses (and drop those fixes)."""
    from jettison.dockerfile.audit import parse_model

    for relative in dockerfiles:
        if relative not in before or texts.current[relative] == before[relative]:
            continue
        try:
            parse_model(texts.current[relative], relative)
        except JettisonError as error:
            texts.current[relative] = before[relative]
            undone = [f for f in made if f.path == relative]
            made = [f for f in made if f.path != relative]
            rules = ", ".join(sorted({f.rule for f in undone}))
            notes.append(f"{relative}: the edits of {rules} would make it unparseable ({error}): not made")
    return made


def _relint(root: Path, dockerfiles: list[str], texts: _Texts, options: FixOptions, config) -> list[Finding]:  # noqa: ANN001
    findings: list[Finding] = []
    for relative in dockerfiles:
        kwargs = {"rules": options.rules} if options.rules is not None else {}
        findings += lint_dockerfile_text(root, relative, texts.get(relative), config, contexts=texts.contexts,
                                         **kwargs)  # fmt: skip
    return apply_policy(findings, config, policy_reader(root))


def plan_fix(project_root: str | Path, options: FixOptions | None = None) -> FixPlan:
    """Every edit `jettison fix` would make to the project at `project_root`. Writes nothing."""
    options = options or FixOptions()
    root = Path(project_root)
    if not root.is_dir():
        raise JettisonError("not a directory", root)
    config = load_config(root)
    found = [
        p.relative_to(root.resolve()).as_posix() for p in find_dockerfiles(root.resolve(), config.exclude)
    ]
    if not (root / options.dockerfile).is_file():
        if options.dockerfile != "Dockerfile" or found:
            raise JettisonError("no such Dockerfile (use --dockerfile to name it)", root / options.dockerfile)
        return new_project_plan(root, options)
    audit_options = options.audit or AuditOptions()
    keep = {normalize_name(name) for name in options.keep}
    if options.trace:
        keep |= _traced_keep(root, audit_options)
    report = run_audit(root, audit_options)
    texts = _Texts(root)
    notes: list[str] = []
    unsafe: dict[tuple, Finding] = {}  # type: ignore[type-arg]
    seen: set[tuple] = set()  # type: ignore[type-arg]
    requirement_findings = [f for f in report.findings if f.rule.startswith("JR")]
    if options.rules is None:
        dockerfile_rule_findings = [f for f in report.findings if not f.rule.startswith("JR")]
    else:  # the rules given, instead of all of them (tests)
        dockerfile_rule_findings = _relint(root, found, texts, options, config)
    if options.dockerfile != "Dockerfile" and len(found) > 1:
        # `--dockerfile docker/prod.Dockerfile` names the recipe to fix: the project's other Dockerfiles
        # (a dev one, a docs one) stay as they are, as hadolint or ruff given one file would leave them.
        named = Path(options.dockerfile).as_posix()
        others = {relative for relative in found if relative != named}
        skipped = [
            f for f in dockerfile_rule_findings if f.location and texts.relative(f.location.path) in others
        ]
        if skipped:
            notes.append(f"{len(skipped)} finding(s) in other Dockerfiles ({', '.join(sorted(others))}) left "
                         f"alone: --dockerfile names {named}")  # fmt: skip
        dockerfile_rule_findings = [f for f in dockerfile_rule_findings if f not in skipped]
        found = [named]
    candidates = _candidates(requirement_findings, texts, options, keep, notes, unsafe)
    fix_unsafe: dict[tuple, Finding] = {}  # type: ignore[type-arg]
    requirement_files = list(report.requirements.files) if report.requirements else []
    candidates += _candidates(
        dockerfile_rule_findings, texts, options, keep, notes, fix_unsafe, requirement_files
    )
    fixes: list[AppliedFix] = []
    passes = 0
    while candidates and passes < MAX_PASSES:
        passes += 1
        before = dict(texts.current)
        made, waiting = _apply_pass(candidates, texts, notes, seen)
        made = _parsing(found, texts, before, made, notes)
        fixes += made
        if not made and not waiting:
            break
        # Ask the rules again about the edited Dockerfiles: new edits, and those that waited.
        # `seen` keeps what was applied: a rule proposing the very same edit again is not obeyed twice.
        fix_unsafe = {}
        later_notes: list[str] = []
        candidates = _candidates(
            _relint(root, found, texts, options, config), texts, options, keep, later_notes, fix_unsafe,
            requirement_files,
        )  # fmt: skip
        notes += [note for note in later_notes if ": not made: " in note and note not in notes]
    else:
        if candidates:
            notes.append(f"fixes still pending after {MAX_PASSES} passes: run fix again to review them")
    unsafe.update(fix_unsafe)
    changes = _changes(root, texts)
    changes, lock_notes, fixes = _keep_lock_consistent(root, changes, texts, fixes, audit_options)
    notes += lock_notes
    if unsafe:
        notes.append(
            f"{len(unsafe)} unsafe fix(es) available with --unsafe-fixes: "
            + "; ".join(f"{f.rule} {_where(f)}{f.fix.description}" for f in unsafe.values() if f.fix)
        )
    return FixPlan(root=root, changes=tuple(changes), notes=tuple(dict.fromkeys(notes)), fixes=tuple(fixes),
                   passes=passes)  # fmt: skip


def _changes(root: Path, texts: _Texts) -> list[FileChange]:
    return [
        FileChange(root / relative, relative, texts.original[relative], text)
        for relative, text in sorted(texts.current.items())
        if text != (texts.original[relative] or "")
    ]


def _keep_lock_consistent(
    root: Path, changes: list[FileChange], texts: _Texts, fixes: list[AppliedFix], options: AuditOptions
) -> tuple[list[FileChange], list[str], list[AppliedFix]]:
    """An edited pyproject.toml must still parse, and a uv.lock beside it is locked again; when
    either fails the pyproject.toml edits are dropped (never a lock that disagrees with the project)."""
    notes: list[str] = []
    out = []
    for change in changes:
        if change.path.name != "pyproject.toml":
            out.append(change)
            continue
        problem = None
        try:
            tomllib.loads(change.new)
        except tomllib.TOMLDecodeError as error:
            problem = f"the edited file would not parse ({error})"
        lock = change.path.with_name("uv.lock")
        lock_change = None
        if problem is None and lock.is_file():
            new_lock, problem = relock(change.path.parent, change.new, offline=options.offline)
            if new_lock is not None:
                relative = (Path(change.relative).parent / "uv.lock").as_posix()
                old_lock = lock.read_text(encoding="utf-8")
                lock_change = FileChange(lock, relative, old_lock, new_lock)
        if problem is not None:
            notes.append(f"{change.relative}: not edited: {problem}; the unused dependencies stay declared")
            fixes = [f for f in fixes if f.path != change.relative]
            continue
        out.append(change)
        if lock_change is not None:
            out.append(lock_change)
            fixes.append(AppliedFix("JR101", lock_change.relative, None, "locked again with `uv lock`"))
    return out, notes, fixes
