"""jettison build versus buildah, in one run: cold build, warm rebuild after a code edit, bytes pushed.

    .venv/bin/python bench/build.py [--project examples/analytics-server] [--registry 127.0.0.1:5000]

Both build the same project from the same stand-in base (the test services' OCI layout, tag 3.11-slim):
- jettison: `jettison build PROJECT --base oci:BASE --output oci:DIR --push REF`
- buildah: `buildah bud --isolation chroot --layers` of the Dockerfile `jettison fix` writes (its library is
  called here; the fixed project is a separate copy), then `buildah push`.
Cold means empty caches for both: a fresh JETTISON_CACHE_DIR and UV_CACHE_DIR for jettison, a fresh
buildah storage root (the base is pulled into it before timing) and an empty pip cache mount for
buildah. The warm run follows an edit of one source file. Pushes go through a counting proxy in front of
the registry, so "bytes pushed" is what the registry received in request bodies.
Prints a table with the ratios; asserts nothing.
"""

from __future__ import annotations

import argparse  # noqa: E402
import os  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import sys
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.builder.counting_proxy import CountingProxy  # noqa: E402

SERVICES = Path(os.environ.get("JETTISON_SERVICES_DIR", "/tmp/jettison-services"))
JETTISON = [str(REPO / ".venv" / "bin" / "jettison")]


LAST_STDERR = [""]


def run(command: list[str], env: dict[str, str] | None = None, cwd: Path | None = None) -> float:
    started = time.perf_counter()
    result = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"failed: {' '.join(command)}\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}")
    LAST_STDERR[0] = result.stderr
    return elapsed


def reported_build_time() -> float:
    """The `built in X s` jettison prints: the build without the interpreter's start and imports."""
    for line in LAST_STDERR[0].splitlines():
        if line.startswith("built in "):
            return float(line.split()[2])
    return float("nan")


def fixed_project(source: Path, target: Path) -> None:
    """jettison's template recipe written into a copy: the Dockerfile, .dockerignore, gunicorn.conf.py
    buildah builds (`jettison fix` itself now edits the project's own Dockerfile instead)."""
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", ".venv"))
    try:
        from jettison.fixer import apply, plan_template

        apply(plan_template(target))
        return
    except ImportError as error:
        print(f"note: jettison fix unavailable ({error}); rendering its Dockerfile generator directly")
    from jettison.dockerfile.generate import ImageFacts, render_dockerfile, render_dockerignore
    from jettison.gunicorn.config import GunicornDefaults, render_gunicorn_conf

    facts = ImageFacts(python_version="3.11", gunicorn=GunicornDefaults(app_module="app:app"))
    (target / "Dockerfile").write_text(render_dockerfile(facts))
    existing = (target / ".dockerignore").read_text() if (target / ".dockerignore").exists() else None
    needed = ["requirements.txt", "gunicorn.conf.py"]
    (target / ".dockerignore").write_text(render_dockerignore(existing, needed).text)
    (target / "gunicorn.conf.py").write_text(render_gunicorn_conf(facts.gunicorn))


def edit(project: Path) -> None:
    candidates = sorted(p for p in project.rglob("*.py") if p.name != "gunicorn.conf.py")
    with open(candidates[0], "a") as handle:
        handle.write(f"\n# edited {time.time()}\n")


def human(size: float) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.1f} {unit}" if unit != "B" else f"{int(size)} B"
        size /= 1000
    return str(size)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_project = REPO / "examples" / "analytics-server"
    if not (default_project / "requirements.txt").is_file():
        default_project = REPO / "tests" / "build" / "fixtures" / "flask-service"
    parser.add_argument("--project", type=Path, default=default_project)
    parser.add_argument("--registry", default=os.environ.get("JETTISON_REGISTRY", "127.0.0.1:5000"))
    args = parser.parse_args()
    base_layout = SERVICES / "bases" / "oci"
    if not (base_layout / "index.json").is_file() or shutil.which("buildah") is None:
        sys.exit("needs the test services (scripts/test-services.sh) and buildah")

    work = Path(tempfile.mkdtemp(prefix="jettison-bench-"))
    try:
        ours = work / "jettison-project"
        shutil.copytree(args.project, ours, ignore=shutil.ignore_patterns("__pycache__", ".venv"))
        theirs = work / "buildah-project"
        fixed_project(args.project, theirs)
        env = {**os.environ, "JETTISON_CACHE_DIR": str(work / "jcache")}
        env["UV_CACHE_DIR"] = str(work / "uvcache")
        buildah = ["buildah", "--root", str(work / "broot"), "--runroot", str(work / "brunroot"),
                   "--storage-driver", "overlay"]  # fmt: skip
        base_id = subprocess.run([*buildah, "pull", "--quiet", f"oci:{base_layout}:3.11-slim"],
                                 capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
        subprocess.run([*buildah, "tag", base_id, "docker.io/library/python:3.11-slim"], check=True)
        tag = f"bench-{os.getpid()}"
        results: dict[str, dict[str, float]] = {"jettison": {}, "buildah": {}}
        with CountingProxy(args.registry) as proxy:
            registry = proxy.address

            def jettison_build(push_tag: str | None = None) -> float:
                command = [*JETTISON, "build", str(ours), "--base", f"oci:{base_layout}:3.11-slim",
                           "--output", f"oci:{work / 'jout'}:app"]  # fmt: skip
                if push_tag:
                    command += ["--push", f"{registry}/bench/jettison-{os.getpid()}:{push_tag}"]
                return run(command, env=env)

            def buildah_build() -> float:
                return run([*buildah, "bud", "--isolation", "chroot", "--layers", "--pull=false",
                            "-t", tag, "."], cwd=theirs)  # fmt: skip

            def buildah_push(push_tag: str) -> float:
                return run([*buildah, "push", "--tls-verify=false", tag,
                            f"docker://{registry}/bench/buildah-{os.getpid()}:{push_tag}"])  # fmt: skip

            j, b = results["jettison"], results["buildah"]
            j["cold"] = jettison_build()
            b["cold"] = buildah_build()
            # First pushes (to empty repositories): jettison's is a build with --push (its cache is warm now).
            proxy.traffic.reset()
            jettison_build("first")
            j["first_bytes"] = proxy.traffic.bytes_sent
            proxy.traffic.reset()
            buildah_push("first")
            b["first_bytes"] = proxy.traffic.bytes_sent
            edit(ours)
            edit(theirs)
            j["warm"] = jettison_build()
            j["warm_inner"] = reported_build_time()
            b["warm"] = buildah_build()
            # The edited image pushed: jettison builds and pushes in one command, buildah pushes its build.
            proxy.traffic.reset()
            j["warm_push"] = jettison_build("edited")
            j["warm_bytes"] = proxy.traffic.bytes_sent
            j["warm_requests"] = len(proxy.traffic.requests)
            proxy.traffic.reset()
            b["warm_push"] = b["warm"] + buildah_push("edited")
            b["warm_bytes"] = proxy.traffic.bytes_sent
            b["warm_requests"] = len(proxy.traffic.requests)
        rows = [
            ("cold build (s)", b["cold"], j["cold"]),
            ("warm rebuild after edit (s)", b["warm"], j["warm"]),
            ("warm rebuild + push (s)", b["warm_push"], j["warm_push"]),
            ("push after edit (bytes)", b["warm_bytes"], j["warm_bytes"]),
            ("push after edit (requests)", b["warm_requests"], j["warm_requests"]),
            ("first push (bytes)", b["first_bytes"], j["first_bytes"]),
        ]
        print(f"project: {args.project}")
        inner = j["warm_inner"]
        print(f"jettison warm rebuild inside the command (no interpreter start, CLI import): {inner:.2f} s")
        print(f"{'':30} {'buildah':>14} {'jettison':>14} {'buildah/jettison':>18}")
        for label, theirs_value, ours_value in rows:
            ratio = theirs_value / ours_value if ours_value else float("inf")
            if "bytes" in label:
                cells = (human(theirs_value), human(ours_value))
            elif "requests" in label:
                cells = (str(int(theirs_value)), str(int(ours_value)))
            else:
                cells = (f"{theirs_value:.2f}", f"{ours_value:.2f}")
            print(f"{label:30} {cells[0]:>14} {cells[1]:>14} {ratio:>17.1f}x")
    finally:
        subprocess.run(["buildah", "--root", str(work / "broot"), "--runroot", str(work / "brunroot"),
                        "rmi", "--all", "--force"], capture_output=True)  # fmt: skip
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
