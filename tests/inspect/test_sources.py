"""The same image read from a docker-archive, an OCI layout and the loopback registry gives the same
analysis: the figures do not depend on where the layers stream from."""

from __future__ import annotations

import pytest

from jettison.inspect.analysis import analysis_to_json, analyze
from jettison.inspect.source import open_image_input


def _figures(reference: str) -> dict:
    report = analysis_to_json(analyze(open_image_input(reference)))
    return {
        "size": report["image"]["size_bytes"],
        "layers": [(layer["size_bytes"], layer["files"], layer["diff_id"]) for layer in report["layers"]],
        "efficiency": report["efficiency"],
        "distributions": report["python"]["distributions"],
        "findings": sorted(finding["rule"] for finding in report["findings"]),
    }


@pytest.mark.containers
def test_archive_layout_and_registry_agree(services):
    archive = _figures(f"docker-archive:{services.slim_archive}")
    assert archive["distributions"], "the stand-in base carries pip"
    assert _figures(f"oci:{services.oci_layout}:3.11-slim") == archive
    assert _figures(f"{services.registry}/library/python:3.11-slim") == archive
