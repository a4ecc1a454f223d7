"""JC802: secrets in the build context that a COPY/ADD bakes into a layer.

Once in a layer, a secret is in every copy of the image, even if a later RUN deletes the file.
Only files Docker actually sends (after .dockerignore) and that a COPY source covers are reported.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator

from jettison.dockerfile.rules.base import Rule, RuleContext
from jettison.model.findings import Finding, Fix, Severity


def covers(source: str, path: str) -> bool:
    """Does a COPY source (context-relative, maybe a glob) include the context file `path`?"""
    source = source.strip().lstrip("/").removeprefix("./").rstrip("/")
    if source in ("", "."):
        return True
    if any(ch in source for ch in "*?["):
        return fnmatch.fnmatchcase(path, source) or any(
            fnmatch.fnmatchcase("/".join(path.split("/")[: i + 1]), source) for i in range(path.count("/"))
        )
    return path == source or path.startswith(source + "/")


def check(context: RuleContext) -> Iterator[Finding]:
    model = context.model
    project = context.project
    sent = project.sent_files()
    reported: set[str] = set()
    for index in sorted(model.stages_used_by_final()):
        for copy in model.copies(model.stages[index]):
            if not copy.from_context:
                continue
            for path in sent:
                if path in reported or not any(covers(source, path) for source in copy.sources):
                    continue
                secrets = project.secrets(path)
                if not secrets:
                    continue
                reported.add(path)
                kinds = ", ".join(sorted({secret.description for secret in secrets}))
                yield RULE.finding(
                    context,
                    copy.step.instruction,
                    f"{path} ({kinds}) is copied into the image by this {copy.step.keyword}: add it to "
                    ".dockerignore and pass it at run time or with --mount=type=secret",
                    fix=Fix(f"add {path} to .dockerignore", safe=True),
                    data={"file": path, "kinds": sorted({secret.kind for secret in secrets})},
                )


RULE = Rule(
    id="JC802",
    name="secret-copied-into-image",
    severity=Severity.ERROR,
    summary="a secret in the build context is copied into the image",
    rationale="Layers are immutable: anyone with the image can read a secret baked into one.",
    url="https://docs.docker.com/build/building/secrets/",
    check=check,
)
