"""Terminal output: the requirement verdicts grouped with sizes, then every other finding by rule.

Renders any Finding, whatever analyzer produced it. Colour comes from rich only on a terminal and
never with NO_COLOR (the console is built by the CLI); without a terminal the tables are plain ASCII.
"""

from __future__ import annotations

from collections import defaultdict

from rich.console import Console
from rich.markup import escape

from jettison.model.audit import AuditReport
from jettison.model.findings import Finding, Severity
from jettison.model.requirements import RequirementSummary, RequirementVerdict, Verdict

_SEVERITY_STYLE = {
    Severity.ERROR: "bold red",
    Severity.WARNING: "yellow",
    Severity.STYLE: "cyan",
    Severity.INFO: "dim",
}
_VERDICT_STYLE = {
    Verdict.USED: "green", Verdict.OPTIONAL: "cyan", Verdict.TRANSITIVE: "green",
    Verdict.UNUSED: "yellow", Verdict.UNSURE: "magenta", Verdict.MISSING: "bold red",
}  # fmt: skip
_VERDICT_TITLE = {
    Verdict.UNUSED: "Unused — not needed at run time",
    Verdict.UNSURE: "Unsure — no read file imports it, but a source could not be read (kept)",
    Verdict.MISSING: "Missing — needed but not declared",
    Verdict.OPTIONAL: "Optional — imported behind try/except ImportError (kept)",
    Verdict.USED: "Used",
    Verdict.TRANSITIVE: "Transitive — required by a used package (kept)",
}


def human_size(size: int | None) -> str:
    """Decimal units, as image tools print them: 368 MB, 2.8 GB."""
    if size is None:
        return "?"
    value = float(size)
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if value < 1000 or unit == "TB":
            if unit == "B":
                return f"{int(value)} B"
            return f"{value:.1f} {unit}" if value < 10 else f"{value:.0f} {unit}"
        value /= 1000
    return f"{size} B"


def _declared_as(verdict: RequirementVerdict) -> str:
    if verdict.lines:
        line = verdict.lines[0]
        return escape(line.requirement.__str__() if line.requirement else line.text)
    return escape(verdict.name)


def _where(row: RequirementVerdict) -> str:
    if row.lines:
        return str(row.lines[0].source)
    source = row.evidence[0].source if row.evidence else None
    return str(source) if source else ""


def _sort_key(verdict: Verdict):  # noqa: ANN202 - a key function
    if verdict is Verdict.UNUSED:
        return lambda v: (-(v.size_bytes or 0), v.name)
    return lambda v: v.name


def render_requirements(summary: RequirementSummary, console: Console, verbose: bool = False) -> None:
    counts = summary.counts()
    declared = sum(n for verdict, n in counts.items() if verdict != Verdict.MISSING.value)
    files = ", ".join(summary.files) or "no requirement files"
    console.print(f"[bold]Requirements[/bold] ({escape(files)}) for {escape(summary.target)}")
    console.print(
        f"  {declared} judged: {counts['used']} used, {counts['transitive']} transitive, "
        f"{counts['optional']} optional, {counts['unused']} unused"
        + (f", {counts['unsure']} unsure" if counts["unsure"] else "")
        + f"; {counts['missing']} missing"
    )
    order = [Verdict.MISSING, Verdict.UNUSED, Verdict.UNSURE, Verdict.OPTIONAL]
    if verbose:
        order += [Verdict.USED, Verdict.TRANSITIVE]
    for verdict in order:
        rows = summary.by_verdict(verdict)
        if not rows:
            continue
        style = _VERDICT_STYLE[verdict]
        total = sum(v.size_bytes or 0 for v in rows)
        size_note = f", {human_size(total)}" if verdict is Verdict.UNUSED else ""
        console.print()
        console.print(f"[{style}]{_VERDICT_TITLE[verdict]}[/{style}] ({len(rows)}{size_note})")
        for row in sorted(rows, key=_sort_key(verdict)):
            where = _where(row)
            size = human_size(row.size_bytes) if row.verdict is not Verdict.MISSING else ""
            facts = ", ".join(part for part in (where, size) if part)
            suffix = f"  ({escape(facts)})" if facts else ""
            console.print(f"  [{style}]{_declared_as(row)}[/{style}]{suffix}")
            for evidence in row.evidence[: 3 if verbose else 2]:
                console.print(f"      {escape(str(evidence))}", highlight=False)
    if not verbose:
        kept = summary.by_verdict(Verdict.USED) + summary.by_verdict(Verdict.TRANSITIVE)
        if kept:
            console.print()
            console.print(
                f"[green]Kept[/green] ({len(kept)}): "
                + escape(", ".join(sorted(v.name for v in kept)))
                + "  (--verbose shows why)"
            )
    if summary.size_before and summary.size_after is not None:
        console.print()
        saved = summary.size_before - summary.size_after
        unknown = f" ({len(summary.unknown_sizes)} sizes unknown)" if summary.unknown_sizes else ""
        console.print(
            f"[bold]installed packages: {human_size(summary.size_before)} -> {human_size(summary.size_after)}"
            f"[/bold] (saves {human_size(saved)}){unknown}"
        )


def render_findings(findings: list[Finding], console: Console) -> None:
    by_rule: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        by_rule[finding.rule].append(finding)
    for rule in sorted(by_rule, key=lambda r: (-max(f.severity for f in by_rule[r]), r)):
        group = by_rule[rule]
        worst = max(f.severity for f in group)
        style = _SEVERITY_STYLE[worst]
        console.print()
        console.print(f"[{style}]{rule}[/{style}] {worst} ({len(group)})")
        for finding in sorted(group, key=lambda f: (f.location is None, f.location or "")):  # type: ignore[arg-type, return-value]
            where = f"{finding.location}: " if finding.location else ""
            saving = (
                f"  [dim](saves {finding.saving})[/dim]" if finding.saving and str(finding.saving) else ""
            )
            console.print(f"  {escape(where)}{escape(finding.message)}{saving}")
            if finding.fix is not None:
                tag = "fix" if finding.fix.safe else "suggestion"
                console.print(f"    [dim]{tag}: {escape(finding.fix.description)}[/dim]")


def render_text(
    report: AuditReport, console: Console, verbose: bool = False, fail_on: Severity = Severity.WARNING
) -> None:
    console.print(f"[bold]jettison audit[/bold] {escape(report.root)}: {report.files_scanned} Python files")
    if report.mapping_sources:
        chain = " -> ".join(report.mapping_sources)
        console.print(f"[dim]import names resolved by: {escape(chain)}[/dim]")
    if report.requirements is not None:
        console.print()
        render_requirements(report.requirements, console, verbose)
    # Requirement verdicts are shown above; every other finding (any analyzer) is listed by rule.
    others = [f for f in report.findings if "verdict" not in f.data]
    if others:
        render_findings(others, console)
    console.print()
    errors = sum(1 for f in report.findings if f.severity is Severity.ERROR)
    warnings = sum(1 for f in report.findings if f.severity is Severity.WARNING)
    if report.has_problems(fail_on):
        console.print(f"[bold]{len(report.findings)} findings[/bold]: {errors} errors, {warnings} warnings")
    else:
        console.print(
            "[green]clean[/green]" + (f" ({len(report.findings)} notes)" if report.findings else "")
        )
