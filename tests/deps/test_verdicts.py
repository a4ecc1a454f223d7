"""The judging stage in isolation: closure with target markers and extras, drops that cascade."""

from __future__ import annotations

from pathlib import Path

import pytest

from jettison.deps.distributions import DistributionInfo
from jettison.deps.imports import scan_source
from jettison.deps.local import LocalModules
from jettison.deps.resolve import DistributionResolver
from jettison.deps.target import Target
from jettison.deps.verdicts import judge
from jettison.model.requirements import RequirementSet
from jettison.project.requirements_txt import parse_requirements_file

# A made-up index: name -> (modules, Requires-Dist, size)
INDEX = {
    "webapp-lib": (
        ("webapp",),
        ["helper>=1", 'winonly; sys_platform == "win32"', 'turbo; extra == "fast"'],
        100,
    ),
    "helper": (("helper",), ["tiny"], 10),
    "tiny": (("tiny",), [], 1),
    "winonly": (("winonly",), [], 5),
    "turbo": (("turbo",), [], 7),
    "notebook-thing": (("notebook_thing",), ["widget-lib"], 1000),
    "widget-lib": (("widgets",), ["tiny"], 500),
    "py310-backport": (("backport",), [], 3),
}


def link(name, requirement, pin):
    if name not in INDEX:
        return None
    modules, requires, size = INDEX[name]
    return DistributionInfo(name, pin or "1.0", modules, tuple(requires), size, "test index")


def audit(tmp_path: Path, requirements: str, source: str, target: Target | None = None):
    (tmp_path / "requirements.txt").write_text(requirements)
    parsed = parse_requirements_file(tmp_path / "requirements.txt", tmp_path)
    facts = [scan_source(source.encode(), "app.py")]
    resolver = DistributionResolver([("test index", link)])
    return judge(
        RequirementSet(tuple(parsed.lines)), facts, [], LocalModules(["app.py"]), resolver, target or Target()
    )


def verdicts(judgement):
    return {v.name: v.verdict.value for v in judgement.verdicts}


def test_closure_keeps_pinned_dependencies_and_drops_what_only_unused_packages_need(tmp_path):
    judgement = audit(
        tmp_path,
        "webapp-lib[fast]==1.0\nhelper==1.0\ntiny==1.0\nturbo==1.0\nwinonly==1.0\nnotebook-thing==1.0\nwidget-lib==1.0\n",
        "import webapp\n",
    )
    assert verdicts(judgement) == {
        "webapp-lib": "used",
        "helper": "transitive",
        "tiny": "transitive",  # through helper: kept even though widget-lib (dropped) needs it too
        "turbo": "transitive",  # the [fast] extra asks for it
        "notebook-thing": "unused",
        "widget-lib": "unused",  # only the unused notebook-thing requires it
        "winonly": "unused",  # its marker is false on linux
    }
    widget = next(v for v in judgement.verdicts if v.name == "widget-lib")
    assert "required only by unused notebook-thing" in [e.detail for e in widget.evidence]
    assert judgement.size_before == 100 + 10 + 1 + 7 + 5 + 1000 + 500
    assert judgement.size_after == 100 + 10 + 1 + 7


def test_markers_are_evaluated_for_the_target_not_the_host(tmp_path):
    requirements = 'py310-backport==1.0; python_version < "3.11"\nwebapp-lib==1.0\n'
    on_311 = audit(tmp_path, requirements, "import webapp\n", Target.parse("3.11", None))
    assert "py310-backport" not in verdicts(on_311)  # not installed on the target: nothing to prune
    on_310 = audit(tmp_path, requirements, "import webapp\n", Target.parse("3.10", None))
    assert verdicts(on_310)["py310-backport"] == "unused"


def test_missing_and_installed_only_as_a_dependency(tmp_path):
    judgement = audit(tmp_path, "webapp-lib==1.0\n", "import webapp\nimport helper\nimport requests\n")
    missing = {
        v.name: [e.kind for e in v.evidence] for v in judgement.verdicts if v.verdict.value == "missing"
    }
    assert missing == {"helper": ["import", "required-by"], "requests": ["import"]}


@pytest.mark.parametrize("kind", ["optional", "type-checking"])
def test_optional_and_type_checking_imports(tmp_path, kind):
    source = (
        "try:\n    import tiny\nexcept ImportError:\n    tiny = None\n"
        if kind == "optional"
        else "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import tiny\n"
    )
    judgement = audit(tmp_path, "tiny==1.0\n", source)
    assert verdicts(judgement) == {"tiny": "optional" if kind == "optional" else "unused"}


def test_an_unknown_distribution_is_matched_to_an_import_inside_its_name(tmp_path):
    judgement = audit(tmp_path, "gitwrapper-python==1.0\nunknown-thing==1.0\n", "import gitwrapper\n")
    assert verdicts(judgement) == {"gitwrapper-python": "used", "unknown-thing": "unused"}
