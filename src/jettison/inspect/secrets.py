"""The secret check the layer scan runs on candidate files: jettison.project.secrets when present.

jettison.project.secrets (the build-context rules' module) holds the detectors as pure functions on
(path, bytes). It was written at the same time as this module, so we look its entry point up by the
names it may carry; until it exists, a minimal built-in check (private keys, AWS keys, .env passwords)
keeps `inspect` useful. Either returns a list of short descriptions of what was found.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Sequence
from typing import Any

_CANDIDATE_NAMES = ("scan_secrets", "detect_secrets", "find_secrets", "secrets_in", "scan")

_PRIVATE_KEY = re.compile(rb"-----BEGIN ((?:RSA|DSA|EC|OPENSSH|ENCRYPTED) )?PRIVATE KEY-----")
_AWS_KEY = re.compile(rb"\b(AKIA|ASIA)[0-9A-Z]{16}\b")
_ASSIGNED_SECRET = re.compile(
    rb"^\s*(?:export\s+)?[A-Z0-9_]*(PASSWORD|PASSWD|SECRET|TOKEN|API_KEY|PRIVATE_KEY)[A-Z0-9_]*\s*=\s*['\"]?[^\s'\"#]{4,}",
    re.MULTILINE | re.IGNORECASE,
)


def builtin_secrets(path: str, data: bytes) -> list[str]:
    found = []
    if _PRIVATE_KEY.search(data):
        found.append("a private key")
    if _AWS_KEY.search(data):
        found.append("an AWS access key id")
    base = path.rpartition("/")[2]
    if (base == ".env" or base.startswith(".env.") or base.endswith(".env")) and _ASSIGNED_SECRET.search(
        data
    ):
        found.append(".env file assigning a password, secret or token")
    return found


def image_secret_scanner() -> Callable[[str, bytes], Sequence[Any]]:
    try:
        module = importlib.import_module("jettison.project.secrets")
    except ImportError:
        return builtin_secrets
    for name in _CANDIDATE_NAMES:
        function = getattr(module, name, None)
        if callable(function):
            return function  # type: ignore[no-any-return]
    return builtin_secrets
