"""Secrets in files, by path and by content: what a COPY would bake into a layer.

Pure functions over (path, bytes) so the same detector serves build contexts and image layers. Each
detector is one documented pattern; content patterns follow the published formats of the
credentials (PEM armour, AWS key ids, GCP service-account JSON, Azure connection strings, GitHub and
Slack token prefixes). Placeholders (`changeme`, `<...>`, `${VAR}`, `xxx`) are not secrets.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

MAX_SCAN_BYTES = 1_000_000


@dataclass(frozen=True)
class Secret:
    kind: str  # short id: private-key, aws-key, gcp-service-account, ...
    description: str
    line: int | None = None


_CONTENT = [
    ("private-key", "private key", re.compile(r"-----BEGIN (?:[A-Z]+ )*PRIVATE KEY-----")),
    ("aws-access-key", "AWS access key id", re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b")),
    (
        "aws-secret-key",
        "AWS secret access key",
        re.compile(r"aws_secret_access_key\s*[:=]\s*['\"]?[A-Za-z0-9/+=]{40}\b", re.IGNORECASE),
    ),
    ("gcp-service-account", "GCP service-account key", re.compile(r'"type"\s*:\s*"service_account"')),
    (
        "azure-storage-key",
        "Azure storage account key",
        re.compile(r"AccountKey=[A-Za-z0-9+/=]{40,}"),
    ),
    ("github-token", "GitHub token", re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b")),
    ("slack-token", "Slack token", re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}\b")),
    ("npm-token", "npm auth token", re.compile(r"_authToken\s*=\s*(?!\$\{)\S+")),
    ("url-credentials", "password in a URL", re.compile(r"\b[a-z][a-z0-9+.-]*://[^\s:/@]+:([^\s@/$]{3,})@")),
]
# Lower-case substrings every match of a pattern contains.
_HINTS = {
    "private-key": ("private key",),
    "aws-access-key": ("akia", "asia"),
    "aws-secret-key": ("aws_secret_access_key",),
    "gcp-service-account": ("service_account",),
    "azure-storage-key": ("accountkey=",),
    "github-token": ("ghp_", "gho_", "ghu_", "ghs_", "ghr_"),
    "slack-token": ("xox",),
    "npm-token": ("_authtoken",),
    "url-credentials": ("://",),
}
_ASSIGNMENT = re.compile(r"^\s*(?:export\s+)?(?P<key>[A-Za-z_][A-Za-z0-9_.-]*)\s*[:=]\s*(?P<value>.*?)\s*$")
_SECRET_KEY = re.compile(r"(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|ACCESS_KEY|PRIVATE_KEY|CREDENTIAL)", re.I)
_PLACEHOLDER = re.compile(
    r"^(|changeme|change_me|xxx+|\*+|<.*>|\$\{?[A-Za-z_].*|dummy|example|placeholder|none|null)$", re.I
)
_DOC_OR_CODE = (".py", ".md", ".rst", ".txt", ".ipynb", ".js", ".ts", ".html")
_KEY_FILES = {"id_rsa", "id_dsa", "id_ecdsa", "id_ed25519"}


def _is_placeholder(value: str) -> bool:
    return bool(_PLACEHOLDER.match(value.strip().strip("'\"")))


def scan_text(text: str) -> list[Secret]:
    """Content detectors over text (one hit per kind, at its first line)."""
    hits = []
    lowered = text.lower()
    for kind, description, pattern in _CONTENT:
        if not any(hint in lowered for hint in _HINTS[kind]):
            continue  # a substring test is far cheaper than the regex, and most files hold no hint
        # One search over the whole text per pattern: a per-line loop costs 100x more on big files.
        for match in pattern.finditer(text):
            if kind == "url-credentials" and _is_placeholder(match.group(1)):
                continue
            hits.append(Secret(kind, description, text.count("\n", 0, match.start()) + 1))
            break
    return sorted(hits, key=lambda secret: (secret.line or 0, secret.kind))


def _env_file_secrets(text: str) -> list[Secret]:
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        match = _ASSIGNMENT.match(line)
        if match and _SECRET_KEY.search(match.group("key")) and not _is_placeholder(match.group("value")):
            found.append(Secret("env-credential", f"credential {match.group('key')}", number))
    return found


def is_env_file(path: str) -> bool:
    base = posixpath.basename(path)
    if base.endswith((".example", ".sample", ".template", ".dist")):
        return False
    return base == ".env" or base.startswith(".env.") or base.endswith(".env")


def detect(path: str, data: bytes | None) -> list[Secret]:
    """Secrets that the file at context-relative `path` holds. `data` may be None (unreadable)."""
    base = posixpath.basename(path)
    found: list[Secret] = []
    if base in _KEY_FILES:
        found.append(Secret("private-key", f"SSH private key ({base})"))
    if path.endswith(".aws/credentials") or base == ".git-credentials":
        found.append(Secret("cloud-credentials", f"credentials file ({base})"))
    if data is None or len(data) > MAX_SCAN_BYTES or b"\0" in data[:8192]:
        return found
    text = data.decode("utf-8", "replace")
    kinds = {secret.kind for secret in found}
    for secret in scan_text(text):
        # Example URLs with dev passwords are common in code and docs; in config files they are real.
        if secret.kind == "url-credentials" and base.endswith(_DOC_OR_CODE):
            continue
        if secret.kind not in kinds:
            found.append(secret)
            kinds.add(secret.kind)
    if is_env_file(path):
        found.extend(_env_file_secrets(text)[:1])
    elif base == ".pypirc" and re.search(r"^\s*password\s*[:=]\s*\S+", text, re.M):
        found.append(Secret("pypi-password", "PyPI upload password (.pypirc)"))
    elif base == ".netrc" and re.search(r"\bpassword\s+\S+", text):
        found.append(Secret("netrc-password", "password in .netrc"))
    elif base == "config.json" and ".docker" in path and re.search(r'"auth"\s*:\s*"[^"]+"', text):
        found.append(Secret("docker-auth", "registry credentials (docker config.json)"))
    elif base == ".npmrc" and "npm-token" not in kinds and re.search(r"(_auth|_password)\s*=\s*\S+", text):
        found.append(Secret("npm-token", "npm credentials (.npmrc)"))
    return found
