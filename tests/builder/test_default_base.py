"""No --base: Docker Hub's python:X-slim when it answers, else the debian:// base for that Python."""

from __future__ import annotations

import pytest

from jettison.builder.progress import SilentProgress
from jettison.builder.run import _default_base
from jettison.errors import JettisonError

# A registry that refuses every connection: what a machine without Docker Hub sees, without the network.
UNREACHABLE = "127.0.0.1:9/python:{}-slim"


class Notes(SilentProgress):
    def __init__(self) -> None:
        self.notes: list[str] = []

    def note(self, text: str) -> None:
        self.notes.append(text)


@pytest.mark.parametrize(("python", "suite"), [("3.11", "bookworm"), ("3.13", "trixie")])
def test_an_unreachable_registry_gives_the_debian_base_of_that_python(python: str, suite: str) -> None:
    progress = Notes()
    assert _default_base(UNREACHABLE.format(python), python, progress) == f"debian://{suite}"
    assert any(f"building on debian://{suite}" in note for note in progress.notes)


def test_a_python_no_suite_ships_names_the_choices() -> None:
    expected = r"no Debian suite ships Python 3.12: give --base IMAGE, or one of debian://bookworm \(Python 3"
    with pytest.raises(JettisonError, match=expected):
        _default_base(UNREACHABLE.format("3.12"), "3.12", Notes())
