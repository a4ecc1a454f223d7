"""The example's truth file agrees with its requirements.txt and its code (offline)."""

from __future__ import annotations

import ast
import re
from collections import Counter

from packaging.utils import canonicalize_name

from .truth import EXAMPLE, VERDICTS, pins, truth


def test_requirements_are_a_freeze_of_97_unique_pins():
    lines = [line for line in (EXAMPLE / "requirements.txt").read_text().splitlines() if line.strip()]
    assert len(lines) == 97
    assert all(re.fullmatch(r"[A-Za-z0-9._-]+==[0-9][A-Za-z0-9.+!-]*", line) for line in lines), lines
    assert len(pins()) == 97, "a name is pinned twice"
    # pip freeze sorts case-insensitively; a hand edit that breaks the order is a sign of a bad merge.
    assert lines == sorted(lines, key=lambda line: line.split("==")[0].lower())


def test_every_requirement_has_exactly_one_verdict_with_a_reason():
    sections = truth()
    assert set(sections) <= set(VERDICTS)
    counted = Counter(name for names in sections.values() for name in names)
    assert [name for name, n in counted.items() if n > 1] == []
    assert set(counted) == set(pins())
    assert all(name == canonicalize_name(name) for name in counted), "names must be PEP 503 normalized"
    assert all(reason.strip() for names in sections.values() for reason in names.values())


def test_the_story_counts():
    sections = truth()
    assert len(sections["used"]) + len(sections["transitive"]) == 39
    assert len(sections["unused"]) == 58
    assert not sections.get("missing") and not sections.get("optional")


def imported_top_levels() -> set[str]:
    modules = set()
    for path in (EXAMPLE / "src").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                modules.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules.add(node.module.split(".")[0])
    return modules


def test_used_reasons_point_at_lines_that_say_so():
    """Each `file:line` a used reason cites exists and names the module or string it claims."""
    cited = 0
    for name, reason in truth()["used"].items():
        for path, line in re.findall(r"([\w./-]+\.(?:py|sh)):(\d+)", reason):
            text = (EXAMPLE / path).read_text().splitlines()[int(line) - 1]
            quoted = re.findall(r"\((?:from |import )?([\w.]+)", reason) + re.findall(r"'([^']+)'", reason)
            assert any(q.split(" ")[0] in text for q in quoted) or name in text, (name, path, line, text)
            cited += 1
    assert cited >= 16


def test_only_the_used_packages_are_imported():
    """Nothing the truth calls unused or transitive is imported by the app (besides botocore: used)."""
    imports = imported_top_levels()
    stdlib_or_local = {
        "__future__",
        "datetime",
        "functools",
        "dataclasses",
        "io",
        "os",
        "logging",
        "analytics",
    }
    module_of = {
        "flask": "flask", "flask_cors": "flask-cors", "sentry_sdk": "sentry-sdk",
        "marshmallow": "marshmallow",
        "sqlalchemy": "sqlalchemy", "pandas": "pandas", "pyarrow": "pyarrow", "boto3": "boto3",
        "botocore": "botocore", "requests": "requests", "tenacity": "tenacity", "dotenv": "python-dotenv",
        "structlog": "structlog",
    }  # fmt: skip
    assert imports - stdlib_or_local == set(module_of)
    used = truth()["used"]
    assert {module_of[m] for m in imports - stdlib_or_local} <= set(used)
    # The three used only through strings: the URL driver, the server command, the worker class.
    assert set(used) - set(module_of.values()) == {"psycopg2", "gunicorn", "gevent"}
    assert 'worker_class = "gevent"' in (EXAMPLE / "gunicorn.conf.py").read_text()
    assert "postgresql+psycopg2://" in (EXAMPLE / "src" / "analytics" / "config.py").read_text()


def test_story_dockerfiles_carry_their_bugs():
    naive = (EXAMPLE / "Dockerfile").read_text()
    improved = (EXAMPLE / "Dockerfile.improved").read_text()
    assert naive.startswith("FROM python:3.7\n") and "ADD ./src /www" in naive
    assert ". /venv/bin/activate" in naive and re.search(r"^CMD [^\[]", naive, re.M)
    assert improved.startswith("FROM python:3.8-slim-buster\n")
    assert "ARG PORT ${PORT}" in improved
    assert len(re.findall(r"^ARG WORKERS\b", improved, re.M)) == 2
    assert "gcc libpq-dev" in improved and re.search(r"^ENTRYPOINT [^\[]", improved, re.M)
    assert "exec " not in (EXAMPLE / "entrypoint.sh").read_text()
    assert "multiprocessing.cpu_count() * 2 + 1" in (EXAMPLE / "gunicorn.conf.py").read_text()
