"""Secret detection on (path, bytes): by path, by content, and the placeholders it must not flag."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jettison.project.secrets import detect

FAKE_PEM = b"-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----\n"


@pytest.mark.parametrize(
    ("path", "data", "kind"),
    [
        ("certs/server.key", FAKE_PEM, "private-key"),
        ("home/.ssh/id_ed25519", None, "private-key"),
        ("config/settings.ini", b"key = AKIAIOSFODNN7EXAMPLE\n", "aws-access-key"),
        (
            ".aws/credentials",
            b"[default]\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
            "aws-secret-key",
        ),  # fmt: skip
        ("sa.json", b'{"type": "service_account", "private_key": "..."}', "gcp-service-account"),
        (
            "app.cfg",
            b"conn=DefaultEndpointsProtocol=https;AccountName=a;AccountKey=" + b"A" * 88,
            "azure-storage-key",
        ),
        (".env", b"DEBUG=1\nSTRIPE_API_KEY=sk_live_abc123\n", "env-credential"),
        (".env.production", b"DB_PASSWORD='p4ss'\n", "env-credential"),
        (".npmrc", b"//registry.npmjs.org/:_authToken=npm_abcdef123456\n", "npm-token"),
        (".pypirc", b"[pypi]\nusername = __token__\npassword = pypi-AgEIcHlwaS5vcmc\n", "pypi-password"),
        (".docker/config.json", b'{"auths": {"r.io": {"auth": "dXNlcjpwYXNz"}}}', "docker-auth"),
        ("deploy/settings.yaml", b"url: postgresql://app:s3cr3t@db:5432/app\n", "url-credentials"),
        ("ci.txt", b"token ghp_" + b"a" * 36, "github-token"),
    ],
)
def test_detects(path, data, kind) -> None:
    assert kind in {secret.kind for secret in detect(path, data)}


@pytest.mark.parametrize(
    ("path", "data"),
    [
        (".env.example", b"DB_PASSWORD=hunter2\n"),
        (".env", b"DB_PASSWORD=\nAPI_TOKEN=changeme\nSECRET_KEY=${SECRET_KEY}\nDEBUG=1\n"),
        ("certs/server.pub", b"ssh-ed25519 AAAAC3Nza user@host\n"),
        ("app/config.py", b'DATABASE_URL = "postgresql://postgres:postgres@localhost/dev"\n'),
        (".npmrc", b"//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n"),
        ("image.png", b"\x89PNG\x00\x00-----BEGIN RSA PRIVATE KEY-----"),
    ],
)
def test_ignores_placeholders_examples_and_binaries(path, data) -> None:
    assert detect(path, data) == []


def test_reports_the_line() -> None:
    (secret,) = detect("x.ini", b"a\nb\nkey = AKIAIOSFODNN7EXAMPLE\n")
    assert secret.line == 3


@given(st.text(max_size=200), st.binary(max_size=200))
def test_never_raises(path, data) -> None:
    detect(path, data)
