"""What goes into which layer, and the image config that runs it. Pure: no I/O beyond stat().

Layer order, bottom to top, from least to most often changed, so an edit invalidates only the top:

    base image layers | large dependencies | small dependencies | application source | gunicorn.conf.py

"Large" distributions (numpy, pandas, psycopg-binary: at least `large_bytes` installed) change rarely
and dominate the bytes; keeping them apart means bumping a small library re-pushes only the small
layer. Large ones are spread over at most `max_layers - 1` layers by size so no single layer is huge,
whole distributions only, in name order, so the same set always gives the same layers.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from pathlib import Path

from jettison.builder.wheels import Distribution, StagedFile
from jettison.model.image import History, ImageConfig

# Numeric so runc (no /etc/passwd lookup needed) and Kubernetes' runAsNonRoot can both check it;
# 65532 is distroless' "nonroot", present in no Debian passwd, which is fine for a numeric User.
DEFAULT_USER = "65532:65532"


@dataclass(frozen=True)
class DependencySplit:
    """How dependencies are cut into layers (configurable from the CLI)."""

    large_bytes: int = 8 * 1024 * 1024
    max_layers: int = 3  # the sane cap: each layer costs a round trip on pull and a lookup on push

    def __post_init__(self) -> None:
        if not 1 <= self.max_layers <= 4:
            raise ValueError("dependency layers must be between 1 and 4")


@dataclass
class DependencyLayer:
    name: str  # for the history entry and progress, e.g. "dependencies (large): numpy, pandas"
    distributions: list[Distribution] = field(default_factory=list)

    @property
    def files(self) -> list[StagedFile]:
        return [f for dist in self.distributions for f in dist.files]

    @property
    def size(self) -> int:
        return sum(d.size for d in self.distributions)


def split_dependencies(
    dists: list[Distribution], skeleton: list[StagedFile], split: DependencySplit
) -> list[DependencyLayer]:
    """Distributions grouped into at most `split.max_layers` layers; the venv skeleton joins the last.

    The last layer always exists (it carries pyvenv.cfg and the interpreter links), even with no
    dependencies at all.
    """
    sized = sorted(((d.size, d.name, d) for d in dists), key=lambda item: item[1].lower())
    large = [d for size, _, d in sized if split.max_layers > 1 and size >= split.large_bytes]
    small = [d for size, _, d in sized if d not in large]
    layers: list[DependencyLayer] = []
    bins = min(len(large), split.max_layers - 1)
    if bins:
        # Largest first into the lightest bin: a greedy partition that is stable for a given set.
        groups: list[list[Distribution]] = [[] for _ in range(bins)]
        weights = [0] * bins
        for dist in sorted(large, key=lambda d: (-d.size, d.name.lower())):
            lightest = weights.index(min(weights))
            groups[lightest].append(dist)
            weights[lightest] += dist.size
        for group in sorted(groups, key=lambda g: min(d.name.lower() for d in g)):
            group.sort(key=lambda d: d.name.lower())
            layers.append(DependencyLayer("dependencies (large): " + ", ".join(d.name for d in group), group))
    last = DependencyLayer("dependencies: " + (", ".join(d.name for d in small) or "venv only"), small)
    last.distributions.append(Distribution("_venv", "", list(skeleton)))
    layers.append(last)
    return layers


def app_files(
    context: Path,
    layout: list[tuple[str, str]],
    replaced: dict[str, bytes],
    executable: frozenset[str] = frozenset(),
) -> list[StagedFile]:
    """The context files (already .dockerignore-filtered) at their image paths, `replaced` overriding bytes.

    Symlinks are kept as links (never followed out of the context); modes keep only the owner's
    execute bit, so the umask of whoever checked the project out never shows in the image.
    """
    out = []
    for rel, image_path in layout:
        host = context / rel
        if rel in replaced:
            mode = 0o755 if rel in executable else 0o644
            out.append(StagedFile(image_path, None, mode, content=replaced[rel]))
        elif host.is_symlink():
            out.append(StagedFile(image_path, None, 0o777, link_target=str(host.readlink())))
        elif host.is_file():
            executable_bit = bool(host.stat().st_mode & 0o100)
            out.append(StagedFile(image_path, host, 0o755 if executable_bit else 0o644))
    return out


@dataclass(frozen=True)
class RuntimeSettings:
    """How the container starts."""

    venv: str = "/opt/venv"
    workdir: str = "/app"
    gunicorn_conf: str = "/app/gunicorn.conf.py"
    app_module: str = "app:app"  # named on the command line: every Gunicorn reads it there
    port: int = 8000
    user: str = DEFAULT_USER
    entrypoint: tuple[str, ...] | None = None  # an entrypoint script, when the project needs one
    env: tuple[tuple[str, str], ...] = ()  # the project's own ENV values
    labels: tuple[tuple[str, str], ...] = ()
    expose: tuple[int, ...] = ()
    # The recipe's own CMD, kept when it does not run Gunicorn (None: the Gunicorn command below).
    command: tuple[str, ...] | None = None


def created_timestamp(epoch: int) -> str:
    return datetime.datetime.fromtimestamp(epoch, datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def image_config(
    base: ImageConfig,
    runtime: RuntimeSettings,
    layers: list[tuple[str, str]],
    epoch: int,
    annotations: dict[str, str],
) -> ImageConfig:
    """The base's config with our layers appended (`layers`: (diff_id, history comment) pairs)."""
    created = created_timestamp(epoch)
    env = dict(base.env)
    path = env.get("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
    env.update(
        PATH=f"{runtime.venv}/bin:{path}",
        VIRTUAL_ENV=runtime.venv,
        PYTHONUNBUFFERED="1",
        # The non-root user can't write .pyc files beside root-owned sources anyway; don't try.
        PYTHONDONTWRITEBYTECODE="1",
        PORT=str(runtime.port),
    )
    for name, value in runtime.env:
        env.setdefault(name, value)
    labels = dict(base.labels)
    labels.update(dict(runtime.labels))
    labels.update(annotations)
    ports = sorted({runtime.port, *runtime.expose})
    # As the Dockerfile `jettison fix` writes: CMD runs Gunicorn (so `docker run IMAGE sh` still works),
    # ENTRYPOINT only when the project has an entrypoint script.
    command = (
        list(runtime.command)
        if runtime.command is not None
        else ["gunicorn", "--config", runtime.gunicorn_conf, runtime.app_module]
    )
    config = base.with_runtime(
        Env=[f"{k}={v}" for k, v in env.items()],
        Entrypoint=list(runtime.entrypoint) if runtime.entrypoint else None,
        Cmd=command,
        User=runtime.user,
        WorkingDir=runtime.workdir,
        ExposedPorts={f"{port}/tcp": {} for port in ports},
        Labels=labels,
        StopSignal="SIGTERM",
    )
    history = list(base.history)
    for _, comment in layers:
        history.append(History(created=created, created_by="jettison build", comment=comment))
    return ImageConfig(
        architecture=base.architecture,
        os=base.os,
        variant=base.variant,
        created=created,
        config=config.config,
        diff_ids=(*base.diff_ids, *(diff_id for diff_id, _ in layers)),
        history=tuple(history),
        extra={k: v for k, v in base.extra.items() if k not in ("container", "container_config")},
    )
