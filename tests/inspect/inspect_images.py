"""Test images written by hand: layer tars and docker-archives (docker save's format), plus a reader.

The reader adapts a docker-archive to jettison.inspect's ImageInput without the OCI core, so the
analysis tests do not depend on another package's readers; the CLI tests go through the core.
"""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from pathlib import Path

from jettison.inspect.source import ImageInput, LayerInput


def layer_tar(entries: list[tuple]) -> bytes:
    """entries: (name, bytes) a file, (name, None) a directory, (name, "->", target) a symlink."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for entry in entries:
            info = tarfile.TarInfo(entry[0])
            info.mtime = 0
            if len(entry) == 3:
                info.type, info.linkname = tarfile.SYMTYPE, entry[2]
                tar.addfile(info)
            elif entry[1] is None:
                info.type, info.mode = tarfile.DIRTYPE, 0o755
                tar.addfile(info)
            else:
                info.size = len(entry[1])
                tar.addfile(info, io.BytesIO(entry[1]))
    return buffer.getvalue()


def write_docker_archive(path: Path, layers: list[bytes], created_by: list[str] | None = None) -> Path:
    diff_ids = ["sha256:" + hashlib.sha256(layer).hexdigest() for layer in layers]
    history = [{"created_by": text} for text in (created_by or [f"layer {i}" for i in range(len(layers))])]
    config = json.dumps(
        {
            "architecture": "amd64",
            "os": "linux",
            "config": {},
            "rootfs": {"type": "layers", "diff_ids": diff_ids},
            "history": history,
        }
    ).encode()
    config_name = hashlib.sha256(config).hexdigest() + ".json"
    names = [f"{d[7:]}/layer.tar" for d in diff_ids]
    manifest = json.dumps([{"Config": config_name, "RepoTags": ["test:latest"], "Layers": names}]).encode()
    with tarfile.open(path, "w") as tar:
        for name, data in [
            (config_name, config),
            *zip(names, layers, strict=True),
            ("manifest.json", manifest),
        ]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


class _Slice(io.RawIOBase):
    def __init__(self, path: Path, start: int, size: int) -> None:
        self.file = open(path, "rb")  # noqa: SIM115 - closed with the slice
        self.start, self.size, self.position = start, size, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def read(self, count: int = -1) -> bytes:
        count = self.size - self.position if count < 0 else min(count, self.size - self.position)
        self.file.seek(self.start + self.position)
        data = self.file.read(count)
        self.position += len(data)
        return data

    def seek(self, offset: int, whence: int = 0) -> int:
        base = {0: 0, 1: self.position, 2: self.size}[whence]
        self.position = max(0, min(self.size, base + offset))
        return self.position

    def close(self) -> None:
        self.file.close()
        super().close()


def read_docker_archive(path: Path) -> ImageInput:
    with tarfile.open(path) as tar:
        members = {m.name: m for m in tar.getmembers()}
        manifest = json.load(tar.extractfile("manifest.json"))[0]
        config = json.load(tar.extractfile(manifest["Config"]))
    layers = []
    for name, diff_id in zip(manifest["Layers"], config["rootfs"]["diff_ids"], strict=True):
        member = members[name]
        layers.append(
            LayerInput(
                digest=diff_id,
                diff_id=diff_id,
                compressed_size=member.size,
                open=lambda m=member: _Slice(path, m.offset_data, m.size),
                random_access=True,
            )
        )
    return ImageInput(reference=f"docker-archive:{path}", layers=layers, config=config)
