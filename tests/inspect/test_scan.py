"""The layer scan on hand-made images: sizes, history, the merged view, distributions, findings."""

from __future__ import annotations

import gzip
import io
import struct
from pathlib import Path

from jettison.inspect.analysis import analysis_to_json, analyze
from jettison.inspect.secrets import image_secret_scanner
from jettison.inspect.source import ImageInput, LayerInput, history_by_layer
from jettison.model.findings import Severity

from .inspect_images import layer_tar, read_docker_archive, write_docker_archive

SITE = "usr/local/lib/python3.11/site-packages"


def _image(tmp_path: Path, layers: list[list[tuple]], created_by: list[str] | None = None) -> ImageInput:
    path = write_docker_archive(
        tmp_path / "image.tar", [layer_tar(entries) for entries in layers], created_by
    )
    return read_docker_archive(path)


def _record(*rows: tuple[str, int]) -> bytes:
    return "".join(f"{path},sha256=x,{size}\n" for path, size in rows).encode()


def _elf_with_symtab() -> bytes:
    """A minimal ELF64 shared object: null, .symtab, .strtab, .debug_info and .shstrtab sections."""
    names = b"\0.symtab\0.strtab\0.debug_info\0.shstrtab\0"
    body = b"S" * 240 + b"T" * 40 + b"D" * 500
    shoff = 64 + len(body) + len(names)
    header = bytearray(64)
    header[:6] = b"\x7fELF\x02\x01"
    struct.pack_into("<HHIQQQIHHHHHH", header, 16, 3, 62, 1, 0, 0, shoff, 0, 64, 0, 0, 64, 5, 4)

    def section(name: int, kind: int, offset: int, size: int, link: int = 0) -> bytes:
        return struct.pack("<IIQQQQIIQQ", name, kind, 0, 0, offset, size, link, 0, 1, 0)

    table = (
        section(0, 0, 0, 0)
        + section(1, 2, 64, 240, link=2)
        + section(9, 3, 304, 40)
        + section(17, 1, 344, 500)
        + section(29, 3, 64 + len(body), len(names))
    )
    return bytes(header) + body + names + table


def test_layer_sizes_file_counts_and_history(tmp_path):
    image = _image(
        tmp_path,
        [[("etc", None), ("etc/a", b"a" * 100), ("etc/b", b"b" * 50)], [("etc", None), ("etc/a", b"A" * 10)]],
        ["FROM scratch", "RUN change a"],
    )
    report = analysis_to_json(analyze(image))
    assert [layer["size_bytes"] for layer in report["layers"]] == [150, 10]
    assert [layer["files"] for layer in report["layers"]] == [2, 1]
    assert [layer["created_by"] for layer in report["layers"]] == ["FROM scratch", "RUN change a"]
    assert report["image"]["size_bytes"] == 60  # the final file system: a (10) + b (50)
    assert report["efficiency"]["wasted_bytes"] == 110
    assert report["efficiency"]["score"] == (10 + 50) / (110 + 50)


def test_history_skips_empty_layers():
    config = {"history": [{"created_by": "ENV A=1", "empty_layer": True}, {"created_by": "COPY x"}]}
    assert history_by_layer(config, 2) == [{"created_by": "COPY x"}, {}]


def test_distributions_follow_overrides_and_whiteouts(tmp_path):
    record = _record(("demo/__init__.py", 10), ("demo/big.bin", 1000), ("demo-1.0.dist-info/RECORD", 0))
    metadata = b"Metadata-Version: 2.1\nName: Demo\nVersion: 1.0\n\nbody"
    base = [
        (f"{SITE}/demo/__init__.py", b"x" * 10),
        (f"{SITE}/demo/big.bin", b"y" * 1000),
        (f"{SITE}/demo-1.0.dist-info/RECORD", record),
        (f"{SITE}/demo-1.0.dist-info/METADATA", metadata),
        (f"{SITE}/stray.py", b"z" * 7),
    ]
    later = [(f"{SITE}/demo/.wh.big.bin", b""), (f"{SITE}/demo/__init__.py", b"x" * 30)]
    report = analysis_to_json(analyze(_image(tmp_path, [base, later])))
    [dist] = report["python"]["distributions"]
    assert (dist["name"], dist["version"]) == ("Demo", "1.0")
    assert dist["size_bytes"] == 30 + len(record)
    assert dist["files"] == 2
    assert dist["layers"] == [0, 1]
    unclaimed = {(item["top_level"], item["size_bytes"]) for item in report["python"]["unclaimed"]}
    assert unclaimed == {("stray.py", 7), ("demo-1.0.dist-info", len(metadata))}
    assert report["python"]["versions"] == ["3.11"]


def _rules(report: dict) -> dict[str, dict]:
    return {finding["rule"]: finding for finding in report["findings"]}


def test_waste_findings_carry_their_savings(tmp_path):
    status = (
        b"Package: gcc-12\nStatus: install ok installed\nInstalled-Size: 100\n\n"
        b"Package: libpq-dev\nStatus: install ok installed\nInstalled-Size: 20\n\n"
        b"Package: libpq5\nStatus: install ok installed\nInstalled-Size: 50\n\n"
        b"Package: gcc-11\nStatus: deinstall ok config-files\nInstalled-Size: 90\n"
    )
    same = b"same content " * 1000
    files = [
        ("root/.cache/pip/http/blob", b"p" * 5000),
        ("root/.cache/uv/archive/x", b"u" * 300),
        ("var/lib/apt/lists/deb.debian.org_dists_bookworm_InRelease", b"l" * 400),
        (f"{SITE}/demo/tests/test_x.py", b"t" * 200),
        (f"{SITE}/demo/__pycache__/x.cpython-39.pyc", b"c" * 70),
        (f"{SITE}/demo/__pycache__/y.cpython-311.pyc", b"c" * 71),
        (f"{SITE}/demo/include/demo.h", b"h" * 90),
        ("usr/local/lib/libdemo.a", b"a" * 900),
        (f"{SITE}/demo/_speedups.so", _elf_with_symtab()),
        ("var/lib/dpkg/status", status),
        ("opt/one/data.bin", same),
        ("opt/two/data.bin", same),
    ]
    report = analysis_to_json(analyze(_image(tmp_path, [files])))
    rules = _rules(report)
    assert rules["JI901"]["saving_bytes"] == 5000
    assert rules["JI902"]["saving_bytes"] == 300
    assert rules["JI903"]["saving_bytes"] == 400
    assert rules["JI904"]["saving_bytes"] == 200
    assert rules["JI905"]["saving_bytes"] == 70  # 3.9 byte code in a 3.11 image; the 3.11 one stays
    assert rules["JI906"]["saving_bytes"] == 990
    assert rules["JI907"]["saving_bytes"] == 240 + 40 + 500
    assert rules["JI908"]["data"]["packages"] == ["gcc-12", "libpq-dev"]
    assert rules["JI908"]["saving_bytes"] == 120 * 1024
    assert rules["JI909"]["saving_bytes"] == len(same)
    assert rules["JI909"]["data"]["groups"][0]["paths"] == ["/opt/one/data.bin", "/opt/two/data.bin"]


def test_clean_image_has_no_findings(tmp_path):
    report = analysis_to_json(analyze(_image(tmp_path, [[("app", None), ("app/main.py", b"print(1)\n")]])))
    assert report["findings"] == []
    assert report["efficiency"]["score"] == 1.0


def test_secret_deleted_in_a_later_layer_is_still_reported(tmp_path):
    key = b"-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----\n"
    env = b"DATABASE_PASSWORD=hunter2hunter2\n"
    image = _image(
        tmp_path,
        [[("root/.ssh/id_ed25519", key), ("app/.env", env)], [("root/.ssh/.wh.id_ed25519", b"")]],
    )
    findings = [f for f in analyze(image, image_secret_scanner()).findings if f.rule == "JI910"]
    by_path = {str(f.location): f for f in findings}
    assert set(by_path) == {"/root/.ssh/id_ed25519", "/app/.env"}
    assert by_path["/root/.ssh/id_ed25519"].data == {"layer": 0, "deleted": True, "kind": "private-key"}
    assert "still shipped in layer 0" in by_path["/root/.ssh/id_ed25519"].message
    assert by_path["/app/.env"].data["deleted"] is False


def test_keys_a_wheel_ships_for_its_tests_are_info_not_secrets(tmp_path):
    key = b"-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----\n"
    dist = f"{SITE}/gevent-23.9.1.dist-info"
    record = _record(("gevent/__init__.py", 10), ("gevent/tests/server.key", len(key)))
    image = _image(
        tmp_path,
        [
            [
                (f"{SITE}/gevent/__init__.py", b"x = 1\n" + b"#" * 3),
                (f"{SITE}/gevent/tests/server.key", key),
                (f"{dist}/METADATA", b"Name: gevent\nVersion: 23.9.1\n\n"),
                (f"{dist}/RECORD", record),
                # the same key where no RECORD claims it, and outside any tests directory
                (f"{SITE}/mine/tests/server.key", key),
                ("app/certs/server.key", key),
            ]
        ],
    )
    findings = {
        str(f.location): f for f in analyze(image, image_secret_scanner()).findings if f.rule == "JI910"
    }
    fixture = findings[f"/{SITE}/gevent/tests/server.key"]
    assert fixture.severity == Severity.INFO and fixture.data["distribution"] == "gevent"
    assert "gevent's tests" in fixture.message
    assert findings[f"/{SITE}/mine/tests/server.key"].severity == Severity.ERROR
    assert findings["/app/certs/server.key"].severity == Severity.ERROR


def test_forward_only_gzip_layers_give_the_same_figures(tmp_path):
    layers = [
        layer_tar([("a", None), ("a/w", b"1" * 5000), ("a/x", b"1" * 5000), ("a/y", b"1" * 5000)]),
        layer_tar([("a", None), ("a/.wh.x", b""), ("a/z", b"2" * 9000)]),
    ]
    seekable = read_docker_archive(write_docker_archive(tmp_path / "i.tar", layers))
    streamed = ImageInput(
        reference="gz",
        layers=[
            LayerInput(
                digest=f"sha256:{index}",
                compressed_size=len(gzip.compress(data)),
                open=lambda data=data: gzip.GzipFile(fileobj=io.BytesIO(gzip.compress(data))),
                media_type="application/vnd.oci.image.layer.v1.tar+gzip",
            )
            for index, data in enumerate(layers)
        ],
    )
    a, b = analysis_to_json(analyze(seekable)), analysis_to_json(analyze(streamed))
    assert a["efficiency"] == b["efficiency"]
    assert [layer["size_bytes"] for layer in a["layers"]] == [layer["size_bytes"] for layer in b["layers"]]
    assert [layer["uncompressed_bytes"] for layer in b["layers"]] == [len(data) for data in layers]
    assert _rules(a)["JI909"]["data"] == _rules(b)["JI909"]["data"]  # hashed lazily vs eagerly


def test_treemap_groups_loose_files_by_their_directory_cut_at_three_levels(tmp_path):
    image = _image(
        tmp_path,
        [
            [
                ("usr/share/doc/libc6/copyright", b"c" * 300),
                ("usr/share/doc/libc6/changelog.gz", b"g" * 700),
                ("usr/share/doc/zlib1g/copyright", b"z" * 200),
                ("usr/lib/x86_64-linux-gnu/libz.so.1", b"l" * 900),
                ("app/main.py", b"print(1)\n"),
            ]
        ],
    )
    [layer] = analysis_to_json(analyze(image))["treemap"]["children"]
    groups = {
        group["name"]: {leaf["name"]: leaf["size"] for leaf in group["children"]}
        for group in layer["children"]
    }
    assert groups == {
        "/usr/share/doc": {"libc6/": 1000, "zlib1g/": 200},
        "/usr/lib/x86_64-linux-gnu": {"libz.so.1": 900},
        "/app": {"main.py": 9},
    }
