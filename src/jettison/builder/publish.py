"""Pushing the built image (network): every blob the registry lacks, manifest last (jettison.oci.registry).

Layers that came from the registry cache are mounted from its repository rather than uploaded; blobs the
target repository already holds (the base, unchanged dependency layers) are skipped after one HEAD.
"""

from __future__ import annotations

from jettison.builder.progress import BuildProgress, SilentProgress
from jettison.oci.image import Image, ImageIndex
from jettison.oci.reference import Reference
from jettison.oci.registry import PushResult, RegistryClient


def push_image(
    target: Image | ImageIndex,
    ref: str,
    client: RegistryClient,
    *,
    cache_repo: str | None = None,
    progress: BuildProgress | None = None,
) -> PushResult:
    progress = progress or SilentProgress()
    images = target.images if isinstance(target, ImageIndex) else (target,)
    total = sum(layer.size for image in images for layer in image.layers)
    progress.start("push", total)

    def report(action: str, digest: str, count: int, size: int) -> None:
        if action in ("skip", "mount", "uploaded"):
            progress.advance("push", size)

    mount_from: list[str] = []
    destination = Reference.parse(ref)
    if cache_repo:
        cache = Reference.parse(cache_repo)
        if cache.registry == destination.registry:
            mount_from.append(cache.repository)
    result = client.push(target, ref, progress=report, mount_from=mount_from)
    progress.finish(
        "push",
        f"{len(result.uploaded)} uploaded ({result.bytes_uploaded} bytes), "
        f"{len(result.mounted)} mounted, {len(result.skipped)} already there",
    )
    return result
