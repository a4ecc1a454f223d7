"""Each sample project's pins exist on the index, and its transitive/unused sections follow from them.

The same derivation as test_index_truth.py, for tests/fixtures/projects: read what the project declares
(requirements files, PEP 621, Poetry), walk the Requires-Dist of the used and optional packages at their
pinned versions (with the extras the project asks for), and compare with expected.toml (network).
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from .index_metadata import client, pinned
from .test_fixture_projects import SAMPLES

pytestmark = pytest.mark.network


def declared(project: Path) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Normalized name -> (version, extras) for every pinned or caret-bounded declaration."""
    lines: list[str] = []
    for path in sorted([*project.glob("requirements*.txt"), *project.glob("requirements/*.txt")]):
        if path.name.startswith("constraints"):
            continue  # constraints cap versions; they declare nothing
        text = path.read_text().replace("\\\n", " ")
        lines += [re.sub(r"\s--hash=\S+", "", line.split(" #")[0]).strip() for line in text.splitlines()]
    pyproject = project / "pyproject.toml"
    if pyproject.exists():
        data = tomllib.loads(pyproject.read_text())
        lines += data.get("project", {}).get("dependencies", [])
        for name, spec in data.get("tool", {}).get("poetry", {}).get("dependencies", {}).items():
            spec = spec if isinstance(spec, dict) else {"version": spec}
            if name == "python" or spec.get("optional"):
                continue
            extras = f"[{','.join(spec['extras'])}]" if spec.get("extras") else ""
            lines.append(f"{name}{extras}=={spec['version'].lstrip('^~=')}")
    result = {}
    for line in lines:
        if not line or line.startswith(("#", "-")):
            continue
        requirement = Requirement(line)
        (specifier,) = requirement.specifier
        result[canonicalize_name(requirement.name)] = (specifier.version, tuple(sorted(requirement.extras)))
    return result


@pytest.fixture(scope="module")
def index():
    with client() as http:
        cache: dict[tuple[str, str], object] = {}

        def lookup(name: str, version: str):
            if (name, version) not in cache:
                cache[name, version] = pinned(http, name, version)
            return cache[name, version]

        yield lookup


@pytest.mark.parametrize("project", SAMPLES, ids=[p.name for p in SAMPLES])
def test_sample_truth_follows_from_the_index(project, index):
    pins = declared(project)
    sections = tomllib.loads((project / "expected.toml").read_text())["requirements"]
    judged = {name for names in sections.values() for name in names}
    assert judged == set(pins), "every declared runtime requirement is judged, nothing else"
    metadata = {name: index(name, version) for name, (version, _) in pins.items()}
    # Each pin is a real release with a wheel for CPython 3.11 on manylinux x86_64.
    assert [name for name, dist in metadata.items() if dist.wheel is None] == []
    roots = [*sections.get("used", {}), *sections.get("optional", {})]
    reached, todo = set(), list(roots)
    while todo:
        name = todo.pop()
        if name in reached or name not in metadata:
            # An undeclared dependency: pip brings it, nothing to judge. The samples are written so that
            # no declared pin is reachable only through one (its version would be unknown here).
            continue
        reached.add(name)
        todo += metadata[name].dependencies(pins[name][1])
    assert reached - set(roots) == set(sections.get("transitive", {}))
    # What nothing reaches is unused, or kept as unsure where a source file cannot be read.
    assert set(pins) - reached == set(sections.get("unused", {})) | set(sections.get("unsure", {}))
