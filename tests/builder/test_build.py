"""The builder end to end, offline: a test-made base, wheels from a local wheelhouse."""

from __future__ import annotations

import os
import shutil
import tarfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from jettison.builder import run_build
from jettison.builder.assemble import BuildOptions
from jettison.builder.plan import DependencySplit
from jettison.builder.sources import parse_ref, registry_name
from jettison.cli import main
from jettison.errors import JettisonError
from jettison.oci.image import Image, ImageIndex
from jettison.oci.layout import read_oci_index
from tests.builder.conftest import debian_like_members, make_project, member, write_base


def validate_image(image: Image) -> None:
    """Every layer's bytes match its digest, size and diff_id; the config lists those diff_ids."""
    assert image.config.diff_ids == tuple(layer.diff_id for layer in image.layers)
    assert [d.digest for d in image.manifest.layers] == [layer.digest for layer in image.layers]
    for layer in image.layers:
        with layer.open_uncompressed() as stream:
            while stream.read(1 << 20):
                pass
    non_empty = [h for h in image.config.history if not h.empty_layer]
    assert len(non_empty) == len(image.layers)


def files_of(layer) -> dict[str, tuple[str, int, str, bytes | None]]:
    out = {}
    for m, content in layer.members():
        out[m.path] = (m.kind, m.mode, m.linkname, content.read() if content is not None else None)
    return out


def build_to(project: Path, base: Path, out: Path, cache: Path, wheelhouse, **kwargs) -> str:
    options = BuildOptions(index=wheelhouse, split=DependencySplit(large_bytes=1_000_000), **kwargs)
    summary = run_build(
        project, base=f"oci:{base}:base", outputs=[f"oci:{out}:app"], cache_dir=cache, options=options,
        prune=False,
    )  # fmt: skip
    return summary.digest


def test_layers_hold_venv_source_and_config(tmp_path, base_layout, wheelhouse):
    project = make_project(tmp_path / "proj")
    build_to(project, base_layout, tmp_path / "out", tmp_path / "cache", wheelhouse)
    image = read_oci_index(tmp_path / "out", "app")
    assert isinstance(image, Image)
    validate_image(image)
    base, large, small, app, conf = image.layers
    assert {p for p in files_of(large) if p.endswith(".py")} == {
        "opt/venv/lib/python3.11/site-packages/bigdep/__init__.py"
    }
    deps = files_of(small)
    assert deps["opt/venv/bin/python"][:3:2] == ("symlink", "/usr/bin/python3.11")
    assert deps["opt/venv/bin/gunicorn"][3].startswith(b"#!/opt/venv/bin/python\n")
    assert deps["opt/venv/bin/gunicorn"][1] == 0o755
    assert b"home = /usr/bin" in deps["opt/venv/pyvenv.cfg"][3]
    source = files_of(app)
    assert "app/app.py" in source and "app/pkg/views.py" in source
    assert "app/debug.log" not in source and "app/requirements.txt" in source
    # The app may create files in its working directory (instance/, logs/) as it did as root; its
    # sources stay root's.
    owners = {m.path: (m.uid, m.gid) for m, _ in app.members()}
    assert owners["app"] == (65532, 65532) and owners["app/app.py"] == (0, 0)
    # ...in the merged image too: the config layer above must not hand the directory back to root.
    assert {(m.uid, m.gid) for m, _ in conf.members() if m.path == "app"} == {(65532, 65532)}
    assert list(p for p in files_of(conf) if not p.endswith("/") and "." in p) == ["app/gunicorn.conf.py"]
    runtime = image.config.config
    assert runtime["User"] == "65532:65532"
    assert runtime["Cmd"] == ["gunicorn", "--config", "/app/gunicorn.conf.py", "app:app"]
    assert "Entrypoint" not in runtime
    assert runtime["WorkingDir"] == "/app"
    assert runtime["ExposedPorts"] == {"8000/tcp": {}}
    assert image.config.env["PATH"].startswith("/opt/venv/bin:")
    assert image.config.env["PYTHONDONTWRITEBYTECODE"] == "1"
    assert image.config.created == "1970-01-01T00:00:00Z"
    assert "org.opencontainers.image.created" in image.manifest.annotations


def test_same_inputs_same_digest_in_other_directories_mtimes_and_umask(tmp_path, base_layout, wheelhouse):
    first = make_project(tmp_path / "one" / "proj")
    old = os.umask(0o077)
    try:
        second = make_project(tmp_path / "two" / "elsewhere")
        (second / "pkg" / "views.py").chmod(0o600)
    finally:
        os.umask(old)
    for path in second.rglob("*"):
        os.utime(path, (1_000_000_000, 1_000_000_000))
    digest_one = build_to(first, base_layout, tmp_path / "out1", tmp_path / "cache1", wheelhouse)
    digest_two = build_to(second, base_layout, tmp_path / "out2", tmp_path / "cache2", wheelhouse)
    assert digest_one == digest_two
    (second / "pkg" / "views.py").write_text("VIEW = 2\n")
    assert build_to(second, base_layout, tmp_path / "out2", tmp_path / "cache2", wheelhouse) != digest_one


def test_rebuild_after_an_edit_reuses_dependency_layers_without_uv(
    tmp_path, base_layout, wheelhouse, monkeypatch
):
    project = make_project(tmp_path / "proj")
    build_to(project, base_layout, tmp_path / "out", tmp_path / "cache", wheelhouse)
    before = read_oci_index(tmp_path / "out", "app")
    (project / "pkg" / "views.py").write_text("VIEW = 'edited'\n")

    def no_uv(*args, **kwargs):
        raise AssertionError("uv was called on a warm rebuild")

    monkeypatch.setattr("jettison.builder.wheels._run_uv", no_uv)
    build_to(project, base_layout, tmp_path / "out", tmp_path / "cache", wheelhouse)
    after = read_oci_index(tmp_path / "out", "app")
    assert [layer.digest for layer in after.layers[:3]] == [layer.digest for layer in before.layers[:3]]
    assert after.layers[3].digest != before.layers[3].digest
    assert after.layers[4].digest == before.layers[4].digest


def test_hostile_base_layers_are_read_without_touching_the_host(tmp_path, wheelhouse):
    victim = tmp_path / "escape"
    hostile = [
        *debian_like_members(),
        member("../escape", data=b"outside"),
        member("/etc/evil", data=b"absolute"),
        member("usr/bin/passwd-link", tarfile.SYMTYPE, linkname="/etc/passwd"),
        member("dev/null", tarfile.CHRTYPE),
        member("usr/local/bin/python3.99-not", data=b"x"),
    ]
    base = write_base(tmp_path / "hostile", tmp_path / "scratch", hostile)
    project = make_project(tmp_path / "proj")
    build_to(project, base, tmp_path / "out", tmp_path / "cache", wheelhouse)
    image = read_oci_index(tmp_path / "out", "app")
    validate_image(image)
    assert not victim.exists() and not Path("/etc/evil").exists()
    assert files_of(image.layers[2])["opt/venv/bin/python"][2] == "/usr/bin/python3.11"


def test_base_without_python_is_a_clear_error(tmp_path, wheelhouse):
    base = write_base(tmp_path / "nopy", tmp_path / "scratch", [member("etc/hostname", data=b"x\n")])
    with pytest.raises(JettisonError, match="no Python interpreter found"):
        build_to(make_project(tmp_path / "proj"), base, tmp_path / "out", tmp_path / "cache", wheelhouse)
    assert not (tmp_path / "out").exists()


def test_multi_platform_builds_one_image_per_platform_under_an_index(tmp_path, wheelhouse):
    from jettison.oci.layout import write_oci_layout

    amd = write_base(tmp_path / "amd", tmp_path / "s1", architecture="amd64")
    arm = write_base(tmp_path / "arm", tmp_path / "s2", architecture="arm64")
    both = ImageIndex.of([read_oci_index(amd, "base"), read_oci_index(arm, "base")])
    write_oci_layout(both, tmp_path / "multi", "base")
    project = make_project(tmp_path / "proj")
    options = BuildOptions(index=wheelhouse)
    summary = run_build(
        project, base=f"oci:{tmp_path / 'multi'}:base", platforms=["linux/amd64", "linux/arm64"],
        outputs=[f"oci:{tmp_path / 'out'}:app"], cache_dir=tmp_path / "cache", options=options, prune=False,
    )  # fmt: skip
    result = read_oci_index(tmp_path / "out", "app")
    assert isinstance(result, ImageIndex) and result.digest == summary.digest
    assert [str(e.platform) for e in result.index.manifests] == ["linux/amd64", "linux/arm64"]
    for image in result.images:
        validate_image(image)
    entries = sorted((tmp_path / "cache" / "deps").glob("*.json"))
    assert len(entries) == 2  # one dependency key per platform: each resolved for its own wheels
    with pytest.raises(JettisonError, match="amd64 only; it cannot build linux/arm64"):
        run_build(
            project, base=f"oci:{amd}:base", platforms=["linux/arm64"], outputs=[f"oci:{tmp_path / 'x'}"],
            cache_dir=tmp_path / "cache", options=options, prune=False,
        )  # fmt: skip


def test_only_registry_bases_are_named_in_labels():
    assert registry_name(parse_ref("oci:/tmp/dir:tag")) is None
    assert registry_name(parse_ref("docker-archive:/x/y.tar")) is None
    assert registry_name(parse_ref("127.0.0.1:5000/library/python:3.11-slim")) == (
        "127.0.0.1:5000/library/python:3.11-slim"
    )


def test_cli_missing_base_is_one_line_exit_2(tmp_path, wheelhouse):
    project = make_project(tmp_path / "proj")
    result = CliRunner().invoke(
        main, ["build", str(project), "--base", f"oci:{tmp_path / 'nothing'}", "--output",
               f"oci:{tmp_path}/o", "--no-prune", "--no-index", "--find-links", wheelhouse.find_links[0]],
    )  # fmt: skip
    assert result.exit_code == 2
    assert result.output.strip().startswith("jettison: ") and len(result.output.strip().splitlines()) == 1
    assert "base OCI layout not found" in result.output


def test_cli_malformed_requirements_is_one_line_exit_2(tmp_path, base_layout):
    project = make_project(tmp_path / "proj", requirements="flask\nnot a [valid requirement\n")
    result = CliRunner().invoke(
        main, ["build", str(project), "--base", f"oci:{base_layout}:base", "--output", f"oci:{tmp_path}/o"]
    )
    assert result.exit_code == 2, result.output
    assert result.output.count("\n") == 1 and "requirements.txt:2:" in result.output


def test_cli_needs_an_output(tmp_path):
    result = CliRunner().invoke(main, ["build", str(tmp_path)])
    assert result.exit_code == 2 and "--output" in result.output


@pytest.fixture(autouse=True)
def _no_shared_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("JETTISON_CACHE_DIR", str(tmp_path / "default-cache"))
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    yield
    shutil.rmtree(tmp_path / "default-cache", ignore_errors=True)


def test_audit_fix_and_build_print_the_same_target_python(tmp_path, base_layout, wheelhouse):
    project = make_project(tmp_path / "proj")
    (project / "Dockerfile").write_text(
        "FROM python:3.13-slim\nWORKDIR /app\nCOPY requirements.txt .\n"
        "RUN pip install --no-cache-dir -r requirements.txt\nCOPY . .\nCMD [\"gunicorn\", \"app:app\"]\n"
    )
    (project / "pyproject.toml").write_text(
        '[project]\nname = "proj"\nversion = "1"\nrequires-python = ">=3.11"\n'
    )
    runner = CliRunner()
    outputs = {
        "audit": runner.invoke(main, ["audit", "--offline", str(project)]),
        "fix": runner.invoke(main, ["fix", str(project)]),
        "build": runner.invoke(main, [
            "build", str(project), "--base", f"oci:{base_layout}:base", "--output", f"oci:{tmp_path}/o",
            "--no-prune", "--no-index", "--find-links", wheelhouse.find_links[0], "--no-verify",
        ]),
    }  # fmt: skip
    lines = {}
    for command, result in outputs.items():
        assert result.exit_code in (0, 1), (command, result.output)
        lines[command] = [line for line in result.output.splitlines() if line.startswith("target: ")]
    expected = ["target: Python 3.13 (Dockerfile:1 FROM python:3.13-slim)"]  # the base, not requires-python
    assert lines["audit"] == lines["fix"] == lines["build"] == expected
