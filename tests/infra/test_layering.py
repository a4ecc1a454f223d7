"""Nothing below imports from above.

model <- project/deps/dockerfile/gunicorn/oci <- builder/inspect <- report <- audit/runtime/fixer <- cli.
Imports under `if TYPE_CHECKING:` are annotations only, not dependencies, and are not counted.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "jettison"

# Each layer may import only from the layers listed for it (and the standard library / third parties).
# `errors`, `atomicfile` and `scratch` are leaf helpers every layer may use.
ALLOWED = {
    "model": {"model"},
    "project": {"model", "project"},
    "deps": {"model", "project", "deps"},
    "gunicorn": {"model", "gunicorn"},
    "dockerfile": {"model", "project", "dockerfile", "gunicorn", "deps"},
    "oci": {"model", "oci"},
    # builder/run.py takes a base from debian:// as from a registry; debian reuses builder.plan's timestamp
    # (a cycle between two floors to untangle: issue 8).
    "builder": {"model", "project", "deps", "dockerfile", "gunicorn", "oci", "builder", "debian"},
    "debian": {"model", "oci", "debian", "builder"},
    "inspect": {"model", "project", "oci", "inspect"},
    "report": {"model", "report", "deps", "inspect"},
    # The application floor: the audit pipeline, the fixer (which traces with runtime's analyzers), and
    # runtime's trace and verify, over everything below; only the CLI sits above them.
    "policy.py": {"model", "project"},
    "audit.py": {"model", "project", "deps", "dockerfile", "policy"},
    "runtime": {"model", "project", "deps", "dockerfile", "oci", "runtime", "audit"},
    "fixer": {"model", "project", "deps", "dockerfile", "gunicorn", "fixer", "audit", "policy", "runtime"},
    "fix.py": {"fixer"},
}
# Modules above their package's floor: verify_project builds the fixed copy with the fixer.
ABOVE = {"runtime/verify_project.py": {"model", "project", "deps", "dockerfile", "oci", "runtime", "audit",
                                      "fixer"}}  # fmt: skip
LEAVES = {"errors", "atomicfile", "scratch", "__init__"}


def _imported_jettison_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    type_only = {
        id(child)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and ast.unparse(node.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING")
        for child in ast.walk(node)
    }
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in type_only:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] == "jettison" and len(parts) > 1:
                found.add(parts[1])
    return found


def test_lower_layers_never_import_upper_ones() -> None:
    violations = []
    for layer, allowed in ALLOWED.items():
        paths = [PACKAGE / layer] if layer.endswith(".py") else sorted((PACKAGE / layer).rglob("*.py"))
        for path in paths:
            allowed_here = ABOVE.get(path.relative_to(PACKAGE).as_posix(), allowed)
            for imported in _imported_jettison_modules(path) - allowed_here - LEAVES:
                violations.append(f"{path.relative_to(PACKAGE)} imports jettison.{imported}")
    assert violations == []
