"""Benchmark: unused-requirement detection by jettison, deptry and FawltyDeps on the same samples.

    .venv/bin/python bench/deps.py [--files 2000] [--runs 3] [--offline]

Samples: every project with an expected.toml (examples/*, tests/fixtures/projects/*, tests/deps/fixtures/*).
Each tool audits each sample once, as a user would run it from a shell, without the project's packages
installed; deptry and FawltyDeps are pip-installed into a bench venv ($JETTISON_BENCH_VENV, default
/tmp/jettison-bench-venv) on first use. For each tool the table gives, over all samples against the truth
files: precision and recall of the "unused" verdict, breakers (a package the code needs, by import or
by a string such as a worker class, called unused: dropping it breaks the service), transitive
dependencies called unused (harmless to pip, fatal to a --require-hashes or --no-deps install), and
the wall time of all its runs.

Then audit time on a generated project of --files modules (bench/gen_project.py): each tool runs once
to warm caches (jettison's index and scan caches, the OS page cache), then --runs more times; both the
first time and the best warm time are printed, and the warm ratio jettison/deptry. A table to read,
never an assertion.
"""

# ruff: noqa: E402  (the sys.path fix below must run before the other imports)
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parents[1]
BENCH_VENV = Path(os.environ.get("JETTISON_BENCH_VENV", "/tmp/jettison-bench-venv"))
PEERS = ("deptry", "fawltydeps")
KEPT = ("used", "transitive", "optional")


def samples() -> list[Path]:
    found = {p.parent for p in REPO.glob("examples/*/expected.toml")}
    found |= {p.parent for p in REPO.glob("tests/fixtures/projects/*/expected.toml")}
    found |= {p.parent for p in REPO.glob("tests/deps/fixtures/*/expected.toml")}
    return sorted(found)


def truth(project: Path) -> dict[str, str]:
    sections = tomllib.loads((project / "expected.toml").read_text())["requirements"]
    return {canonicalize_name(name): verdict for verdict, names in sections.items() for name in names}


def peer_binary(name: str) -> Path:
    binary = BENCH_VENV / "bin" / name
    if not binary.exists():
        print(f"installing deptry and fawltydeps into {BENCH_VENV} ...", file=sys.stderr)
        uv = shutil.which("uv") or str(Path(sys.executable).with_name("uv"))
        env = {**os.environ, "UV_NATIVE_TLS": "1"}
        if os.access(uv, os.X_OK):
            subprocess.run(
                [uv, "venv", "-q", "--python", sys.executable, str(BENCH_VENV)], check=True, env=env
            )
            python = str(BENCH_VENV / "bin" / "python")
            subprocess.run([uv, "pip", "install", "-q", "--python", python, *PEERS],
                           check=True, env=env)  # fmt: skip
        else:
            subprocess.run([sys.executable, "-m", "venv", str(BENCH_VENV)], check=True)
            subprocess.run([str(BENCH_VENV / "bin" / "pip"), "install", "-q", *PEERS], check=True)
    return binary


def jettison_command() -> list[str]:
    script = Path(sys.executable).with_name("jettison")
    return (
        [str(script)] if script.exists() else [sys.executable, "-c", "from jettison.cli import main; main()"]
    )


# Each adapter runs one tool on one project and returns the distributions it calls unused.


def run_jettison(project: Path, offline: bool) -> set[str]:
    command = [*jettison_command(), "audit", str(project), "--format", "json"]
    result = subprocess.run([*command, *(["--offline"] if offline else [])], capture_output=True, text=True)
    if result.returncode not in (0, 1):
        raise RuntimeError(f"jettison failed on {project}: {result.stderr.strip()}")
    report = json.loads(result.stdout)
    return {d["name"] for d in report["requirements"]["distributions"] if d["verdict"] == "unused"}


def run_deptry(project: Path, offline: bool) -> set[str]:
    with tempfile.TemporaryDirectory() as scratch:
        output = Path(scratch) / "deptry.json"
        # deptry finds requirements.txt or pyproject.toml itself; it runs in the project directory.
        subprocess.run([str(peer_binary("deptry")), ".", "--json-output", str(output)], cwd=project,
                       capture_output=True, text=True)  # fmt: skip
        if not output.exists():
            return set()
        issues = json.loads(output.read_text())
    return {canonicalize_name(issue["module"]) for issue in issues if issue["error"]["code"] == "DEP002"}


def run_fawltydeps(project: Path, offline: bool) -> set[str]:
    result = subprocess.run([str(peer_binary("fawltydeps")), "--check-unused", "--json", "."], cwd=project,
                            capture_output=True, text=True)  # fmt: skip
    if not result.stdout.strip():
        return set()
    return {canonicalize_name(dep["name"]) for dep in json.loads(result.stdout).get("unused_deps", [])}


TOOLS: dict[str, Callable[[Path, bool], set[str]]] = {
    "jettison": run_jettison,
    "deptry": run_deptry,
    "fawltydeps": run_fawltydeps,
}


@dataclass
class Score:
    true_positive: int = 0
    false_positive: int = 0
    false_negative: int = 0
    breakers: list[str] = field(default_factory=list)
    transitive_dropped: int = 0
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)

    def add(self, project: Path, expected: dict[str, str], reported: set[str]) -> None:
        # Only judged names count: a tool may see dev groups or extras the truth files leave out.
        reported = {name for name in reported if name in expected}
        unused = {name for name, verdict in expected.items() if verdict == "unused"}
        self.true_positive += len(reported & unused)
        self.false_positive += len(reported - unused)
        self.false_negative += len(unused - reported)
        needed = {name for name, verdict in expected.items() if verdict in ("used", "optional")}
        self.breakers += [f"{project.name}:{name}" for name in sorted(reported & needed)]
        self.transitive_dropped += sum(1 for name in reported if expected[name] == "transitive")

    @property
    def precision(self) -> float:
        flagged = self.true_positive + self.false_positive
        return self.true_positive / flagged if flagged else 1.0

    @property
    def recall(self) -> float:
        unused = self.true_positive + self.false_negative
        return self.true_positive / unused if unused else 1.0


def score_samples(projects: list[Path], offline: bool) -> dict[str, Score]:
    scores = {tool: Score() for tool in TOOLS}
    for tool, run in TOOLS.items():
        for project in projects:
            started = time.perf_counter()
            try:
                reported = run(project, offline)
            except (RuntimeError, ValueError, KeyError) as error:  # one sample's failure is a result too
                scores[tool].errors.append(f"{project.name}: {error}")
                reported = set()
            scores[tool].seconds += time.perf_counter() - started
            scores[tool].add(project, truth(project), reported)
    return scores


def timings(
    run: Callable[[Path, bool], set[str]], project: Path, runs: int, offline: bool
) -> tuple[float, float]:
    """(first run, best of the warm runs). The first run fills caches: jettison's index and scan caches,
    the page cache, each tool's start-up files."""
    times = []
    for _ in range(runs + 1):
        started = time.perf_counter()
        run(project, offline)
        times.append(time.perf_counter() - started)
    return times[0], min(times[1:])


def _load_generator() -> Callable[..., Path]:
    generator = Path(__file__).resolve().parent / "gen_project.py"
    spec = importlib.util.spec_from_file_location("gen_project", generator)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.generate


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=2000, help="modules in the generated project")
    parser.add_argument("--runs", type=int, default=3, help="timed runs on the generated project (best kept)")
    parser.add_argument("--offline", action="store_true", help="jettison --offline (built-in table)")
    args = parser.parse_args()
    generate = _load_generator()

    for tool in PEERS:
        peer_binary(tool)
    projects = samples()
    scores = score_samples(projects, args.offline)
    total_unused = sum(1 for p in projects for v in truth(p).values() if v == "unused")
    total_needed = sum(1 for p in projects for v in truth(p).values() if v in KEPT)
    mode = "offline table" if args.offline else "index metadata (cached)"
    print(
        f"{len(projects)} samples, {total_needed} needed and {total_unused} unused requirements;"
        f" jettison: {mode}"
    )
    print()
    print(f"{'tool':<12}{'precision':>10}{'recall':>8}{'breakers':>10}{'transitive':>12}{'wall s':>9}")
    for tool, score in scores.items():
        print(f"{tool:<12}{score.precision:>10.1%}{score.recall:>8.1%}{len(score.breakers):>10}"
              f"{score.transitive_dropped:>12}{score.seconds:>9.2f}")  # fmt: skip
    for tool, score in scores.items():
        if score.breakers:
            shown = ", ".join(score.breakers[:12]) + (" ..." if len(score.breakers) > 12 else "")
            print(f"  {tool} breakers: {shown}")
        for error in score.errors:
            print(f"  {tool} failed on {error}")

    with tempfile.TemporaryDirectory() as scratch:
        project = generate(Path(scratch) / "generated", files=args.files)
        jettison_first, jettison_s = timings(run_jettison, project, args.runs, args.offline)
        deptry_first, deptry_s = timings(run_deptry, project, args.runs, args.offline)
    print()
    print(f"generated project, {args.files} modules; first run (cold scan) then best of {args.runs} warm:")
    print(f"  first run: jettison {jettison_first:.2f} s, deptry {deptry_first:.2f} s")
    print(f"  jettison audit {jettison_s:.2f} s, deptry {deptry_s:.2f} s: ratio {jettison_s / deptry_s:.2f}x "
          f"(target <= 1.5x)")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
