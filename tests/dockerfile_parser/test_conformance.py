"""BuildKit's own parser cases: positive ones dump BuildKit's AST dump byte for byte, negative ones fail."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from jettison.dockerfile.parser import dump, parse
from jettison.errors import JettisonError


def _shared_dir() -> Path:
    # ../shared beside the repository root, unless the environment says where it is.
    configured = os.environ.get("JETTISON_SHARED_DIR")
    return Path(configured) if configured else Path(__file__).resolve().parents[2].parent / "shared"


CONFORMANCE = _shared_dir() / "conformance" / "buildkit-dockerfile-parser"


def _cases(kind: str) -> list[Path]:
    folder = CONFORMANCE / kind
    return sorted(path for path in folder.iterdir() if path.is_dir()) if folder.is_dir() else []


_MISSING = pytest.mark.skipif(
    not CONFORMANCE.is_dir(), reason=f"conformance data not found at {CONFORMANCE} (set JETTISON_SHARED_DIR)"
)


@_MISSING
@pytest.mark.parametrize("case", _cases("testfiles"), ids=lambda path: path.name)
def test_positive_case_dumps_like_buildkit(case: Path) -> None:
    dockerfile = parse((case / "Dockerfile").read_bytes(), str(case / "Dockerfile"))
    assert dump(dockerfile) + "\n" == (case / "result").read_text(encoding="utf-8")


@_MISSING
@pytest.mark.parametrize("case", _cases("testfiles-negative"), ids=lambda path: path.name)
def test_negative_case_is_rejected(case: Path) -> None:
    with pytest.raises(JettisonError) as raised:
        parse((case / "Dockerfile").read_bytes(), "Dockerfile")
    assert raised.value.path == "Dockerfile" and raised.value.line is not None


@_MISSING
def test_the_suite_is_all_there() -> None:
    # A half-copied folder would silently shrink the parametrized cases above.
    assert len(_cases("testfiles")) >= 30 and len(_cases("testfiles-negative")) >= 4
