"""Distribution facts from an installed environment (`--python PATH`): one subprocess in total.

The given interpreter prints every distribution it can see (importlib.metadata): name, version, file
list with sizes, Requires-Dist. That is the most faithful link of the chain — it is what the code
actually runs against — so it comes first when the user offers it.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from jettison.deps.distributions import DistributionInfo, provided_modules
from jettison.errors import JettisonError
from jettison.model.requirements import normalize_name

_DUMP = r"""
import importlib.metadata as md, json, sys
out = []
for dist in md.distributions():
    name = dist.metadata["Name"]
    if not name:
        continue
    files = dist.files or []
    paths = [str(f) for f in files]
    size = sum((f.size or 0) for f in files)
    top = dist.read_text("top_level.txt") or ""
    scripts = [ep.name for ep in dist.entry_points if ep.group in ("console_scripts", "gui_scripts")]
    # Plugin subcommands (deps/distributions.is_subcommand_group): flask.commands, celery.commands.
    scripts += [f"{ep.group}:{ep.name}" for ep in dist.entry_points
                if ep.group.endswith(".commands") and ep.group.count(".") == 1]
    out.append({"name": name, "version": dist.version, "paths": paths, "size": size,
                "requires": dist.requires or [], "top_level": top.split(), "scripts": scripts})
json.dump(out, sys.stdout)
"""


def installed_distributions(python: Path) -> dict[str, DistributionInfo]:
    """Every distribution installed for `python`, by normalized name."""
    try:
        completed = subprocess.run(
            [str(python), "-I", "-c", _DUMP], capture_output=True, text=True, timeout=120, check=False
        )
    except OSError as error:
        raise JettisonError(
            f"cannot run --python interpreter: {error.strerror or error}", str(python)
        ) from error
    except subprocess.TimeoutExpired as error:
        raise JettisonError("--python interpreter did not answer in 120 s", str(python)) from error
    if completed.returncode != 0:
        last = (completed.stderr.strip().splitlines() or ["no output"])[-1]
        raise JettisonError(f"--python interpreter failed: {last}", str(python))
    try:
        records = json.loads(completed.stdout)
    except ValueError as error:
        raise JettisonError("--python interpreter printed no distribution list", str(python)) from error
    out: dict[str, DistributionInfo] = {}
    for record in records:
        name = normalize_name(record["name"])
        modules = provided_modules(record["paths"]) or tuple(record["top_level"])
        out.setdefault(
            name,
            DistributionInfo(
                name,
                record["version"],
                modules,
                tuple(record["requires"]),
                record["size"] or None,
                f"installed: {python}", scripts=tuple(sorted(set(record["scripts"]))),
            ),
        )
    return out
