"""Images and indexes as values: exact manifest and config bytes plus lazy layers.

An Image keeps the manifest and config bytes it was read or built from, so its digest is the digest of
those bytes and nothing is ever re-serialized behind the caller's back. Changes are functions that
return a new Image (go-containerregistry's mutate): append_layers(), with_config(), with_annotations().
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from jettison.model.image import (
    DOCKER_CONFIG,
    DOCKER_LAYER,
    DOCKER_LAYER_GZIP,
    DOCKER_MANIFEST,
    DOCKER_MANIFEST_LIST,
    MAX_CONFIG_BYTES,
    OCI_CONFIG,
    OCI_INDEX,
    OCI_LAYER,
    OCI_LAYER_GZIP,
    OCI_MANIFEST,
    Descriptor,
    History,
    ImageConfig,
    Index,
    Manifest,
    Platform,
)
from jettison.oci.blobs import BlobDirectory, sha256_digest
from jettison.oci.layers import Layer

_TO_OCI = {DOCKER_LAYER: OCI_LAYER, DOCKER_LAYER_GZIP: OCI_LAYER_GZIP}
_TO_DOCKER = {OCI_LAYER: DOCKER_LAYER, OCI_LAYER_GZIP: DOCKER_LAYER_GZIP}


@dataclass(frozen=True)
class Image:
    """manifest_bytes and config_bytes are exactly what a store holds; layers follow the manifest order."""

    manifest_bytes: bytes
    config_bytes: bytes
    layers: tuple[Layer, ...]
    where: str = ""
    _parsed: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def manifest(self) -> Manifest:
        if "manifest" not in self._parsed:
            self._parsed["manifest"] = Manifest.from_json(self.manifest_bytes)
        return self._parsed["manifest"]

    @property
    def config(self) -> ImageConfig:
        if "config" not in self._parsed:
            self._parsed["config"] = ImageConfig.from_json(self.config_bytes)
        return self._parsed["config"]

    @property
    def digest(self) -> str:
        return sha256_digest(self.manifest_bytes)

    @property
    def media_type(self) -> str:
        return self.manifest.media_type

    @property
    def config_digest(self) -> str:
        return sha256_digest(self.config_bytes)

    @property
    def platform(self) -> Platform:
        return self.config.platform

    @property
    def history(self) -> tuple[History, ...]:
        return self.config.history

    def descriptor(self, platform: bool = True) -> Descriptor:
        return Descriptor(
            self.media_type,
            self.digest,
            len(self.manifest_bytes),
            platform=self.platform if platform else None,
        )

    def size(self) -> int:
        """Bytes a registry stores for this image: manifest, config and compressed layers."""
        return len(self.manifest_bytes) + len(self.config_bytes) + sum(layer.size for layer in self.layers)

    @classmethod
    def assemble(
        cls,
        config: ImageConfig,
        layers: Iterable[Layer],
        *,
        annotations: dict[str, str] | None = None,
        docker: bool = False,
    ) -> Image:
        """A new image from a config and layers; the config's diff_ids are set from the layers.

        `docker` writes Docker schema 2 media types (for registries or tools that want them); the
        default is OCI. Layer media types are converted to the chosen family.
        """
        layer_list = [_retype(layer, docker) for layer in layers]
        config = replace(config, diff_ids=tuple(layer.diff_id for layer in layer_list))
        config_bytes = config.to_json()
        manifest = Manifest(
            config=Descriptor(
                DOCKER_CONFIG if docker else OCI_CONFIG, sha256_digest(config_bytes), len(config_bytes)
            ),
            layers=tuple(layer.descriptor() for layer in layer_list),
            media_type=DOCKER_MANIFEST if docker else OCI_MANIFEST,
            annotations=dict(annotations or {}) if not docker else {},
        )
        image = cls(manifest.to_json(), config_bytes, tuple(layer_list))
        image._parsed.update(manifest=manifest, config=config)
        return image


def _retype(layer: Layer, docker: bool) -> Layer:
    table = _TO_DOCKER if docker else _TO_OCI
    return layer.with_media_type(table[layer.media_type]) if layer.media_type in table else layer


def _keeps_docker(image: Image, layers: Iterable[Layer]) -> bool:
    """Stay with Docker schema 2 only if the base is Docker and no layer needs an OCI-only type (zstd)."""
    return image.media_type == DOCKER_MANIFEST and all(layer.compression != "zstd" for layer in layers)


def now_rfc3339() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def append_layers(image: Image, layers: Iterable[Layer], history: Iterable[History] = ()) -> Image:
    """`image` with `layers` on top; one history entry per layer (given, or a plain one).

    Keeps the base's manifest family (OCI or Docker), and its annotations.
    """
    new_layers = list(layers)
    given = list(history)
    entries = list(image.config.history)
    for index, _layer in enumerate(new_layers):
        entries.append(given[index] if index < len(given) else History(created_by="jettison"))
    config = replace(image.config, history=tuple(entries))
    return Image.assemble(
        config,
        [*image.layers, *new_layers],
        annotations=image.manifest.annotations,
        docker=_keeps_docker(image, new_layers),
    )


def with_config(image: Image, change: ImageConfig | Callable[[ImageConfig], ImageConfig]) -> Image:
    """`image` with a new config (or a function of the old one); the layers stay."""
    config = change(image.config) if callable(change) else change
    return Image.assemble(
        config,
        image.layers,
        annotations=image.manifest.annotations,
        docker=_keeps_docker(image, ()),
    )


def with_annotations(image: Image, annotations: dict[str, str]) -> Image:
    """`image` with manifest annotations added (OCI manifests only; Docker schema 2 has none)."""
    merged = {**image.manifest.annotations, **annotations}
    return Image.assemble(image.config, image.layers, annotations=merged, docker=_keeps_docker(image, ()))


def as_oci(image: Image) -> Image:
    """The same image with OCI media types (a new manifest, so a new digest; configs stay byte-equal)."""
    if image.media_type == OCI_MANIFEST:
        return image
    layers = [_retype(layer, docker=False) for layer in image.layers]
    manifest = Manifest(
        config=Descriptor(OCI_CONFIG, image.config_digest, len(image.config_bytes)),
        layers=tuple(layer.descriptor() for layer in layers),
    )
    return Image(manifest.to_json(), image.config_bytes, tuple(layers), image.where)


@dataclass(frozen=True)
class ImageIndex:
    """An index (or manifest list) and the images it names, in its order."""

    index_bytes: bytes
    images: tuple[Image, ...]
    where: str = ""

    @property
    def index(self) -> Index:
        return Index.from_json(self.index_bytes)

    @property
    def digest(self) -> str:
        return sha256_digest(self.index_bytes)

    @property
    def media_type(self) -> str:
        return self.index.media_type

    def descriptor(self) -> Descriptor:
        return Descriptor(self.media_type, self.digest, len(self.index_bytes))

    def image_for(self, platform: Platform | str) -> Image:
        from jettison.errors import JettisonError

        wanted = Platform.parse(platform) if isinstance(platform, str) else platform
        for image, entry in zip(self.images, self.index.manifests, strict=False):
            if entry.platform is not None and entry.platform.matches(wanted):
                return image
        available = ", ".join(str(e.platform) for e in self.index.manifests if e.platform)
        raise JettisonError(
            f"{self.where or 'index'} has no image for {wanted} (it has: {available or 'none'})"
        )

    @classmethod
    def of(cls, images: Iterable[Image], *, annotations: dict[str, str] | None = None) -> ImageIndex:
        """An index of images, each entry carrying its image's platform (from its config)."""
        image_list = list(images)
        docker = all(image.media_type == DOCKER_MANIFEST for image in image_list) and image_list
        index = Index(
            manifests=tuple(image.descriptor() for image in image_list),
            media_type=DOCKER_MANIFEST_LIST if docker else OCI_INDEX,
            annotations=dict(annotations or {}) if not docker else {},
        )
        return cls(index.to_json(), tuple(image_list))


def load_image(
    manifest_bytes: bytes,
    read_blob: Callable[[Descriptor], bytes],
    open_blob: Callable[[Descriptor], Callable[[], Any]],
    where: str,
) -> Image:
    """An Image from its manifest bytes: the config is fetched (and verified by `read_blob`) now, the
    layers stay lazy (`open_blob(descriptor)` gives their opener). Stores share this."""
    from jettison.errors import JettisonError

    try:
        manifest = Manifest.from_json(manifest_bytes)
    except ValueError as error:
        raise JettisonError(f"{where}: bad manifest: {error}") from None
    if manifest.config.size > MAX_CONFIG_BYTES:  # refused before a byte of it is read
        size = manifest.config.size
        raise JettisonError(
            f"{where}: image config of {size:,} bytes is over the {MAX_CONFIG_BYTES:,} allowed"
        )
    config_bytes = read_blob(manifest.config)
    try:
        config = ImageConfig.from_json(config_bytes)
    except ValueError as error:
        raise JettisonError(f"{where}: bad image config {manifest.config.digest}: {error}") from None
    if len(config.diff_ids) != len(manifest.layers):
        raise JettisonError(
            f"{where}: manifest names {len(manifest.layers)} layers but the config has "
            f"{len(config.diff_ids)} diff_ids"
        )
    layers = tuple(
        Layer(d.digest, diff_id, d.size, d.media_type, open_blob(d), where, dict(d.annotations))
        for d, diff_id in zip(manifest.layers, config.diff_ids, strict=True)
    )
    image = Image(manifest_bytes, config_bytes, layers, where)
    image._parsed.update(manifest=manifest, config=config)
    return image


def host_platform() -> Platform:
    """linux/<this machine's architecture>, the default when an index offers several platforms."""
    import platform as _platform

    machine = _platform.machine().lower()
    arch = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}.get(machine, machine)
    return Platform("linux", arch)


def with_local_blobs(image: Image, blobs: BlobDirectory) -> Image:
    """The same image with every layer copied (verified) into `blobs` once and read from there after.

    A registry base is downloaded on first use only (go-containerregistry's cache.Image). Layers keep
    their `where`, so a push to the same registry still mounts them instead of uploading; the copies
    carry local_path, so layouts hard-link them.
    """
    local = []
    for layer in image.layers:
        if not blobs.has(layer.digest, layer.size):
            with layer.open() as stream:
                blobs.write_stream(stream, layer.digest, layer.size, layer.what)
        path = blobs.path(layer.digest)
        local.append(
            Layer(
                layer.digest,
                layer.diff_id,
                layer.size,
                layer.media_type,
                _opener_for(path),
                layer.where,
                dict(layer.annotations),
                local_path=path,
            )
        )
    copy = Image(image.manifest_bytes, image.config_bytes, tuple(local), image.where)
    copy._parsed.update(image._parsed)
    return copy


def _opener_for(path: Any) -> Callable[[], Any]:
    return lambda: open(path, "rb")  # noqa: SIM115 - the caller closes the stream it asked for
