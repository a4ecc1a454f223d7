"""Time the proof-by-running steps against the static audit on the same project, in one run.

    python3 bench/runtime.py [PROJECT] [--verify]

Prints one table: the static `jettison audit` (the fast default), `audit --trace` cold (the throwaway
environment is created) and warm (cached by requirement hash), and with --verify `jettison verify`
(builds and starts both images; needs the Docker Engine of scripts/test-services.sh). Each row gives the
ratio to the static audit measured in the same run. Targets (issue 11): trace warm < 60 s, verify < 180 s
on the bundled example.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def timed(argv: list[str], env: dict[str, str]) -> tuple[float, int, str]:
    started = time.perf_counter()
    completed = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)
    last = (completed.stderr.strip().splitlines() or [""])[-1][:100]
    return time.perf_counter() - started, completed.returncode, last


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("project", nargs="?", default=str(REPO / "examples" / "analytics-server"))
    parser.add_argument("--verify", action="store_true", help="also time jettison verify (Docker Engine)")
    parser.add_argument("--cold", action="store_true", help="drop the trace environment cache first")
    parser.add_argument(
        "--target-python",
        help="passed to audit (the example pins were resolved on 3.11; its python:3.7 cannot install them)",
    )
    args = parser.parse_args()
    extra = ["--target-python", args.target_python] if args.target_python else []
    jettison = shutil.which("jettison") or sys.exit("jettison is not installed (pip install -e .)")
    env = dict(os.environ)
    services_env = Path("/tmp/jettison-services/env")
    if args.verify and services_env.is_file() and "DOCKER_HOST" not in env:
        for line in services_env.read_text().splitlines():
            key, _, value = line.removeprefix("export ").partition("=")
            if key == "DOCKER_HOST":
                env[key] = value.strip("'\"")
    rows = [("static audit", [jettison, "audit", *extra, args.project])]
    if args.cold:
        rows.append(("audit --trace (cold)", [jettison, "audit", "--trace", *extra, args.project]))
    rows.append(("audit --trace (warm)", [jettison, "audit", "--trace", *extra, args.project]))
    if args.verify:
        rows.append(("verify", [jettison, "verify", args.project]))
    if args.cold:
        home = env.get("JETTISON_CACHE_DIR") or str(
            Path(env.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "jettison"
        )
        cache = Path(home) / "trace-envs"
        shutil.rmtree(cache, ignore_errors=True)
    else:  # warm means warm: one untimed run fills the cache
        timed([jettison, "audit", "--trace", *extra, args.project], env)
    results = [(label, *timed(argv, env)) for label, argv in rows]
    base = results[0][1]
    print(f"project: {args.project}")
    print(f"{'step':<24}{'seconds':>9}{'x static':>10}  exit  last line")
    for label, seconds, code, last in results:
        print(f"{label:<24}{seconds:>9.1f}{seconds / base:>10.1f}  {code:>4}  {last}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
