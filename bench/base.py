"""The distroless base beside the slim base it replaces, measured in one run (issue 12).

    python3 bench/base.py [--suite bookworm] [--slim docker-archive:FILE]

Assembles `debian://SUITE` from the configured mirror ($JETTISON_DEBIAN_MIRROR, else Debian's; needs
gpgv and the Debian archive keyring) and prints its layers' uncompressed and gzip sizes next to the
python:3.11-slim stand-in that scripts/test-services.sh builds from Debian packages (default
/tmp/jettison-services/bases/python-3.11-slim.tar). Target: <= 40 MB uncompressed, <= 15 MB gzip.
"""

# ruff: noqa: E402  (the sys.path fix below must run before the other imports)
from __future__ import annotations

import sys
from pathlib import Path

# bench/inspect.py would shadow the standard library's inspect (as in the other bench scripts).
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse
import gzip
import tempfile
import time

from jettison.debian.base import assemble_base, parse_debian_ref
from jettison.oci.archive import read_docker_archive

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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suite", default="bookworm")
    parser.add_argument("--slim", type=Path, default=SLIM, help="docker-archive of the slim stand-in")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="jettison-bench-base-") as cache:
        started = time.perf_counter()
        base = assemble_base(parse_debian_ref(f"debian://{args.suite}"), Path(cache))
        seconds = time.perf_counter() - started
        rows.append((f"debian://{args.suite} ({len(base.packages)} packages, {seconds:.1f} s cold)",
                     *sizes(list(base.image.layers))))  # fmt: skip
    if args.slim.is_file():
        rows.append(
            (
                f"python:3.11-slim stand-in ({args.slim.name})",
                *sizes(list(read_docker_archive(args.slim).layers)),
            )
        )
    else:
        print(f"note: {args.slim} not found: start scripts/test-services.sh for the slim stand-in")
    reference = rows[-1][1] if len(rows) > 1 else None
    print(f"{'base':<58}{'MB':>8}{'MB gzip':>9}{'x slim':>8}")
    for label, raw, packed in rows:
        ratio = f"{raw / reference:.2f}" if reference else "-"
        print(f"{label:<58}{raw / 1e6:>8.1f}{packed / 1e6:>9.1f}{ratio:>8}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
