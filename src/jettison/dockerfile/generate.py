"""Writing an optimized Dockerfile and .dockerignore from a project's facts.

The recipe is the one the story arrived at, without its bugs:
- two stages from the same `python:<ver>-slim` base: compilers and -dev headers only in the builder,
  which builds a virtualenv; the final stage copies the venv (the interpreter link inside it resolves
  because both stages share the base) and installs only the run-time libraries the -dev packages imply;
- the pruned requirements are copied and installed before the source, with a pip cache mount, so an
  edit to the code reuses the dependency layer and downloads are kept between builds, not in the image;
- the venv is put on PATH (an `activate` in a RUN has no effect on later layers);
- build ARGs only for what varies at build time (PYTHON_VERSION); run-time settings are ENV (PORT),
  which the container reads when it starts;
- a non-root USER, exec-form ENTRYPOINT/CMD so SIGTERM reaches Gunicorn, which reads gunicorn.conf.py.

The output has no `# syntax=` line and no heredocs: both need a BuildKit frontend image, which an
offline or older engine can't pull; `RUN --mount=type=cache` is in every built-in frontend since 18.09.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from jettison.gunicorn.config import GunicornDefaults
from jettison.project.dockerignore import DockerIgnore

# apt packages needed only to build wheels: they stay in the builder stage.
BUILD_ONLY_PACKAGES = frozenset(
    {
        "autoconf",
        "automake",
        "build-essential",
        "cargo",
        "clang",
        "cmake",
        "g++",
        "gcc",
        "gfortran",
        "git",
        "libtool",
        "make",
        "pkg-config",
        "pkgconf",
        "python-dev",
        "python3-dev",
        "rustc",
        "swig",
    }
)

# -dev package -> the shared library a wheel built against it loads at run time (Debian bookworm names).
# Libraries every python:*-slim image already holds (libssl3, zlib1g, libffi8, libbz2, liblzma, ...)
# map to None: nothing to install.
RUNTIME_LIBRARY = {
    "libpq-dev": "libpq5",
    "default-libmysqlclient-dev": "libmariadb3",
    "libmariadb-dev": "libmariadb3",
    "libmariadb-dev-compat": "libmariadb3",
    "libmysqlclient-dev": "libmariadb3",
    "libxml2-dev": "libxml2",
    "libxslt1-dev": "libxslt1.1",
    "libxslt-dev": "libxslt1.1",
    "libjpeg-dev": "libjpeg62-turbo",
    "libjpeg62-turbo-dev": "libjpeg62-turbo",
    "libpng-dev": "libpng16-16",
    "libtiff-dev": "libtiff6",
    "libwebp-dev": "libwebp7",
    "libfreetype6-dev": "libfreetype6",
    "libfreetype-dev": "libfreetype6",
    "liblcms2-dev": "liblcms2-2",
    "libopenjp2-7-dev": "libopenjp2-7",
    "libyaml-dev": "libyaml-0-2",
    "libgeos-dev": "libgeos-c1v5",
    "libproj-dev": "libproj25",
    "libgdal-dev": "libgdal32",
    "libcurl4-openssl-dev": "libcurl4",
    "libldap2-dev": "libldap-2.5-0",
    "libldap-dev": "libldap-2.5-0",
    "libsasl2-dev": "libsasl2-2",
    "libopenblas-dev": "libopenblas0",
    "liblapack-dev": "liblapack3",
    "libblas-dev": "libblas3",
    "libmagic-dev": "libmagic1",
    "libsnappy-dev": "libsnappy1v5",
    "libzmq3-dev": "libzmq5",
    "libmemcached-dev": "libmemcached11",
    "unixodbc-dev": "libodbc2",
    "libkrb5-dev": "libgssapi-krb5-2",
    "libsqlite3-dev": None,
    "libssl-dev": None,
    "libffi-dev": None,
    "zlib1g-dev": None,
    "libbz2-dev": None,
    "liblzma-dev": None,
    "libreadline-dev": None,
    "libncurses-dev": None,
    "libncurses5-dev": None,
    "libgdbm-dev": None,
    "uuid-dev": None,
}

PYTHON_HEADER_PACKAGES = frozenset({"python3-dev", "python-dev"})
VENV = "/opt/venv"
APP_USER = "app"
APP_UID = 10001

# Environment the generated file sets itself; the user's own values for these are not carried over.
MANAGED_ENV = frozenset(
    {"PATH", "PORT", "PYTHONUNBUFFERED", "PYTHONDONTWRITEBYTECODE", "PIP_NO_CACHE_DIR", "VIRTUAL_ENV"}
)


@dataclass(frozen=True)
class ImageFacts:
    """What the generated Dockerfile needs to know about the project.

    python_version: `3.11`, for the `python:<ver>-slim` base of both stages.
    apt_packages:   every apt package the old Dockerfile installed; split into builder and run time.
    env, labels:    the user's ENV and LABEL values to keep (name, value), in order.
    expose:         ports to EXPOSE besides the Gunicorn port.
    copies:         the source COPYs to keep, (context sources, destination); the whole context
                    into WORKDIR by default. The requirements are copied separately (first).
    entrypoint:     path of the entrypoint script in the context, when the app needs one.
    health_path:    an HTTP path answering 200 when healthy, for the HEALTHCHECK (None: no check).
    """

    python_version: str = "3.11"
    apt_packages: tuple[str, ...] = ()
    requirements_file: str = "requirements.txt"
    workdir: str = "/app"
    gunicorn: GunicornDefaults = field(default_factory=GunicornDefaults)
    gunicorn_conf: str = "gunicorn.conf.py"
    env: tuple[tuple[str, str], ...] = ()
    labels: tuple[tuple[str, str], ...] = ()
    expose: tuple[int, ...] = ()
    entrypoint: str | None = None
    health_path: str | None = None
    image_name: str = "app"
    copies: tuple[tuple[tuple[str, ...], str], ...] = (((".",), "."),)
    # Steps of the final image that this reading cannot reproduce, as (line, what): another stage's
    # output, a RUN that makes files, a local install. `jettison build` refuses while any remain.
    unreproducible: tuple[tuple[int | None, str], ...] = ()
    # (ENTRYPOINT, CMD) in exec form when the recipe starts something other than Gunicorn (`fastapi run`,
    # uvicorn, a script): jettison build keeps them as they are. None: the recipe runs Gunicorn.
    original_command: tuple[tuple[str, ...] | None, tuple[str, ...] | None] | None = None
    script: str | None = None  # the context path of the script ENTRYPOINT/CMD runs, if any

    @property
    def build_packages(self) -> list[str]:
        """Packages the builder needs: the compilers and headers, never a run-time-only package."""
        return sorted(p for p in set(self.apt_packages) if is_build_package(p))

    @property
    def runtime_packages(self) -> list[str]:
        """Packages the final image needs: the user's non-build packages and the libraries -dev implies."""
        packages = {p for p in self.apt_packages if not is_build_package(p)}
        packages |= {lib for p in self.apt_packages if (lib := RUNTIME_LIBRARY.get(p))}
        return sorted(packages)

    @property
    def unknown_dev_packages(self) -> list[str]:
        """-dev packages whose run-time library is not known: the final image may miss a library."""
        return sorted(p for p in set(self.apt_packages) if p.endswith("-dev") and p not in RUNTIME_LIBRARY)


def is_build_package(package: str) -> bool:
    return package in BUILD_ONLY_PACKAGES or package.endswith("-dev") or package.endswith("-dev-compat")


def _quote_env(value: str) -> str:
    """A value for `ENV NAME=value`: bare when safe, else double-quoted with Docker's escapes."""
    if value and all(c.isalnum() or c in "-_./:,@%+=" for c in value):
        return value
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$")
    return f'"{escaped}"'


# Python.h: the official images ship it with their Python; a Debian-packaged Python (a distro-built
# base) needs python3-dev. The interpreter is asked rather than the base guessed from its name.
_PYTHON_HEADERS = (
    "{ python3 -c 'import os, sys, sysconfig; "
    'sys.exit(not os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")))\' \\\n'
    "        || apt-get install -y --no-install-recommends python3-dev; }"
)


def _apt_install(packages: list[str], then: tuple[str, ...] = ()) -> list[str]:
    # One RUN: update, install and cleanup together, so the index is never stale in a cached layer
    # and the lists never reach the image.
    lines = [
        "RUN apt-get update \\",
        f"    && apt-get install -y --no-install-recommends {' '.join(packages)} \\",
    ]
    lines += [f"    && {step} \\" for step in then]
    lines.append("    && rm -rf /var/lib/apt/lists/*")
    return lines


def _copy(sources: tuple[str, ...], destination: str) -> str:
    words = [*sources, destination]
    if any(not word or any(c.isspace() for c in word) for word in words):
        return f"COPY {json.dumps(words)}"
    return "COPY " + " ".join(words)


def render_dockerfile(facts: ImageFacts) -> str:
    """The Dockerfile text for these facts (deterministic: same facts, same bytes)."""
    port = facts.gunicorn.port
    lines = [
        "# Written by `jettison fix`.",
        f"#   build: docker build -t {facts.image_name} .",
        f"#   run:   docker run -p {port}:{port} {facts.image_name}",
        "# Run-time settings are environment variables read by gunicorn.conf.py (PORT, WEB_CONCURRENCY,",
        "# TIMEOUT, ...); GUNICORN_CMD_ARGS overrides them all.",
        "",
        "# The Python of both stages: the venv built in the first runs in the second.",
        f"ARG PYTHON_VERSION={facts.python_version}",
        "",
        "# Builder: compilers and headers stay in this stage; only the finished virtualenv leaves it.",
        "FROM python:${PYTHON_VERSION}-slim AS builder",
    ]
    build_packages = facts.build_packages
    if build_packages:
        # python3-dev is Debian's Python's headers: on the official images it would pull in a second
        # Python, so the builder asks its own interpreter whether Python.h is there instead.
        packages = [p for p in build_packages if p not in PYTHON_HEADER_PACKAGES] or ["gcc"]
        lines.append("# Compilers and headers for wheels built from source (Python's too, if missing).")
        lines += _apt_install(packages, (_PYTHON_HEADERS,))
    lines += [
        f"RUN python3 -m venv {VENV}",
        f"ENV PATH={VENV}/bin:$PATH \\",
        "    PIP_DISABLE_PIP_VERSION_CHECK=1",
        "WORKDIR /build",
        "# Only the requirements: editing the source never invalidates the install below. The cache",
        "# mount keeps downloads between builds without storing them in a layer.",
        f"COPY {facts.requirements_file} requirements.txt",
        "RUN --mount=type=cache,target=/root/.cache/pip \\",
        "    pip install -r requirements.txt",
        "",
        "FROM python:${PYTHON_VERSION}-slim",
    ]
    for name, value in facts.labels:
        key = name if all(c.isalnum() or c in "-_./" for c in name) else json.dumps(name)
        lines.append(f"LABEL {key}={json.dumps(value)}")
    runtime_packages = facts.runtime_packages
    if runtime_packages:
        lines += _apt_install(runtime_packages)
    lines += [
        f"RUN groupadd --system --gid {APP_UID} {APP_USER} \\",
        f"    && useradd --system --uid {APP_UID} --gid {APP_UID} --no-create-home \\",
        f"        --shell /usr/sbin/nologin {APP_USER}",
        f"COPY --from=builder {VENV} {VENV}",
        "# PATH, not `activate`: a sourced script's changes end with its RUN, PATH holds for every process.",
        f"ENV PATH={VENV}/bin:$PATH \\",
        "    PYTHONUNBUFFERED=1 \\",
        "    PYTHONDONTWRITEBYTECODE=1 \\",
        f"    PORT={port}",
    ]
    user_env = [(name, value) for name, value in facts.env if name not in MANAGED_ENV]
    if user_env:
        lines.append("ENV " + " \\\n    ".join(f"{name}={_quote_env(value)}" for name, value in user_env))
    lines += [
        f"WORKDIR {facts.workdir}",
        *(_copy(sources, destination) for sources, destination in facts.copies),
        # Numeric: Kubernetes' runAsNonRoot can only verify a UID, not a name.
        f"USER {APP_UID}:{APP_UID}",
    ]
    ports = [port, *sorted(set(facts.expose) - {port})]
    lines.append("EXPOSE " + " ".join(str(p) for p in ports))
    if facts.health_path:
        probe = (
            "import os, urllib.request; "
            f"urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('PORT', '{port}') "
            f"+ {facts.health_path!r}, timeout=4)"
        )
        lines.append(
            "HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \\\n"
            f"    CMD {json.dumps(['python3', '-c', probe])}"
        )
    if facts.entrypoint:
        script = facts.workdir.rstrip("/") + "/" + facts.entrypoint
        lines.append(f"ENTRYPOINT {json.dumps([script])}")
    cmd = ["gunicorn", "--config", facts.gunicorn_conf, facts.gunicorn.app_module]
    lines.append(f"CMD {json.dumps(cmd)}")
    return "\n".join(lines) + "\n"


# What a build context of a Python web service should leave out, and why (the comment is written too).
DOCKERIGNORE_SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Version control and editor state", (".git", ".hg", ".svn", ".idea", ".vscode")),
    (
        "Virtualenvs and Python caches: built in the image, never copied in",
        (".venv", "venv", "env", "**/__pycache__", "**/*.py[cod]", "*.egg-info", ".pytest_cache",
         ".mypy_cache", ".ruff_cache", ".tox", ".nox", ".coverage", "htmlcov", "build", "dist"),
    ),
    (
        "Secrets: a COPY would bake them into a layer anyone with the image can read",
        (".env", ".env.*", "!.env.example", "*.pem", "*.key", "id_rsa*", "id_ed25519*", ".aws", ".ssh",
         ".netrc", ".pypirc"),
    ),
    ("Local data and logs", ("*.log", "*.sqlite3", "*.db", "node_modules")),
    (
        "The image recipe itself: changing it should not invalidate the source layer",
        ("Dockerfile*", ".dockerignore", "docker-compose*.yml", "compose*.yaml", "*.jettison-bak*"),
    ),
)


@dataclass(frozen=True)
class IgnoreFile:
    text: str
    dropped: tuple[str, ...] = ()  # our patterns left out because they would hide a needed file


def render_dockerignore(existing: str | None, needed: list[str]) -> IgnoreFile:
    """A .dockerignore: the user's patterns first, then the standard ones they lack.

    `needed` are context paths the Dockerfile copies (requirements, gunicorn.conf.py, entrypoint):
    a standard pattern that would exclude one is left out and reported.
    """
    existing_lines = existing.splitlines() if existing else []
    have = {line.strip() for line in existing_lines}
    out: list[str] = list(existing_lines)
    if out and out[-1].strip():
        out.append("")
    dropped: list[str] = []
    for title, patterns in DOCKERIGNORE_SECTIONS:
        chosen = []
        for pattern in patterns:
            if pattern in have:
                continue
            trial = DockerIgnore.from_text("\n".join([*existing_lines, *chosen, pattern]))
            if not pattern.startswith("!") and any(trial.excludes(path) for path in needed):
                dropped.append(pattern)
                continue
            chosen.append(pattern)
        # An exception alone (its pattern already present or dropped) is noise.
        if chosen and not all(p.startswith("!") for p in chosen):
            out += [f"# {title}", *chosen, ""]
    text = "\n".join(out).rstrip("\n") + "\n"
    return IgnoreFile(text=text, dropped=tuple(dropped))
