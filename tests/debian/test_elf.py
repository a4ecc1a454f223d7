"""ELF facts read by pyelftools: from ELF files made here, from the host's own libraries, and from
arbitrary or damaged bytes, which give None or a located JettisonError and never anything else."""

from __future__ import annotations

import io
import struct
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jettison.debian.elf import MAX_DYNAMIC_TAGS, ElfObject, is_elf, read_elf
from jettison.errors import JettisonError
from tests.debian.elves import EM_AARCH64, make_elf


def test_needed_soname_and_paths_in_order() -> None:
    data = make_elf(("libpq.so.5", "libc.so.6"), soname="_psycopg.so", rpath="$ORIGIN/../psycopg2.libs:/opt")
    found = read_elf(data, "t.so")
    assert found == ElfObject("EM_X86_64", 64, "ET_DYN", None, "_psycopg.so", ("libpq.so.5", "libc.so.6"),
                              ("$ORIGIN/../psycopg2.libs", "/opt"), ())  # fmt: skip
    assert ElfObject.from_json(found.to_json()) == found


def test_executable_interpreter_and_runpath() -> None:
    data = make_elf(("libc.so.6",), runpath="$ORIGIN", interpreter="/lib64/ld-linux-x86-64.so.2", kind=2)
    found = read_elf(io.BytesIO(data), "bin/tool")
    assert found is not None
    assert (found.kind, found.interpreter, found.runpath, found.rpath) == (
        "ET_EXEC", "/lib64/ld-linux-x86-64.so.2", ("$ORIGIN",), ())


def test_other_machine_is_named() -> None:
    found = read_elf(make_elf(("libc.so.6",), machine=EM_AARCH64), "arm.so")
    assert found is not None and found.machine == "EM_AARCH64"


def test_not_elf_is_none() -> None:
    assert read_elf(b"#!/bin/sh\necho hi\n", "script") is None
    assert read_elf(b"", "empty") is None
    assert not is_elf(b"\x7fEL") and is_elf(b"\x7fELF\x02")


def test_truncated_elf_is_a_located_error() -> None:
    with pytest.raises(JettisonError) as caught:
        read_elf(make_elf(("libc.so.6",))[:100], "site-packages/x/_x.so")
    assert caught.value.path == "site-packages/x/_x.so" and "malformed ELF" in caught.value.message


def test_too_many_dynamic_entries_are_refused() -> None:
    data = make_elf(tuple(f"lib{i}.so" for i in range(MAX_DYNAMIC_TAGS + 1)))
    with pytest.raises(JettisonError, match="dynamic entries"):
        read_elf(data, "many.so")


def test_host_libraries_read_like_readelf_says() -> None:
    """Real objects of the host (skipped where it has none): libc NEEDs the loader, python3 has one."""
    libc = Path("/usr/lib/x86_64-linux-gnu/libc.so.6")
    if not libc.is_file():
        pytest.skip("no x86-64 glibc on this host")
    with libc.open("rb") as stream:
        found = read_elf(stream, str(libc))
    assert found is not None and found.soname == "libc.so.6" and "ld-linux-x86-64.so.2" in found.needed
    for candidate in ("/usr/bin/python3", "/usr/local/bin/python3"):
        if Path(candidate).is_file():
            with Path(candidate).resolve().open("rb") as stream:
                program = read_elf(stream, candidate)
            assert program is not None and program.kind in ("ET_EXEC", "ET_DYN")
            break


def _read_or_located_error(data: bytes) -> None:
    try:
        result = read_elf(data, "fuzz.so")
    except JettisonError as error:
        assert error.path == "fuzz.so"
        return
    assert result is None or isinstance(result, ElfObject)


@given(st.binary(max_size=512))
def test_arbitrary_bytes_give_none_or_a_located_error(data: bytes) -> None:
    _read_or_located_error(data)


@given(st.binary(max_size=512))
def test_arbitrary_bytes_after_the_magic_give_a_value_or_a_located_error(tail: bytes) -> None:
    _read_or_located_error(b"\x7fELF" + tail)


VALID = make_elf(("libpq.so.5", "libc.so.6"), soname="x.so", rpath="$ORIGIN/../x.libs",
                 interpreter="/lib64/ld-linux-x86-64.so.2")  # fmt: skip


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, len(VALID) - 1), st.binary(min_size=1, max_size=8)), max_size=6),
       st.integers(4, len(VALID)))  # fmt: skip
def test_damaged_elf_gives_a_value_or_a_located_error(edits: list[tuple[int, bytes]], length: int) -> None:
    data = bytearray(VALID)
    for offset, patch in edits:
        data[offset : offset + len(patch)] = patch
    _read_or_located_error(bytes(data[:length]))


@given(st.sampled_from([16, 24, 32, 40, 48, 56, 58, 60]), st.integers(0, 2**16 - 1))
def test_header_fields_set_to_anything_give_a_value_or_a_located_error(offset: int, value: int) -> None:
    data = bytearray(VALID)
    struct.pack_into("<H", data, offset, value)
    _read_or_located_error(bytes(data))
