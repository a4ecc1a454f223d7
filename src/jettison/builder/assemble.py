"""`jettison build` as a library: a base image and a project recipe in, an Image (or index) out.

    base layers | dependency layers (cached) | application source | gunicorn.conf.py

Dependencies are installed for each target platform by uv (jettison.builder.wheels) into a staging
directory and written as deterministic layers (jettison.oci.layers): sorted paths, fixed owner, fixed
mtime, normalized modes, gzip without name or time. The same inputs give the same digests, on any host,
in any directory, under any umask. The dependency layers are cached by a key over everything that
decides their bytes (jettison.builder.cache), so an edit to the source rebuilds only the two top layers.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

from jettison.builder.base import inspect_base_python
from jettison.builder.cache import BuildCache, CachedLayer, DependencyEntry, dependency_key
from jettison.builder.plan import (
    DependencyLayer,
    DependencySplit,
    RuntimeSettings,
    app_files,
    image_config,
    split_dependencies,
)
from jettison.builder.progress import BuildProgress, SilentProgress
from jettison.builder.python_base import BasePython, uv_python_platform
from jettison.builder.recipe import BuildRecipe
from jettison.builder.wheels import (
    IndexOptions,
    StagedFile,
    WheelTarget,
    compile_bytecode,
    install,
    resolve_for_image,
    swap_notes,
    twin_provides,
    venv_distributions,
    venv_skeleton,
)
from jettison.errors import JettisonError
from jettison.model.image import Platform
from jettison.oci.blobs import BlobDirectory
from jettison.oci.image import Image, ImageIndex
from jettison.oci.layers import Layer, TarEntry, default_blob_directory, source_date_epoch, write_layer
from jettison.scratch import run_directory


@dataclass(frozen=True)
class BuildOptions:
    venv: str = "/opt/venv"
    compile_bytecode: bool = False
    split: DependencySplit = field(default_factory=DependencySplit)
    index: IndexOptions = field(default_factory=IndexOptions)
    compression: str = "gzip"
    user: str | None = None  # None: RuntimeSettings' numeric non-root default
    refresh: bool = False  # ignore cached dependency layers (e.g. to pick up new releases)
    epoch: int | None = None  # None: SOURCE_DATE_EPOCH, else 0
    substitute_binaries: bool = True  # psycopg2 -> psycopg2-binary when psycopg2 has no wheel


# A remote dependency cache (jettison.builder.registry_cache): lookup(key) -> entry and its lazy layers,
# save(entry, layers). Kept as callables so this module needs no network code.
RemoteLookup = Callable[[str], tuple[DependencyEntry, list[Layer]] | None]
RemoteSave = Callable[[DependencyEntry, list[Layer]], None]
# The base to build on, given the base and the dependency layers built for it: a debian:// base adds the
# packages of the shared libraries those layers need (jettison.debian.complete_base), or fails naming one
# no package provides. A callable, so that this module needs no Debian code.
BaseCompletion = Callable[[Image, list[Layer]], Image]


@dataclass
class BuildResult:
    image: Image | ImageIndex
    images: list[Image]
    python: dict[str, BasePython]
    dependency_cache: dict[str, str]  # platform -> "local", "remote" or "built"
    notes: list[str] = field(default_factory=list)


def _entries(files: list[StagedFile]) -> list[TarEntry]:
    out = []
    for staged in files:
        if staged.link_target is not None:
            out.append(TarEntry(staged.image_path, "symlink", linkname=staged.link_target))
        elif staged.content is not None:
            out.append(TarEntry(staged.image_path, "file", data=staged.content, mode=staged.mode))
        else:
            out.append(TarEntry(staged.image_path, "file", source=staged.host_path, mode=staged.mode))
    return out


def _git(root: Path, *args: str) -> str | None:
    try:
        result = subprocess.run(
            ["git", "-C", str(root), *args], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return result.stdout.strip() or None if result.returncode == 0 else None


def source_annotations(root: Path, epoch: int) -> dict[str, str]:
    """OCI annotations for the image: created (the fixed epoch), source and revision from git."""
    from jettison.builder.plan import created_timestamp

    annotations = {"org.opencontainers.image.created": created_timestamp(epoch)}
    url = _git(root, "config", "--get", "remote.origin.url")
    if url:
        annotations["org.opencontainers.image.source"] = url
    revision = _git(root, "rev-parse", "HEAD")
    if revision:
        annotations["org.opencontainers.image.revision"] = revision
    return annotations


def _dependency_layers(
    recipe: BuildRecipe,
    target: WheelTarget,
    options: BuildOptions,
    cache: BuildCache,
    progress: BuildProgress,
    platform: str,
    remote: tuple[RemoteLookup, RemoteSave] | None,
    python_full: str,
) -> tuple[list[tuple[Layer, str]], str]:
    key = dependency_key(
        requirements=recipe.requirements,
        python=target.python_version,
        python_full=python_full,
        interpreter=target.interpreter,
        python_platform=target.python_platform,
        venv=target.venv,
        bytecode=options.compile_bytecode,
        split=[options.split.large_bytes, options.split.max_layers],
        index=[options.index.index_url, list(options.index.find_links), options.index.no_index],
        compression=options.compression,
        substitute=options.substitute_binaries,
        mtime=_epoch(options),  # every member's mtime: a new SOURCE_DATE_EPOCH means new bytes
    )
    if not options.refresh:
        entry = cache.load(key)
        if entry is not None:
            progress.note(f"{platform}: dependency layers from the local cache ({key[:12]})")
            return [(cache.layer(layer), layer.comment) for layer in entry.layers], "local"
        if remote is not None:
            found = remote[0](key)
            if found is not None:
                entry, layers = found
                progress.note(f"{platform}: dependency layers from the registry cache ({key[:12]})")
                return list(zip(layers, (layer.comment for layer in entry.layers), strict=True)), "remote"
    with tempfile.TemporaryDirectory(prefix="deps-", dir=run_directory()) as scratch:
        staging = Path(scratch)
        progress.start("resolve")
        pins, swaps = resolve_for_image(
            recipe.requirements, target, options.index, staging / "resolve", options.substitute_binaries
        )
        for note in swap_notes(swaps, target.python_platform):
            progress.note(note)
        progress.finish("resolve", f"{len(pins.splitlines())} pinned for {target.python_platform}")
        progress.start("download", len(pins.splitlines()))
        install(pins, target, options.index, staging / "install")
        for original, twin in swaps.items():
            if not twin_provides(staging / "install" / "site", original):
                raise JettisonError(f"{original} has no wheels for {target.python_platform}, and {twin} does "
                                    f"not hold its import package: give a wheel (--find-links) or build with "
                                    "jettison fix and docker build")  # fmt: skip
        progress.finish("download")
        compiled = False
        if options.compile_bytecode:
            compiled = compile_bytecode(staging / "install", target)
            if not compiled:
                progress.note(
                    f"bytecode not compiled: no Python {target.python_version} on this host "
                    "(a .pyc of another version would be ignored in the image)"
                )
        dists = venv_distributions(staging / "install", target)
        groups = split_dependencies(dists, venv_skeleton(target, python_full), options.split)
        epoch = _epoch(options)
        progress.start("layers", len(groups))

        def write(group: DependencyLayer) -> tuple[Layer, str]:
            entries = _entries(group.files)
            layer = write_layer(entries, blobs=cache.blobs, compression=options.compression, mtime=epoch)
            progress.advance("layers")
            return layer, group.name

        # zlib releases the GIL while it compresses, so layers are written side by side; map() keeps
        # their order, and each layer's bytes depend on its own files only.
        with ThreadPoolExecutor(max_workers=max(1, min(len(groups), os.cpu_count() or 1))) as pool:
            layers = list(pool.map(write, groups))
        progress.finish("layers")
    entry = DependencyEntry(
        key=key,
        pins=pins,
        layers=tuple(
            CachedLayer(layer.digest, layer.diff_id, layer.size, layer.media_type, comment)
            for layer, comment in layers
        ),
        bytecode=compiled,
    )
    cache.store(entry)
    if remote is not None:
        remote[1](entry, [layer for layer, _ in layers])
    return layers, "built"


def _epoch(options: BuildOptions) -> int:
    return source_date_epoch() if options.epoch is None else options.epoch


def _writable_workdir(runtime: RuntimeSettings) -> list[TarEntry]:
    """The working directory owned by the non-root user the image runs as.

    Apps create files under their working directory (Flask's instance/, logs/, a SQLite file); the
    original image usually ran as root, so they could. The sources stay root-owned and read-only; only
    the directory itself is the user's, as `WORKDIR` + `RUN chown app .` would make it.
    """
    uid, _, gid = runtime.user.partition(":")
    if not uid.isdigit() or int(uid) == 0 or (gid and not gid.isdigit()):
        return []  # a named user: its ids are the base's business, not ours to guess
    return [TarEntry(runtime.workdir, "dir", mode=0o755, uid=int(uid), gid=int(gid or uid))]


def build_for_base(
    recipe: BuildRecipe,
    base: Image,
    options: BuildOptions,
    cache: BuildCache,
    *,
    progress: BuildProgress | None = None,
    remote: tuple[RemoteLookup, RemoteSave] | None = None,
    blobs: BlobDirectory | None = None,
    base_name: str | None = None,
    complete_base: BaseCompletion | None = None,
) -> tuple[Image, BasePython, str]:
    """One image: `base` plus dependency, source and config layers for the base's platform."""
    progress = progress or SilentProgress()
    config = base.config
    platform = str(config.platform)
    env = list(config.config.get("Env") or [])
    python = inspect_base_python(list(base.layers), env, base.config_digest, cache.root, base.where or "base")
    if recipe.python_version and recipe.python_version != python.version:
        progress.note(
            f"the project asks for Python {recipe.python_version}, the base has {python.version}: "
            f"wheels are installed for {python.version}"
        )
    python_full = config.env.get("PYTHON_VERSION", python.version)
    release = python_full if re.fullmatch(rf"{re.escape(python.version)}\.\d+", python_full) else None
    target = WheelTarget(
        python_version=python.version,
        python_platform=uv_python_platform(python, config.architecture),
        interpreter=python.interpreter,
        venv=options.venv,
        python_release=release,
    )
    dependency_layers, source = _dependency_layers(
        recipe, target, options, cache, progress, platform, remote, python_full
    )
    if complete_base is not None:
        base = complete_base(base, [layer for layer, _ in dependency_layers])
        config = base.config  # its rootfs and history are the completed base's
    epoch = _epoch(options)
    scratch = blobs or default_blob_directory()
    runtime = recipe.runtime
    if options.user or options.venv != runtime.venv:
        runtime = replace(runtime, user=options.user or runtime.user, venv=options.venv)
    app = app_files(recipe.root, list(recipe.app_layout), recipe.replaced, recipe.executable)
    # Each of our layers that holds the working directory carries its ownership: a later layer's implied
    # parent directory (root's) would otherwise take it back in the merged image.
    workdir = _writable_workdir(runtime)
    app_layer = write_layer(
        [*_entries(app), *workdir], blobs=scratch, compression=options.compression, mtime=epoch
    )
    ours = [*dependency_layers, (app_layer, f"application source ({len(app)} files)")]
    if recipe.gunicorn_conf is not None:
        conf = [StagedFile(runtime.gunicorn_conf, None, 0o644, content=recipe.gunicorn_conf)]
        conf_layer = write_layer(
            [*_entries(conf), *workdir], blobs=scratch, compression=options.compression, mtime=epoch
        )
        ours.append((conf_layer, "gunicorn.conf.py"))
    annotations = source_annotations(recipe.root, epoch)
    if base_name:
        annotations["org.opencontainers.image.base.name"] = base_name
    annotations["org.opencontainers.image.base.digest"] = base.digest
    new_config = image_config(config, runtime, [(layer.diff_id, comment) for layer, comment in ours], epoch, {
        k: v for k, v in annotations.items() if k != "org.opencontainers.image.base.digest"
    })  # fmt: skip
    image = Image.assemble(new_config, [*base.layers, *(layer for layer, _ in ours)], annotations=annotations)
    return image, python, source


def build(
    recipe: BuildRecipe,
    bases: list[Image],
    options: BuildOptions,
    cache: BuildCache,
    *,
    progress: BuildProgress | None = None,
    remote: tuple[RemoteLookup, RemoteSave] | None = None,
    base_name: str | None = None,
    complete_base: BaseCompletion | None = None,
) -> BuildResult:
    """One image per base (one base per platform); an index over them when there is more than one."""
    if not bases:
        raise JettisonError("no base image to build on")
    images: list[Image] = []
    pythons: dict[str, BasePython] = {}
    sources: dict[str, str] = {}
    for base in bases:
        image, python, source = build_for_base(
            recipe, base, options, cache, progress=progress, remote=remote, base_name=base_name,
            complete_base=complete_base,
        )  # fmt: skip
        platform = str(base.config.platform)
        images.append(image)
        pythons[platform] = python
        sources[platform] = source
    result: Image | ImageIndex = images[0] if len(images) == 1 else ImageIndex.of(images)
    return BuildResult(result, images, pythons, sources, list(recipe.notes))


def select_bases(base: Image | ImageIndex, platforms: list[str]) -> list[Image]:
    """The base image for each requested platform; a platform the base lacks is an error naming it."""
    if isinstance(base, Image):
        available = base.config.platform
        wanted = [Platform.parse(p) for p in platforms] or [available]
        for platform in wanted:
            if not available.matches(platform):
                raise JettisonError(
                    f"the base image is {available} only; it cannot build {platform} "
                    "(use a base whose index has that platform)",
                    base.where or None,
                )
        return [base]
    if not platforms:
        platforms = [_host_platform()]
    return [base.image_for(p) for p in platforms]


def _host_platform() -> str:
    machine = os.uname().machine
    return "linux/arm64" if machine in ("aarch64", "arm64") else "linux/amd64"
