"""Container image metadata as plain values: descriptors, platforms, manifests, indexes, image configs.

The OCI image spec (and Docker's schema 2, which it grew from) describes an image as JSON documents that
point at each other by digest. These types parse and serialize those documents; nothing here reads a
file or a socket. Digests are always taken over the exact bytes that were read or written, so the
callers (jettison.oci) keep those bytes beside the parsed value instead of re-serializing it.

Unknown fields are kept in `extra` so that a document read and written again loses nothing.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from typing import Any

# Media types. Docker schema 2 types are read everywhere and written only when asked to.
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar"
OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"
OCI_LAYER_ZSTD = "application/vnd.oci.image.layer.v1.tar+zstd"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json"
DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar"
DOCKER_LAYER_GZIP = "application/vnd.docker.image.rootfs.diff.tar.gzip"
DOCKER_FOREIGN_LAYER_GZIP = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"

MANIFEST_TYPES = frozenset({OCI_MANIFEST, DOCKER_MANIFEST})
INDEX_TYPES = frozenset({OCI_INDEX, DOCKER_MANIFEST_LIST})
LAYER_TYPES = frozenset(
    {OCI_LAYER, OCI_LAYER_GZIP, OCI_LAYER_ZSTD, DOCKER_LAYER, DOCKER_LAYER_GZIP, DOCKER_FOREIGN_LAYER_GZIP}
)

# The annotation an OCI layout's index.json uses for a tag.
REF_NAME = "org.opencontainers.image.ref.name"

_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")


def layer_compression(media_type: str) -> str:
    """'gzip', 'zstd' or 'none' for a layer media type (unknown types are treated as gzip, as docker does)."""
    if media_type.endswith("+zstd") or media_type.endswith(".zstd"):
        return "zstd"
    if media_type in (OCI_LAYER, DOCKER_LAYER):
        return "none"
    return "gzip"


def layer_media_type(compression: str, docker: bool = False) -> str:
    """The layer media type for a compression ('gzip', 'zstd', 'none'), OCI unless `docker`."""
    if docker:
        if compression == "zstd":
            raise ValueError("Docker schema 2 has no zstd layer media type")
        return DOCKER_LAYER_GZIP if compression == "gzip" else DOCKER_LAYER
    return {"gzip": OCI_LAYER_GZIP, "zstd": OCI_LAYER_ZSTD, "none": OCI_LAYER}[compression]


def is_digest(value: str) -> bool:
    return bool(_DIGEST.match(value))


def canonical_json(document: dict[str, Any]) -> bytes:
    """The bytes jettison writes for a JSON document: sorted keys, no spaces, so equal values hash equal."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


# The distribution spec lets a registry refuse manifests over 4 MiB; so do we, from any source.
MAX_MANIFEST_BYTES = 4 * 1024 * 1024
# Configs have no such limit in the spec; real ones are kilobytes, a long history a few megabytes.
MAX_CONFIG_BYTES = 64 * 1024 * 1024


def _loads(data: bytes, what: str, limit: int = MAX_MANIFEST_BYTES) -> dict[str, Any]:
    if len(data) > limit:
        spec = "the distribution spec's 4 MiB limit" if limit == MAX_MANIFEST_BYTES else f"{limit:,} bytes"
        raise ValueError(f"{what} of {len(data):,} bytes is over {spec}")
    try:
        document = json.loads(data)
    except (ValueError, UnicodeDecodeError) as error:
        raise ValueError(f"{what} is not valid JSON: {error}") from None
    except RecursionError:  # json recurses per nesting level: 100,000 nested arrays exhaust the stack
        raise ValueError(f"{what} is not valid JSON: nested too deeply") from None
    if not isinstance(document, dict):
        raise ValueError(f"{what} is not a JSON object")
    return document


@dataclass(frozen=True)
class Platform:
    os: str = "linux"
    architecture: str = "amd64"
    variant: str | None = None
    os_version: str | None = None

    @classmethod
    def parse(cls, text: str) -> Platform:
        """`linux/arm64`, `linux/arm/v7`, `linux/arm64/v8`."""
        parts = text.strip().split("/")
        if len(parts) < 2 or len(parts) > 3 or not all(parts):
            raise ValueError(f"platform {text!r} is not os/arch[/variant]")
        return cls(os=parts[0], architecture=parts[1], variant=parts[2] if len(parts) == 3 else None)

    def __str__(self) -> str:
        return "/".join(p for p in (self.os, self.architecture, self.variant) if p)

    def to_dict(self) -> dict[str, Any]:
        document: dict[str, Any] = {"architecture": self.architecture, "os": self.os}
        if self.variant:
            document["variant"] = self.variant
        if self.os_version:
            document["os.version"] = self.os_version
        return document

    @classmethod
    def from_dict(cls, document: dict[str, Any]) -> Platform:
        return cls(
            os=str(document.get("os", "")),
            architecture=str(document.get("architecture", "")),
            variant=document.get("variant") or None,
            os_version=document.get("os.version") or None,
        )

    def matches(self, wanted: Platform) -> bool:
        """True when this (an index entry's) platform satisfies `wanted`; a missing variant matches any,
        and arm64's implied v8 is treated as no variant (as containerd does)."""
        if self.os != wanted.os or self.architecture != wanted.architecture:
            return False
        if wanted.variant is None:
            return True
        mine = self.variant or ("v8" if self.architecture == "arm64" else None)
        return mine == wanted.variant


@dataclass(frozen=True)
class Descriptor:
    media_type: str
    digest: str
    size: int
    annotations: dict[str, str] = field(default_factory=dict)
    platform: Platform | None = None
    urls: tuple[str, ...] = ()
    artifact_type: str | None = None

    def to_dict(self) -> dict[str, Any]:
        document: dict[str, Any] = {"mediaType": self.media_type, "digest": self.digest, "size": self.size}
        if self.annotations:
            document["annotations"] = dict(self.annotations)
        if self.platform is not None:
            document["platform"] = self.platform.to_dict()
        if self.urls:
            document["urls"] = list(self.urls)
        if self.artifact_type:
            document["artifactType"] = self.artifact_type
        return document

    @classmethod
    def from_dict(cls, document: dict[str, Any], what: str = "descriptor") -> Descriptor:
        digest = document.get("digest")
        size = document.get("size")
        if not isinstance(digest, str) or not is_digest(digest):
            raise ValueError(f"{what} has no valid sha256 digest (got {digest!r})")
        if not isinstance(size, int) or size < 0:
            raise ValueError(f"{what} {digest} has no valid size (got {size!r})")
        platform = document.get("platform")
        return cls(
            media_type=str(document.get("mediaType", "")),
            digest=digest,
            size=size,
            annotations=dict(document.get("annotations") or {}),
            platform=Platform.from_dict(platform) if isinstance(platform, dict) else None,
            urls=tuple(document.get("urls") or ()),
            artifact_type=document.get("artifactType"),
        )


@dataclass(frozen=True)
class Manifest:
    """An OCI image manifest or a Docker schema 2 manifest (the same shape, other media types)."""

    config: Descriptor
    layers: tuple[Descriptor, ...]
    media_type: str = OCI_MANIFEST
    annotations: dict[str, str] = field(default_factory=dict)
    subject: Descriptor | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> bytes:
        document: dict[str, Any] = dict(self.extra)
        document.update(
            schemaVersion=2,
            mediaType=self.media_type,
            config=self.config.to_dict(),
            layers=[layer.to_dict() for layer in self.layers],
        )
        if self.annotations:
            document["annotations"] = dict(self.annotations)
        if self.subject is not None:
            document["subject"] = self.subject.to_dict()
        return canonical_json(document)

    @classmethod
    def from_json(cls, data: bytes, media_type: str | None = None) -> Manifest:
        document = _loads(data, "manifest")
        if document.get("schemaVersion") != 2:
            raise ValueError(f"manifest schemaVersion {document.get('schemaVersion')!r} is not 2")
        kind = document.get("mediaType") or media_type or OCI_MANIFEST
        if kind in INDEX_TYPES or "manifests" in document:
            raise ValueError("expected an image manifest, got an index")
        if not isinstance(document.get("config"), dict) or not isinstance(document.get("layers"), list):
            raise ValueError("manifest has no config or layers")
        subject = document.get("subject")
        known = {"schemaVersion", "mediaType", "config", "layers", "annotations", "subject"}
        return cls(
            config=Descriptor.from_dict(document["config"], "config"),
            layers=tuple(Descriptor.from_dict(d, "layer") for d in document["layers"]),
            media_type=kind,
            annotations=dict(document.get("annotations") or {}),
            subject=Descriptor.from_dict(subject) if isinstance(subject, dict) else None,
            extra={k: v for k, v in document.items() if k not in known},
        )


@dataclass(frozen=True)
class Index:
    """An OCI image index or a Docker manifest list."""

    manifests: tuple[Descriptor, ...]
    media_type: str = OCI_INDEX
    annotations: dict[str, str] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> bytes:
        document: dict[str, Any] = dict(self.extra)
        document.update(
            schemaVersion=2, mediaType=self.media_type, manifests=[m.to_dict() for m in self.manifests]
        )
        if self.annotations:
            document["annotations"] = dict(self.annotations)
        return canonical_json(document)

    @classmethod
    def from_json(cls, data: bytes, media_type: str | None = None) -> Index:
        document = _loads(data, "index")
        if not isinstance(document.get("manifests"), list):
            raise ValueError("index has no manifests list")
        known = {"schemaVersion", "mediaType", "manifests", "annotations"}
        return cls(
            manifests=tuple(Descriptor.from_dict(d, "index entry") for d in document["manifests"]),
            media_type=document.get("mediaType") or media_type or OCI_INDEX,
            annotations=dict(document.get("annotations") or {}),
            extra={k: v for k, v in document.items() if k not in known},
        )

    def select(self, platform: Platform) -> Descriptor | None:
        """The first image manifest whose platform matches (the order the index gives is its preference)."""
        for entry in self.manifests:
            if entry.platform is not None and entry.platform.matches(platform):
                return entry
        return None


def parse_document(data: bytes, media_type: str | None = None) -> Manifest | Index:
    """A manifest or an index, telling them apart by mediaType (or by shape where it is absent)."""
    document = _loads(data, "manifest")
    kind = document.get("mediaType") or media_type
    if kind in INDEX_TYPES or (kind not in MANIFEST_TYPES and "manifests" in document):
        return Index.from_json(data, media_type)
    return Manifest.from_json(data, media_type)


@dataclass(frozen=True)
class History:
    created: str | None = None
    created_by: str | None = None
    comment: str | None = None
    author: str | None = None
    empty_layer: bool = False

    def to_dict(self) -> dict[str, Any]:
        document: dict[str, Any] = {}
        for key, value in (
            ("created", self.created),
            ("created_by", self.created_by),
            ("comment", self.comment),
            ("author", self.author),
        ):
            if value is not None:
                document[key] = value
        if self.empty_layer:
            document["empty_layer"] = True
        return document

    @classmethod
    def from_dict(cls, document: dict[str, Any]) -> History:
        return cls(
            created=document.get("created"),
            created_by=document.get("created_by"),
            comment=document.get("comment"),
            author=document.get("author"),
            empty_layer=bool(document.get("empty_layer", False)),
        )


@dataclass(frozen=True)
class ImageConfig:
    """The image configuration: platform, rootfs diff_ids, history and the runtime `config` object.

    `config` holds the runtime settings under their spec names (Env, Entrypoint, Cmd, User, WorkingDir,
    ExposedPorts, Labels, StopSignal, ...) as plain JSON values.
    """

    architecture: str = "amd64"
    os: str = "linux"
    variant: str | None = None
    created: str | None = None
    author: str | None = None
    config: dict[str, Any] = field(default_factory=dict)
    diff_ids: tuple[str, ...] = ()
    history: tuple[History, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def platform(self) -> Platform:
        return Platform(os=self.os, architecture=self.architecture, variant=self.variant)

    @property
    def env(self) -> dict[str, str]:
        """Env as a mapping (later entries win, as at run time)."""
        result: dict[str, str] = {}
        for item in self.config.get("Env") or ():
            name, _, value = str(item).partition("=")
            result[name] = value
        return result

    @property
    def labels(self) -> dict[str, str]:
        return dict(self.config.get("Labels") or {})

    def with_runtime(self, **changes: Any) -> ImageConfig:
        """A copy whose runtime config has these keys replaced (a value of None removes the key)."""
        runtime = dict(self.config)
        for key, value in changes.items():
            if value is None:
                runtime.pop(key, None)
            else:
                runtime[key] = value
        return replace(self, config=runtime)

    def with_env(self, **variables: str) -> ImageConfig:
        """A copy with these variables set in Env, keeping the order of the ones already there."""
        env = self.env
        env.update(variables)
        return self.with_runtime(Env=[f"{k}={v}" for k, v in env.items()])

    def to_json(self) -> bytes:
        document: dict[str, Any] = dict(self.extra)
        document.update(architecture=self.architecture, os=self.os)
        if self.variant:
            document["variant"] = self.variant
        if self.created is not None:
            document["created"] = self.created
        if self.author is not None:
            document["author"] = self.author
        document["config"] = dict(self.config)
        document["rootfs"] = {"type": "layers", "diff_ids": list(self.diff_ids)}
        document["history"] = [h.to_dict() for h in self.history]
        return canonical_json(document)

    @classmethod
    def from_json(cls, data: bytes) -> ImageConfig:
        document = _loads(data, "image config", MAX_CONFIG_BYTES)
        rootfs = document.get("rootfs") or {}
        diff_ids = rootfs.get("diff_ids") if isinstance(rootfs, dict) else None
        if not isinstance(diff_ids, list) or not all(isinstance(d, str) and is_digest(d) for d in diff_ids):
            raise ValueError("image config has no valid rootfs.diff_ids")
        known = {"architecture", "os", "variant", "created", "author", "config", "rootfs", "history"}
        return cls(
            architecture=str(document.get("architecture", "")),
            os=str(document.get("os", "")),
            variant=document.get("variant") or None,
            created=document.get("created"),
            author=document.get("author"),
            config=dict(document.get("config") or {}),
            diff_ids=tuple(diff_ids),
            history=tuple(History.from_dict(h) for h in document.get("history") or () if isinstance(h, dict)),
            extra={k: v for k, v in document.items() if k not in known},
        )
