"""`analyze(image)`: the scan, the Python view and the findings, as one value every report renders.

`analysis_to_json()` is the complete, documented (docs/inspect-json.md) JSON form; the HTML report
and `jettison diff` read that same dict, so there is one shape to keep right.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from jettison.inspect.python import PythonContents, python_contents
from jettison.inspect.scan import ImageScan, SecretScanner, scan_image
from jettison.inspect.source import ImageInput
from jettison.inspect.tree import file_layer, file_size
from jettison.inspect.waste import waste_findings
from jettison.model.findings import Finding

JSON_SCHEMA_VERSION = 1
TREEMAP_GROUPS = 40  # per layer; the rest is folded into one "(other)" box
TREEMAP_FILES = 25  # per group
GROUP_DEPTH = 3  # directory levels that name a group of files no distribution owns
_SITE_PREFIX = re.compile(r"^.*?/(site|dist)-packages/")


@dataclass(frozen=True)
class Analysis:
    scan: ImageScan
    python: PythonContents
    findings: tuple[Finding, ...]

    @property
    def size(self) -> int:
        """Bytes of the final file system (what `docker images` approximates)."""
        return sum(file_size(packed) for _, packed in self.scan.tree.files())

    @property
    def layers_size(self) -> int:
        return sum(layer.size for layer in self.scan.layers)

    @property
    def compressed_size(self) -> int:
        return sum(layer.compressed_size for layer in self.scan.layers)


def analyze(image: ImageInput, secret_scanner: SecretScanner | None = None) -> Analysis:
    scan = scan_image(image, secret_scanner)
    python = python_contents(scan)
    return Analysis(scan, python, tuple(waste_findings(scan, python)))


def _finding_json(finding: Finding) -> dict[str, Any]:
    return {
        "rule": finding.rule,
        "severity": str(finding.severity),
        "message": finding.message,
        "location": str(finding.location) if finding.location else None,
        "saving_bytes": round(finding.saving.megabytes * 1_000_000)
        if finding.saving and finding.saving.megabytes is not None
        else None,
        "data": finding.data,
    }


def treemap(analysis: Analysis) -> dict[str, Any]:
    """layer -> distribution or directory -> file, over the final file system, bounded in size."""
    owner = analysis.python.owner
    layers: dict[int, dict[str, dict[str, int]]] = {}
    for path, packed in analysis.scan.tree.files():
        size = file_size(packed)
        if not size:
            continue
        distribution = owner.get(path)
        if distribution:
            # within a distribution, name files from its site-packages: many share a basename
            group, name = f"{distribution} (distribution)", _SITE_PREFIX.sub("", path)
        else:
            group, name = _directory_group(path)
        files = layers.setdefault(file_layer(packed), {}).setdefault(group, {})
        files[name] = files.get(name, 0) + size
    children = []
    for index in sorted(layers):
        groups = sorted(layers[index].items(), key=lambda item: -sum(item[1].values()))
        nodes = [_group_node(name, files) for name, files in groups[:TREEMAP_GROUPS]]
        rest = groups[TREEMAP_GROUPS:]
        if rest:
            nodes.append(
                {"name": f"({len(rest)} more groups)", "size": sum(sum(f.values()) for _, f in rest)}
            )
        created_by = analysis.scan.layers[index].created_by
        children.append({"name": f"layer {index}", "title": created_by[:120], "children": nodes})
    return {"name": analysis.scan.reference, "children": children}


def _directory_group(path: str) -> tuple[str, str]:
    """(group, leaf) for a file no distribution owns: the group is its directory cut at
    GROUP_DEPTH levels (/usr/share/doc, /usr/lib/x86_64-linux-gnu) and the leaf the file, or the
    subdirectory below the group that holds it. Grouping by the full directory splits a Debian base
    into hundreds of groups, most of which then fold into one unnamed box."""
    parts = path.split("/")
    directories, file = parts[:-1], parts[-1]
    group = "/" + "/".join(directories[:GROUP_DEPTH])
    below = directories[GROUP_DEPTH:]
    return group, f"{below[0]}/" if below else file


def _group_node(name: str, files: dict[str, int]) -> dict[str, Any]:
    ordered = sorted(files.items(), key=lambda item: -item[1])
    nodes: list[dict[str, Any]] = [{"name": file, "size": size} for file, size in ordered[:TREEMAP_FILES]]
    rest = ordered[TREEMAP_FILES:]
    if rest:
        nodes.append({"name": f"({len(rest)} more files)", "size": sum(size for _, size in rest)})
    return {"name": name, "children": nodes}


def analysis_to_json(analysis: Analysis) -> dict[str, Any]:
    scan, eff = analysis.scan, analysis.scan.efficiency
    return {
        "schema_version": JSON_SCHEMA_VERSION,
        "image": {
            "reference": scan.reference,
            "manifest_digest": scan.manifest_digest,
            "size_bytes": analysis.size,
            "layers_size_bytes": analysis.layers_size,
            # shipped in some layer but not visible in the final file system (overwritten or deleted)
            "hidden_bytes": analysis.layers_size - analysis.size,
            "compressed_size_bytes": analysis.compressed_size,
            "architecture": scan.config.get("architecture"),
            "os": scan.config.get("os"),
        },
        "efficiency": {
            "score": eff.score,
            "wasted_bytes": eff.wasted_bytes,
            "user_wasted_percent": eff.user_wasted_percent,
            "recoverable_bytes": eff.recoverable_bytes,
            "top_wasted": [
                {"path": item.path, "count": item.count, "cumulative_bytes": item.cumulative_size}
                for item in eff.top_wasted
            ],
        },
        "layers": [
            {
                "index": layer.index,
                "digest": layer.digest,
                "diff_id": layer.diff_id,
                "media_type": layer.media_type,
                "compressed_bytes": layer.compressed_size,
                "uncompressed_bytes": layer.uncompressed_size,
                "size_bytes": layer.size,
                "files": layer.file_count,
                "whiteouts": layer.whiteouts,
                "created_by": layer.created_by,
                "comment": layer.comment,
                "created": layer.created,
            }
            for layer in scan.layers
        ],
        "python": {
            "versions": list(analysis.python.versions),
            "site_packages": list(analysis.python.site_packages),
            "distributions": [
                {
                    "name": dist.name,
                    "version": dist.version,
                    "site_packages": "/" + dist.site_packages,
                    "size_bytes": dist.size,
                    "files": dist.file_count,
                    "layers": list(dist.layers),
                }
                for dist in analysis.python.distributions
            ],
            "unclaimed": [
                {
                    "site_packages": "/" + item.site_packages,
                    "top_level": item.top_level,
                    "size_bytes": item.size,
                    "files": item.file_count,
                }
                for item in analysis.python.unclaimed
            ],
        },
        "findings": [_finding_json(finding) for finding in analysis.findings],
        "treemap": treemap(analysis),
    }
