"""The new text of a requirements file with the unused requirements taken out.

Works on the file's own text, line by line: kept lines keep their comments, order, hashes, markers
and continuation lines byte for byte. A dropped requirement takes with it its continuation lines
(`--hash` lines) and the indented `# via ...` annotations pip-compile writes under it.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from jettison.deps.pipeline import audit_requirements
from jettison.errors import JettisonError
from jettison.model.audit import AuditOptions
from jettison.model.requirements import Verdict, normalize_name
from jettison.project.requirements_txt import parse_requirements_file


def remove_requirements(path: Path, drop: Iterable[str]) -> str:
    """`path`'s text without the requirement lines naming any of `drop` (its own lines, not includes)."""
    path = Path(path)
    dropped = {normalize_name(name) for name in drop}
    text = path.read_bytes().decode("utf-8-sig")
    shown = str(path)
    parsed = parse_requirements_file(path, path.parent)
    own = [line for line in parsed.lines if line.source.path == path.name or line.source.path == shown]
    remove: set[int] = set()  # 0-based physical line numbers
    physical = text.splitlines(keepends=True)
    for line in own:
        if line.name not in dropped or line.source.line is None:
            continue
        first = line.source.line - 1
        last = (line.last_line or line.source.line) - 1
        remove.update(range(first, last + 1))
        # pip-compile's annotations: indented comment lines right under the requirement.
        following = last + 1
        while following < len(physical) and physical[following].startswith((" ", "\t")) and physical[
            following
        ].lstrip().startswith("#"):
            remove.add(following)
            following += 1
    return "".join(content for number, content in enumerate(physical) if number not in remove)


def pruned_requirements(root: Path, requirements: Path, options: AuditOptions | None = None) -> str:
    """Audit the project at `root`, then return `requirements` without the lines judged unused."""
    requirements = Path(requirements)
    if not requirements.is_file():
        raise JettisonError("requirements file not found", str(requirements))
    audit = audit_requirements(Path(root), options or AuditOptions())
    unused = [v.name for v in audit.judgement.verdicts if v.verdict is Verdict.UNUSED]
    return remove_requirements(requirements, unused)
