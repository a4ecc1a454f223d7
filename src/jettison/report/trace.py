"""`audit --trace` in text: each start-up step's outcome, then static and traced verdicts side by side."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape
from rich.table import Table

if TYPE_CHECKING:  # only the type: report sits below runtime, which renders through it
    from jettison.runtime.traced_audit import TracedAudit

_STATUS_STYLE = {"ok": "green", "crashed": "red", "hung": "red"}


def render_trace_text(traced: TracedAudit, console: Console, verbose: bool = False) -> None:
    trace = traced.trace
    reused = "reused" if trace.environment.reused else "built"
    console.print()
    console.print(f"[bold]trace[/bold]: environment {escape(trace.environment.key)} ({reused}), "
                  f"{len(trace.outcomes)} start-up steps in {traced.seconds:.1f} s")  # fmt: skip
    for outcome in trace.outcomes:
        style = _STATUS_STYLE.get(outcome.status, "")
        console.print(f"  [{style}]{outcome.status:7}[/{style}] {escape(str(outcome.step.label))}"
                      + (f" — {escape(outcome.detail)}" if outcome.detail else ""))  # fmt: skip
    rows = [
        r
        for r in traced.rows
        if verbose or r.static != r.verdict or (r.static == "unused") != (r.traced == "not loaded")
    ]
    table = Table(
        title="static and traced verdicts" + ("" if verbose else " (where they differ; -v for all)")
    )
    for column in ("distribution", "static", "traced", "verdict", "evidence"):
        table.add_column(column)
    for row in rows:
        table.add_row(
            row.name, row.static, row.traced, row.verdict, escape(row.evidence[0] if row.evidence else "")
        )
    if rows:
        console.print(table)
    kept = sorted(traced.kept_by_trace())
    agree = sum(1 for r in traced.rows if (r.static == "unused") == (r.traced == "not loaded"))
    console.print(f"{agree} of {len(traced.rows)} declared distributions: same verdict from both passes; "
                  f"kept because traced: {', '.join(kept) if kept else 'none'}")  # fmt: skip
