"""Findings JI9xx: what a Python team ships without meaning to, each with what removing it saves.

JI900 bytes stored twice across layers (dive's wasted bytes)   JI906 C headers and static libraries
JI901 pip cache                                                JI907 unstripped shared objects
JI902 uv cache                                                 JI908 compilers and -dev packages (dpkg)
JI903 apt caches and lists                                     JI909 the same content at several paths
JI904 tests directories inside site-packages                   JI910 secrets, deleted ones included
JI905 __pycache__ for another Python version
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from jettison.inspect.python import SITE_DIRS, PythonContents
from jettison.inspect.scan import ImageScan
from jettison.inspect.tree import file_size
from jettison.model.findings import Finding, Location, Saving, Severity

_MB = 1_000_000
_PYC = re.compile(r"\.cpython-(\d)(\d+)")
_COMPILER = re.compile(
    r"^(gcc|g\+\+|cpp|clang|gfortran|llvm|rustc|cargo)(-\d+)?$|^(build-essential|binutils)$"
)
_HEADER = (".h", ".hpp", ".hh", ".hxx")


@dataclass
class _Bucket:
    rule: str
    severity: Severity
    what: str
    fix: str
    size: int = 0
    count: int = 0
    examples: list[tuple[int, str]] = field(default_factory=list)

    def add(self, path: str, size: int) -> None:
        self.size += size
        self.count += 1
        self.examples.append((size, path))
        if len(self.examples) > 64:  # keep the largest few, bounded
            self.examples.sort(reverse=True)
            del self.examples[10:]

    def finding(self) -> Finding | None:
        if not self.count:
            return None
        top = sorted(self.examples, reverse=True)[:10]
        return Finding(
            rule=self.rule,
            severity=self.severity,
            message=f"{self.what}: {self.count} files, {self.size / _MB:.1f} MB. {self.fix}",
            location=Location("/" + top[0][1]),
            saving=Saving(megabytes=self.size / _MB),
            data={
                "bytes": self.size,
                "files": self.count,
                "largest": [{"path": "/" + p, "bytes": s} for s, p in top],
            },
        )


def _classify(python_versions: tuple[str, ...]) -> tuple[dict[str, _Bucket], Callable[[str, int], None]]:
    buckets = {
        "JI901": _Bucket(
            "JI901",
            Severity.WARNING,
            "pip cache in the image",
            "Use `pip install --no-cache-dir` or `RUN --mount=type=cache,target=/root/.cache/pip`.",
        ),
        "JI902": _Bucket(
            "JI902",
            Severity.WARNING,
            "uv cache in the image",
            "Set UV_NO_CACHE=1 or mount the cache: `RUN --mount=type=cache,target=/root/.cache/uv`.",
        ),
        "JI903": _Bucket(
            "JI903",
            Severity.WARNING,
            "apt caches and package lists in the image",
            "Remove /var/lib/apt/lists/* in the same RUN as apt-get install, or mount them as a cache.",
        ),
        "JI904": _Bucket(
            "JI904",
            Severity.INFO,
            "tests directories inside site-packages",
            "Delete them in the build stage (`find ... -name tests -prune -exec rm -rf {} +`).",
        ),
        "JI905": _Bucket(
            "JI905",
            Severity.WARNING,
            "__pycache__ compiled for a Python the image does not have",
            "Compile byte code with the image's own interpreter, or not at all.",
        ),
        "JI906": _Bucket(
            "JI906",
            Severity.INFO,
            "C headers and static libraries",
            "They only serve compiling: build in a separate stage and copy the installed result.",
        ),
    }
    own = {version.replace(".", "") for version in python_versions}

    def classify(path: str, size: int) -> None:
        parts = path.split("/")
        base = parts[-1]
        if "/.cache/pip/" in f"/{path}":
            buckets["JI901"].add(path, size)
        elif "/.cache/uv/" in f"/{path}":
            buckets["JI902"].add(path, size)
        elif (path.startswith("var/cache/apt/") and (base.endswith((".bin", ".deb")))) or (
            path.startswith("var/lib/apt/lists/") and base != "lock" and "/partial/" not in path
        ):
            buckets["JI903"].add(path, size)
        elif any(part in SITE_DIRS for part in parts) and any(
            part in ("tests", "test") for part in parts[:-1]
        ):
            buckets["JI904"].add(path, size)
        elif len(parts) > 1 and parts[-2] == "__pycache__" and own:
            match = _PYC.search(base)
            if match and f"{match.group(1)}{match.group(2)}" not in own:
                buckets["JI905"].add(path, size)
        elif (base.endswith(_HEADER) or base.endswith(".a")) and not path.startswith(
            ("usr/include/", "usr/lib/gcc/")
        ):
            buckets["JI906"].add(path, size)

    return buckets, classify


def _dpkg_packages(status: bytes) -> list[tuple[str, int]]:
    """(name, installed bytes) of every package dpkg lists as installed."""
    packages = []
    for stanza in status.decode("utf-8", "replace").split("\n\n"):
        fields: dict[str, str] = {}
        for line in stanza.splitlines():
            if line and not line[0].isspace():
                key, _, value = line.partition(":")
                fields[key] = value.strip()
        if fields.get("Package") and fields.get("Status", "").endswith(" installed"):
            try:
                size = int(fields.get("Installed-Size", "0")) * 1024
            except ValueError:
                size = 0
            packages.append((fields["Package"], size))
    return packages


def waste_findings(scan: ImageScan, python: PythonContents) -> list[Finding]:
    findings: list[Finding] = []
    eff = scan.efficiency
    if eff.wasted_bytes:
        findings.append(
            Finding(
                rule="JI900",
                severity=Severity.WARNING,
                message=(
                    f"{eff.wasted_bytes / _MB:.1f} MB in paths stored in more than one layer (overwritten or "
                    f"deleted later; efficiency {eff.score:.1%}). Change files in the layer that makes them."
                ),
                location=Location(eff.top_wasted[0].path) if eff.top_wasted else None,
                saving=Saving(megabytes=eff.recoverable_bytes / _MB),
                data={"bytes": eff.wasted_bytes, "recoverable_bytes": eff.recoverable_bytes},
            )
        )
    buckets, classify = _classify(python.versions)
    for path, packed in scan.tree.files():
        classify(path, file_size(packed))
    findings.extend(f for f in (bucket.finding() for bucket in buckets.values()) if f is not None)

    if scan.unstripped:
        total = sum(symbols.strippable_bytes for symbols in scan.unstripped.values())
        largest = sorted(scan.unstripped.items(), key=lambda item: -item[1].strippable_bytes)[:10]
        findings.append(
            Finding(
                rule="JI907",
                severity=Severity.INFO,
                message=(
                    f"{len(scan.unstripped)} shared objects carry symbol tables or debug info "
                    f"({total / _MB:.1f} MB). Run `strip --strip-unneeded` on them in the build stage."
                ),
                location=Location("/" + largest[0][0]),
                saving=Saving(megabytes=total / _MB),
                data={
                    "bytes": total,
                    "files": len(scan.unstripped),
                    "largest": [{"path": "/" + p, "bytes": s.strippable_bytes} for p, s in largest],
                },
            )
        )
    status = scan.captured.get("var/lib/dpkg/status")
    if status is not None:
        build_only = [(n, s) for n, s in _dpkg_packages(status) if n.endswith("-dev") or _COMPILER.match(n)]
        if build_only:
            total = sum(size for _, size in build_only)
            names = sorted(name for name, _ in build_only)
            findings.append(
                Finding(
                    rule="JI908",
                    severity=Severity.WARNING,
                    message=(
                        f"{len(names)} compiler and -dev packages in the final image ({total / _MB:.1f} MB): "
                        f"{', '.join(names[:8])}{' ...' if len(names) > 8 else ''}. Build wheels in a "
                        "builder stage and copy only the results."
                    ),
                    location=Location("/var/lib/dpkg/status"),
                    saving=Saving(megabytes=total / _MB),
                    data={"bytes": total, "packages": names},
                )
            )
    if scan.duplicates:
        total = sum(size * (len(paths) - 1) for size, paths in scan.duplicates)
        findings.append(
            Finding(
                rule="JI909",
                severity=Severity.INFO,
                message=(
                    f"{len(scan.duplicates)} contents stored at several paths "
                    f"({total / _MB:.1f} MB redundant). "
                    "Hard-link or symlink them, or install each once."
                ),
                location=Location("/" + scan.duplicates[0][1][0]),
                saving=Saving(megabytes=total / _MB),
                data={
                    "bytes": total,
                    "groups": [
                        {"bytes": size, "paths": ["/" + p for p in paths]}
                        for size, paths in scan.duplicates[:20]
                    ],
                },
            )
        )
    for hit in scan.secrets:
        where = (
            f"deleted by a later layer but still shipped in layer {hit.layer}"
            if hit.deleted
            else f"in layer {hit.layer}"
        )
        detail = getattr(hit.detail, "description", None) or str(hit.detail)
        data = {"layer": hit.layer, "deleted": hit.deleted, "kind": getattr(hit.detail, "kind", None)}
        distribution = _test_fixture_of(hit.path, python)
        if distribution is not None:
            # gevent, urllib3, twisted... ship keys for their TLS tests; whoever installs the wheel
            # publishes nothing new, so this is waste to delete (JI904), not a secret to rotate.
            findings.append(
                Finding(
                    rule="JI910",
                    severity=Severity.INFO,
                    message=(
                        f"Test fixture {where}: {detail} from {distribution}'s tests (installed from its "
                        "wheel: public, not a leaked secret). Delete tests directories in the build stage."
                    ),
                    location=Location("/" + hit.path),
                    data={**data, "distribution": distribution},
                )
            )
            continue
        findings.append(
            Finding(
                rule="JI910",
                severity=Severity.ERROR,
                message=f"Secret {where}: {detail}. Rotate it; pass secrets with `RUN --mount=type=secret`.",
                location=Location("/" + hit.path),
                data=data,
            )
        )
    return findings


def _test_fixture_of(path: str, python: PythonContents) -> str | None:
    """The distribution whose RECORD lists `path` inside one of its tests directories, if any."""
    parts = path.split("/")
    if not any(part in ("tests", "test") for part in parts[:-1]):
        return None
    return python.owner.get(path)
