"""How the audit's time grows with its input: requirements, Dockerfiles and sources at 1x, 10x, 100x.

    python3 bench/scaling.py [--repeat 3] [--factors 1,10,100]

Each workload is generated at each size in a scratch directory and audited offline, best of --repeat
runs (a fresh facts cache for every run, so sources are parsed each time):

- requirements: a requirements.txt of N distinct pins (160 lines at 1x) and one module importing one of
  them, through audit_requirements (read, scan, resolve, judge);
- Dockerfile: N instructions (180 lines at 1x; the parser's limit is 20,000) of ARG/ENV/RUN/COPY/LABEL
  with variable references, through dockerfile_findings (parse, model, every rule);
- sources: bench/gen_project.py's generated service with N modules (20 at 1x), through
  audit_requirements.

The table gives each size's time, its ratio to 1x and the growth exponent k of time ~ size^k between
the smallest and largest size: k near 1 is linear, 2 quadratic. Issue 10 asked for linear growth (4,000
requirement lines took 96 s before lines_for stopped re-normalising names). A table to read, never an
assertion.
"""

from __future__ import annotations

import argparse
import math
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from jettison.deps.pipeline import audit_requirements
from jettison.dockerfile.audit import dockerfile_findings
from jettison.model.audit import AuditOptions

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_project import generate  # noqa: I001 - bench/ itself, after the standard library's path fix

REQUIREMENT_LINES = 160
DOCKERFILE_LINES = 180
SOURCE_MODULES = 20


def requirements_project(root: Path, factor: int) -> str:
    lines = [
        f"package-{index:06d}==1.{index % 50}.{index % 7}" for index in range(REQUIREMENT_LINES * factor)
    ]
    (root / "requirements.txt").write_text("flask==3.0.3\n" + "\n".join(lines) + "\n")
    (root / "app.py").write_text("import flask\nimport package_000001\n")
    return f"{len(lines) + 1:,} lines"


def dockerfile_project(root: Path, factor: int) -> str:
    lines = ["# syntax=docker/dockerfile:1", "FROM python:3.11-slim AS app", "WORKDIR /app"]
    block = 0
    while len(lines) < DOCKERFILE_LINES * factor - 3:
        lines += [
            f"ARG VERSION_{block}=1.{block}",
            f"ENV SETTING_{block}=value-{block} PATH_{block}=/opt/{block}",
            f'RUN echo "step {block} ${{VERSION_{block}}} $SETTING_{block}" > /tmp/step-{block}',
            f"COPY src/part{block % 10}/ /app/part{block}/",
            f'LABEL org.example.step{block}="${{VERSION_{block}}}"',
            f"RUN pip install --no-cache-dir package-{block}==1.0",
        ]
        block += 1
    lines += ["USER 1000", 'CMD ["gunicorn", "app:app"]']
    (root / "Dockerfile").write_text("\n".join(lines) + "\n")
    (root / "requirements.txt").write_text("flask==3.0.3\ngunicorn==22.0.0\n")
    (root / "app.py").write_text("import flask\napp = flask.Flask(__name__)\n")
    return f"{len(lines):,} lines"


def sources_project(root: Path, factor: int) -> str:
    generate(root, files=SOURCE_MODULES * factor)
    return f"{SOURCE_MODULES * factor:,} modules"


def audit_requirements_of(root: Path, cache: Path) -> None:
    audit_requirements(root, AuditOptions(offline=True, target_python="3.11", cache=cache))


def lint_dockerfiles_of(root: Path, cache: Path) -> None:
    dockerfile_findings(root)


WORKLOADS: list[tuple[str, Callable[[Path, int], str], Callable[[Path, Path], None]]] = [
    ("requirements", requirements_project, audit_requirements_of),
    ("Dockerfile", dockerfile_project, lint_dockerfiles_of),
    ("sources", sources_project, audit_requirements_of),
]


def best_time(run: Callable[[Path, Path], None], root: Path, scratch: Path, repeat: int) -> float:
    best = math.inf
    for attempt in range(repeat):
        cache = scratch / f"cache-{attempt}"  # cold: every run parses every file again
        started = time.perf_counter()
        run(root, cache)
        best = min(best, time.perf_counter() - started)
        shutil.rmtree(cache, ignore_errors=True)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per size; the best is shown")
    parser.add_argument("--factors", default="1,10,100", help="sizes as multiples of the 1x input")
    args = parser.parse_args()
    factors = [int(f) for f in args.factors.split(",")]
    rows = []
    with tempfile.TemporaryDirectory(prefix="jettison-scaling-") as scratch:
        for name, make, run in WORKLOADS:
            cells = []
            for factor in factors:
                root = Path(scratch) / f"{name}-{factor}"
                root.mkdir()
                size = make(root, factor)
                seconds = best_time(run, root, Path(scratch), args.repeat)
                cells.append((factor, size, seconds))
                print(f"  {name} {factor}x ({size}): {seconds:.3f} s", file=sys.stderr, flush=True)
            rows.append((name, cells))
    header = ["input"] + [f"{f}x" for f in factors] + [f"{f}x/1x" for f in factors[1:]] + ["k"]
    table = []
    for name, cells in rows:
        base = cells[0][2]
        times = [f"{seconds:.3f} s ({size})" for _, size, seconds in cells]
        ratios = [f"{seconds / base:.1f}" for _, _, seconds in cells[1:]]
        first, last = cells[0], cells[-1]
        k = math.log(last[2] / first[2]) / math.log(last[0] / first[0]) if len(cells) > 1 else float("nan")
        table.append([name, *times, *ratios, f"{k:.2f}"])
    widths = [max(len(row[i]) for row in [header, *table]) for i in range(len(header))]
    for row in [header, ["-" * w for w in widths], *table]:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
    print(f"\nbest of {args.repeat} runs each, offline, cold facts cache; k: time ~ size^k from "
          f"{factors[0]}x to {factors[-1]}x (1 is linear)")  # fmt: skip


if __name__ == "__main__":
    main()
