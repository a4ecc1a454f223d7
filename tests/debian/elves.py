"""Minimal ELF files made here, byte by byte: an ELF64 header, PT_LOAD/PT_INTERP/PT_DYNAMIC and a string
table, without section headers (ld.so reads none; pyelftools then finds .dynstr through DT_STRTAB)."""

from __future__ import annotations

import struct

DT = {"NULL": 0, "NEEDED": 1, "STRTAB": 5, "STRSZ": 10, "SONAME": 14, "RPATH": 15, "RUNPATH": 29}
EM_X86_64, EM_AARCH64 = 62, 183


def make_elf(
    needed: tuple[str, ...] = (),
    *,
    soname: str | None = None,
    rpath: str | None = None,
    runpath: str | None = None,
    interpreter: str | None = None,
    machine: int = EM_X86_64,
    kind: int = 3,  # ET_DYN; 2 is ET_EXEC
) -> bytes:
    strings = bytearray(b"\0")

    def string(text: str) -> int:
        offset = len(strings)
        strings.extend(text.encode() + b"\0")
        return offset

    tags = [(DT["NEEDED"], string(name)) for name in needed]
    for name, value in (("SONAME", soname), ("RPATH", rpath), ("RUNPATH", runpath)):
        if value is not None:
            tags.append((DT[name], string(value)))
    phnum = 2 + (interpreter is not None)
    interp = (interpreter.encode() + b"\0") if interpreter is not None else b""
    interp_at = 64 + 56 * phnum
    strtab_at = interp_at + len(interp)
    dynamic_at = (strtab_at + len(strings) + 7) // 8 * 8
    tags += [(DT["STRTAB"], strtab_at), (DT["STRSZ"], len(strings)), (DT["NULL"], 0)]
    dynamic = b"".join(struct.pack("<qQ", tag, value) for tag, value in tags)
    end = dynamic_at + len(dynamic)
    header = b"\x7fELF" + bytes([2, 1, 1, 0]) + bytes(8)
    header += struct.pack("<HHIQQQIHHHHHH", kind, machine, 1, 0, 64, 0, 0, 64, 56, phnum, 64, 0, 0)
    phdrs = b""
    if interpreter is not None:
        phdrs += struct.pack("<IIQQQQQQ", 3, 4, interp_at, interp_at, interp_at, len(interp), len(interp), 1)
    phdrs += struct.pack("<IIQQQQQQ", 1, 6, 0, 0, 0, end, end, 0x1000)  # PT_LOAD of the whole file
    phdrs += struct.pack("<IIQQQQQQ", 2, 6, dynamic_at, dynamic_at, dynamic_at, len(dynamic), len(dynamic), 8)
    body = header + phdrs + interp + bytes(strings)
    return body + bytes(dynamic_at - len(body)) + dynamic
