"""One `jettison build`: read the project, load the base, build, write every output, push."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jettison.builder.assemble import BuildOptions, build, select_bases
from jettison.builder.cache import BuildCache, default_cache_dir
from jettison.builder.progress import BuildProgress, SilentProgress
from jettison.builder.recipe import FixPlanner, read_build_recipe
from jettison.builder.sources import load_base, parse_ref, registry_name, write_output
from jettison.debian.base import SUITE_PYTHON, DebianBase, complete_base, is_debian_ref, load_debian_base
from jettison.errors import JettisonError
from jettison.project.target import resolve_target_python

if TYPE_CHECKING:
    from jettison.oci.image import Image
    from jettison.oci.layers import Layer



def _default_base(registry_base: str, python: str, progress: BuildProgress) -> str:
    """No --base: Docker Hub's python:X-slim when it answers, else the distroless base assembled from
    Debian's packages for that Python (what makes build work where only a Debian mirror and PyPI are
    reachable); for a Python no Debian suite ships, the choices."""
    from jettison.oci.registry import RegistryClient

    try:
        with RegistryClient() as client:
            client.get_manifest(parse_ref(registry_base).reference)  # type: ignore[arg-type]
        return registry_base
    except JettisonError as error:
        unreachable = str(error)
    suite = next((name for name, version in SUITE_PYTHON.items() if version == python), None)
    if suite is None:
        choices = ", ".join(f"debian://{name} (Python {version})" for name, version in SUITE_PYTHON.items())
        raise JettisonError(f"no --base given and {registry_base} cannot be pulled ({unreachable}); no "
                            f"Debian suite ships Python {python}: give --base IMAGE, or one of "
                            f"{choices}")  # fmt: skip
    progress.note(f"no --base given and {registry_base} cannot be pulled: building on debian://{suite}, "
                  f"Python {python} assembled from Debian's signed packages ({unreachable})")  # fmt: skip
    return f"debian://{suite}"


@dataclass
class BuildSummary:
    digest: str
    written: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    dependency_cache: dict[str, str] = field(default_factory=dict)
    pushed: Any = None  # jettison.oci.registry.PushResult when pushed


def run_build(
    path: Path,
    *,
    base: str | None = None,
    platforms: list[str] | None = None,
    outputs: list[str] | None = None,
    push: str | None = None,
    cache_repo: str | None = None,
    cache_dir: Path | None = None,
    options: BuildOptions | None = None,
    requirements: str | None = None,
    prune: bool = True,
    app: str | None = None,
    progress: BuildProgress | None = None,
    planner: FixPlanner | None = None,
    dockerfile: str = "Dockerfile",
) -> BuildSummary:
    options = options or BuildOptions()
    progress = progress or SilentProgress()
    for text in outputs or []:
        parse_ref(text)  # a bad reference fails before any work
    cache_root = cache_dir or default_cache_dir()
    recipe = read_build_recipe(
        Path(path), requirements=requirements, app=app, prune=prune, cache_dir=cache_root, planner=planner,
        dockerfile=dockerfile,
    )
    # The one target Python (project/target.py), as audit and fix print it: the recipe's base tag, else
    # requires-python, .python-version, the default.
    python = recipe.python_version or resolve_target_python(Path(path)).version
    base_text = base or f"python:{python}-slim"
    if base is None:
        base_text = _default_base(base_text, python, progress)
    debian = is_debian_ref(base_text)  # debian://<suite>: assembled from signed Debian packages
    base_is_remote = not debian and parse_ref(base_text).kind == "registry"
    client = None
    if base_is_remote or push or cache_repo:
        from jettison.oci.registry import RegistryClient

        # One client for the whole build: layers pulled through it stay lazy and read through it later.
        client = RegistryClient()
    try:
        debian_base = load_debian_base(base_text, cache_root, progress) if debian else None
        loaded = debian_base.image if debian_base else load_base(base_text, client)
        bases = select_bases(loaded, list(platforms or []))
        cache = BuildCache(cache_root)
        remote = None
        if cache_repo and client is not None:
            from jettison.builder.registry_cache import RegistryCache

            remote = RegistryCache(cache_repo, client, progress).hooks()
        # Only a registry name means something elsewhere; a local path would leak the builder's directory.
        base_name = None if debian else registry_name(parse_ref(base_text))
        completion = _LibraryCompletion(debian_base, progress) if debian_base else None
        result = build(recipe, bases, options, cache, progress=progress, remote=remote, base_name=base_name,
                       complete_base=completion)  # fmt: skip
        summary = BuildSummary(result.image.digest, notes=list(result.notes))
        summary.notes += completion.base.notes if completion else []
        summary.dependency_cache = result.dependency_cache
        for text in outputs or []:
            progress.start(f"write {text}")
            summary.written.append(write_output(result.image, text))
            progress.finish(f"write {text}")
        if push and client is not None:
            from jettison.builder.publish import push_image

            pushed = push_image(result.image, push, client, cache_repo=cache_repo, progress=progress)
            summary.pushed = pushed
            summary.written.append(
                f"{push} ({pushed.digest}): {len(pushed.uploaded)} blobs uploaded "
                f"({pushed.bytes_uploaded} bytes), {len(pushed.mounted)} mounted, "
                f"{len(pushed.skipped)} already present"
            )
        return summary
    finally:
        if client is not None:
            client.close()


class _LibraryCompletion:
    """The debian:// base completed with the shared libraries the dependency layers need; keeps the
    completed base, whose notes say what was added."""

    def __init__(self, base: DebianBase, progress: BuildProgress) -> None:
        self.base = base
        self.progress = progress

    def __call__(self, image: Image, layers: list[Layer]) -> Image:
        self.progress.start("shared libraries")
        self.base = complete_base(self.base, layers)
        added = [name for name, _ in self.base.options.libraries]
        self.progress.finish("shared libraries", f"added {', '.join(added)}" if added else "all found")
        return self.base.image
