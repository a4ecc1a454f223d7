"""JD202: pip (or uv) keeps its download cache in the image.

pip stores every wheel it downloads under ~/.cache/pip; in an image that is dead weight. Use
`--no-cache-dir`, or better a BuildKit cache mount (faster rebuilds, nothing in the layer).
"""

from __future__ import annotations

from collections.abc import Iterator

from jettison.dockerfile.rules.base import Rule, RuleContext, final_chain
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
            original = step.instruction.original
            yield RULE.finding(
                context,
                step.instruction,
                f"{commands} leave{'s' if len(cached) == 1 else ''} pip's download cache in the layer: "
                f"add {flag} or a cache mount (--mount=type=cache,target=/root/.cache/pip)",
                fix=Fix(
                    f"add {flag}",
                    safe=True,
                    replacement=original.replace(" install ", f" install {flag} ")
                    if " install " in original
                    else None,
                ),
            )


RULE = Rule(
    id="JD202",
    name="pip-cache-in-image",
    severity=Severity.WARNING,
    summary="pip install without --no-cache-dir or a cache mount",
    rationale="The wheel cache is written into the layer and shipped with the image.",
    url="https://pip.pypa.io/en/stable/topics/caching/#avoiding-caching",
    check=check,
)
