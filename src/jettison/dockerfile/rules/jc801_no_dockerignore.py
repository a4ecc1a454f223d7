"""JC801: no .dockerignore while the context holds .git, .env, virtualenvs, __pycache__ or data files.

Everything in the context is sent to the builder on every build, and `COPY . .` bakes it into the
image: history, local secrets, a virtualenv for the wrong platform, bytecode, data dumps.
"""

from __future__ import annotations

from collections.abc import Iterator

from jettison.dockerfile.rules.base import Rule, RuleContext
from jettison.model.findings import Finding, Fix, Saving, Severity

DATA_SUFFIXES = (".csv", ".parquet", ".sqlite", ".sqlite3", ".db", ".pkl", ".pickle", ".h5", ".npy", ".npz",
                 ".feather", ".jsonl", ".zip", ".tar.gz", ".tgz", ".xlsx", ".ipynb")  # fmt: skip
BIG_FILE = 10_000_000


def _category(path: str, venv_roots: set[str], size: int) -> str | None:
    parts = path.split("/")
    if ".git" in parts[:-1] or parts[0] == ".git":
        return ".git"
    if parts[-1] == ".env" or parts[-1].startswith(".env."):
        return ".env"
    if any("/".join(parts[: i + 1]) in venv_roots for i in range(len(parts))):
        return "virtualenv"
    if "__pycache__" in parts or path.endswith(".pyc"):
        return "__pycache__"
    if path.endswith(DATA_SUFFIXES) or size >= BIG_FILE:
        return "data files"
    return None


def check(context: RuleContext) -> Iterator[Finding]:
    project = context.project
    if project.dockerignore is not None or not project.files:
        return
    venv_roots = {
        path.rsplit("/", 1)[0] for path in project.files if path.endswith("pyvenv.cfg") and "/" in path
    }
    venv_roots |= {
        p.split("/", 1)[0] for p in project.files if p.split("/", 1)[0] in ("venv", ".venv", "env")
    }
    found: dict[str, list[str]] = {}
    total = 0
    for path in project.files:
        size = project.sizes.get(path, 0)
        category = _category(path, venv_roots, size)
        if category is not None:
            found.setdefault(category, []).append(path)
            total += size
    if not found:
        return
    summary = ", ".join(f"{category} ({len(paths)} files)" for category, paths in sorted(found.items()))
    first_copy = next(
        (step.instruction for step in context.model.steps() if step.keyword in ("COPY", "ADD")), None
    )
    yield RULE.finding(
        context,
        first_copy,
        f"no .dockerignore, and the build context holds {summary}: all of it is sent to the builder and "
        "`COPY . .` puts it in the image",
        saving=Saving(megabytes=total / 1_000_000) if total >= 100_000 else None,
        fix=Fix("write a .dockerignore (jettison fix writes one)", safe=True),
        data={category: paths[:20] for category, paths in found.items()},
    )


RULE = Rule(
    id="JC801",
    name="no-dockerignore",
    severity=Severity.WARNING,
    summary="no .dockerignore while the context holds files the image must not get",
    rationale="The context is sent whole to the builder and copied whole by `COPY . .`.",
    url="https://docs.docker.com/build/concepts/context/#dockerignore-files",
    check=check,
)
