"""Distroless Python bases assembled from signed Debian packages (`--base debian://bookworm`).

control.py  deb822 paragraphs, dpkg version order, relation fields (pure)
archive.py  InRelease (gpgv) -> Packages by SHA256 -> .debs by SHA256, cached by SHA256
resolve.py  Depends/Pre-Depends closure with alternatives, Provides and versions (pure)
deb.py      ar container, control file, data.tar.* (xz, zstd, gzip) as layer entries
base.py     the base image: packages layer + what the maintainer scripts would have done
elf.py      (not written yet) ELF NEEDED of the dependency layers: add a missing library's package
"""

from jettison.debian.base import DebianRef, assemble_base, is_debian_ref, parse_debian_ref

__all__ = ["DebianRef", "assemble_base", "is_debian_ref", "parse_debian_ref"]
