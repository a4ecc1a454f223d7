"""The distroless base beside the slim base it replaces, measured in one run (issue 12).

    python3 bench/base.py [--suite bookworm] [--slim docker-archive:FILE] [--wheel FILE.whl ...]

Assembles `debian://SUITE` from the configured mirror ($JETTISON_DEBIAN_MIRROR, else Debian's; needs
gpgv and the Debian archive keyring) and prints its layers' uncompressed and gzip sizes next to the
python:3.11-slim stand-in that scripts/test-services.sh builds from Debian packages (default
/tmp/jettison-services/bases/python-3.11-slim.tar). Target: <= 40 MB uncompressed, <= 15 MB gzip.
With --wheel, a second row is the base completed for those wheels' shared libraries (what `jettison build`
adds when their extensions NEED a library the base lacks, e.g. libpq.so.5 for a psycopg2 built from source).
With --app PATH, the project is also built with `jettison build --no-verify` on both bases (the slim one from
the services' OCI layout), and each image's overhead is printed: its layers minus the installed size of its
Python distributions, i.e. what the base costs the app (issue 12: at most 1/3 of slim's).
"""

from __future__ import annotations

import argparse
import gzip
import shutil
import subprocess
import tempfile
import time
import zipfile
from pathlib import Path

from jettison.debian.base import assemble_base, complete_base, parse_debian_ref
from jettison.oci.archive import read_docker_archive
from jettison.oci.blobs import BlobDirectory
from jettison.oci.layers import Layer, TarEntry, write_layer

SLIM = Path("/tmp/jettison-services/bases/python-3.11-slim.tar")


def sizes(layers: list) -> tuple[int, int]:  # type: ignore[type-arg]
    """(uncompressed, gzip -6) bytes of the layers' tar streams, measured the same way for both bases."""
    raw = packed = 0
    for layer in layers:
        counter = _Counter()
        compressor = gzip.GzipFile(fileobj=counter, mode="wb", compresslevel=6, mtime=0)  # type: ignore[arg-type]
        with layer.open_uncompressed() as stream:
            while chunk := stream.read(1 << 20):
                raw += len(chunk)
                compressor.write(chunk)
        compressor.close()
        packed += counter.count
    return raw, packed


class _Counter:
    """A file that only counts what is written to it."""

    def __init__(self) -> None:
        self.count = 0

    def write(self, data: bytes) -> int:
        self.count += len(data)
        return len(data)

    def flush(self) -> None:
        pass


def wheel_layer(wheels: list[Path], python: str, blobs: Path) -> Layer:
    """The wheels' files where the build's venv puts them (enough for their ELF needs; no scripts)."""
    site = f"opt/venv/lib/python{python}/site-packages/"
    entries = []
    for wheel in wheels:
        with zipfile.ZipFile(wheel) as archive:
            for info in archive.infolist():
                if not info.is_dir():
                    entries.append(TarEntry(site + info.filename, data=archive.read(info)))
    return write_layer(entries, blobs=BlobDirectory(blobs), mtime=0)


SLIM_LAYOUT = "oci:/tmp/jettison-services/bases/oci:3.11-slim"


def print_overheads(app: Path, suite: str) -> None:
    """The app on both bases: image size, Python distributions, and the rest (the base's overhead)."""
    from jettison.inspect.analysis import analyze
    from jettison.inspect.source import open_image_input

    jettison = shutil.which("jettison") or "jettison"
    rows = []
    with tempfile.TemporaryDirectory(prefix="jettison-bench-app-") as work:
        for label, base in ((f"debian://{suite}", f"debian://{suite}"), ("slim stand-in", SLIM_LAYOUT)):
            archive = Path(work) / f"{len(rows)}.tar"
            done = subprocess.run([jettison, "build", str(app), "--base", base, "--no-verify", "--output",
                                   f"docker-archive:{archive}"], capture_output=True, text=True)  # fmt: skip
            if done.returncode:
                print(f"note: {label}: build failed: {(done.stderr.strip().splitlines() or ['?'])[-1]}")
                continue
            analysis = analyze(open_image_input(f"docker-archive:{archive}", None))
            packages = sum(d.size for d in analysis.python.distributions)
            rows.append((label, analysis.layers_size, packages, len(analysis.python.distributions)))
    print(f"{app.name}: {'base':<24}{'image MB':>10}{'packages MB':>13}{'overhead MB':>13}")
    for label, size, packages, count in rows:
        print(f"{'':<{len(app.name) + 2}}{label:<24}{size / 1e6:>10.1f}{packages / 1e6:>10.1f} ({count})"
              f"{(size - packages) / 1e6:>10.1f}")  # fmt: skip
    if len(rows) == 2 and rows[1][1] - rows[1][2] > 0:
        ratio = (rows[0][1] - rows[0][2]) / (rows[1][1] - rows[1][2])
        print(f"overhead on debian://{suite} / overhead on slim: {ratio:.2f} (issue 12 target: <= 0.33)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suite", default="bookworm")
    parser.add_argument("--slim", type=Path, default=SLIM, help="docker-archive of the slim stand-in")
    parser.add_argument("--wheel", type=Path, action="append", default=[],
                        help="a wheel to complete the base for (repeatable)")  # fmt: skip
    parser.add_argument("--app", type=Path, default=None, help="a project to build on both bases")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="jettison-bench-base-") as cache:
        started = time.perf_counter()
        base = assemble_base(parse_debian_ref(f"debian://{args.suite}"), Path(cache))
        seconds = time.perf_counter() - started
        rows.append((f"debian://{args.suite} ({len(base.packages)} packages, {seconds:.1f} s cold)",
                     *sizes(list(base.image.layers))))  # fmt: skip
        if args.wheel:
            started = time.perf_counter()
            layer = wheel_layer(args.wheel, base.ref.python, Path(cache) / "wheel-blobs")
            completed = complete_base(base, [layer])
            seconds = time.perf_counter() - started
            added = ", ".join(name for name, _ in completed.options.libraries) or "nothing"
            rows.append((f"  + libraries of {len(args.wheel)} wheel(s): {added} "
                         f"({len(completed.packages)} packages, {seconds:.1f} s)",
                         *sizes(list(completed.image.layers))))  # fmt: skip
    if args.slim.is_file():
        rows.append(
            (
                f"python:3.11-slim stand-in ({args.slim.name})",
                *sizes(list(read_docker_archive(args.slim).layers)),
            )
        )
    else:
        print(f"note: {args.slim} not found: start scripts/test-services.sh for the slim stand-in")
    if args.app is not None:
        print_overheads(args.app, args.suite)
    reference = rows[-1][1] if len(rows) > 1 else None
    width = max(58, *(len(label) + 2 for label, _, _ in rows))
    print(f"{'base':<{width}}{'MB':>8}{'MB gzip':>9}{'x slim':>8}")
    for label, raw, packed in rows:
        ratio = f"{raw / reference:.2f}" if reference else "-"
        print(f"{label:<{width}}{raw / 1e6:>8.1f}{packed / 1e6:>9.1f}{ratio:>8}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
