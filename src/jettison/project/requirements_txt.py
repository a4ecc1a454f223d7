"""pip requirements files: `-r`/`-c` includes, markers, extras, hashes, URL and editable lines.

Each requirement is parsed by `packaging` (PEP 508). What pip adds on top of PEP 508 — options, line
continuations, comments, `#egg=` fragments, per-requirement `--hash` — is handled here because
packaging does not read requirements files and pip has no public API for it.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import InvalidWheelFilename, parse_wheel_filename

from jettison.errors import JettisonError
from jettison.model.requirements import RequirementLine, SourceRef

# pip's own rule: a comment starts at `#` at the beginning of the line or after whitespace.
_COMMENT = re.compile(r"(^|\s+)#.*$")
_PER_REQUIREMENT_OPTION = re.compile(r"\s+(--hash|--global-option|--install-option|--config-settings)[=\s]")
_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://|^file:")
_EGG = re.compile(r"[#&]egg=([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?")

# Options that only affect where pip looks, not what is installed.
_GLOBAL_FLAGS = {"--no-index", "--pre", "--prefer-binary", "--require-hashes", "--no-deps"}
_GLOBAL_WITH_VALUE = {
    "-i", "--index-url", "--extra-index-url", "-f", "--find-links", "--trusted-host",
    "--only-binary", "--no-binary", "--use-feature", "--progress-bar", "--config-settings",
}  # fmt: skip
LOCAL_GROUP = "local-path"
_INCLUDE = {"-r", "--requirement"}
# pip itself recurses without a limit; a chain deeper than this is crafted, not a project's layout.
MAX_INCLUDE_DEPTH = 50
_CONSTRAINT = {"-c", "--constraint"}
_EDITABLE = {"-e", "--editable"}

# File names (stems) that declare development tooling rather than what the service runs.
_DEV_NAME = re.compile(r"(^|[-_.])(dev|develop|test|tests|testing|lint|docs?|ci|typing|mypy)([-_.]|$)", re.I)


@dataclass
class ParsedRequirements:
    lines: list[RequirementLine] = field(default_factory=list)
    constraints: list[RequirementLine] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)


def dev_group_for(path: Path) -> str | None:
    """`requirements-dev.txt` and friends are development groups; `requirements.txt` is run time."""
    stem = path.name.removesuffix(".txt").removesuffix(".in")
    # requirements-dev.txt, or dev.txt inside a requirements/ directory; never the project's own name.
    rest = stem.removeprefix("requirements") if stem.startswith("requirements") else stem
    return stem if _DEV_NAME.search(rest) else None


def _logical_lines(text: str) -> list[tuple[int, int, str]]:
    """Join `\\` continuations; yield (first line, last line, text) with 1-based numbers."""
    out: list[tuple[int, int, str]] = []
    buffer: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        if not buffer:
            start = number
        if raw.endswith("\\") and not _COMMENT.search(raw):
            buffer.append(raw[:-1])
            continue
        buffer.append(raw)
        out.append((start, number, " ".join(part.strip() for part in buffer)))
        buffer = []
    if buffer:
        out.append((start, start + len(buffer) - 1, " ".join(part.strip() for part in buffer)))
    return out


def _split_option(tokens: list[str]) -> tuple[str, str | None, list[str]]:
    """`--opt=value`, `--opt value`, `-rvalue` -> (option, value, rest)."""
    head = tokens[0]
    if head.startswith("--") and "=" in head:
        option, value = head.split("=", 1)
        return option, value, tokens[1:]
    if not head.startswith("--") and len(head) > 2:
        return head[:2], head[2:], tokens[1:]
    if len(tokens) > 1:
        return head, tokens[1], tokens[2:]
    return head, None, []


def _requirement_from_url(url: str) -> Requirement | None:
    """Name a URL or path requirement from its `#egg=` fragment or its wheel file name."""
    egg = _EGG.search(url)
    if egg:
        try:
            return Requirement(egg.group(1) + (egg.group(2) or ""))
        except InvalidRequirement:
            return None
    try:
        filename = urlsplit(url).path.rsplit("/", 1)[-1]
    except ValueError:  # a malformed URL ("//[") names nothing
        return None
    if filename.endswith(".whl"):
        try:
            name, _, _, _ = parse_wheel_filename(filename)
        except InvalidWheelFilename:
            return None
        return Requirement(str(name))
    return None


def parse_requirements_file(
    path: Path, root: Path, group: str | None = None, seen: set[Path] | None = None
) -> ParsedRequirements:
    """Read one requirements file and everything it includes (files in `seen` are not read again).

    Raises JettisonError naming `file:line` for a line pip would reject too.
    """
    result = ParsedRequirements()
    if group is None:
        group = dev_group_for(Path(path))
    _parse_into(
        Path(path), Path(root), result, constraint=False, group=group, seen=set() if seen is None else seen
    )
    return result


def _display(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def _parse_into(
    path: Path,
    root: Path,
    result: ParsedRequirements,
    *,
    constraint: bool,
    group: str | None,
    seen: set[Path],
    depth: int = 0,
) -> None:
    key = path.resolve()
    if key in seen:  # a cycle of -r includes: pip would loop; reading each file once is enough
        return
    seen.add(key)
    shown = _display(path, root)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError as error:
        raise JettisonError("requirements file not found", shown) from error
    except UnicodeDecodeError as error:
        raise JettisonError(f"not UTF-8 text ({error.reason} at byte {error.start})", shown) from error
    except OSError as error:
        raise JettisonError(f"cannot read: {error.strerror}", shown) from error
    result.files.append(path)
    for first, last, logical in _logical_lines(text):
        comment_match = _COMMENT.search(logical)
        comment = comment_match.group(0).strip() if comment_match else None
        body = _COMMENT.sub("", logical).strip()
        if not body:
            continue
        where = SourceRef(shown, first)
        if body.startswith("-"):
            try:
                tokens = shlex.split(body)
            except ValueError as error:
                raise JettisonError(f"cannot split options: {error}", shown, first) from error
            option, value, _rest = _split_option(tokens)
            if option in _GLOBAL_FLAGS:
                continue
            if option in _GLOBAL_WITH_VALUE:
                if value is None:
                    raise JettisonError(f"option {option} needs a value", shown, first)
                continue
            if option in _INCLUDE or option in _CONSTRAINT:
                if value is None:
                    raise JettisonError(f"option {option} needs a file name", shown, first)
                if _URL.match(value):
                    raise JettisonError(f"cannot audit a remote requirements file: {value}", shown, first)
                included = (path.parent / value) if not Path(value).is_absolute() else Path(value)
                try:
                    included.resolve().relative_to(root.resolve())
                except ValueError:
                    # Never read (or echo) a file outside the project: the build context lacks it anyway.
                    raise JettisonError(
                        f"included file is outside the project: {value}", shown, first
                    ) from None
                if not included.is_file():
                    raise JettisonError(f"included file not found: {value}", shown, first)
                if depth + 1 > MAX_INCLUDE_DEPTH:
                    raise JettisonError(
                        f"-r/-c includes nested deeper than {MAX_INCLUDE_DEPTH} files", shown, first
                    )
                # The included file's own name decides: requirements-dev.txt may include base.txt.
                sub_group = dev_group_for(included)
                _parse_into(
                    included, root, result, constraint=constraint or option in _CONSTRAINT,
                    group=sub_group, seen=seen, depth=depth + 1,
                )  # fmt: skip
                continue
            if option in _EDITABLE:
                if value is None:
                    raise JettisonError("option -e needs a path or URL", shown, first)
                requirement = _requirement_from_url(value)
                line_group = group
                if requirement is None and not _URL.match(value):
                    # A local project (often the service itself) is built from source, never pruned.
                    requirement = _local_project_requirement(path.parent / value)
                    line_group = group or LOCAL_GROUP
                line = RequirementLine(
                    requirement, where, logical, comment=comment, editable=True, url=value, group=line_group,
                    last_line=last,
                )  # fmt: skip
                (result.constraints if constraint else result.lines).append(line)
                continue
            raise JettisonError(f"unknown option {option}", shown, first)
        line = _parse_requirement(body, where, logical, comment, group, last, path.parent)
        (result.constraints if constraint else result.lines).append(line)


def _parse_requirement(
    body: str, where: SourceRef, logical: str, comment: str | None, group: str | None, last: int, base: Path
) -> RequirementLine:
    hashes: list[str] = []
    option_match = _PER_REQUIREMENT_OPTION.search(body)
    spec = body
    if option_match:
        spec = body[: option_match.start()].strip()
        try:
            options = shlex.split(body[option_match.start() :])
        except ValueError as error:
            raise JettisonError(f"cannot split options: {error}", where.path, where.line) from error
        index = 0
        while index < len(options):
            option, value, _ = _split_option(options[index:])
            consumed = 1 if "=" in options[index] else 2
            if option == "--hash":
                if not value or ":" not in value:
                    raise JettisonError(f"malformed --hash {value!r}: expected ALGO:DIGEST", *_at(where))
                hashes.append(value)
            elif option not in ("--global-option", "--install-option", "--config-settings"):
                raise JettisonError(f"unknown per-requirement option {options[index]}", *_at(where))
            index += consumed
    archive = spec.endswith((".whl", ".tar.gz", ".zip")) and "@" not in spec  # not `name @ url`
    if _URL.match(spec) or spec.startswith((".", "/")) or archive:
        requirement = _requirement_from_url(spec)
        if requirement is None and not _URL.match(spec):
            requirement = _local_project_requirement(base / spec)
            group = group or LOCAL_GROUP
        return RequirementLine(
            requirement, where, logical, tuple(hashes), comment, url=spec, group=group, last_line=last
        )
    try:
        requirement = Requirement(spec)
    except InvalidRequirement as error:
        message = str(error).splitlines()[0]
        raise JettisonError(f"invalid requirement {spec!r}: {message}", *_at(where)) from error
    return RequirementLine(
        requirement, where, logical, tuple(hashes), comment, url=requirement.url, group=group, last_line=last
    )


def _at(where: SourceRef) -> tuple[str, int | None]:
    return where.path, where.line


def _local_project_requirement(path: Path) -> Requirement | None:
    """A local directory requirement names the project in its pyproject.toml, if it has one."""
    import tomllib

    pyproject = path / "pyproject.toml"
    try:
        name = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("project", {}).get("name")
    except (OSError, ValueError):  # ValueError: undecodable or bad TOML, or a NUL in the line's path
        return None
    if not isinstance(name, str):
        return None
    try:
        return Requirement(name)
    except InvalidRequirement:
        return None
