"""Dependency layers shared through a registry, the way BuildKit's registry cache shares build steps.

Each cache key is one image in the cache repository, tagged `deps-<key>`: its layers are exactly the
dependency layers, its config a valid OCI image config whose label `dev.jettison.cache.entry` holds the
entry (pins, layer comments). Being an ordinary image, any registry stores it and any tool can inspect
or delete it. A runner that finds the tag neither resolves nor downloads wheels: it takes the layers as
lazy blobs of the cache repository, and pushing the final image to the same registry mounts them
(`?mount=&from=`, done by jettison.oci.registry for layers pulled from a sibling repository) instead of
uploading. Talks to the network.
"""

from __future__ import annotations

from jettison.builder.assemble import RemoteLookup, RemoteSave
from jettison.builder.cache import DependencyEntry
from jettison.builder.progress import BuildProgress, SilentProgress
from jettison.errors import JettisonError
from jettison.model.image import History, ImageConfig
from jettison.oci.image import Image
from jettison.oci.layers import Layer
from jettison.oci.reference import Reference
from jettison.oci.registry import RegistryClient

ENTRY_LABEL = "dev.jettison.cache.entry"


class RegistryCache:
    def __init__(
        self, repository: str, client: RegistryClient, progress: BuildProgress | None = None
    ) -> None:
        ref = Reference.parse(repository)
        # The repository only: the tag of each entry is its key.
        self.repository = f"{ref.registry}/{ref.repository}"
        self.client = client
        self.progress = progress or SilentProgress()

    def _ref(self, key: str) -> str:
        return f"{self.repository}:deps-{key}"

    def lookup(self, key: str) -> tuple[DependencyEntry, list[Layer]] | None:
        """The entry and its (lazy, remote) layers; None on a miss or when the cache can't be read."""
        try:
            image = self.client.pull(self._ref(key))
        except JettisonError as error:
            if "not found" not in str(error):
                # The cache only saves time: an unreachable cache is a note, not a failed build.
                self.progress.note(f"registry cache {self.repository} not read: {error}")
            return None
        try:
            entry = DependencyEntry.from_json(image.config.labels[ENTRY_LABEL].encode())
        except (KeyError, ValueError, TypeError):
            self.progress.note(f"registry cache entry {self._ref(key)} is not a jettison cache entry")
            return None
        if entry.key != key or [c.digest for c in entry.layers] != [layer.digest for layer in image.layers]:
            self.progress.note(f"registry cache entry {self._ref(key)} does not match its key")
            return None
        return entry, list(image.layers)

    def save(self, entry: DependencyEntry, layers: list[Layer]) -> None:
        config = ImageConfig(
            config={"Labels": {ENTRY_LABEL: entry.to_json().decode()}},
            history=tuple(History(created="1970-01-01T00:00:00Z", comment=c.comment) for c in entry.layers),
        )
        image = Image.assemble(config, layers)
        try:
            self.client.push(image, self._ref(entry.key))
        except JettisonError as error:
            self.progress.note(f"registry cache {self.repository} not written: {error}")

    def hooks(self) -> tuple[RemoteLookup, RemoteSave]:
        return self.lookup, self.save
