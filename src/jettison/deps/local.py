"""Which imports name the project's own code.

A module is local when it resolves inside the project from a directory Python would put on sys.path
for the importing file: the project root, `src/` (src layout), and the directory holding the file's
outermost package (a script's own directory when it is not in a package). A local module shadows a
PyPI distribution of the same name — `import redis` in a project with `redis.py` beside the importing
script is never the redis package.
"""

from __future__ import annotations

from collections import defaultdict


class LocalModules:
    def __init__(self, python_files: list[str]) -> None:
        self.names_in: dict[str, set[str]] = defaultdict(set)  # directory -> importable names in it
        self.packages: set[str] = set()  # directories with __init__.py
        for rel in python_files:
            parts = rel.split("/")
            if parts[-1] == "__init__.py":
                self.packages.add("/".join(parts[:-1]))
            for depth in range(len(parts)):
                directory = "/".join(parts[:depth])
                name = parts[depth] if depth < len(parts) - 1 else parts[depth].removesuffix(".py")
                self.names_in[directory].add(name)
        self.base_roots = ["", "src"]
        self.all_roots = sorted({self.root_of(rel) for rel in python_files} | set(self.base_roots))

    def root_of(self, rel: str) -> str:
        """The sys.path entry for a file: the parent of its outermost package (or its own directory)."""
        directory = rel.rsplit("/", 1)[0] if "/" in rel else ""
        while directory and directory in self.packages:
            directory = directory.rsplit("/", 1)[0] if "/" in directory else ""
        return directory

    def is_local(self, top: str, importer: str | None = None) -> bool:
        """Is top-level name `top` the project's own, seen from file `importer` (None: from anywhere)?"""
        roots = self.all_roots if importer is None else [*self.base_roots, self.root_of(importer)]
        return any(top in self.names_in.get(root, ()) for root in roots)
