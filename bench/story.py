"""The story of examples/analytics-server replayed in one run: a before/after table, all figures measured.

    .venv/bin/python bench/story.py [--quick] [--no-gzip] [--project examples/analytics-server]

Rows (each built from its own temporary copy of the example, __pycache__ left out):
  1. naive      the example's `Dockerfile` as written (FROM python:3.7 stand-in, the full requirements.txt)
  2. improved   `Dockerfile.improved` as written (python:3.8-slim-buster stand-in, the full requirements.txt)
  3. fixed      the example after `jettison fix --write`: its own Dockerfile with the safe edits (the base
                stays python:3.7) and the unused requirement lines deleted
  3u. unsafe    the same with `--unsafe-fixes`, verify included as a user runs it (the base moves, e.g. to
                python:3.11-slim; when verify refuses, nothing is written and the row says why)
  4. jettison   `jettison build` of the example (base: the services' OCI layout 3.11-slim), written as a
                docker-archive and `docker load`ed so that it is measured the way the others are
With --quick, rows 1-2 install the pruned requirements (the file `jettison fix` writes) instead of all of
them, and say so in their label.

Columns: `docker image inspect` .Size; the layers gzip-compressed (the docker-built rows: each layer of
`docker save` through zlib at gzip's default level, as `docker push` sends it; jettison's own archive is
already gzip-compressed, so its blob sizes are read as stored); installed Python distributions (from
`jettison inspect --format json` of the image's docker-archive: the sum of per-distribution sizes, leaving
out distributions that only the base image's layers wrote); cold build time (docker: `--no-cache` and a
pip cache mount id unique to this run; jettison: empty JETTISON_CACHE_DIR and UV_CACHE_DIR); rebuild time
after appending one comment line to src/main.py; whether `gcc` is on PATH in the final image; the user the
container runs as (`id -u` inside it); `docker stop` time (default 10 s grace) of a container that was
started with PORT set and waited for on GET /health.

All builds use the shared Docker Engine (DOCKER_HOST, default the test services' socket, see
scripts/test-services.sh) with BuildKit and `--network=host`. Images are tagged jettison-story-*:RUN and
removed at the end with their containers and this run's pip cache mount. A row that cannot be built
shows why in place of its figures. Prints the table; asserts nothing. Timings are wall-clock on a shared
2-core machine: other work running at the same time slows them.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.error
import urllib.request
import uuid
import zlib
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SERVICES = Path(os.environ.get("JETTISON_SERVICES_DIR", "/tmp/jettison-services"))
DOCKER = "/usr/bin/docker"  # another docker client may sit earlier on PATH (see ../shared/containers.md)
# The repository's venv when there is one (the README's setup), else the jettison on PATH (pip install -e .).
JETTISON = str(REPO / ".venv" / "bin" / "jettison")
if not Path(JETTISON).exists():
    JETTISON = shutil.which("jettison") or JETTISON
BUILD_TIMEOUT = 3600
STOP_GRACE = 10  # docker's default


@dataclass
class Row:
    label: str
    failed: str | None = None  # why the row has no figures
    size: int | None = None
    gzip: int | None = None
    packages: int | None = None
    distributions: int | None = None
    cold: float | None = None
    rebuild: float | None = None
    gcc: str | None = None
    user: str | None = None
    stop: float | None = None
    stop_note: str = ""


class Failed(Exception):
    """A step of one row failed: the row shows this message instead of numbers."""


def docker_env() -> dict[str, str]:
    host = os.environ.get("DOCKER_HOST") or f"unix://{SERVICES / 'docker.sock'}"
    return {**os.environ, "DOCKER_HOST": host, "DOCKER_BUILDKIT": "1"}


def run(command: list[str], *, env: dict[str, str] | None = None, timeout: float = 600,
        check: bool = True) -> subprocess.CompletedProcess:  # fmt: skip
    result = subprocess.run(command, env=env or docker_env(), capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise Failed(why(result.stderr or result.stdout, command))
    return result


def why(log: str, command: list[str]) -> str:
    """The line that says why a build failed: pip's or BuildKit's error, else the last line."""
    lines = [line.strip() for line in log.splitlines() if line.strip()]
    patterns = (r"No matching distribution found for .*", r"Could not find a version that satisfies .*",
                r"Failed building wheel for \S+", r"error: subprocess-exited-with-error.*",
                r"ERROR: .*", r"error: .*")  # fmt: skip
    for pattern in patterns:
        for line in lines:
            found = re.search(pattern, line)
            if found:
                return found.group(0)[:160]
    what = " ".join([Path(command[0]).name, *command[1:2]])
    return f"{what}: {(lines or ['failed'])[-1][:140]}"


def timed(command: list[str], *, env: dict[str, str] | None = None) -> float:
    started = time.perf_counter()
    run(command, env=env, timeout=BUILD_TIMEOUT)
    return time.perf_counter() - started


def copy_project(source: Path, target: Path) -> Path:
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", ".venv", "*.jettison-bak"))
    return target


def edit_source(project: Path) -> None:
    """The one-line code edit: a comment appended to src/main.py."""
    main = project / "src" / "main.py"
    with open(main, "a") as handle:
        handle.write(f"# edited {time.time()}\n")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def base_layer_count(image: str) -> int:
    inspected = json.loads(run([DOCKER, "image", "inspect", image]).stdout)[0]
    return len(inspected["RootFS"]["Layers"])


def base_of(dockerfile: Path) -> str:
    """The last stage's FROM (the image the final stage starts from), ARG defaults substituted."""
    args: dict[str, str] = {}
    base = ""
    for line in dockerfile.read_text().splitlines():
        words = line.split()
        if not words:
            continue
        if words[0].upper() == "ARG" and len(words) > 1 and "=" in words[1] and not base:
            name, _, value = words[1].partition("=")
            args[name] = value
        elif words[0].upper() == "FROM":
            base = re.sub(r"\$\{?(\w+)\}?", lambda m: args.get(m.group(1), m.group(0)), words[1])
    return base


def python_packages(report: dict, base_layers: int) -> tuple[int, int]:
    """Bytes and count of the distributions a layer above the base wrote (the base's own pip left out)."""
    total = count = 0
    for dist in report["python"]["distributions"]:
        if any(layer >= base_layers for layer in dist.get("layers") or []):
            total += dist["size_bytes"]
            count += 1
    return total, count


def gzip_size(archive: Path) -> int:
    """Bytes of the layers of a `docker save` tar after gzip at its default level (as `docker push` sends)."""
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))  # type: ignore[arg-type]
        total = 0
        for name in manifest[0]["Layers"]:
            compressor = zlib.compressobj(6, zlib.DEFLATED, 31)  # wbits 31: the gzip container
            source = tar.extractfile(name)
            assert source is not None
            while chunk := source.read(1 << 20):
                total += len(compressor.compress(chunk))
            total += len(compressor.flush())
        return total


def inspect_archive(archive: Path) -> dict:
    result = run([JETTISON, "inspect", f"docker-archive:{archive}", "--format", "json"], check=False,
                 timeout=1800)  # fmt: skip
    # Exit 1 means findings at or above fail-on: the report is still complete.
    if result.returncode not in (0, 1):
        raise Failed(why(result.stderr, ["jettison", "inspect"]))
    return json.loads(result.stdout)


def probe(row: Row, tag: str) -> None:
    """gcc on PATH and the user the container runs as, asked inside the image itself."""
    inspected = json.loads(run([DOCKER, "image", "inspect", tag]).stdout)[0]
    row.size = inspected["Size"]
    result = run([DOCKER, "run", "--rm", "--network=host", "--entrypoint", "sh", tag, "-c",
                  "id -u; command -v gcc || echo -"])  # fmt: skip
    uid, gcc = result.stdout.split()[:2]
    row.user = "root" if uid == "0" else f"uid {uid}"
    row.gcc = "yes" if gcc != "-" else "no"


def timed_stop(row: Row, tag: str, run_id: str, containers: list[str]) -> None:
    port = free_port()
    name = f"jettison-story-{run_id}-{len(containers)}"
    containers.append(name)
    run([DOCKER, "run", "-d", "--network=host", "--name", name, "-e", f"PORT={port}", tag])
    deadline = time.monotonic() + 90
    serving = False
    while time.monotonic() < deadline and not serving:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=3):
                serving = True
        except urllib.error.HTTPError:
            serving = True  # it answered: the server is up
        except OSError:
            state = run([DOCKER, "inspect", "-f", "{{.State.Running}}", name]).stdout.strip()
            if state != "true":
                break
            time.sleep(0.5)
    if not serving:
        row.stop_note = " (never served /health)"
    started = time.perf_counter()
    run([DOCKER, "stop", "-t", str(STOP_GRACE), name], timeout=STOP_GRACE + 60)
    row.stop = time.perf_counter() - started
    code = run([DOCKER, "inspect", "-f", "{{.State.ExitCode}}", name]).stdout.strip()
    if code == "137":
        row.stop_note += " SIGKILL"


def docker_row(row: Row, context: Path, dockerfile: str, tag: str, run_id: str, work: Path,
               containers: list[str], measure_gzip: bool) -> None:  # fmt: skip
    base = base_of(context / dockerfile)
    build = [DOCKER, "build", "--network=host", "--progress=plain", "-f", str(context / dockerfile)]
    row.cold = timed([*build, "-t", tag, "--no-cache", str(context)])
    edit_source(context)
    row.rebuild = timed([*build, "-t", f"{tag}-edited", str(context)])
    probe(row, tag)
    archive = work / f"{tag.replace(':', '-').replace('/', '-')}.tar"
    run([DOCKER, "save", "-o", str(archive), tag], timeout=1800)
    report = inspect_archive(archive)
    row.packages, row.distributions = python_packages(report, base_layer_count(base))
    if measure_gzip:
        row.gzip = gzip_size(archive)
    archive.unlink()
    timed_stop(row, tag, run_id, containers)


def jettison_row(row: Row, project: Path, tag: str, run_id: str, work: Path, containers: list[str]) -> None:
    base_layout = SERVICES / "bases" / "oci"
    env = {**docker_env(), "JETTISON_CACHE_DIR": str(work / "jcache"), "UV_CACHE_DIR": str(work / "uvcache")}
    name, _, version = tag.partition(":")
    archive = work / "jettison.tar"
    edited = work / "jettison-edited.tar"

    def build(output: Path) -> float:
        # --no-verify: the build's own time is the figure (verify would add two image builds and starts).
        return timed([JETTISON, "build", str(project), "--base", f"oci:{base_layout}:3.11-slim",
                      "--no-verify", "--output", f"docker-archive:{output}:{name}:{version}"],
                     env=env)  # fmt: skip

    row.cold = build(archive)
    edit_source(project)
    row.rebuild = build(edited)
    edited.unlink()
    report = inspect_archive(archive)
    # The base is the services' 3.11-slim stand-in: the layers it has are the first ones of this image.
    row.packages, row.distributions = python_packages(report, base_layer_count("python:3.11-slim"))
    row.gzip = report["image"]["compressed_size_bytes"]
    run([DOCKER, "load", "-i", str(archive)], timeout=1800)
    archive.unlink()
    probe(row, tag)
    timed_stop(row, tag, run_id, containers)


def fixed_copy(source: Path, target: Path) -> Path:
    """A copy of the example after `jettison fix --write` (the CLI, as a user runs it). `--no-verify`:
    safe fixes keep the recipe's base and steps, and this script builds and measures the image itself."""
    copy_project(source, target)
    run([JETTISON, "fix", "--write", "--no-verify", str(target)], env=docker_env())
    return target


def unsafe_copy(source: Path, target: Path) -> tuple[Path, str | None]:
    """A copy after `jettison fix --write --unsafe-fixes` as a user runs it, verify included: the unsafe
    edits move the base, and verify builds both images and writes nothing when the new one fails. Returns
    the copy and, when fix refused to write, the line saying why (the row then shows it)."""
    copy_project(source, target)
    done = run([JETTISON, "fix", "--write", "--unsafe-fixes", str(target)], env=docker_env(), check=False,
               timeout=BUILD_TIMEOUT)  # fmt: skip
    if done.returncode != 0:
        lines = [line for line in (done.stderr or done.stdout).splitlines() if line.strip()]
        verdict = next((line for line in lines if "verif" in line.lower()), lines[-1] if lines else "failed")
        return target, f"fix --unsafe-fixes exit {done.returncode}: {verdict.strip()[:140]}"
    return target, None


def unique_cache_mount(project: Path, run_id: str) -> None:
    """Give the pip cache mount an id of this run, so the fixed row's cold build starts with it empty.

    `--no-cache` does not empty cache mounts, and pruning the builder would empty everyone's; the id is
    only the cache's name, the recipe is otherwise untouched.
    """
    dockerfile = project / "Dockerfile"
    text = dockerfile.read_text()
    cache_id = f"jettison-story-{run_id}"
    marked = re.sub(r"--mount=type=cache,([^\s\\]*)", rf"--mount=type=cache,id={cache_id},\1", text)
    if marked != text:  # fix edits the project's recipe: it has a cache mount only if the project had one
        dockerfile.write_text(marked)


def cache_mounts() -> set[str]:
    """Ids of the engine's pip cache mount records (BuildKit keeps them apart from the layer cache)."""
    listed = run([DOCKER, "system", "df", "-v", "--format", "{{json .BuildCache}}"], check=False)
    try:
        records = json.loads(listed.stdout or "[]") or []
    except json.JSONDecodeError:
        return set()
    return {
        r["ID"]
        for r in records
        if r.get("CacheType") == "exec.cachemount" and "pip" in r.get("Description", "")
    }


# Table.

LEGEND = """
image size: `docker image inspect` .Size. layers gzip: the layers gzip-compressed (docker-built rows: each
`docker save` layer at gzip's default level; jettison build: its archive's blobs as stored). Python packages:
sum of the installed distributions' files (their RECORDs) that layers above the base wrote, (count).
cold build: no build cache, empty pip / uv cache. rebuild after edit: one comment line appended to
src/main.py, then the same build with its caches. gcc: on PATH in the final image. runs as: `id -u` inside.
docker stop: `docker stop -t 10` of a container serving /health; SIGKILL: exit 137 after the grace period."""


def human(size: float | None) -> str:
    if size is None:
        return "-"
    for unit in ("B", "kB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.2f} {unit}" if unit == "GB" else f"{size:.0f} {unit}"
        size /= 1000
    return str(size)


def seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f} s"


def ratio(value: float | None, reference: float | None) -> str:
    if value is None or not reference:
        return "-"
    share = value / reference
    return f"{share:.2f}x" if share >= 0.1 else f"{share:.2g}x"  # two significant digits when small


def table(rows: list[Row]) -> str:
    header = ["", "image size", "layers gzip", "Python packages", "cold build", "rebuild after edit", "gcc",
              "runs as", "docker stop"]  # fmt: skip
    body = []
    for row in rows:
        if row.failed:
            body.append([row.label, f"not built: {row.failed}"])
            continue
        packages = f"{human(row.packages)} ({row.distributions})" if row.packages is not None else "-"
        body.append([row.label, human(row.size), human(row.gzip), packages, seconds(row.cold),
                     seconds(row.rebuild), row.gcc or "-", row.user or "-",
                     seconds(row.stop) + row.stop_note])  # fmt: skip
    reference = rows[0]
    ratios = []
    if not reference.failed:
        for row in rows:
            if row.failed:
                continue
            ratios.append([row.label, ratio(row.size, reference.size), ratio(row.gzip, reference.gzip),
                           ratio(row.packages, reference.packages), ratio(row.cold, reference.cold),
                           ratio(row.rebuild, reference.rebuild),
                           ratio(row.stop, reference.stop)])  # fmt: skip
    text = markdown(header, body)
    if ratios:
        numeric = [*header[:6], header[8]]
        text += "\n\nAgainst row 1 (each figure divided by row 1's):\n\n" + markdown(numeric, ratios)
    return text


def markdown(header: list[str], body: list[list[str]]) -> str:
    width = len(header)
    cells = [header, *[[*line, *[""] * (width - len(line))] if len(line) > 2 else line for line in body]]
    widths = [max(len(line[i]) for line in cells if len(line) == width) for i in range(width)]
    lines = []
    for index, line in enumerate(cells):
        if len(line) == width:
            lines.append("| " + " | ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)) + " |")
        else:  # a failed row: its reason spans the figures
            lines.append(f"| {line[0].ljust(widths[0])} | {line[1]} |" + " |" * (width - 2))
        if index == 0:
            lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", type=Path, default=REPO / "examples" / "analytics-server")
    parser.add_argument(
        "--quick", action="store_true", help="rows 1-2 install the pruned requirements, not the full file"
    )
    parser.add_argument("--no-gzip", action="store_true", help="skip gzipping the docker-built rows' layers")
    args = parser.parse_args()
    if subprocess.run([DOCKER, "version"], env=docker_env(), capture_output=True).returncode != 0:
        sys.exit("needs the Docker Engine of the test services: bash scripts/test-services.sh")
    for base in ("python:3.7", "python:3.8-slim-buster", "python:3.11-slim"):
        found = subprocess.run([DOCKER, "image", "inspect", base], env=docker_env(), capture_output=True)
        if found.returncode:
            sys.exit(f"stand-in base {base} missing: bash scripts/test-services.sh")

    run_id = uuid.uuid4().hex[:8]
    created: set[str] = set()
    work = Path(tempfile.mkdtemp(prefix="jettison-story-"))
    containers: list[str] = []
    tags: list[str] = []
    source = args.project.resolve()
    requirements = (source / "requirements.txt").read_text().count("\n")
    started = time.perf_counter()
    try:
        fixed = fixed_copy(source, work / "fixed" / source.name)
        unsafe, refused = unsafe_copy(source, work / "unsafe" / source.name)
        pruned = (fixed / "requirements.txt").read_text().count("\n")
        pruned_unsafe = (unsafe / "requirements.txt").read_text().count("\n")
        reqs = f"{pruned} pruned requirements (--quick)" if args.quick else f"all {requirements} requirements"
        rows = [Row(f"1. Dockerfile: python:3.7, {reqs}"),
                Row(f"2. Dockerfile.improved: python:3.8-slim-buster, {reqs}"),
                Row(f"3. jettison fix --write: {base_of(fixed / 'Dockerfile')}, {pruned} requirements"),
                Row(f"3u. fix --write --unsafe-fixes: {base_of(unsafe / 'Dockerfile')}, "
                    f"{pruned_unsafe} requirements"),
                Row("4. jettison build: 3.11-slim, pruned at build")]  # fmt: skip
        story = ((rows[0], "Dockerfile", "naive"), (rows[1], "Dockerfile.improved", "improved"))
        for row, dockerfile, slug in story:
            tag = f"jettison-story-{slug}:{run_id}"
            tags += [tag, f"{tag}-edited"]
            context = copy_project(source, work / slug / source.name)
            if args.quick:
                shutil.copy(fixed / "requirements.txt", context / "requirements.txt")
            step(
                row,
                lambda row=row, context=context, dockerfile=dockerfile, tag=tag: docker_row(
                    row, context, dockerfile, tag, run_id, work, containers, not args.no_gzip
                ),
            )
        before = cache_mounts()
        rows[3].failed = refused
        for row, project, slug in ((rows[2], fixed, "fixed"), (rows[3], unsafe, "unsafe")):
            if row.failed:
                continue
            tag = f"jettison-story-{slug}:{run_id}"
            tags += [tag, f"{tag}-edited"]
            step(row, lambda row=row, project=project, tag=tag: (
                unique_cache_mount(project, run_id),
                docker_row(row, project, "Dockerfile", tag, run_id, work, containers, not args.no_gzip)))
        created = cache_mounts() - before
        tag = f"jettison-story-jbuild:{run_id}"
        tags.append(tag)
        step(rows[4], lambda: jettison_row(rows[4], copy_project(source, work / "jbuild" / source.name), tag,
                                           run_id, work, containers))  # fmt: skip
    finally:
        for name in containers:
            subprocess.run([DOCKER, "rm", "-f", name], env=docker_env(), capture_output=True)
        for tag in tags:
            subprocess.run([DOCKER, "rmi", "-f", tag], env=docker_env(), capture_output=True)
        # Only this run's pip cache mount: the records that appeared while row 3 was built (their description
        # does not carry the mount's id, so they are told apart by when they appeared).
        for record in created:
            subprocess.run([DOCKER, "builder", "prune", "-f", "--filter", f"id={record}"], env=docker_env(),
                           capture_output=True)  # fmt: skip
        shutil.rmtree(work, ignore_errors=True)
    # The raw figures first: a table that fails to print loses no measurement.
    print(json.dumps([row.__dict__ for row in rows]), file=sys.stderr, flush=True)
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(f"jettison story on {source.name}, {now}, {time.perf_counter() - started:.0f} s in all")
    print(table(rows))
    print(LEGEND)


def step(row: Row, action) -> None:
    print(f"[story] {row.label} ...", file=sys.stderr, flush=True)
    try:
        action()
    except Failed as error:
        row.failed = str(error)
    except subprocess.TimeoutExpired as error:
        row.failed = f"timed out after {error.timeout:.0f} s: {' '.join(map(str, error.cmd[:3]))}"
    print(f"[story] {row.label}: {row.failed or 'done'}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
