"""A container engine to start images in (runs subprocesses: the docker client; the runner is a parameter).

The Docker Engine runs Dockerfile builds and images; an OCI layout or docker-archive that jettison built is
loaded into it first (skopeo turns a layout into an archive). Every container is started detached with the
host network, named `jettison-verify-*`, and removed by `remove()` whatever happened, so a verify run
leaves no container behind.
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from jettison.errors import JettisonError
from jettison.oci.reference import parse_source
from jettison.runtime.process import Completed, Runner, run_bounded
from jettison.scratch import run_directory

BUILD_TIMEOUT = 900.0


@dataclass
class DockerEngine:
    docker: str
    env: dict[str, str]
    runner: Runner = run_bounded
    started: list[str] = field(default_factory=list)

    def _run(self, *argv: str, timeout: float = 60.0) -> Completed:
        return self.runner([self.docker, *argv], timeout=timeout, env=self.env)

    def build(
        self, context: Path, dockerfile: str, tag: str, timeout: float = BUILD_TIMEOUT,
        target: str | None = None,
    ) -> Completed:
        """`docker build`; `target` names the stage that is the image (linkding's Dockerfile ends in an
        optional variant, `--target linkding` is the service)."""
        env = {**self.env, "DOCKER_BUILDKIT": "1"}
        argv = [self.docker, "build", "--network=host", "-q", "-t", tag, "-f", str(context / dockerfile),
                *(["--target", target] if target else []), str(context)]  # fmt: skip
        return self.runner(argv, timeout=timeout, env=env)

    def load(self, reference: str, tag: str, runner_timeout: float = 300.0) -> str:
        """An image jettison built (`oci:DIR[:TAG]`, `docker-archive:FILE`) loaded as `tag`."""
        kind = reference.partition(":")[0]
        if kind not in ("oci", "docker-archive"):
            return reference  # an image the engine already has
        # The one reader of image sources: `docker-archive:FILE:name:tag` names FILE, not the whole rest
        # (the way `jettison build --output` is usually given; verify then looked for a file `FILE:name:tag`).
        source = parse_source(reference)
        location = source.path or ""
        if source.tag and kind == "oci":
            location = f"{location}:{source.tag}"
        with tempfile.TemporaryDirectory(prefix="load-", dir=run_directory()) as scratch:
            archive = source.path or ""
            if kind == "oci":
                skopeo = shutil.which("skopeo")
                if skopeo is None:
                    raise JettisonError("verifying an OCI layout needs skopeo (or give a docker-archive)")
                archive = os.path.join(scratch, "image.tar")
                argv = [skopeo, "copy", "--quiet", f"oci:{location}", f"docker-archive:{archive}:{tag}"]
                copied = self.runner(argv, timeout=runner_timeout, env=self.env)
                if not copied.ok:
                    raise JettisonError(f"skopeo copy failed: {copied.last_line()}", location)
            loaded = self._run("load", "-q", "-i", archive, timeout=runner_timeout)
            if not loaded.ok:
                raise JettisonError(f"docker load failed: {loaded.last_line()}", location)
            image = loaded.stdout.strip().rsplit(": ", 1)[-1]
            self._run("tag", image, tag)
            return tag

    def start(self, image: str, env: Mapping[str, str], label: str) -> str:
        name = f"jettison-verify-{label}-{secrets.token_hex(4)}"
        argv = ["run", "-d", "--network=host", "--name", name]
        for key, value in sorted(env.items()):
            argv += ["-e", f"{key}={value}"]
        self.started.append(name)
        started = self._run(*argv, image)
        if not started.ok:
            raise JettisonError(f"docker run {image} failed: {started.last_line()}")
        return name

    def state(self, name: str) -> tuple[bool, int | None]:
        """(running, exit code)."""
        inspected = self._run("inspect", "-f", "{{.State.Running}} {{.State.ExitCode}}", name, timeout=20)
        if not inspected.ok:
            return False, None
        running, _, code = inspected.stdout.strip().partition(" ")
        return running == "true", int(code) if code.strip().lstrip("-").isdigit() else None

    def pid(self, name: str) -> int | None:
        """The host pid of the container's first process (what its other processes descend from)."""
        inspected = self._run("inspect", "-f", "{{.State.Pid}}", name, timeout=20)
        text = inspected.stdout.strip() if inspected.ok else ""
        return int(text) if text.isdigit() and text != "0" else None

    def logs(self, name: str) -> str:
        got = self._run("logs", name, timeout=30)
        return got.stdout + got.stderr

    def exec(self, name: str, argv: list[str], timeout: float = 30.0) -> Completed:
        return self._run("exec", name, *argv, timeout=timeout)

    def remove(self, name: str) -> None:
        self._run("rm", "-f", "-v", name, timeout=60)
        if name in self.started:
            self.started.remove(name)

    def remove_image(self, tag: str) -> None:
        self._run("rmi", "-f", tag, timeout=60)

    def remove_all(self) -> None:
        for name in list(self.started):
            self.remove(name)


def find_engine(runner: Runner = run_bounded) -> DockerEngine | None:
    """The Docker Engine this machine offers ($DOCKER_HOST, else the default socket), or None."""
    docker = "/usr/bin/docker" if Path("/usr/bin/docker").exists() else shutil.which("docker")
    if docker is None:
        return None
    env = dict(os.environ)
    if "DOCKER_HOST" not in env and Path("/tmp/jettison-services/docker.sock").exists():
        env["DOCKER_HOST"] = "unix:///tmp/jettison-services/docker.sock"
    probe = runner([docker, "version", "--format", "{{.Server.Version}}"], timeout=15, env=env)
    return DockerEngine(docker, env, runner) if probe.ok else None
