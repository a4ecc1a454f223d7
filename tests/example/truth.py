"""Reading the example's requirements.txt and truth file, for the tests beside this module."""

from __future__ import annotations

import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "analytics-server"
VERDICTS = ("used", "transitive", "unused", "unsure", "missing", "optional")
NEEDED = ("used", "transitive")


def pins(requirements: Path = EXAMPLE / "requirements.txt") -> dict[str, tuple[str, str]]:
    """Normalized name -> (name as written, pinned version), for a file of `name==version` lines."""
    result = {}
    for line in requirements.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        requirement = Requirement(line)
        (specifier,) = requirement.specifier
        assert specifier.operator == "==", line
        result[canonicalize_name(requirement.name)] = (requirement.name, specifier.version)
    return result


def truth(project: Path = EXAMPLE) -> dict[str, dict[str, str]]:
    """Verdict -> {normalized name: reason}, from the project's expected.toml."""
    data = tomllib.loads((project / "expected.toml").read_text(encoding="utf-8"))
    return data.get("requirements", {})


def needed() -> list[str]:
    sections = truth()
    return sorted(name for verdict in NEEDED for name in sections.get(verdict, {}))
