"""Fail when a test file under tests/ is never collected by pytest.

pytest silently skips whole folders (its default norecursedirs holds `build`, `dist`, dotted names...),
so a test file can sit in the tree for months without running. This compares the files named
test_*.py / *_test.py under tests/ with the files of the node ids `pytest --collect-only` reports, over
every marker (`-m ''` undoes the default deselection of slow tests), and lists the difference.

    python3 scripts/check-collected.py        # exit 1 and the list when a file is missing
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# Sample projects are audit input, not tests (tests/conftest.py ignores them on purpose).
IGNORED = ("tests/fixtures/", "/fixtures/")


def test_files() -> set[str]:
    found = set()
    for path in (REPO / "tests").rglob("*.py"):
        relative = path.relative_to(REPO).as_posix()
        if any(part in f"/{relative}" for part in IGNORED):
            continue
        if path.name.startswith("test_") or path.name.endswith("_test.py"):
            found.add(relative)
    return found


def collected_files() -> set[str]:
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-m", "", "-p", "no:cacheprovider"],
        cwd=REPO, capture_output=True, text=True,
    )
    if result.returncode not in (0, 5):
        tail = result.stdout[-4000:] + result.stderr
        sys.exit(f"pytest --collect-only failed ({result.returncode}):\n{tail}")
    return {line.split("::", 1)[0] for line in result.stdout.splitlines() if "::" in line}


def main() -> int:
    missing = sorted(test_files() - collected_files())
    if missing:
        print(f"{len(missing)} test file(s) under tests/ are never collected by pytest:", file=sys.stderr)
        for name in missing:
            print(f"  {name}", file=sys.stderr)
        return 1
    print(f"every test file under tests/ is collected ({len(test_files())} files)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
