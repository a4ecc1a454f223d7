"""`jettison inspect` and `jettison diff` end to end on docker-archives read by the OCI core."""

from __future__ import annotations

import gzip
import io
import json
import re
import tarfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from jettison.cli import main
from jettison.model.image import ImageConfig
from jettison.oci.blobs import BlobDirectory
from jettison.oci.image import Image
from jettison.oci.layers import Layer, TarEntry
from jettison.oci.layout import write_oci_layout

from .inspect_images import layer_tar, write_docker_archive

SITE = "usr/local/lib/python3.11/site-packages"


def _dist(name: str, version: str, payload: bytes) -> list[tuple]:
    record = f"{name}/__init__.py,,{len(payload)}\n{name}-{version}.dist-info/METADATA,,\n".encode()
    return [
        (f"{SITE}/{name}/__init__.py", payload),
        (f"{SITE}/{name}-{version}.dist-info/METADATA", f"Name: {name}\nVersion: {version}\n\n".encode()),
        (f"{SITE}/{name}-{version}.dist-info/RECORD", record),
    ]


BASE = layer_tar([("etc", None), ("etc/os-release", b"ID=debian\n" * 10)])


def _archive(tmp_path: Path, name: str, layers: list[bytes]) -> Path:
    return write_docker_archive(tmp_path / name, layers)


def _run(*args: str, project: Path | None = None):
    runner = CliRunner()
    extra = ["--project", str(project)] if project is not None and args[0] == "inspect" else []
    return runner.invoke(main, [*args, *extra], catch_exceptions=False)


@pytest.fixture
def image(tmp_path):
    app = layer_tar(_dist("flask", "3.0.0", b"f" * 5000) + [("root/.cache/pip/x", b"c" * 2000)])
    return _archive(tmp_path, "a.tar", [BASE, app])


def test_json_report_is_complete(image, tmp_path):
    result = _run("inspect", f"docker-archive:{image}", "--format", "json", project=tmp_path)
    assert result.exit_code == 1, result.output  # the pip cache (JI901) is a warning
    report = json.loads(result.stdout)
    assert set(report) == {"schema_version", "image", "efficiency", "layers", "python", "findings", "treemap"}
    assert [d["name"] for d in report["python"]["distributions"]] == ["flask"]
    assert {f["rule"] for f in report["findings"]} == {"JI901"}
    assert report["layers"][1]["files"] == 4


def test_text_report_names_layers_distributions_and_findings(image, tmp_path):
    result = _run("inspect", f"docker-archive:{image}", project=tmp_path)
    assert result.exit_code == 1
    assert "flask" in result.output and "3.0.0" in result.output and "JI901" in result.output


def test_broken_budget_exits_1_with_the_reason_on_one_line(image, tmp_path):
    result = CliRunner().invoke(
        main, ["inspect", f"docker-archive:{image}", "--max-package", "1kB", "--project", str(tmp_path)]
    )
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "flask 3.0.0" in lines[0] and "max-package" in lines[0]
    assert "JI901" in lines[0]  # the failing finding is named on the same line


def _clean_image(tmp_path: Path) -> Path:
    app = layer_tar(_dist("flask", "3.0.0", b"f" * 5000))
    return _archive(tmp_path, "clean.tar", [BASE, app])


def _secret_image(tmp_path: Path) -> Path:
    key = (
        b"-----BEGIN RSA PRIVATE KEY-----\n"
        + b"MIIEowIBAAKCAQEA"
        + b"x" * 64
        + b"\n-----END RSA PRIVATE KEY-----\n"
    )
    app = layer_tar(_dist("flask", "3.0.0", b"f" * 5000) + [("app/id_rsa", key)])
    return _archive(tmp_path, "secret.tar", [BASE, app])


def test_clean_image_exits_0_and_findings_exit_1_like_audit(tmp_path):
    clean = CliRunner().invoke(
        main, ["inspect", f"docker-archive:{_clean_image(tmp_path)}", "--project", str(tmp_path)]
    )
    assert clean.exit_code == 0, clean.output
    assert clean.stderr == ""
    secret = _secret_image(tmp_path)
    found = CliRunner().invoke(
        main, ["inspect", f"docker-archive:{secret}", "--format", "json", "--project", str(tmp_path)]
    )
    assert found.exit_code == 1
    rules = {f["rule"]: f["severity"] for f in json.loads(found.stdout)["findings"]}
    assert rules.get("JI910") == "error", rules
    [line] = found.stderr.strip().splitlines()
    assert line.startswith("jettison: findings at or above warning: ") and "JI910" in line


def _with_config(tmp_path: Path, text: str) -> Path:
    project = tmp_path / "project"
    project.mkdir(exist_ok=True)
    (project / "pyproject.toml").write_text(f"[tool.jettison]\n{text}")
    return project


def test_fail_on_ignore_and_severity_come_from_the_project_config(image, tmp_path):
    def run(project: Path):
        return CliRunner().invoke(
            main, ["inspect", f"docker-archive:{image}", "--format", "json", "--project", str(project)]
        )

    # fail-on = "error": the JI901 warning stays in the report but no longer fails
    relaxed = run(_with_config(tmp_path, 'fail-on = "error"\n'))
    assert relaxed.exit_code == 0, relaxed.stderr
    assert [f["rule"] for f in json.loads(relaxed.stdout)["findings"]] == ["JI901"]
    # ignore drops it from the report and from the exit status
    ignored = run(_with_config(tmp_path, 'ignore = ["JI901"]\n'))
    assert ignored.exit_code == 0
    assert json.loads(ignored.stdout)["findings"] == []
    # a severity override takes it below the threshold, and is what the report shows
    lowered = run(_with_config(tmp_path, '[tool.jettison.severity]\nJI901 = "info"\n'))
    assert lowered.exit_code == 0
    assert json.loads(lowered.stdout)["findings"][0]["severity"] == "info"
    # ... or raises it; fail-on = "info" makes even info findings fail
    strict = run(_with_config(tmp_path, 'fail-on = "info"\n[tool.jettison.severity]\nJI901 = "info"\n'))
    assert strict.exit_code == 1
    # the audit's exclude globs name project files, never image paths
    excluded = run(_with_config(tmp_path, 'exclude = ["*", "/root/**", "root"]\n'))
    assert excluded.exit_code == 1
    bad = run(_with_config(tmp_path, 'fail-on = "loud"\n'))
    assert bad.exit_code == 2 and "fail-on" in bad.stderr


def test_budgets_from_pyproject_and_command_line_override(image, tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[tool.jettison]\nfail-on = "error"\n'  # the JI901 warning alone would fail too
        '[tool.jettison.budgets]\nmax-size = "1kB"\nmin-efficiency = "90%"\n'
    )
    assert _run("inspect", f"docker-archive:{image}", project=tmp_path).exit_code == 1
    relaxed = _run("inspect", f"docker-archive:{image}", "--max-size", "1GB", project=tmp_path)
    assert relaxed.exit_code == 0


def test_unknown_budget_key_is_a_user_error(image, tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.jettison.budgets]\nmax-sise = "1kB"\n')
    result = CliRunner().invoke(main, ["inspect", f"docker-archive:{image}", "--project", str(tmp_path)])
    assert result.exit_code == 2
    assert "max-sise" in result.stderr


def test_html_report_is_self_contained(image, tmp_path):
    target = tmp_path / "report.html"
    result = _run("inspect", f"docker-archive:{image}", "--html", str(target), project=tmp_path)
    assert result.exit_code == 1  # JI901; the report is written all the same
    page = target.read_text()
    assert "flask" in page
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "@import" not in page and "url(" not in page


def test_diff_reports_packages_layers_and_pull_bytes(image, tmp_path):
    app = layer_tar(_dist("flask", "3.1.0", b"f" * 7000) + _dist("gunicorn", "22.0.0", b"g" * 3000))
    after = _archive(tmp_path, "b.tar", [BASE, app])
    result = _run("diff", f"docker-archive:{image}", f"docker-archive:{after}", "--format", "json")
    assert result.exit_code == 0, result.output
    diff = json.loads(result.stdout)
    assert diff["distributions"]["added"][0]["name"] == "gunicorn"
    [changed] = diff["distributions"]["changed"]
    assert (changed["from"], changed["to"]) == ("3.0.0", "3.1.0")
    assert changed["size_delta"] == 2000
    assert len(diff["layers"]["shared"]) == 1 and len(diff["layers"]["new"]) == 1
    assert diff["pull_bytes"] == diff["layers"]["new"][0]["compressed_bytes"] == len(app)
    html_path = tmp_path / "diff.html"
    assert (
        _run("diff", f"docker-archive:{image}", f"docker-archive:{after}", "--html", str(html_path)).exit_code
        == 0
    )
    assert '"kind":"diff"' in html_path.read_text()


def _one_line_error(args: list[str]) -> str:
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr
    return lines[0]


def test_manifest_naming_a_missing_blob_is_one_line(tmp_path):
    archive = tmp_path / "missing.tar"
    manifest = json.dumps([{"Config": "c.json", "RepoTags": ["x:1"], "Layers": ["nope/layer.tar"]}]).encode()
    with tarfile.open(archive, "w") as tar:
        for name, data in (
            ("manifest.json", manifest),
            ("c.json", b'{"rootfs":{"diff_ids":["sha256:' + b"0" * 64 + b'"]}}'),
        ):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    assert "nope/layer.tar" in _one_line_error(["inspect", f"docker-archive:{archive}"])


def test_truncated_layer_is_one_line(tmp_path):
    layer = layer_tar([("a", b"x" * 20000)])
    archive = write_docker_archive(tmp_path / "t.tar", [layer[:5000]])
    assert "layer 0" in _one_line_error(["inspect", f"docker-archive:{archive}"])


def test_corrupt_gzip_layer_is_one_line(tmp_path):
    compressed = bytearray(gzip.compress(layer_tar([("a", bytes(range(256)) * 200)])))
    compressed[40:60] = b"\xff" * 20
    archive = write_docker_archive(tmp_path / "g.tar", [bytes(compressed)])
    message = _one_line_error(["inspect", f"docker-archive:{archive}"])
    assert "layer" in message


def _oci_layout(tmp_path: Path, compression: str) -> Path:
    blobs_dir = tmp_path / f"blobs-{compression}"
    layer = Layer.from_entries(
        [TarEntry("app/main.py", data=b"print('hi')\n" * 100)],
        compression=compression,
        blobs=BlobDirectory(blobs_dir),
    )
    image = Image.assemble(ImageConfig(), [layer])
    layout = tmp_path / f"oci-{compression}"
    write_oci_layout(image, layout, tag="latest")
    return layout


@pytest.mark.parametrize("compression", ["gzip", "none"])
def test_oci_layout_missing_layer_blob_is_one_line(tmp_path, compression):
    layout = _oci_layout(tmp_path, compression)
    ok = CliRunner().invoke(
        main, ["inspect", f"oci:{layout}:latest", "--format", "json", "--project", str(tmp_path)]
    )
    assert ok.exit_code == 0, ok.output
    layer_digest = json.loads(ok.stdout)["layers"][0]["digest"]
    (layout / "blobs" / "sha256" / layer_digest.removeprefix("sha256:")).unlink()
    assert "layer" in _one_line_error(["inspect", f"oci:{layout}:latest", "--project", str(tmp_path)])


def test_gzip_compressed_archive_reads_and_a_truncated_one_is_one_line(image, tmp_path):
    packed = tmp_path / "a.tar.gz"
    packed.write_bytes(gzip.compress(image.read_bytes(), mtime=0))
    result = _run("inspect", f"docker-archive:{packed}", "--format", "json", project=tmp_path)
    assert json.loads(result.stdout)["python"]["distributions"][0]["name"] == "flask"
    truncated = tmp_path / "cut.tar.gz"
    truncated.write_bytes(packed.read_bytes()[: packed.stat().st_size // 2])
    message = _one_line_error(["inspect", f"docker-archive:{truncated}", "--project", str(tmp_path)])
    assert "gzip-compressed docker archive is damaged or truncated" in message
