"""JD202: pip (or uv) keeps its download cache in the image.

pip stores every wheel it downloads under ~/.cache/pip; in an image that is dead weight. Use
`--no-cache-dir`, or better a BuildKit cache mount (faster rebuilds, nothing in the layer).
"""

from __future__ import annotations

from collections.abc import Iterator

from jettison.dockerfile.ast import Instruction
from jettison.dockerfile.rules.base import (
    Rule,
    RuleContext,
    edit_at,
    final_chain,
    install_word,
    shell_commands,
)
from jettison.model.edits import Edit
from jettison.model.findings import Finding, Fix, Severity

PIP_CACHE_DIRS = ("/root/.cache/pip", "/root/.cache", "/home/app/.cache/pip", "/root/.cache/uv")


def check(context: RuleContext) -> Iterator[Finding]:
    model = context.model
    for index in final_chain(context):
        for step in model.stages[index].steps:
            facts = step.run
            if facts is None:
                continue
            env = step.scope
            cached = []
            for pip in facts.pip_installs:
                if pip.tool not in ("pip", "uv") or pip.no_cache_dir:
                    continue
                if pip.tool == "pip" and env.get("PIP_NO_CACHE_DIR", "").lower() in (
                    "1",
                    "true",
                    "yes",
                    "off",
                ):
                    continue
                if pip.tool == "uv" and env.get("UV_NO_CACHE", ""):
                    continue
                cached.append(pip)
            mounted = any(
                target.rstrip("/") in PIP_CACHE_DIRS or target.rstrip("/").endswith((".cache", "/pip", "/uv"))
                for target in facts.cache_mounts
            )
            if not cached or mounted:
                continue
            flag = "--no-cache" if cached[0].tool == "uv" else "--no-cache-dir"
            commands = "; ".join(f"`{pip.text}`" for pip in cached[:3])
            yield RULE.finding(
                context,
                step.instruction,
                f"{commands} leave{'s' if len(cached) == 1 else ''} pip's download cache in the layer: "
                f"add {flag} or a cache mount (--mount=type=cache,target=/root/.cache/pip)",
                fix=Fix(f"add {flag}", safe=True, edits=_edits(context, step.instruction, len(cached))),
            )


def _edits(context: RuleContext, instruction: Instruction, cached: int) -> tuple[Edit, ...]:
    """`--no-cache-dir` (pip) / `--no-cache` (uv) after each `install` word that lacks it; none when the
    words read here do not match the installs the rule found (advice only, never a partial edit)."""
    commands = shell_commands(context, instruction)
    if commands is None:
        return ()
    edits = []
    for command in commands:
        found = install_word(command)
        if found is None or any(word.text in ("--no-cache-dir", "--no-cache") for word in command):
            continue
        tool, word = found
        flag = "--no-cache" if tool == "uv" else "--no-cache-dir"
        edits.append(edit_at(context, instruction, word.end, word.end, f" {flag}"))
    return tuple(edits) if len(edits) == cached else ()


RULE = Rule(
    id="JD202",
    name="pip-cache-in-image",
    severity=Severity.WARNING,
    summary="pip install without --no-cache-dir or a cache mount",
    rationale="The wheel cache is written into the layer and shipped with the image.",
    url="https://pip.pypa.io/en/stable/topics/caching/#avoiding-caching",
    check=check,
)
