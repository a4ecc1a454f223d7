"""Distroless Python bases assembled from signed Debian packages (`--base debian://bookworm`).

control.py  deb822 paragraphs, dpkg version order, relation fields (pure)
archive.py  InRelease (gpgv) -> Packages, Contents by SHA256 -> .debs by SHA256, cached by SHA256
contents.py the Contents index: which package ships which shared object (pure)
resolve.py  Depends/Pre-Depends closure with alternatives, Provides and versions (pure)
deb.py      ar container, control file, data.tar.* (xz, zstd, gzip) as layer entries
elf.py      an ELF file's machine, interpreter, SONAME, NEEDED, RPATH/RUNPATH (pyelftools; pure)
libraries.py  what the dependency layers' ELF objects need that the image lacks, and its package
base.py     the base image: packages layer + what the maintainer scripts would have done; complete_base
            adds the packages of missing shared libraries
"""

from jettison.debian.base import DebianRef, assemble_base, complete_base, is_debian_ref, parse_debian_ref

__all__ = ["DebianRef", "assemble_base", "complete_base", "is_debian_ref", "parse_debian_ref"]
