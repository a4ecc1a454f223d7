"""Installing pinned wheels for the base image's platform and Python, not the host's (runs uv).

uv resolves (`uv pip compile`) and installs (`uv pip install --target`) with an explicit
`--python-platform` and `--python-version` and `--only-binary :all:`, so the host's interpreter and
CPU never leak into the image: a Linux/arm64 image gets aarch64 wheels on an x86_64 host. The staging
directory is then laid out as the venv the image carries (/opt/venv by default):

    /opt/venv/pyvenv.cfg                              home = the base interpreter's directory
    /opt/venv/bin/python -> /usr/local/bin/python3.X  an absolute link, valid inside the image
    /opt/venv/bin/gunicorn                            shebang #!/opt/venv/bin/python
    /opt/venv/lib/python3.X/site-packages/...

A venv (rather than the base's own site-packages) keeps our files out of the paths the base's
package manager owns and is what the Dockerfile `jettison fix` writes uses too, so both images have
the same layout. Bytecode is optional: when asked for, it is compiled by a host interpreter of the
same minor version with unchecked-hash .pyc files (no source mtime inside, so the bytes depend on
the source only) and PYTHONHASHSEED=0 (set and frozenset constants keep one order).
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from jettison.errors import JettisonError
from jettison.model.requirements import normalize_name

_SCRIPT_PYTHON = re.compile(rb"^#!.*python[0-9.]*(?:\s.*)?$")
# uv/distlib write this two-line shebang when the interpreter path is too long for the kernel.
_SH_TRAMPOLINE = re.compile(rb"^#!/bin/sh\n'''exec' .*\n' '''\n", re.MULTILINE)


@dataclass(frozen=True)
class WheelTarget:
    """Where and for what the wheels are installed."""

    python_version: str  # "3.11"
    python_platform: str  # uv's --python-platform, e.g. x86_64-manylinux_2_36
    interpreter: str  # the base's interpreter, inside the image
    venv: str = "/opt/venv"
    python_release: str | None = None  # "3.11.2" when the base says (PYTHON_VERSION): what uv resolves for

    @property
    def resolve_for(self) -> str:
        """uv's --python-version: the base's exact release when known. "3.11" alone means 3.11.0 to uv,
        which refuses a wheel requiring 3.11.1 the base could run, and the release is what Requires-Python
        of a pin is checked against."""
        return self.python_release or self.python_version

    @property
    def site_packages(self) -> str:
        return f"{self.venv}/lib/python{self.python_version}/site-packages"


@dataclass(frozen=True)
class IndexOptions:
    """Where wheels come from (defaults: uv's own, i.e. PyPI or UV_INDEX_URL)."""

    index_url: str | None = None
    find_links: tuple[str, ...] = ()
    no_index: bool = False

    def args(self) -> list[str]:
        out: list[str] = []
        if self.index_url:
            out += ["--index-url", self.index_url]
        for link in self.find_links:
            out += ["--find-links", link]
        if self.no_index:
            out.append("--no-index")
        return out


@dataclass
class StagedFile:
    """One file of the staged venv: where it goes in the image and where its bytes are now."""

    image_path: str  # absolute, inside the image
    host_path: Path | None  # None for symlinks and directories
    mode: int = 0o644
    link_target: str | None = None
    content: bytes | None = None  # small generated files (pyvenv.cfg) carry their bytes


@dataclass
class Distribution:
    """An installed distribution and the staged files it owns."""

    name: str
    version: str
    files: list[StagedFile] = field(default_factory=list)

    @property
    def size(self) -> int:
        return sum(f.host_path.stat().st_size for f in self.files if f.host_path is not None)


def uv_binary() -> str:
    """The uv executable: the one installed with jettison (the `uv` package), else the one on PATH."""
    try:
        from uv import find_uv_bin

        return find_uv_bin()
    except (ImportError, FileNotFoundError):
        found = shutil.which("uv")
        if found is None:
            raise JettisonError("uv is not installed (pip install uv)") from None
        return found


def _uv_env() -> dict[str, str]:
    env = dict(os.environ)
    # The proxy's CA is in the system bundle: let uv read it (it ignores SSL_CERT_FILE otherwise).
    env.setdefault("UV_NATIVE_TLS", "1")
    env.pop("VIRTUAL_ENV", None)  # --target decides where things go, not an activated venv
    return env


def _run_uv(args: list[str], what: str, cwd: Path | None = None) -> str:
    result = subprocess.run(
        [uv_binary(), *args], capture_output=True, text=True, env=_uv_env(), cwd=cwd, check=False
    )
    if result.returncode != 0:
        # uv's explanation is the useful part; keep its first error lines on one line.
        lines = [line.strip() for line in result.stderr.splitlines() if line.strip()]
        detail = " ".join(lines[-4:]) if lines else f"exit {result.returncode}"
        raise JettisonError(f"{what} failed: {detail}")
    return result.stdout


def resolve(requirements: str, target: WheelTarget, index: IndexOptions, workdir: Path) -> str:
    """Pin `requirements` (requirements.txt text) for the target: `name==version` lines, sorted."""
    workdir.mkdir(parents=True, exist_ok=True)
    source = workdir / "requirements.in"
    source.write_text(requirements, encoding="utf-8")
    out = _run_uv(
        [
            "pip", "compile", str(source), "--quiet", "--no-header", "--no-annotate",
            "--python-platform", target.python_platform, "--python-version", target.resolve_for,
            "--only-binary", ":all:", *index.args(),
        ],
        f"resolving dependencies for {target.python_platform}, Python {target.python_version}",
    )  # fmt: skip
    pins = sorted({line.strip() for line in out.splitlines() if line.strip() and not line.startswith("#")})
    return "".join(f"{pin}\n" for pin in pins)


# Distributions published only as source whose maintainers publish the same modules as wheels under
# another name. psycopg2's wheels are psycopg2-binary (libpq and OpenSSL bundled): an image built without
# a compiler, and without libpq in the base, can only take those.
# Projects whose C extension needs system libraries to build publish it pre-built, libraries bundled, as a
# twin named `<name>-binary` (psycopg2-binary). The convention is tried only for a requirement that failed
# for want of wheels, and the twin is kept only if its files hold the import package the name says
# (`twin_provides`), so an unrelated project of that name cannot stand in.
TWIN_SUFFIX = "-binary"
_NO_WHEELS = re.compile(r"([A-Za-z0-9._-]+)(?:==\S+)? has no usable wheels")


def _swap_name(line: str, old: str, new: str) -> str:
    match = re.match(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)", line)
    if match and normalize_name(match.group(1)) == old:
        return new + line[match.end() :]
    return line


def resolve_for_image(
    requirements: str, target: WheelTarget, index: IndexOptions, workdir: Path, substitute: bool = True
) -> tuple[str, list[str]]:
    """resolve(), swapping a source-only distribution for its wheel twin when that is what failed.

    Returns the pins and the swaps made (original -> twin). Only a resolution that failed for want of
    wheels is retried, so a requirement that resolves as written is never changed.
    """
    try:
        return resolve(requirements, target, index, workdir), {}
    except JettisonError as error:
        first = error
        failed = {normalize_name(name) for name in _NO_WHEELS.findall(str(error))}
        swaps = {name: name + TWIN_SUFFIX for name in failed if not name.endswith(TWIN_SUFFIX)}
        if not substitute or not swaps:
            raise
    lines = requirements.splitlines()
    for old, new in swaps.items():
        lines = [_swap_name(line, old, new) for line in lines]
    try:
        pins = resolve("".join(f"{line}\n" for line in lines), target, index, workdir)
    except JettisonError:
        raise first from None  # no twin either: the first failure says what is missing
    return pins, swaps


def swap_notes(swaps: dict[str, str], platform: str) -> list[str]:
    return [
        f"{old} has no wheels for {platform}: installed {new} (its wheel, libraries bundled, holds the same "
        "import package); give --no-substitute to fail instead"
        for old, new in sorted(swaps.items())
    ]


def twin_provides(site: Path, original: str) -> bool:
    """The installed twin holds the import package of the distribution it stands in for: a top-level
    directory or module named as the original is imported (`psycopg2` for psycopg2)."""
    module = original.replace("-", "_").replace(".", "_").lower()
    return (site / module).is_dir() or any(site.glob(f"{module}.*"))


def install(pinned: str, target: WheelTarget, index: IndexOptions, staging: Path) -> None:
    """Install exactly the pinned wheels (no resolution, no deps) into `staging/site` and `staging/bin`."""
    staging.mkdir(parents=True, exist_ok=True)
    pins = staging / "pinned.txt"
    pins.write_text(pinned, encoding="utf-8")
    _run_uv(
        [
            "pip", "install", "--quiet", "--target", str(staging / "site"), "--no-deps", "-r", str(pins),
            "--python-platform", target.python_platform, "--python-version", target.resolve_for,
            "--only-binary", ":all:",
            # Copies, never hard links into uv's cache: the shebangs are rewritten in place below.
            "--link-mode", "copy", *index.args(),
        ],
        f"installing wheels for {target.python_platform}",
    )  # fmt: skip


def _rewrite_shebang(path: Path, python: str) -> None:
    data = path.read_bytes()
    trampoline = _SH_TRAMPOLINE.match(data)
    if trampoline:
        data = data[trampoline.end() :]
    elif data.startswith(b"#!"):
        first, _, rest = data.partition(b"\n")
        if not _SCRIPT_PYTHON.match(first):
            return  # a shell or other script shipped as data: leave it as written
        data = rest
    else:
        return
    path.write_bytes(b"#!" + python.encode() + b"\n" + data)


def _record_paths(record: Path) -> list[str]:
    paths = []
    for line in record.read_text(encoding="utf-8").splitlines():
        # RECORD is CSV, but paths with commas are quoted; rsplit on the two trailing fields suffices.
        path = line.rsplit(",", 2)[0].strip('"')
        if path:
            paths.append(path)
    return paths


def _rewrite_record(record: Path, scripts: dict[str, Path]) -> None:
    """RECORD lines for the scripts: the path a venv install writes and the hash of the new shebang."""
    rows = list(csv.reader(io.StringIO(record.read_text(encoding="utf-8"))))
    for row in rows:
        if row and row[0] in scripts:
            data = scripts[row[0]].read_bytes()
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            row[:] = ["../../../" + row[0], f"sha256={digest}", str(len(data))]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    record.write_text(out.getvalue(), encoding="utf-8")


def venv_distributions(staging: Path, target: WheelTarget) -> list[Distribution]:
    """The staged install as distributions whose files carry their paths inside the image venv.

    Files come from each dist-info RECORD (so a layer holds whole distributions); scripts under
    staging/bin get their shebang pointed at the venv's python, and their RECORD lines the path a
    venv install would have written, so `pip uninstall` inside the image still works.
    """
    site = staging / "site"
    bin_dir = site / "bin"
    python = f"{target.venv}/bin/python"
    tag = "cpython-" + target.python_version.replace(".", "")
    dists: list[Distribution] = []
    claimed: set[str] = set()
    for info in sorted(site.glob("*.dist-info")):
        name, _, version = info.name[: -len(".dist-info")].partition("-")
        dist = Distribution(name, version)
        record = info / "RECORD"
        paths = _record_paths(record) if record.is_file() else []
        rewritten: dict[str, Path] = {}
        for rel in sorted(set(paths)):
            host = site / rel
            if rel.startswith("bin/"):
                if host.is_file():
                    _rewrite_shebang(host, python)
                    dist.files.append(StagedFile(f"{target.venv}/{rel}", host, 0o755))
                    rewritten[rel] = host
                claimed.add(rel)
                continue
            if not host.is_file() or host.is_symlink():
                continue
            claimed.add(rel)
            mode = 0o755 if os.access(host, os.X_OK) else 0o644
            dist.files.append(StagedFile(f"{target.site_packages}/{rel}", host, mode))
            if rel.endswith(".py"):
                # compile_bytecode's output belongs to the distribution of its source.
                directory, _, stem = rel[:-3].rpartition("/")
                pyc = f"{directory}/__pycache__/{stem}.{tag}.pyc".lstrip("/")
                if (site / pyc).is_file() and pyc not in claimed:
                    claimed.add(pyc)
                    dist.files.append(StagedFile(f"{target.site_packages}/{pyc}", site / pyc))
        if rewritten:
            _rewrite_record(record, rewritten)
        dists.append(dist)
    # Files no RECORD names (uv's own markers, .pth files of some builds) would otherwise vanish.
    orphans = Distribution("_unrecorded", "")
    for host in sorted(site.rglob("*")):
        rel = host.relative_to(site).as_posix()
        if host.is_file() and not host.is_symlink() and rel not in claimed and not rel.startswith("bin/"):
            if rel.endswith(".pyc") or rel == ".lock":
                continue
            orphans.files.append(StagedFile(f"{target.site_packages}/{rel}", host))
    if orphans.files:
        dists.append(orphans)
    if bin_dir.is_dir():
        for script in sorted(bin_dir.iterdir()):
            if f"bin/{script.name}" not in claimed and script.is_file():
                _rewrite_shebang(script, python)
                orphans.files.append(StagedFile(f"{target.venv}/bin/{script.name}", script, 0o755))
                if orphans not in dists:
                    dists.append(orphans)
    return dists


def venv_skeleton(target: WheelTarget, python_full_version: str | None = None) -> list[StagedFile]:
    """pyvenv.cfg and the interpreter links: what makes /opt/venv a venv of the base's Python."""
    home = target.interpreter.rsplit("/", 1)[0]
    version = python_full_version or target.python_version
    cfg = f"home = {home}\ninclude-system-site-packages = false\nversion = {version}\n"
    return [
        StagedFile(f"{target.venv}/pyvenv.cfg", None, 0o644, content=cfg.encode()),
        StagedFile(f"{target.venv}/bin/python", None, 0o777, link_target=target.interpreter),
        StagedFile(f"{target.venv}/bin/python3", None, 0o777, link_target="python"),
        StagedFile(f"{target.venv}/bin/python{target.python_version}", None, 0o777, link_target="python"),
    ]


def matching_interpreter(version: str) -> str | None:
    """A host interpreter of exactly this minor version (for bytecode), or None."""
    for candidate in (shutil.which(f"python{version}"),):
        if candidate is None:
            continue
        probe = subprocess.run(
            [candidate, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if probe.returncode == 0 and probe.stdout.strip() == version:
            return candidate
    try:
        found = _run_uv(["python", "find", version], f"finding Python {version}").strip()
    except JettisonError:
        return None
    return found or None


def compile_bytecode(staging: Path, target: WheelTarget) -> bool:
    """Compile staging/site to unchecked-hash .pyc naming the in-image paths; False if no interpreter.

    A .pyc is tied to its minor version; compiling with the host's 3.12 for a 3.11 image would give
    files the image's Python ignores, so without a matching interpreter nothing is compiled.
    """
    interpreter = matching_interpreter(target.python_version)
    if interpreter is None:
        return False
    env = {**os.environ, "PYTHONHASHSEED": "0", "SOURCE_DATE_EPOCH": "0"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    result = subprocess.run(
        [
            interpreter, "-m", "compileall", "-q", "-j", "0", "--invalidation-mode", "unchecked-hash",
            "-d", target.site_packages, str(staging / "site"),
        ],
        capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip
    # compileall exits 1 when a file has a syntax error (py2-only test data in some wheels): ignorable.
    return result.returncode in (0, 1)
