"""JD403: a virtualenv copied between stages whose Python is not the same.

A venv's bin/python is a symlink to the interpreter that created it (/usr/local/bin/python3.11 in
python:3.11 images, /usr/bin/python3.11 on Debian's python3) and its site-packages are built for that
version and libc. Copied into a base where that path, version or libc differs, the venv breaks at
run time: `bin/python: No such file or directory` or ImportErrors from compiled extensions.
"""

from __future__ import annotations

from collections.abc import Iterator

from jettison.dockerfile.rules.base import Rule, RuleContext
from jettison.model.findings import Finding, Severity
from jettison.model.image_names import parse_image


def interpreter(reference: str) -> tuple[str, str | None, str] | None:
    """(interpreter directory, X.Y or None, libc) of an image's Python, when the image tells."""
    image = parse_image(reference)
    libc = "musl" if image.is_alpine else "glibc"
    if image.is_python:
        version = image.python_version
        return (
            "/usr/local/bin",
            ".".join(map(str, version[:2])) if version and len(version) >= 2 else None,
            libc,
        )
    name = image.repository.rsplit("/", 1)[-1]
    if "distroless" in image.repository and "python3" in name:
        return "/usr/bin", None, "glibc"
    if name in ("debian", "ubuntu", "alpine"):
        return "/usr/bin", None, libc
    return None


def _is_venv(source: str, venvs: set[str]) -> bool:
    source = source.rstrip("/")
    return source in venvs or "venv" in source.rsplit("/", 1)[-1] or source.endswith("/.venv")


def check(context: RuleContext) -> Iterator[Finding]:
    model = context.model
    for stage in model.stages:
        target = interpreter(model.root_image(stage))
        for copy in model.copies(stage):
            if copy.from_stage is None:
                continue
            builder = model.stages[copy.from_stage]
            venvs = {v.rstrip("/") for step in builder.steps if step.run for v in step.run.venvs_created}
            if not any(_is_venv(source, venvs) for source in copy.sources):
                continue
            origin = interpreter(model.root_image(builder))
            if origin is None or target is None or origin == target:
                continue
            if origin[0] == target[0] and origin[2] == target[2] and None in (origin[1], target[1]):
                continue  # same place and libc, one version unknown: don't guess
            yield RULE.finding(
                context,
                copy.step.instruction,
                f"virtualenv from stage {builder.label} ({model.root_image(builder)}: python "
                f"{origin[1] or '?'} in {origin[0]}, {origin[2]}) copied onto {model.root_image(stage)} "
                f"(python {target[1] or '?'} in {target[0]}, {target[2]}): "
                "its interpreter link won't resolve",
            )


RULE = Rule(
    id="JD403",
    name="venv-across-incompatible-bases",
    severity=Severity.ERROR,
    summary="virtualenv copied to a stage whose Python differs",
    rationale="A venv only works with the interpreter path, version and libc it was created with.",
    url="https://docs.python.org/3/library/venv.html#how-venvs-work",
    check=check,
)
