"""What the audit knows about one distribution: the modules it provides, what it requires, its size.

`provided_modules()` derives import names from a wheel's (or an installed RECORD's) file list rather
than top_level.txt: the list is always there, and it tells namespace packages apart
(google-cloud-storage provides `google.cloud.storage`, protobuf provides `google.protobuf`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any

from jettison.model.requirements import normalize_name


@dataclass(frozen=True)
class DistributionInfo:
    name: str  # normalized
    version: str | None
    modules: tuple[str, ...]  # import names provided (dotted for namespace packages)
    requires: tuple[str, ...] | None  # raw Requires-Dist strings; None when unknown
    size: int | None = None  # installed bytes on the target platform
    source: str = ""  # provenance: which link of the chain produced this
    extras: tuple[str, ...] = field(default=())  # Provides-Extra
    scripts: tuple[str, ...] = field(default=())  # console/gui script names it installs (entry points)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name, "version": self.version, "modules": list(self.modules),
            "requires": None if self.requires is None else list(self.requires), "size": self.size,
            "source": self.source, "extras": list(self.extras), "scripts": list(self.scripts),
        }  # fmt: skip

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DistributionInfo:
        requires = data.get("requires")
        return cls(
            data["name"], data.get("version"), tuple(data.get("modules") or ()),
            None if requires is None else tuple(requires), data.get("size"), data.get("source", ""),
            tuple(data.get("extras") or ()), tuple(data.get("scripts") or ()),
        )  # fmt: skip


def parse_metadata(text: str) -> tuple[tuple[str, ...], tuple[str, ...], str | None]:
    """Requires-Dist, Provides-Extra and Requires-Python from a METADATA/PKG-INFO document."""
    import email.parser  # only when index metadata is read, never on a warm audit

    message = email.parser.HeaderParser().parsestr(text)
    requires = tuple(message.get_all("Requires-Dist") or ())
    extras = tuple(normalize_name(e) for e in (message.get_all("Provides-Extra") or ()))
    return requires, extras, message.get("Requires-Python")


def is_subcommand_group(group: str) -> bool:
    """Entry-point groups through which a CLI finds its plugins' subcommands: `<cli>.commands`, the
    convention of Flask (flask.commands) and Celery (celery.commands). A `flask digest compile` in a boot
    script needs the distribution that registers `digest` there, though no code imports it."""
    return group.endswith(".commands") and group.count(".") == 1


def parse_entry_points(text: str) -> tuple[str, ...]:
    """Script names from an entry_points.txt ([console_scripts] and [gui_scripts] sections), and
    subcommands that plugins register with a CLI, as `<group>:<name>` (`flask.commands:digest`)."""
    import configparser

    parser = configparser.ConfigParser(delimiters=("=",), interpolation=None, strict=False)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    try:
        parser.read_string(text)
    except configparser.Error:
        return ()
    names = [name for section in ("console_scripts", "gui_scripts") if parser.has_section(section)
             for name in parser.options(section)]  # fmt: skip
    names += [f"{section}:{name}" for section in parser.sections() if is_subcommand_group(section)
              for name in parser.options(section)]  # fmt: skip
    return tuple(sorted(set(names)))


_MODULE_SUFFIXES = (".py", ".so", ".pyd", ".pyc")


def provided_modules(paths: list[str]) -> tuple[str, ...]:
    """Import names a set of installed file paths provides.

    For each Python file, the provided name is the shortest prefix that is a regular package (has
    `__init__.py`) or the module itself; namespace directories without `__init__.py` therefore give
    their first regular sub-package. `.data/purelib` and `.data/platlib` count as top level.
    """
    cleaned: list[list[str]] = []
    for raw in paths:
        path = raw.replace("\\", "/").lstrip("./")
        parts = path.split("/")
        if parts[0].endswith(".data") and len(parts) > 2 and parts[1] in ("purelib", "platlib"):
            parts = parts[2:]
        if parts[0].endswith((".dist-info", ".data", ".egg-info")) or parts[0] in ("..", "__pycache__"):
            continue
        if not parts[-1].endswith(_MODULE_SUFFIXES) or "__pycache__" in parts:
            continue
        cleaned.append(parts)
    packages = {tuple(p[:-1]) for p in cleaned if p[-1] in ("__init__.py", "__init__.pyc")}
    provided: set[str] = set()
    for parts in cleaned:
        for depth in range(1, len(parts)):
            if tuple(parts[:depth]) in packages:
                provided.add(".".join(parts[:depth]))
                break
        else:
            stem = parts[-1].split(".", 1)[0]
            if stem == "__init__":
                continue
            if all(part.isidentifier() for part in parts[:-1]) and stem.isidentifier():
                # A module file inside a namespace directory: name the directory (google.api), which
                # longest-prefix matching still tells apart from other distributions sharing `google`.
                provided.add(".".join(parts[:-1]) if len(parts) > 2 else ".".join([*parts[:-1], stem]))
    # Drop names inside another provided name (a module inside a package already listed).
    result = sorted(n for n in provided if not any(n.startswith(o + ".") for o in provided if o != n))
    return tuple(result)


# setuptools' automatic discovery (setuptools.discovery.FlatLayout*Finder.DEFAULT_EXCLUDE, setuptools 80):
# in a flat layout these top-level directories and modules are not installed. Copied rather than imported
# because setuptools is not a dependency of jettison and its discovery module pulls in its build machinery.
_FLAT_EXCLUDED_PACKAGES = (
    "ci", "bin", "doc", "docs", "documentation", "manpages", "news", "changelog", "test", "tests",
    "unit_test", "unit_tests", "example", "examples", "scripts", "tools", "util", "utils", "python", "build",
    "dist", "venv", "env", "requirements", "tasks", "fabfile", "site_scons", "benchmark", "benchmarks",
    "exercise", "exercises", "[._]*",
)  # fmt: skip
_FLAT_EXCLUDED_MODULES = (
    "setup", "conftest", "test", "tests", "example", "examples", "build", "toxfile", "noxfile", "pavement",
    "dodo", "tasks", "fabfile", "[Ss][Cc]onstruct", "conanfile", "manage", "benchmark", "benchmarks",
    "exercise", "exercises", "[._]*",
)  # fmt: skip


# In DistributionInfo.source: the modules came from an sdist's file list, a hint that later links complete.
SDIST_FILE_LIST = "file list (no wheel)"


def sdist_modules(members: list[str]) -> tuple[str, ...]:
    """Import names an sdist's file list suggests its build installs (a distribution with no wheel for the
    target, such as django-allauth 0.63: its import name `allauth` is in no other metadata).

    The layout rules are setuptools' automatic discovery: with a top-level `src/`, what is under it;
    otherwise the top-level packages and modules minus the ones discovery leaves out. A build configured
    otherwise (package_dir, a compiled extension named elsewhere) can differ, so callers say the names
    came from the sdist; listing one name too many only ever keeps a package, never drops one.
    """
    paths = [m.replace("\\", "/").split("/", 1)[1] for m in members if "/" in m.replace("\\", "/")]
    under_src = [p.removeprefix("src/") for p in paths if p.startswith("src/")]
    if any(p.endswith(".py") for p in under_src):
        return provided_modules(under_src)

    def installed(path: str) -> bool:
        top, _, rest = path.partition("/")
        if rest:
            return not any(fnmatchcase(top, pattern) for pattern in _FLAT_EXCLUDED_PACKAGES)
        stem = top.split(".", 1)[0]
        return not any(fnmatchcase(stem, pattern) for pattern in _FLAT_EXCLUDED_MODULES)

    return provided_modules([p for p in paths if installed(p)])
