"""BuildKit's AST dump of a parsed Dockerfile, for the conformance suite and for debugging.

`(name ["--flag" ...] "arg" ...)` per instruction, each value written with Go's strconv.Quote, exactly as
BuildKit's Node.Dump prints it; ONBUILD nests its trigger: `(onbuild (run "echo" "hi"))`.
"""

from __future__ import annotations

from jettison.dockerfile.ast import Dockerfile, Instruction


def go_quote(text: str) -> str:
    """Go's strconv.Quote, which BuildKit's dump uses for every value."""
    out = ['"']
    for ch in text:
        code = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (surrogate escape)
            out.append(f"\\x{code - 0xDC00:02x}")
        elif ch.isprintable() and not 0xD800 <= code <= 0xDFFF:
            out.append(ch)
        elif ch in _GO_ESCAPES:
            out.append(_GO_ESCAPES[ch])
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\x{code:02x}")
        elif 0xD800 <= code <= 0xDFFF:
            out.append("\\ufffd")
        elif code < 0x10000:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    out.append('"')
    return "".join(out)


_GO_ESCAPES = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v"}


def dump(dockerfile: Dockerfile) -> str:
    """BuildKit's AST dump: one `(name ["--flag"] "arg" ...)` line per instruction, no final newline."""
    return "\n".join(f"({_dump(instruction)})" for instruction in dockerfile.instructions)


def _dump(instruction: Instruction) -> str:
    text = instruction.keyword.lower()
    if instruction.flags:
        text += " [" + " ".join(go_quote(flag) for flag in instruction.flags) + "]"
    if instruction.trigger is not None:
        text += f" ({_dump(instruction.trigger)})"
    for arg in instruction.args:
        text += " " + go_quote(arg)
    return text  # never blank-edged: BuildKit's TrimSpace here only matters for its nameless nodes


def main(argv: list[str] | None = None) -> int:
    """`python -m jettison.dockerfile.dump FILE...`: BuildKit's dump of each file, to compare by eye."""
    import sys

    from jettison.dockerfile.parser import parse_file  # the parser imports this module
    from jettison.errors import JettisonError

    status = 0
    for path in sys.argv[1:] if argv is None else argv:
        try:
            print(dump(parse_file(path)))
        except JettisonError as error:
            print(error, file=sys.stderr)
            status = 2
    return status


if __name__ == "__main__":
    raise SystemExit(main())
