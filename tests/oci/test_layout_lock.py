"""Concurrent writers into one OCI layout keep every tag: index.json's read-modify-write is under a lock.

Four `jettison build` runs into one layout all said "wrote ...:tag" while index.json kept one tag of
four. Here four processes write 25 tags each; all 100 must be there, each naming a readable image.
"""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path

from jettison.model.image import REF_NAME, ImageConfig
from jettison.oci import BlobDirectory, Image, Layer, TarEntry, read_image, write_oci_layout

WRITERS = 4
TAGS_EACH = 25


def _image(blobs: BlobDirectory, text: bytes) -> Image:
    layer = Layer.from_entries([TarEntry("app/main.py", data=text)], blobs=blobs)
    return Image.assemble(ImageConfig(config={"Cmd": ["python3", "/app/main.py"]}), [layer])


def _writer(layout: str, scratch: str, number: int, start: multiprocessing.synchronize.Barrier) -> None:
    blobs = BlobDirectory(Path(scratch) / f"blobs-{number}")
    images = [(f"w{number}-{n}", _image(blobs, f"{number}/{n}".encode())) for n in range(TAGS_EACH)]
    start.wait()  # every writer is ready: the writes overlap as much as they can
    for tag, image in images:
        write_oci_layout(image, Path(layout), tag)


def test_four_concurrent_writers_keep_every_tag(tmp_path):
    layout = tmp_path / "layout"
    context = multiprocessing.get_context("fork")
    start = context.Barrier(WRITERS)
    writers = [
        context.Process(target=_writer, args=(str(layout), str(tmp_path), n, start)) for n in range(WRITERS)
    ]
    for process in writers:
        process.start()
    for process in writers:
        process.join(timeout=120)
        assert process.exitcode == 0
    index = json.loads((layout / "index.json").read_text())
    tags = sorted(entry["annotations"][REF_NAME] for entry in index["manifests"])
    assert tags == sorted(f"w{n}-{i}" for n in range(WRITERS) for i in range(TAGS_EACH))
    assert read_image(f"oci:{layout}:w3-24").config.config["Cmd"] == ["python3", "/app/main.py"]
