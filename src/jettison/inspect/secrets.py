"""The secret check the layer scan runs on candidate files: jettison.project.secrets.detect.

The same pure detectors on (path, bytes) serve build contexts and image layers. The scan reads a
file's content for them only when its name or place makes a secret plausible (see
scan.is_secret_candidate): reading every small file of an image would cost more than the rest of the
analysis together.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from jettison.project.secrets import detect


def image_secret_scanner() -> Callable[[str, bytes], Sequence[Any]]:
    return detect
