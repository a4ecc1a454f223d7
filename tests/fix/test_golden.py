"""The files `jettison fix` writes for examples/analytics-server, against reviewed golden copies.

Regenerate after an intended change with `JETTISON_UPDATE_GOLDEN=1 pytest tests/fix/test_golden.py`
and review the diff of tests/fix/golden/ like any other change.
"""

from __future__ import annotations

import datetime
import os
import shutil
from pathlib import Path

import pytest

from jettison.deps.prune import pruned_requirements
from jettison.fixer import FixOptions, apply
from jettison.fixer import plan_template as plan_fix
from jettison.model.audit import AuditOptions

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "analytics-server"
GOLDEN_ROOT = Path(__file__).parent / "golden"
# Which Dockerfile of the example is rewritten -> the directory of its golden files.
CASES = {"Dockerfile": "analytics-server", "Dockerfile.improved": "analytics-server-improved"}
# The Python end-of-life check depends on the date; the golden files are for this one.
TODAY = datetime.date(2026, 11, 29)
UPDATE = os.environ.get("JETTISON_UPDATE_GOLDEN") == "1"


def offline_prune(root: Path, requirements: Path) -> str:
    # The audit's offline mode (bundled metadata, no index): the golden files never depend on PyPI.
    return pruned_requirements(root, requirements, AuditOptions(offline=True))


def options(dockerfile: str) -> FixOptions:
    return FixOptions(dockerfile=dockerfile, today=TODAY, prune=offline_prune)


@pytest.fixture(scope="module", params=sorted(CASES))
def case(request):
    if not (EXAMPLE / request.param).exists():
        pytest.skip(f"the example is absent: {EXAMPLE}")
    return request.param, plan_fix(EXAMPLE, options(request.param))


def test_generated_files_match_golden(case):
    dockerfile, plan = case
    golden = GOLDEN_ROOT / CASES[dockerfile]
    produced = {change.relative: change.new for change in plan.changes}
    produced["NOTES.txt"] = "".join(f"{note}\n" for note in plan.notes)
    if UPDATE:
        golden.mkdir(parents=True, exist_ok=True)
        for stale in golden.iterdir():
            stale.unlink()
        for relative, text in produced.items():
            (golden / relative.replace("/", "__")).write_text(text)
    expected = {path.name.replace("__", "/"): path.read_text() for path in sorted(golden.iterdir())}
    assert produced.keys() == expected.keys()
    for relative, text in produced.items():
        assert text == expected[relative], f"{relative} differs from {golden}; see the module docstring"


def test_example_plan_is_deterministic(case):
    dockerfile, plan = case
    again = plan_fix(EXAMPLE, options(dockerfile))
    assert [(c.relative, c.new) for c in again.changes] == [(c.relative, c.new) for c in plan.changes]


def test_fixing_the_fixed_example_changes_nothing(case, tmp_path):
    # The written files are a fixpoint: the pruned requirements still hold everything the new
    # gunicorn.conf.py names (its gevent worker class among them), and the recipe reads back as itself.
    dockerfile, _ = case
    project = tmp_path / "analytics-server"
    shutil.copytree(EXAMPLE, project)
    apply(plan_fix(project, options(dockerfile)))
    again = plan_fix(project, options(dockerfile))
    assert [change.relative for change in again.pending] == []
