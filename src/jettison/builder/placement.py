"""Where the project's files go in the image: as the original Dockerfile's final stage copies them.

`COPY . .` (or no Dockerfile) puts the whole context under WORKDIR. A recipe like `ADD ./src /www`
puts src/'s content at /www, so `gunicorn main:app` run in /www finds src/main.py as main. Docker's
rules, for sources from the build context: a directory source copies its content into the
destination; a file goes to the destination itself, or into it when the destination ends in `/`, when
there are several sources, or when a source is a wildcard; a relative destination is relative to the
WORKDIR in force. Pure: it works on the model and the list of context files.
"""

from __future__ import annotations

import fnmatch
import posixpath
from typing import Any


def _norm(source: str) -> str:
    cleaned = posixpath.normpath("/" + source.strip()).lstrip("/")
    return "" if cleaned == "." else cleaned


def placements(model: Any, paths: list[str]) -> list[tuple[str, str]] | None:
    """(context path, image path) for every context file the final stage copies; None when the final
    stage copies nothing from the context (the caller then places the whole context under WORKDIR)."""
    final = model.final_stage
    if final is None:
        return None
    out: dict[str, str] = {}
    copied = False
    for copy in model.copies(final):
        if not copy.from_context or not copy.sources:
            continue
        copied = True
        destination = copy.destination
        if not destination.startswith("/"):
            destination = posixpath.join(copy.step.workdir or "/", destination)
        into_directory = destination.endswith("/") or len(copy.sources) > 1
        destination = posixpath.normpath(destination)
        for raw in copy.sources:
            source = _norm(raw)
            wildcard = any(c in source for c in "*?[")
            if source == "":
                for path in paths:
                    out[path] = posixpath.join(destination, path)
                continue
            if wildcard:
                # Files matching the pattern land in the destination directory. (A wildcard naming
                # directories would copy their content; recipes for Python services don't do that.)
                for path in paths:
                    if fnmatch.fnmatchcase(path, source):
                        out[path] = posixpath.join(destination, posixpath.basename(path))
                continue
            under = [p for p in paths if p.startswith(source + "/")]
            if under:
                for path in under:
                    out[path] = posixpath.join(destination, path[len(source) + 1 :])
            elif source in paths:
                name = posixpath.basename(source)
                out[source] = posixpath.join(destination, name) if into_directory else destination
    return sorted(out.items()) if copied else None
