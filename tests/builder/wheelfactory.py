"""Tiny wheels written on the spot, so install tests run offline against a --find-links directory."""

from __future__ import annotations

import base64
import hashlib
import zipfile
from pathlib import Path


def _record_hash(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def make_wheel(
    directory: Path,
    name: str,
    version: str = "1.0",
    *,
    requires: tuple[str, ...] = (),
    scripts: dict[str, str] | None = None,
    payload: int = 0,
    module_source: str = "VALUE = 1\n",
    extra: dict[str, bytes] | None = None,
) -> Path:
    """A wheel `name` with module `name`, optional console scripts, `payload` extra bytes and `extra`
    files (path in the wheel -> content, e.g. an ELF extension made by tests.debian.elves)."""
    directory.mkdir(parents=True, exist_ok=True)
    module = name.replace("-", "_")
    dist_info = f"{module}-{version}.dist-info"
    main = f"def main():\n    print('hello from {module}')\n"
    files: dict[str, bytes] = {f"{module}/__init__.py": (module_source + main).encode()}
    if payload:
        # Incompressible-ish, deterministic filler so size-based layer splitting has something to weigh.
        block = hashlib.sha256(name.encode()).digest() * (payload // 32 + 1)
        files[f"{module}/data.bin"] = block[:payload]
    files.update(extra or {})
    metadata = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
    metadata += "".join(f"Requires-Dist: {r}\n" for r in requires)
    files[f"{dist_info}/METADATA"] = metadata.encode()
    wheel = "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    files[f"{dist_info}/WHEEL"] = wheel.encode()
    if scripts:
        entry = "[console_scripts]\n" + "".join(f"{k} = {v}\n" for k, v in scripts.items())
        files[f"{dist_info}/entry_points.txt"] = entry.encode()
    record = "".join(f"{path},{_record_hash(data)},{len(data)}\n" for path, data in files.items())
    record += f"{dist_info}/RECORD,,\n"
    files[f"{dist_info}/RECORD"] = record.encode()
    path = directory / f"{module}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as archive:
        for member, data in files.items():
            archive.writestr(zipfile.ZipInfo(member, (2020, 1, 1, 0, 0, 0)), data)
    return path
