"""Depends/Pre-Depends closure: alternatives, Provides, version constraints, located failures."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jettison.debian.archive import Package
from jettison.debian.resolve import PackageIndex, resolve
from jettison.errors import JettisonError


def pkg(name: str, version: str = "1.0", arch: str = "amd64", **fields: str) -> Package:
    extra = {k.replace("_", "-"): v for k, v in fields.items()}
    return Package({"Package": name, "Version": version, "Architecture": arch, **extra})


def names(index: PackageIndex, roots: list[str], **kw: object) -> list[str]:
    return [p.name for p in resolve(index, roots, **kw).packages]  # type: ignore[arg-type]


def test_depends_and_pre_depends_are_followed_recommends_are_not() -> None:
    index = PackageIndex.of(
        [
            pkg("app", Pre_Depends="libc6 (>= 2.34)", Depends="libssl3", Recommends="docs"),
            pkg("libc6", "2.36-9", Depends="libgcc-s1"),
            pkg("libgcc-s1", "12.2.0-14"),
            pkg("libssl3", "3.0.15-1", Depends="libc6 (>= 2.34)"),
            pkg("docs", arch="all"),
            pkg("other-arch", arch="arm64"),
        ],
        "amd64",
    )
    resolution = resolve(index, ["app"])
    assert [p.name for p in resolution.packages] == ["app", "libc6", "libgcc-s1", "libssl3"]
    assert resolution.reasons["app"] == "root"
    assert resolution.reasons["libgcc-s1"] == "libc6 Depends libgcc-s1"
    assert "other-arch" not in index.by_name


def test_alternatives_first_satisfiable_and_already_chosen_wins() -> None:
    index = PackageIndex.of(
        [
            pkg("app", Depends="mawk (>= 2) | gawk, zlib1g | zlib-ng"),
            pkg("mawk", "1.3.4"),
            pkg("gawk", "5.2.1"),
            pkg("zlib1g", "1:1.2.13"),
            pkg("zlib-ng", "2.0"),
        ],
        "amd64",
    )
    assert names(index, ["app"]) == ["app", "gawk", "zlib1g"]
    # zlib-ng already in the roots satisfies the second alternative: zlib1g is not added
    assert names(index, ["zlib-ng", "app"]) == ["app", "gawk", "zlib-ng"]


def test_virtual_packages_through_provides_with_versions() -> None:
    index = PackageIndex.of(
        [
            pkg("app", Depends="awk, libfoo-abi (>= 2)"),
            pkg("mawk", "1.3.4", Provides="awk"),
            pkg("busybox", "1.35", Provides="awk"),
            pkg("libfoo1", "1.0", Provides="libfoo-abi (= 1)"),
            pkg("libfoo2", "2.0", Provides="libfoo-abi (= 2)"),
        ],
        "amd64",
    )
    # several providers, none chosen: the alphabetically first; a versioned need skips an older ABI
    assert names(index, ["app"]) == ["app", "busybox", "libfoo2"]
    assert names(index, ["mawk", "app"]) == ["app", "libfoo2", "mawk"]


def test_newest_version_meeting_the_constraint() -> None:
    index = PackageIndex.of(
        [pkg("app", Depends="lib (<< 2)"), pkg("lib", "2.0"), pkg("lib", "1.9"), pkg("lib", "1.10~rc1")],
        "amd64",
    )
    assert [str(p) for p in resolve(index, ["app"]).packages] == ["app 1.0", "lib 1.10~rc1"]


def test_unresolvable_names_package_field_and_relation() -> None:
    index = PackageIndex.of(
        [pkg("app", "3.1", Depends="libc6 (>= 9) | musl"), pkg("libc6", "2.36-9")], "amd64"
    )
    with pytest.raises(JettisonError) as caught:
        resolve(index, ["app"])
    assert "cannot resolve app 3.1 Depends: libc6 (>= 9) | musl" in str(caught.value)
    with pytest.raises(JettisonError, match="'nope' is not in the index"):
        resolve(index, ["nope"])


def test_skipped_script_only_dependencies_are_recorded() -> None:
    index = PackageIndex.of(
        [pkg("tzdata", Depends="debconf (>= 0.5) | debconf-2.0"), pkg("debconf")], "amd64"
    )
    resolution = resolve(index, ["tzdata"], skip={"debconf", "debconf-2.0"})
    assert [p.name for p in resolution.packages] == ["tzdata"]
    assert resolution.skipped["debconf"].startswith("tzdata Depends")


@given(
    st.lists(st.tuples(st.integers(0, 7), st.lists(st.integers(0, 7), max_size=3)), min_size=1, max_size=8)
)
def test_closure_is_closed(graph: list[tuple[int, list[int]]]) -> None:
    """Random dependency graphs among p0..p7 (a missing one makes a located error): the result holds
    every dependency of every chosen package, once."""
    defined = {f"p{n}": deps for n, deps in graph}
    index = PackageIndex.of(
        [pkg(name, Depends=", ".join(f"p{d}" for d in deps)) for name, deps in defined.items()], "amd64"
    )
    root = f"p{graph[0][0]}"
    try:
        chosen = names(index, [root])
    except JettisonError as error:
        assert "cannot resolve" in str(error)
        return
    assert len(chosen) == len(set(chosen)) and root in chosen
    for name in chosen:
        assert all(f"p{d}" in chosen for d in defined[name])


def test_a_root_renamed_by_a_transition_is_found_through_provides() -> None:
    """trixie renamed libssl3 to libssl3t64, which Provides libssl3 on amd64; two providers stay an error
    (a root set names one package, and choosing among several would be a guess)."""
    index = PackageIndex.of([pkg("libssl3t64", "3.5.1", Provides="libssl3 (= 3.5.1)")], "amd64")
    assert names(index, ["libssl3"]) == ["libssl3t64"]
    both = PackageIndex.of([pkg("a", Provides="virt"), pkg("b", Provides="virt")], "amd64")
    with pytest.raises(JettisonError, match="'virt' is not in the index"):
        resolve(both, ["virt"])
