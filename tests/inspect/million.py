"""A layer of `count` empty files, generated as a stream: never held in memory, never on disk."""

from __future__ import annotations

import io
import tarfile


class EmptyFilesLayer(io.RawIOBase):
    """A tar of directory `d/` and files d/0000000 ... d/<count-1>, produced as it is read."""

    def __init__(self, count: int) -> None:
        super().__init__()
        self.count = count
        self.index = -1  # -1: the directory entry
        self.pending = b""
        template = tarfile.TarInfo("d/0000000")
        template.mtime = 0
        self.template = bytearray(template.tobuf(format=tarfile.USTAR_FORMAT))
        self.template[148:156] = b" " * 8
        self.base_sum = sum(self.template) - sum(b"0000000")
        directory = tarfile.TarInfo("d")
        directory.type = tarfile.DIRTYPE
        self.directory = directory.tobuf(format=tarfile.USTAR_FORMAT)

    def readable(self) -> bool:
        return True

    def _header(self, number: int) -> bytes:
        digits = b"%07d" % number
        header = self.template
        header[2:9] = digits
        header[148:156] = b"%06o\0 " % (self.base_sum + sum(digits))
        return bytes(header)

    def readinto(self, buffer) -> int:
        while len(self.pending) < len(buffer) and self.index <= self.count:
            if self.index == -1:
                chunk = [self.directory]
            else:
                end = min(self.count, self.index + 2048)
                chunk = [self._header(n) for n in range(self.index, end)]
                if end == self.count:
                    chunk.append(b"\0" * 1024)
                    end += 1
                self.index = end - 1
            self.pending += b"".join(chunk)
            self.index += 1
        count = min(len(buffer), len(self.pending))
        buffer[:count] = self.pending[:count]
        self.pending = self.pending[count:]
        return count
