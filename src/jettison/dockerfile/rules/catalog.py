"""The rule catalog as Markdown (docs/rules.md), generated from the registry so it never drifts."""

from __future__ import annotations

import inspect
import sys

from jettison.dockerfile.rules import RULES

FAMILIES = {
    "JD1": "Base image",
    "JD2": "Build cache and layer size",
    "JD3": "Packaging",
    "JD4": "Virtualenv",
    "JD5": "ARG and ENV",
    "JD6": "Run time",
    "JD7": "Gunicorn",
    "JC8": "Build context",
}


def rules_markdown() -> str:
    lines = [
        "# jettison's Dockerfile rules",
        "",
        "Generated from `src/jettison/dockerfile/rules/` (one module per rule); regenerate with",
        "`JETTISON_UPDATE_GOLDEN=1 pytest tests/dockerfile_rules/test_catalog.py`.",
        "",
        "Silence a rule for one instruction with `# jettison: ignore=ID` on the line above it, for a file",
        "with `# jettison: ignore-file=ID`, or everywhere with `ignore = [\"ID\"]` in `[tool.jettison]`.",
        "",
        "| id | name | severity | summary |",
        "| --- | --- | --- | --- |",
    ]
    lines += [f"| [{r.id}](#{r.id.lower()}) | {r.name} | {r.severity} | {r.summary} |" for r in RULES]
    family = None
    for rule in RULES:
        if FAMILIES.get(rule.id[:3]) != family:
            family = FAMILIES.get(rule.id[:3])
            lines += ["", f"## {family}"]
        module = sys.modules[rule.check.__module__]
        doc = inspect.cleandoc(module.__doc__ or "")
        details = doc.split("\n", 1)[1].strip() if "\n" in doc else ""
        lines += ["", f"### {rule.id}", "", f"**{rule.name}** ({rule.severity}): {rule.summary}.", ""]
        lines += [rule.rationale]
        if details:
            lines += ["", details]
        lines += ["", f"See: {rule.url}"]
    return "\n".join(lines) + "\n"
