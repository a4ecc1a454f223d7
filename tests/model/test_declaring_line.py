"""A package pruning took out but the image runs comes back as the project declared it."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from jettison.model.requirements import declaring_line

TEXT = "# server\nFlask==3.0.0\nGunicorn[gevent]==22.0.0 ; python_version >= '3.8'  # pinned\n-r base.txt\n"


def test_the_line_as_written_with_pin_extras_and_markers() -> None:
    assert declaring_line(TEXT, "gunicorn") == "Gunicorn[gevent]==22.0.0 ; python_version >= '3.8'  # pinned"
    assert declaring_line(TEXT, "flask") == "Flask==3.0.0"
    assert declaring_line(TEXT, "uvicorn") is None
    assert declaring_line("gunicorn-extras==1\n", "gunicorn") is None


@given(st.text(max_size=200), st.sampled_from(["gunicorn", "flask", "a"]))
def test_any_text_gives_a_line_of_it_or_none(text: str, name: str) -> None:
    found = declaring_line(text, name)
    assert found is None or found in text
