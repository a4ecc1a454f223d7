"""Installing wheels for the target into a venv layout (offline: wheels made by the test)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from jettison.builder.plan import DependencySplit, split_dependencies
from jettison.builder.wheels import (
    IndexOptions,
    WheelTarget,
    compile_bytecode,
    install,
    matching_interpreter,
    resolve,
    venv_distributions,
    venv_skeleton,
)
from jettison.errors import JettisonError
from tests.builder.wheelfactory import make_wheel

TARGET = WheelTarget("3.11", "x86_64-manylinux_2_36", "/usr/bin/python3.11")


@pytest.fixture
def wheelhouse(tmp_path: Path) -> IndexOptions:
    house = tmp_path / "wheels"
    make_wheel(house, "tool", scripts={"tool": "tool:main"}, requires=("helper",))
    make_wheel(house, "helper")
    make_wheel(house, "bigdep", payload=2_000_000)
    return IndexOptions(find_links=(str(house),), no_index=True)


def test_resolve_pins_the_closure_for_the_target(wheelhouse, tmp_path):
    pinned = resolve("tool\nbigdep\n", TARGET, wheelhouse, tmp_path / "r")
    assert pinned == "bigdep==1.0\nhelper==1.0\ntool==1.0\n"


def test_resolve_failure_is_a_one_line_error(wheelhouse, tmp_path):
    with pytest.raises(JettisonError, match="resolving dependencies.*nosuchthing"):
        resolve("nosuchthing\n", TARGET, wheelhouse, tmp_path / "r")


def test_scripts_get_the_venv_shebang_and_files_land_in_the_venv(wheelhouse, tmp_path):
    staging = tmp_path / "staging"
    install("helper==1.0\ntool==1.0\n", TARGET, wheelhouse, staging)
    dists = {d.name: d for d in venv_distributions(staging, TARGET)}
    assert set(dists) == {"helper", "tool"}
    script = next(f for f in dists["tool"].files if f.image_path == "/opt/venv/bin/tool")
    assert script.mode == 0o755
    assert script.host_path.read_bytes().startswith(b"#!/opt/venv/bin/python\n")
    paths = {f.image_path for f in dists["tool"].files}
    assert "/opt/venv/lib/python3.11/site-packages/tool/__init__.py" in paths
    record = next(f for f in dists["tool"].files if f.image_path.endswith("RECORD")).host_path.read_text()
    assert "../../../bin/tool," in record


def test_venv_skeleton_points_at_the_base_interpreter():
    files = {f.image_path: f for f in venv_skeleton(TARGET, "3.11.2")}
    assert files["/opt/venv/bin/python"].link_target == "/usr/bin/python3.11"
    assert b"home = /usr/bin\n" in files["/opt/venv/pyvenv.cfg"].content
    assert files["/opt/venv/bin/python3"].link_target == "python"


@pytest.mark.skipif(matching_interpreter("3.11") is None, reason="no Python 3.11 on this host for bytecode")
def test_bytecode_is_unchecked_hash_and_names_image_paths(wheelhouse, tmp_path):
    digests = []
    for attempt in ("a", "b"):
        staging = tmp_path / attempt
        install("helper==1.0\n", TARGET, wheelhouse, staging)
        assert compile_bytecode(staging, TARGET)
        dists = venv_distributions(staging, TARGET)
        pyc = [f for d in dists for f in d.files if f.image_path.endswith(".pyc")]
        assert [f.image_path for f in pyc] == [
            "/opt/venv/lib/python3.11/site-packages/helper/__pycache__/__init__.cpython-311.pyc"
        ]
        data = pyc[0].host_path.read_bytes()
        assert int.from_bytes(data[4:8], "little") == 0b01  # hash-based, unchecked
        assert b"/opt/venv/lib/python3.11/site-packages/helper/__init__.py" in data
        digests.append(hashlib.sha256(data).hexdigest())
    assert digests[0] == digests[1]


def test_large_distributions_get_their_own_layer(wheelhouse, tmp_path):
    staging = tmp_path / "staging"
    install("bigdep==1.0\nhelper==1.0\ntool==1.0\n", TARGET, wheelhouse, staging)
    dists = venv_distributions(staging, TARGET)
    layers = split_dependencies(dists, venv_skeleton(TARGET), DependencySplit(large_bytes=1_000_000))
    names = [[d.name for d in layer.distributions] for layer in layers]
    assert names == [["bigdep"], ["helper", "tool", "_venv"]]
    single = split_dependencies(dists, venv_skeleton(TARGET), DependencySplit(max_layers=1))
    assert len(single) == 1


def _sdist(house: Path, name: str) -> None:
    import io
    import tarfile

    info = f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n".encode()
    with tarfile.open(house / f"{name}-1.0.tar.gz", "w:gz") as archive:
        member = tarfile.TarInfo(f"{name}-1.0/PKG-INFO")
        member.size = len(info)
        archive.addfile(member, io.BytesIO(info))


def test_a_source_only_requirement_takes_its_binary_twin_when_the_twin_holds_its_package(tmp_path):
    """The `<name>-binary` convention (psycopg2-binary), checked by what the twin's wheel holds."""
    from jettison.builder.wheels import resolve_for_image, twin_provides

    house = tmp_path / "wheels"
    house.mkdir()
    _sdist(house, "cext")
    make_wheel(house, "cext-binary", extra={"cext/__init__.py": b"VALUE = 2\n"})
    index = IndexOptions(find_links=(str(house),), no_index=True)
    pins, swaps = resolve_for_image("cext\n", TARGET, index, tmp_path / "r")
    assert (pins, swaps) == ("cext-binary==1.0\n", {"cext": "cext-binary"})
    install(pins, TARGET, index, tmp_path / "i")
    assert twin_provides(tmp_path / "i" / "site", "cext")
    with pytest.raises(JettisonError):
        resolve_for_image("cext\n", TARGET, index, tmp_path / "r2", substitute=False)


def test_a_twin_without_the_package_is_not_taken_for_it(tmp_path):
    from jettison.builder.wheels import resolve_for_image, twin_provides

    house = tmp_path / "wheels"
    house.mkdir()
    _sdist(house, "cext")
    make_wheel(house, "cext-binary")  # holds cext_binary, not cext
    index = IndexOptions(find_links=(str(house),), no_index=True)
    pins, _ = resolve_for_image("cext\n", TARGET, index, tmp_path / "r")
    install(pins, TARGET, index, tmp_path / "i")
    assert not twin_provides(tmp_path / "i" / "site", "cext")
