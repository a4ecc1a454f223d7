"""Is a shared object unstripped? Read from the ELF section headers of a forward-only stream.

Written by hand rather than with pyelftools because pyelftools wants a seekable file it can wander
over, while a layer is a stream we pass once: here we read the 64-byte header, skip forward to a
window just before the section header table (where linkers and strip put the section name table),
and read the table. About forty lines, no dependency.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import BinaryIO

ELF_MAGIC = b"\x7fELF"
_SHT_SYMTAB = 2
_NAME_WINDOW = 64 * 1024


@dataclass(frozen=True)
class ElfSymbols:
    symtab: bool
    debug_bytes: int  # .debug_* sections
    strippable_bytes: int  # symtab + its string table + debug sections: what `strip` would save


def read_elf_symbols(stream: BinaryIO, size: int) -> ElfSymbols | None:
    """None when the stream is not an ELF file we understand; reads forward only."""
    head = stream.read(64)
    if len(head) < 64 or head[:4] != ELF_MAGIC or head[4] not in (1, 2) or head[5] not in (1, 2):
        return None
    is64, order = head[4] == 2, "<" if head[5] == 1 else ">"
    if is64:
        (shoff,) = struct.unpack_from(order + "Q", head, 0x28)
        shentsize, shnum, shstrndx = struct.unpack_from(order + "HHH", head, 0x3A)
    else:
        (shoff,) = struct.unpack_from(order + "I", head, 0x20)
        shentsize, shnum, shstrndx = struct.unpack_from(order + "HHH", head, 0x2E)
    if shnum == 0 or shoff < 64 or shentsize < (64 if is64 else 40) or shoff + shnum * shentsize > size:
        return None
    start = max(64, shoff - _NAME_WINDOW)
    stream.seek(start)
    window = stream.read(shoff + shnum * shentsize - start)
    table = window[shoff - start :]
    if len(table) < shnum * shentsize:
        return None  # the file ended early: not an ELF file we can judge
    sections = []
    for index in range(shnum):
        entry = table[index * shentsize : (index + 1) * shentsize]
        if is64:
            name, kind, _, _, offset, length, link = struct.unpack_from(order + "IIQQQQI", entry)
        else:
            name, kind, _, _, offset, length, link = struct.unpack_from(order + "IIIIIII", entry)
        sections.append((name, kind, offset, length, link))
    names_offset, names_length = (
        (sections[shstrndx][2], sections[shstrndx][3]) if shstrndx < shnum else (0, 0)
    )
    names = b""
    if names_offset >= start and names_offset + names_length <= shoff:
        names = window[names_offset - start : names_offset - start + names_length]
    symtab = False
    debug = strippable = 0
    for name, kind, _offset, length, link in sections:
        if kind == _SHT_SYMTAB:
            symtab = True
            strippable += length + (sections[link][3] if link < shnum else 0)
        elif names and names[name : name + 7] == b".debug_":
            debug += length
            strippable += length
    return ElfSymbols(symtab, debug, strippable)
