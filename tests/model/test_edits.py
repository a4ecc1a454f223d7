"""Edits as the fixer applies them: positions are the parser's, overlapping edits wait for a next pass."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jettison.model.edits import Edit, apply_edit_groups, apply_edits

TEXT = "FROM python:3.11\nRUN pip install \\\n    flask\nCOPY . .\n"


def test_replace_insert_and_delete_keep_every_other_byte() -> None:
    edits = [
        Edit("Dockerfile", 2, 1, 3, 10, "RUN pip install --no-cache-dir flask"),
        Edit("Dockerfile", 4, 1, 4, 1, "COPY requirements.txt .\n"),
    ]
    text, applied, skipped = apply_edits(TEXT, edits)
    assert text == (
        "FROM python:3.11\nRUN pip install --no-cache-dir flask\nCOPY requirements.txt .\nCOPY . .\n"
    )
    assert applied == edits and skipped == []


def test_overlapping_edits_and_two_insertions_at_one_point_are_skipped() -> None:
    first = Edit("D", 2, 1, 3, 10, "RUN true")
    inside = Edit("D", 3, 5, 3, 10, "django")
    here = Edit("D", 4, 1, 4, 1, "A\n")
    again = Edit("D", 4, 1, 4, 1, "B\n")
    text, applied, skipped = apply_edits(TEXT, [first, inside, here, again])
    assert applied == [first, here] and skipped == [inside, again]
    assert text.endswith("RUN true\nA\nCOPY . .\n")


def test_delete_lines_runs_to_the_end_of_the_text() -> None:
    text, _, _ = apply_edits(TEXT, [Edit.delete_lines("D", 4, 4)])
    assert text == "FROM python:3.11\nRUN pip install \\\n    flask\n"


def test_an_edit_outside_the_text_is_an_error() -> None:
    with pytest.raises(ValueError):
        apply_edits(TEXT, [Edit("D", 9, 1, 9, 1, "x")])
    with pytest.raises(ValueError):
        apply_edits(TEXT, [Edit("D", 1, 40, 1, 41, "x")])


@given(st.text(alphabet="ab\n", max_size=40), st.data())
def test_non_overlapping_replacements_compose_like_slicing(text: str, data: st.DataObject) -> None:
    # Pick two disjoint ranges by offset, turn them into (line, column) and compare with slicing.
    a = data.draw(st.integers(0, len(text)))
    b = data.draw(st.integers(a, len(text)))
    c = data.draw(st.integers(b, len(text)))
    d = data.draw(st.integers(c, len(text)))

    def position(offset: int) -> tuple[int, int]:
        before = text[:offset]
        return before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1

    first = Edit("f", *position(a), *position(b), "X")
    second = Edit("f", *position(c), *position(d), "Y")
    result, applied, skipped = apply_edits(text, [first, second])
    if a == c:  # two edits starting at one point conflict
        assert skipped == [second] and result == text[:a] + "X" + text[b:]
    else:
        assert skipped == [] and result == text[:a] + "X" + text[b:c] + "Y" + text[d:]


def test_a_group_is_applied_all_or_none() -> None:
    first = (Edit("D", 1, 1, 1, 5, "from"), Edit("D", 4, 1, 4, 1, "# moved\n"))
    crossing = (Edit("D", 2, 1, 2, 4, "run"), Edit("D", 1, 2, 1, 3, "x"))  # its second edit hits `first`
    itself = (Edit("D", 2, 1, 2, 4, "a"), Edit("D", 2, 2, 2, 3, "b"))
    text, outcomes = apply_edit_groups(TEXT, [first, crossing, itself, (Edit("D", 9, 1, 9, 1, "x"),)])
    assert outcomes[:3] == ["applied", "conflict", "its edits overlap each other"]
    assert outcomes[3].startswith("does not fit the file")
    assert text == "from python:3.11\nRUN pip install \\\n    flask\n# moved\nCOPY . .\n"
