"""The hand-written ELF section reader: right on real files, never crashing on garbage."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jettison.inspect.elf import ELF_MAGIC, read_elf_symbols


@given(st.binary(max_size=600))
def test_any_bytes_after_the_magic_give_a_result_or_none(tail):
    data = ELF_MAGIC + tail
    result = read_elf_symbols(io.BytesIO(data), len(data))
    assert result is None or result.strippable_bytes >= 0


@pytest.mark.skipif(
    shutil.which("gcc") is None or shutil.which("strip") is None, reason="needs gcc and strip"
)
def test_strip_removes_what_we_count(tmp_path):
    source = tmp_path / "lib.c"
    source.write_text("int answer(void) { return 42; }\n")
    library = tmp_path / "libanswer.so"
    subprocess.run(["gcc", "-g", "-shared", "-fPIC", "-o", str(library), str(source)], check=True)
    before = read_elf_symbols(io.BytesIO(library.read_bytes()), library.stat().st_size)
    assert before is not None and before.symtab and before.debug_bytes > 0
    subprocess.run(["strip", "--strip-unneeded", str(library)], check=True)
    after = read_elf_symbols(io.BytesIO(library.read_bytes()), library.stat().st_size)
    assert after is not None and not after.symtab and after.strippable_bytes == 0


def test_a_system_library_reads_without_error():
    for candidate in sorted(Path("/usr/lib/x86_64-linux-gnu").glob("libz.so*"))[:1]:
        data = candidate.resolve().read_bytes()
        assert read_elf_symbols(io.BytesIO(data), len(data)) is not None
