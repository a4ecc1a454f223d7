"""The pre-commit hook definition: runs `jettison audit` and triggers on the right files.

The file is a flat list of mappings; it is read here line by line so the test needs no YAML library.
"""

from __future__ import annotations

import re
from pathlib import Path

HOOKS = Path(__file__).parents[2] / ".pre-commit-hooks.yaml"


def read_hooks() -> dict[str, dict[str, str]]:
    hooks: dict[str, dict[str, str]] = {}
    current: dict[str, str] = {}
    for line in HOOKS.read_text().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if line.startswith("- "):
            current = {}
            line = line[2:]
        key, _, value = line.strip().partition(": ")
        current[key] = value
        if key == "id":
            hooks[value] = current
    return hooks


def test_hook_runs_the_audit_on_recipe_files() -> None:
    audit = read_hooks()["jettison-audit"]
    assert audit["entry"] == "jettison audit" and audit["language"] == "python"
    assert audit["pass_filenames"] == "false"
    files = re.compile(audit["files"])
    recipe = ["Dockerfile", "docker/Dockerfile.prod", "api.Dockerfile", "requirements.txt"]
    recipe += ["requirements-dev.txt", "gunicorn.conf.py", "entrypoint.sh", ".dockerignore", "pyproject.toml"]
    for name in recipe:
        assert files.search(name), name
    for name in ["main.py", "README.md", "docs/Dockerfile-guide/x.md"]:
        assert not files.search(name), name
