"""Budget values: sizes and fractions as users write them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jettison.errors import JettisonError
from jettison.inspect.budgets import Budgets, budgets_from_table, parse_fraction, parse_size


@given(st.integers(0, 10**12))
def test_plain_numbers_are_bytes(number):
    assert parse_size(str(number)) == number


@given(
    st.integers(0, 10**6),
    st.sampled_from(
        [
            ("kB", 10**3),
            ("MB", 10**6),
            ("GB", 10**9),
            ("KiB", 1024),
            ("MiB", 1024**2),
            ("GiB", 1024**3),
            ("M", 10**6),
            ("g", 10**9),
        ]
    ),
)
def test_units(number, unit):
    suffix, scale = unit
    assert parse_size(f"{number}{suffix}") == number * scale
    assert parse_size(f"{number} {suffix}") == number * scale


@pytest.mark.parametrize("text", ["", "MB", "12 parsecs", "-5MB", "1e9"])
def test_bad_sizes_are_user_errors(text):
    with pytest.raises(JettisonError):
        parse_size(text)


def test_fractions():
    assert parse_fraction("95%") == 0.95
    assert parse_fraction("0.9") == 0.9
    with pytest.raises(JettisonError):
        parse_fraction("120%")
    with pytest.raises(JettisonError):
        parse_fraction("most")


def test_table_and_override():
    file = budgets_from_table({"max-size": "1GB", "min-efficiency": 0.9}, "pyproject.toml")
    assert file == Budgets(max_size=10**9, min_efficiency=0.9)
    merged = file.merged_with(Budgets(max_size=5, max_package=7))
    assert merged == Budgets(max_size=5, min_efficiency=0.9, max_package=7)
    with pytest.raises(JettisonError, match="max-sise"):
        budgets_from_table({"max-sise": "1GB"}, "pyproject.toml")
