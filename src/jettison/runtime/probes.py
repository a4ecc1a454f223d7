"""What to ask a running image: its health route, the GET routes without parameters it declares, the
commands of its entrypoint and Procfile with --help. Read from the project's files (no I/O beyond reading).

Routes come from the code with `ast`: Flask/FastAPI/Starlette decorators (`@app.route("/x")`,
`@router.get("/x")`, methods including GET), `Route("/x", ...)`, Django `path("x/", ...)` in urls.py;
a router's prefix is not followed, so a route under an include may be missed (never invented).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

HEALTH_NAMES = ("health", "healthz", "readyz", "livez", "up", "ping", "status")
_HEALTHCHECK_URL = re.compile(r"https?://[^/\s\"']+(/[^\s\"']*)?")


@dataclass(frozen=True, order=True)
class Probe:
    kind: str  # http | command
    target: str  # a path, or a command line
    source: str

    def __str__(self) -> str:
        return f"GET {self.target}" if self.kind == "http" else f"{self.target} --help"


def _routes_in(tree: ast.AST) -> list[tuple[str, int]]:
    out = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for decorator in node.decorator_list:
                if not isinstance(decorator, ast.Call) or not isinstance(decorator.func, ast.Attribute):
                    continue
                verb = decorator.func.attr
                if verb not in ("route", "get", "api_route") or not decorator.args:
                    continue
                first = decorator.args[0]
                if not isinstance(first, ast.Constant) or not isinstance(first.value, str):
                    continue
                methods = next((k.value for k in decorator.keywords if k.arg == "methods"), None)
                if methods is not None:
                    names = [e.value for e in getattr(methods, "elts", []) if isinstance(e, ast.Constant)]
                    if "GET" not in names:
                        continue
                out.append((first.value, decorator.lineno))
        elif isinstance(node, ast.Call) and isinstance(node.func, (ast.Name, ast.Attribute)):
            name = node.func.id if isinstance(node.func, ast.Name) else node.func.attr
            if name in ("path", "re_path", "Route") and node.args:
                first = node.args[0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    second = node.args[1] if len(node.args) > 1 else None
                    if (
                        name != "Route"
                        and isinstance(second, ast.Call)
                        and getattr(second.func, "id", "") == "include"
                    ):
                        continue  # an include's prefix: its own patterns are not joined to it here
                    value = first.value if name == "Route" else "/" + first.value.lstrip("^").rstrip("$")
                    out.append((value, node.lineno))
    return out


def declared_routes(root: Path, python_files: list[str]) -> list[Probe]:
    probes = []
    for rel in python_files:
        try:
            text = (root / rel).read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        if not re.search(r"\.(route|get|api_route)\(|\bpath\(|\bRoute\(", text):
            continue
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError):
            continue
        for path, line in _routes_in(tree):
            if "<" in path or "{" in path or "(" in path or "*" in path:
                continue  # needs a parameter
            probes.append(Probe("http", path if path.startswith("/") else "/" + path, f"{rel}:{line}"))
    return sorted(set(probes))


def health_probe(
    root: Path, routes: list[Probe], dockerfile_text: str | None, configured: str | None
) -> Probe | None:
    if configured:
        return Probe(
            "http", configured if configured.startswith("/") else "/" + configured, "[tool.jettison] health"
        )
    for number, line in enumerate((dockerfile_text or "").splitlines(), start=1):
        if line.strip().upper().startswith("HEALTHCHECK") and (match := _HEALTHCHECK_URL.search(line)):
            return Probe("http", match.group(1) or "/", f"Dockerfile:{number}")
    for name in HEALTH_NAMES:
        for probe in routes:
            if probe.target.strip("/").rsplit("/", 1)[-1] == name:
                return probe
    return None
