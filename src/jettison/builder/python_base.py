"""Finding the Python interpreter a base image ships, from its config and its layers' file listings.

Nothing is extracted: the caller hands over the paths the layers contain (whiteouts already applied,
see `merged_paths`) and the config's Env. Official images keep CPython under /usr/local (PATH first,
PYTHON_VERSION in Env); Debian-based images (and our mmdebstrap stand-ins) keep it at /usr/bin/python3.X
with /usr/lib/python3/dist-packages. Both are recognised; anything else is an error that says what was
looked for.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from jettison.errors import JettisonError

_INTERPRETER = re.compile(r"^(?P<dir>(?:usr/local|usr|opt/[^/]+)/bin)/python(?P<minor>3\.\d+)$")
_MUSL = re.compile(r"^(?:usr/)?lib/ld-musl-[^/]+\.so\.1$")
# Debian's dpkg status names libc6's version, e.g. "2.36-9+deb12u4" -> glibc 2.36.
_LIBC6 = re.compile(r"^Package: libc6\n(?:[^\n]+\n)*?Version: (?P<major>\d+)\.(?P<minor>\d+)", re.MULTILINE)

# The manylinux levels uv accepts as a --python-platform; a base's glibc picks the highest it reaches.
MANYLINUX_LEVELS = tuple(range(17, 41))
DEFAULT_GLIBC = (2, 28)
DPKG_STATUS = "var/lib/dpkg/status"


@dataclass(frozen=True)
class BasePython:
    """The interpreter of a base image, as seen from inside it."""

    version: str  # "3.11" (minor), what wheels and bytecode must match
    interpreter: str  # absolute path inside the image, e.g. /usr/local/bin/python3.11
    prefix: str  # /usr/local or /usr
    site_packages: str  # the base's own site/dist-packages directory
    libc: str  # "glibc" or "musl"
    glibc: tuple[int, int] | None  # (2, 36) when known

    @property
    def home(self) -> str:
        """The directory pyvenv.cfg names as `home`: where the interpreter lives."""
        return self.interpreter.rsplit("/", 1)[0]


def _path_dirs(env: Iterable[str]) -> list[str]:
    for item in env:
        if item.startswith("PATH="):
            return [part.strip("/") for part in item[5:].split(":") if part.startswith("/")]
    return ["usr/local/bin", "usr/bin", "bin"]


def _env_value(env: Iterable[str], name: str) -> str | None:
    for item in env:
        key, _, value = item.partition("=")
        if key == name:
            return value
    return None


def glibc_from_dpkg_status(text: str) -> tuple[int, int] | None:
    match = _LIBC6.search(text)
    return (int(match["major"]), int(match["minor"])) if match else None


def find_base_python(
    paths: Iterable[str], env: Iterable[str], dpkg_status: str | None = None, where: str = "base image"
) -> BasePython:
    """The base's Python from its merged file listing (relative paths, no leading /) and config Env.

    An interpreter named by PYTHON_VERSION (official images) wins; otherwise the first python3.X found
    along the image's PATH, the newest minor version first when one directory holds several.
    """
    env = list(env)
    path_set = set(paths)
    candidates: dict[str, list[str]] = {}
    for path in path_set:
        match = _INTERPRETER.match(path)
        if match:
            candidates.setdefault(match["dir"], []).append(match["minor"])
    if not candidates:
        raise JettisonError(
            "no Python interpreter found (looked for /usr/local/bin/python3.X and /usr/bin/python3.X)", where
        )
    declared = _env_value(env, "PYTHON_VERSION")
    wanted = ".".join(declared.split(".")[:2]) if declared else None
    ordered_dirs = [d for d in _path_dirs(env) if d in candidates] + sorted(
        d for d in candidates if d not in _path_dirs(env)
    )
    chosen: tuple[str, str] | None = None
    for directory in ordered_dirs:
        minors = sorted(candidates[directory], key=lambda m: int(m.split(".")[1]), reverse=True)
        if wanted in minors:
            chosen = (directory, wanted)
            break
        if chosen is None:
            chosen = (directory, minors[0])
    if chosen is None:  # only when PATH ordering left nothing, which the fallback above prevents
        raise JettisonError("no Python interpreter on the image's PATH", where)
    directory, minor = chosen
    prefix = "/" + directory.rsplit("/", 1)[0]
    site = None
    for candidate in (
        f"{prefix[1:]}/lib/python{minor}/site-packages",
        f"{prefix[1:]}/lib/python3/dist-packages",
        f"{prefix[1:]}/lib/python{minor}/dist-packages",
    ):
        if candidate in path_set:
            site = "/" + candidate
            break
    if site is None:
        site = f"{prefix}/lib/python{minor}/site-packages"
    musl = any(_MUSL.match(path) for path in path_set)
    glibc = None if musl else (glibc_from_dpkg_status(dpkg_status) if dpkg_status else None)
    return BasePython(
        version=minor,
        interpreter=f"/{directory}/python{minor}",
        prefix=prefix,
        site_packages=site,
        libc="musl" if musl else "glibc",
        glibc=glibc,
    )


_UV_ARCH = {"amd64": "x86_64", "arm64": "aarch64"}


def uv_python_platform(python: BasePython, architecture: str) -> str:
    """The `uv --python-platform` value for a base: its CPU and its libc (manylinux level or musl)."""
    arch = _UV_ARCH.get(architecture)
    if arch is None:
        raise JettisonError(f"unsupported architecture {architecture!r} (jettison builds amd64 and arm64)")
    if python.libc == "musl":
        return f"{arch}-unknown-linux-musl"
    major, minor = python.glibc or DEFAULT_GLIBC
    level = max((lv for lv in MANYLINUX_LEVELS if (2, lv) <= (major, minor)), default=17)
    return f"{arch}-manylinux_2_{level}"
