"""What an ELF file asks of the dynamic linker: its machine, interpreter, SONAME, NEEDED, RPATH, RUNPATH.

Read with pyelftools from the program headers (PT_INTERP, PT_DYNAMIC), which is what ld.so itself reads.
Files in a wheel are untrusted input: a file that is not ELF is None; an ELF file that cannot be read
within the limits below is a JettisonError naming it. Nothing else escapes, whatever the bytes.
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass
from typing import BinaryIO

from elftools.common.exceptions import ELFError, ELFParseError
from elftools.construct import ConstructError
from elftools.elf.dynamic import DynamicSegment
from elftools.elf.elffile import ELFFile

from jettison.errors import JettisonError

ELF_MAGIC = b"\x7fELF"
# Far above any real library (the largest CUDA ones are ~2 GB); a bigger "ELF" file is refused, not read.
MAX_ELF_BYTES = 4 << 30
# Real objects have tens of dynamic entries and a few program headers; these bound the work a crafted
# header can ask for (pyelftools walks both lazily, one entry per read).
MAX_DYNAMIC_TAGS = 4096
MAX_SEGMENTS = 256
MAX_STRING = 4096
# What pyelftools raises on malformed input: its own errors, its struct parser's, and the plain ones its
# table lookups let through (an offset past the end, a string table pyelftools could not find).
_MALFORMED: tuple[type[BaseException], ...] = (
    ELFError, ELFParseError, ConstructError, struct.error, ValueError, IndexError, KeyError, TypeError,
    AttributeError, AssertionError, OverflowError, UnicodeDecodeError, EOFError,
)  # fmt: skip


@dataclass(frozen=True)
class ElfObject:
    """The dynamic-linking facts of one ELF file; `needed` in DT_NEEDED order, paths as written
    (`$ORIGIN` unexpanded, RPATH/RUNPATH split on ':')."""

    machine: str  # pyelftools' e_machine name, e.g. EM_X86_64
    bits: int  # 32 or 64
    kind: str  # ET_DYN, ET_EXEC, ET_REL, ...
    interpreter: str | None = None
    soname: str | None = None
    needed: tuple[str, ...] = ()
    rpath: tuple[str, ...] = ()
    runpath: tuple[str, ...] = ()

    def to_json(self) -> dict[str, object]:
        return {
            "machine": self.machine, "bits": self.bits, "kind": self.kind, "interpreter": self.interpreter,
            "soname": self.soname, "needed": list(self.needed), "rpath": list(self.rpath),
            "runpath": list(self.runpath),
        }  # fmt: skip

    @classmethod
    def from_json(cls, data: dict[str, object]) -> ElfObject:
        """What to_json() wrote (jettison's own cache: a damaged entry raises, and is scanned again)."""

        def text(name: str) -> str | None:
            value = data.get(name)
            return None if value is None else str(value)

        def texts(name: str) -> tuple[str, ...]:
            return tuple(str(item) for item in data.get(name) or ())  # type: ignore[attr-defined]

        return cls(
            str(data["machine"]), int(str(data["bits"])), str(data["kind"]), text("interpreter"),
            text("soname"), texts("needed"), texts("rpath"), texts("runpath"),
        )  # fmt: skip


def is_elf(head: bytes) -> bool:
    """Whether a file starting with `head` (its first 4 bytes or more) is ELF."""
    return head[:4] == ELF_MAGIC


def read_elf(source: bytes | BinaryIO, where: str) -> ElfObject | None:
    """The ELF facts of `source` (bytes, or a seekable binary stream read from its start); None when it is
    not ELF. A malformed or oversized ELF file is a JettisonError located at `where`."""
    stream = io.BytesIO(source) if isinstance(source, bytes | bytearray | memoryview) else source
    stream.seek(0)
    if not is_elf(stream.read(4)):
        return None
    size = stream.seek(0, io.SEEK_END)
    if size > MAX_ELF_BYTES:
        raise JettisonError(f"ELF file of {size} bytes, more than jettison reads ({MAX_ELF_BYTES})", where)
    stream.seek(0)
    try:
        return _read(ELFFile(stream), where)
    except JettisonError:
        raise
    except _MALFORMED as error:
        raise JettisonError(f"malformed ELF file ({type(error).__name__}: {error})"[:300], where) from None


def _name(value: object) -> str:
    return value if isinstance(value, str) else f"unknown-{value}"


def _string(value: object, what: str, where: str) -> str:
    text = str(value)
    if len(text) > MAX_STRING:
        raise JettisonError(f"{what} longer than {MAX_STRING} characters", where)
    return text


def _read(elf: ELFFile, where: str) -> ElfObject:
    count = elf.num_segments()
    if count > MAX_SEGMENTS:
        raise JettisonError(f"{count} program headers, more than jettison reads ({MAX_SEGMENTS})", where)
    interpreter = soname = None
    needed: list[str] = []
    rpath: list[str] = []
    runpath: list[str] = []
    dynamic_seen = False
    for index in range(count):
        segment = elf.get_segment(index)
        kind = segment["p_type"]
        if kind == "PT_INTERP" and interpreter is None:
            interpreter = _string(segment.get_interp_name(), "PT_INTERP", where)
        elif kind == "PT_DYNAMIC" and isinstance(segment, DynamicSegment) and not dynamic_seen:
            dynamic_seen = True  # ld.so reads the first PT_DYNAMIC only
            for number, tag in enumerate(segment.iter_tags()):
                if number >= MAX_DYNAMIC_TAGS:
                    raise JettisonError(f"more than {MAX_DYNAMIC_TAGS} dynamic entries", where)
                name = tag.entry.d_tag
                if name == "DT_NEEDED":
                    needed.append(_string(tag.needed, "DT_NEEDED", where))
                elif name == "DT_SONAME":
                    soname = _string(tag.soname, "DT_SONAME", where)
                elif name == "DT_RPATH":
                    rpath += [p for p in _string(tag.rpath, "DT_RPATH", where).split(":") if p]
                elif name == "DT_RUNPATH":
                    runpath += [p for p in _string(tag.runpath, "DT_RUNPATH", where).split(":") if p]
    return ElfObject(
        machine=_name(elf["e_machine"]), bits=elf.elfclass, kind=_name(elf["e_type"]),
        interpreter=interpreter, soname=soname, needed=tuple(needed), rpath=tuple(rpath),
        runpath=tuple(runpath),
    )  # fmt: skip
