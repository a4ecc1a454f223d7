"""JD604: ADD for local files where COPY does: ADD also unpacks archives and fetches URLs, surprises."""

from __future__ import annotations

from collections.abc import Iterator

from jettison.dockerfile.rules.base import Rule, RuleContext, edit_at
from jettison.model.findings import Finding, Fix, Severity

ARCHIVES = (".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz", ".tar.zst")


def check(context: RuleContext) -> Iterator[Finding]:
    model = context.model
    for stage in model.stages:
        for copy in model.copies(stage):
            if copy.step.keyword != "ADD" or not copy.from_context:
                continue
            if any(
                s.startswith(("http://", "https://", "git@")) or s.endswith(ARCHIVES) for s in copy.sources
            ):
                continue
            instruction = copy.step.instruction
            keyword = instruction.original[:3]
            flags_copy_knows = all(f.split("=", 1)[0] in COPY_FLAGS for f in instruction.flags)
            edits = ()
            if keyword.upper() == "ADD" and flags_copy_knows:
                edits = (edit_at(context, instruction, 0, 3, "COPY" if keyword.isupper() else "copy"),)
            yield RULE.finding(
                context,
                copy.step.instruction,
                f"ADD of local {', '.join(copy.sources)}: use COPY "
                "(ADD also extracts archives and fetches URLs)",
                # ADD unpacks a local tar archive whatever its name: safe only when no source is one.
                fix=Fix("use COPY", safe=bool(edits) and _no_archive(context, copy.sources), edits=edits),
            )


COPY_FLAGS = {"--chown", "--chmod", "--link", "--exclude", "--parents"}
# How tar archives ADD unpacks begin: gzip, bzip2, xz, zstd (plain tar: "ustar" at offset 257).
_ARCHIVE_MAGIC = (b"\x1f\x8b", b"BZh", b"\xfd7zXZ\x00", b"\x28\xb5\x2f\xfd")


def _no_archive(context: RuleContext, sources: tuple[str, ...]) -> bool:
    """Every source is in the context and none is a file that ADD would unpack."""
    project = context.project
    for source in sources:
        if not project.exists(source) or any(char in source for char in "*?["):
            return False
        data = project.read(source)
        if data is not None and (data.startswith(_ARCHIVE_MAGIC) or data[257:262] == b"ustar"):
            return False
    return True


RULE = Rule(
    id="JD604",
    name="add-for-local-files",
    severity=Severity.STYLE,
    summary="ADD used for local files",
    rationale="COPY states the intent; ADD's archive extraction and URL fetching are implicit surprises.",
    url="https://docs.docker.com/build/building/best-practices/#add-or-copy",
    check=check,
)
