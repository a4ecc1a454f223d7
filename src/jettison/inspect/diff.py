"""`jettison diff A B`: what changed between two analysed images, and what B costs a node holding A.

Works on the JSON form of two analyses (analysis_to_json), so a saved `--format json` report can be
compared as well as a live image.
"""

from __future__ import annotations

from typing import Any

from packaging.utils import canonicalize_name


def _distributions(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    merged: dict[str, dict[str, Any]] = {}
    for dist in report["python"]["distributions"]:
        key = canonicalize_name(dist["name"])
        entry = merged.setdefault(key, {"name": dist["name"], "versions": [], "size_bytes": 0, "files": 0})
        # A METADATA without Version is reported as null (inspect/python.py): shown, never joined as None.
        version = dist["version"] if dist["version"] is not None else "(no version)"
        if version not in entry["versions"]:
            entry["versions"].append(version)
        entry["size_bytes"] += dist["size_bytes"]
        entry["files"] += dist["files"]
    return merged


def _summary(report: dict[str, Any]) -> dict[str, Any]:
    image = report["image"]
    return {
        "reference": image["reference"],
        "size_bytes": image["layers_size_bytes"],
        "compressed_size_bytes": image["compressed_size_bytes"],
        "layers": len(report["layers"]),
        "efficiency": report["efficiency"]["score"],
        "wasted_bytes": report["efficiency"]["wasted_bytes"],
    }


def diff_reports(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    a, b = _distributions(before), _distributions(after)
    added = [
        {"name": b[k]["name"], "version": ", ".join(b[k]["versions"]), "size_delta": b[k]["size_bytes"]}
        for k in sorted(set(b) - set(a))
    ]
    removed = [
        {"name": a[k]["name"], "version": ", ".join(a[k]["versions"]), "size_delta": -a[k]["size_bytes"]}
        for k in sorted(set(a) - set(b))
    ]
    changed = []
    for key in sorted(set(a) & set(b)):
        if sorted(a[key]["versions"]) != sorted(b[key]["versions"]):
            changed.append(
                {
                    "name": b[key]["name"],
                    "from": ", ".join(a[key]["versions"]),
                    "to": ", ".join(b[key]["versions"]),
                    "size_delta": b[key]["size_bytes"] - a[key]["size_bytes"],
                }
            )
    held = {layer["digest"] for layer in before["layers"]}
    shared = [layer for layer in after["layers"] if layer["digest"] in held]
    new = [layer for layer in after["layers"] if layer["digest"] not in held]
    kept = {layer["digest"] for layer in after["layers"]}
    return {
        "schema_version": 1,
        "before": _summary(before),
        "after": _summary(after),
        "distributions": {"added": added, "removed": removed, "changed": changed},
        "layers": {
            "shared": [_layer_brief(layer) for layer in shared],
            "new": [_layer_brief(layer) for layer in new],
            "dropped": [_layer_brief(layer) for layer in before["layers"] if layer["digest"] not in kept],
        },
        # A node holding A pulls each new blob once, however often B lists it.
        "pull_bytes": sum({layer["digest"]: layer["compressed_bytes"] for layer in new}.values()),
        "size_delta": after["image"]["layers_size_bytes"] - before["image"]["layers_size_bytes"],
    }


def _layer_brief(layer: dict[str, Any]) -> dict[str, Any]:
    return {
        "index": layer["index"],
        "digest": layer["digest"],
        "compressed_bytes": layer["compressed_bytes"],
        "size_bytes": layer["size_bytes"],
        "created_by": layer["created_by"],
    }
