"""deb822 paragraphs (Packages, InRelease's signed text), dpkg version order, relation fields."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jettison.debian.archive import Release
from jettison.debian.control import Relation, Version, compare_versions, parse_paragraphs, parse_relations
from jettison.errors import JettisonError

field_names = st.from_regex(r"[A-Z][A-Za-z0-9-]{0,12}", fullmatch=True)
single_line = st.from_regex(r"[!-~]([ -~]{0,30}[!-~])?", fullmatch=True)
continuation = st.lists(st.from_regex(r"[!-~][ -~]{0,20}", fullmatch=True), max_size=3)
paragraph = st.dictionaries(field_names, st.tuples(single_line, continuation), min_size=1, max_size=6)


def render(paragraphs: list[dict[str, tuple[str, list[str]]]]) -> str:
    out = []
    for fields in paragraphs:
        lines = []
        for name, (first, more) in fields.items():
            lines.append(f"{name}: {first}")
            lines += [f" {line}" for line in more]
        out.append("\n".join(lines) + "\n")
    return "\n".join(out)


@given(st.lists(paragraph, max_size=4))
def test_paragraphs_round_trip(paragraphs: list[dict[str, tuple[str, list[str]]]]) -> None:
    parsed = list(parse_paragraphs(render(paragraphs)))
    assert parsed == [{k: "\n".join([first, *more]) for k, (first, more) in p.items()} for p in paragraphs]


@given(st.text(max_size=200))
def test_any_text_parses_or_is_a_located_error(text: str) -> None:
    try:
        list(parse_paragraphs(text, "Packages"))
    except JettisonError as error:
        assert error.path == "Packages" and error.line is not None


def test_continuation_before_field_names_the_line() -> None:
    with pytest.raises(JettisonError) as caught:
        list(parse_paragraphs("Package: a\n\n continued\n", "Packages"))
    assert str(caught.value).startswith("Packages:3:")


def test_release_sha256_table() -> None:
    text = (
        "Origin: Debian\nCodename: bookworm\nAcquire-By-Hash: yes\nSHA256:\n"
        " " + "ab" * 32 + "  1234 main/binary-amd64/Packages.xz\n"
        " " + "CD" * 32 + " 99 main/binary-amd64/Release\n"
    )
    release = Release.parse(text, "InRelease")
    entry = release.files["main/binary-amd64/Packages.xz"]
    assert (entry.sha256, entry.size) == ("ab" * 32, 1234)
    assert release.files["main/binary-amd64/Release"].sha256 == "cd" * 32
    assert release.by_hash
    with pytest.raises(JettisonError, match="no SHA256"):
        Release.parse("Codename: bookworm\n", "InRelease")


# dpkg's own ordering examples (lib/dpkg/t/t-version.c and Debian policy 5.6.12).
ORDERED = [
    "0~~", "0~~a", "0~", "0", "0.9", "0.9-1", "1.0~rc1", "1.0", "1.0-0", "1.0-1", "1.0-1+b1", "1.0a", "1.0+1",
    "1.00.1", "1.1", "1.10", "2:0.1", "2:0.1-1",
]  # fmt: skip


def test_dpkg_order() -> None:
    for lower, higher in zip(ORDERED, ORDERED[1:], strict=False):
        if compare_versions(lower, higher) == 0:
            continue
        assert compare_versions(lower, higher) < 0, (lower, higher)
        assert compare_versions(higher, lower) > 0, (lower, higher)
    assert compare_versions("1.0", "1.00") == 0
    assert compare_versions("1.0", "1.0-0") == 0
    assert compare_versions("3.11.2-6+deb12u6", "3.11.2-6+deb12u10") < 0


versions = st.from_regex(r"([0-9]:)?[0-9][A-Za-z0-9.+~]{0,6}(-[A-Za-z0-9.+~]{1,4})?", fullmatch=True)


@given(versions, versions, versions)
def test_order_is_total(a: str, b: str, c: str) -> None:
    assert compare_versions(a, a) == 0
    assert (compare_versions(a, b) > 0) == (compare_versions(b, a) < 0)
    if compare_versions(a, b) <= 0 and compare_versions(b, c) <= 0:
        assert compare_versions(a, c) <= 0
    assert compare_versions(str(Version.parse(a)), a) == 0


def test_relations() -> None:
    groups = parse_relations(
        "libc6 (>= 2.34), debconf (>= 0.5) | debconf-2.0, python3:any, libx [!amd64] <!nocheck>"
    )
    assert groups[0] == (Relation("libc6", ">=", "2.34"),)
    assert [r.name for r in groups[1]] == ["debconf", "debconf-2.0"]
    assert groups[2] == (Relation("python3"),)
    assert not groups[3][0].applies_to("amd64") and groups[3][0].applies_to("arm64")
    assert Relation("libc6", ">=", "2.34").satisfied_by("2.36-9")
    assert not Relation("libc6", "<<", "2.34").satisfied_by("2.36-9")
    assert not Relation("libc6", ">=", "2.34").satisfied_by(None)  # an unversioned Provides
    with pytest.raises(JettisonError, match="cannot read relation"):
        parse_relations("libc6 (>= 2.34")


names = st.from_regex(r"[a-z0-9][a-z0-9+.-]{0,10}", fullmatch=True)
ops = st.sampled_from(["<<", "<=", "=", ">=", ">>"])
relations = st.builds(Relation, names, ops, versions) | st.builds(Relation, names)


@given(st.lists(st.lists(relations, min_size=1, max_size=3), max_size=5))
def test_relations_round_trip(groups: list[list[Relation]]) -> None:
    text = ", ".join(" | ".join(str(r) for r in group) for group in groups)
    assert parse_relations(text) == [tuple(group) for group in groups]
