"""The sample projects under tests/fixtures/projects are well-formed ground truth (offline).

Their verdicts are checked against jettison by tests/deps/test_expected_verdicts.py and against deptry
and FawltyDeps by bench/deps.py; this file checks the truth files themselves, and the broken inputs.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from collections import Counter

import pytest
from packaging.utils import canonicalize_name

from .truth import REPO, VERDICTS

PROJECTS = REPO / "tests" / "fixtures" / "projects"
# The installed console script runs `jettison.cli:main`; calling it so needs no PATH.
JETTISON = [sys.executable, "-c", "from jettison.cli import main; main()"]
SAMPLES = sorted(p.parent for p in PROJECTS.glob("*/expected.toml"))


def test_every_case_of_the_issue_has_a_sample():
    names = {p.name for p in SAMPLES}
    cases = {
        "name-mismatch-pinned", "django-project", "fastapi-pyproject-src", "poetry-project",
        "includes-markers-hashes", "optional-imports", "shadow-local", "sqlalchemy-urls", "celery-urls",
        "logging-dictconfig", "worker-class-conf", "worker-class-cli", "worker-class-entrypoint",
    }  # fmt: skip
    assert cases <= names
    assert (PROJECTS / "broken-requirement" / "error.toml").is_file()


@pytest.mark.parametrize("project", SAMPLES, ids=[p.name for p in SAMPLES])
def test_truth_file_is_well_formed(project):
    data = tomllib.loads((project / "expected.toml").read_text())
    sections = data["requirements"]
    assert set(sections) <= set(VERDICTS)
    assert sections.get("used"), "a sample with nothing used proves nothing"
    counted = Counter(name for names in sections.values() for name in names)
    assert [name for name, n in counted.items() if n > 1] == []
    assert all(name == canonicalize_name(name) for name in counted)
    assert all(
        isinstance(reason, str) and reason.strip() for names in sections.values() for reason in names.values()
    )
    # Every judged name is declared somewhere in the project's requirement sources.
    declared = "\n".join(
        path.read_text().lower().replace("_", "-").replace(".", "-")
        for pattern in ("requirements*.txt", "requirements/*.txt", "pyproject.toml")
        for path in project.glob(pattern)
    )
    assert [name for name in counted if name not in declared] == []


def test_malformed_requirement_is_one_line_and_exit_2():
    project = PROJECTS / "broken-requirement"
    error = tomllib.loads((project / "error.toml").read_text())
    result = subprocess.run([*JETTISON, "audit", str(project), "--offline"],
                            capture_output=True, text=True, timeout=120)  # fmt: skip
    assert result.returncode == error["exit_code"]
    assert "Traceback" not in result.stderr
    assert f"{error['path']}:{error['line']}:" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


UNREADABLE = {"broken-python2": {"legacy/report.py"}, "broken-binary": {"assets/blob.py", "latin1.py"}}


@pytest.mark.parametrize("name", sorted(UNREADABLE))
def test_unreadable_sources_are_reported_not_fatal(name):
    """Python 2, binary and undecodable files are listed as skipped; the audit goes on."""
    result = subprocess.run([*JETTISON, "audit", str(PROJECTS / name), "--offline", "--format", "json"],
                            capture_output=True, text=True, timeout=120)  # fmt: skip
    assert result.returncode in (0, 1), result.stderr
    assert "Traceback" not in result.stderr
    report = json.loads(result.stdout)
    assert {skipped["path"] for skipped in report["skipped_files"]} == UNREADABLE[name]
    assert report["requirements"]["counts"]["used"] >= 1
