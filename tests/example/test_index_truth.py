"""The truth file's transitive and unused sections, derived again from the index's wheel metadata."""

from __future__ import annotations

import pytest
from packaging.utils import canonicalize_name

from .index_metadata import client, closure, pinned
from .truth import pins, truth

pytestmark = pytest.mark.network


@pytest.fixture(scope="module")
def metadata():
    with client() as http:
        return {key: pinned(http, name, version) for key, (name, version) in pins().items()}


def test_every_pin_has_a_cp311_manylinux_wheel_but_psycopg2(metadata):
    # psycopg2 publishes only an sdist for Linux: the story compiles it with gcc and libpq-dev.
    assert sorted(name for name, dist in metadata.items() if dist.wheel is None) == ["psycopg2"]


def test_the_freeze_is_closed_and_consistent(metadata):
    """pip freeze lists every installed dependency: what a pin needs is pinned, at a version it accepts."""
    versions = {name: dist.version for name, dist in metadata.items()}
    conflicts = [
        f"{name} needs {requirement}, pinned {versions[canonicalize_name(requirement.name)]}"
        for name, dist in metadata.items()
        for requirement in dist.requirements()
        if canonicalize_name(requirement.name) in versions
        and not requirement.specifier.contains(
            versions[canonicalize_name(requirement.name)], prereleases=True
        )
    ]
    assert conflicts == []
    missing = {
        (name, dep) for name, dist in metadata.items() for dep in dist.dependencies() if dep not in metadata
    }
    assert missing == set()


def test_transitive_and_unused_follow_from_the_used_packages(metadata):
    sections = truth()
    required_by = closure(sorted(sections["used"]), metadata)
    assert set(required_by) - set(sections["used"]) == set(sections["transitive"])
    assert set(metadata) - set(required_by) == set(sections["unused"])
    for name, reason in sections["transitive"].items():
        assert reason == "required by " + ", ".join(sorted(required_by[name])), name
