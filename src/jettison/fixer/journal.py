"""Writing several of the project's files as one change: all of them, or none, even across a kill.

Each file is atomic by itself (a rename), but a run killed between two renames left a new
requirements.txt beside the old Dockerfile (issue 10). So a run first writes its plan into a journal,
`.jettison-fix.journal` in the project root: for each target its staged file (`.NAME.jettison-TOKEN.tmp`,
beside it so the rename is atomic), its backup (NAME.jettison-bak, a hard link to the old file) and the
sha256 of the old and new bytes. Then:

1. journal "staging": every new file is written beside its target and fsynced, every backup linked;
2. journal "renaming": every staged file is renamed over its target, in one pass;
3. the journal is removed (and the backups too, when the caller keeps none).

The next run that reads the project calls recover() first. A journal saying "renaming" whose staged
files are all there (or already renamed: the target has the new bytes) is rolled forward; anything else
(killed while staging, a staged file gone or changed) is rolled back: renamed targets get their backups
back, new files and staged files are removed. Either way it says so in one line, and the temporary
files of writes killed earlier are removed. A live run holds an flock on the project directory, so a
second run waits for none and recovers nothing it is still writing.

The journal is read as hostile input: a path outside the project, or names other than the ones written
above, make it a located error, and nothing is touched.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import posixpath
import re
import secrets
import signal
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from jettison.atomicfile import backup_path, staged_path, sweep_staged, write_atomically
from jettison.errors import JettisonError

JOURNAL_NAME = ".jettison-fix.journal"
MAX_JOURNAL_BYTES = 1 << 20
_HEX = re.compile(r"^[0-9a-f]{64}$")
_TOKEN = re.compile(r"^[0-9a-f]{16}$")
# Tests only: kill this process with SIGKILL (no cleanup, as a power cut or the OOM killer would) once N
# files are staged, or N renames are done, so that tests can show what the next run makes of it.
KILL_AFTER_STAGED = "JETTISON_TEST_KILL_AFTER_STAGED"
KILL_AFTER_RENAMES = "JETTISON_TEST_KILL_AFTER_RENAMES"


@dataclass(frozen=True)
class NewFile:
    """A file to write: its path, bytes, and mode (None: keep the old file's, else `new_mode`)."""

    path: Path
    data: bytes
    new_mode: int
    add_mode: int = 0  # bits added to a kept mode (a script the image runs must stay executable)


@dataclass(frozen=True)
class Entry:
    target: str  # relative to the project root, POSIX
    staged: str
    backup: str | None  # None: the target is a new file
    old_sha256: str | None
    new_sha256: str


def write_all(root: Path, files: Sequence[NewFile], *, keep_backup: bool = True) -> list[Path | None]:
    """Write every file or, if anything fails, none; return where each old version was kept."""
    root = Path(root)
    journal = root / JOURNAL_NAME
    token = secrets.token_hex(8)
    with _project_lock(root):
        if journal.exists():
            raise JettisonError("an interrupted fix --write is not finished: run jettison again", journal)
        entries: list[Entry] = []
        for file in files:
            target = Path(file.path)
            old = _sha256(target) if target.exists() else None
            backup = backup_path(target) if old is not None else None
            entries.append(
                Entry(
                    _relative(root, target),
                    _relative(root, staged_path(target, token)),
                    _relative(root, backup) if backup is not None else None,
                    old,
                    hashlib.sha256(file.data).hexdigest(),
                )
            )
        writing = root  # what an error names: the project (its journal), then each file in turn
        try:
            _record(journal, "staging", token, entries)
            for count, (file, entry) in enumerate(zip(files, entries, strict=True), 1):
                writing = root / entry.target
                _stage(root, file, entry)
                _test_kill(KILL_AFTER_STAGED, count)
            _sync_directories(root, entries)
            writing = root
            _record(journal, "renaming", token, entries)
            for count, entry in enumerate(entries, 1):
                writing = root / entry.target
                os.replace(root / entry.staged, root / entry.target)
                _test_kill(KILL_AFTER_RENAMES, count)
            _sync_directories(root, entries)
        except BaseException as error:
            with contextlib.suppress(OSError):  # what cannot be undone now, the next run's recover() undoes
                _roll_back(root, entries)
                _remove_journal(journal)
            if isinstance(error, OSError):
                raise JettisonError(f"cannot write: {error.strerror}; nothing was changed", writing) from None
            raise
        if not keep_backup:
            _remove_backups(root, entries)
        _remove_journal(journal)
        for directory in {(root / entry.target).parent for entry in entries}:
            sweep_staged(directory)
    return [root / entry.backup if entry.backup and keep_backup else None for entry in entries]


def recover(root: Path) -> str | None:
    """Finish or undo a write a killed run left in the project at `root`; the one line saying which (or
    that temporary files were removed), None when there was nothing to do."""
    root = Path(root)
    journal = root / JOURNAL_NAME
    if not journal.is_file():
        swept = sweep_staged(root)
        return f"removed {len(swept)} temporary file(s) a killed jettison left in {root}" if swept else None
    try:
        return _recover(root, journal)
    except OSError as error:
        raise JettisonError(
            f"cannot finish or undo the interrupted fix --write: {error.strerror}", error.filename or journal
        ) from None


def _recover(root: Path, journal: Path) -> str | None:
    with _project_lock(root):
        if not journal.is_file():
            return None  # another run recovered it while this one waited
        state, entries = _read(root, journal)
        if state == "renaming" and all(_finishable(root, entry) for entry in entries):
            for entry in entries:
                if (root / entry.staged).exists():
                    os.replace(root / entry.staged, root / entry.target)
            _sync_directories(root, entries)
            verdict = f"finished the interrupted fix --write ({len(entries)} file(s) written)"
        else:
            _roll_back(root, entries)
            verdict = f"rolled back the interrupted fix --write ({len(entries)} file(s) as they were)"
        _remove_journal(journal)
        for directory in {(root / entry.target).parent for entry in entries} | {root}:
            sweep_staged(directory)
    return f"{journal}: {verdict}"


def _stage(root: Path, file: NewFile, entry: Entry) -> None:
    target, staged = root / entry.target, root / entry.staged
    mode = file.new_mode
    if entry.backup is not None:
        mode = (target.stat().st_mode & 0o7777) | file.add_mode
        backup = root / entry.backup
        try:
            os.link(target, backup)  # the old bytes under the backup name, without a copy
        except OSError:
            backup.write_bytes(target.read_bytes())
            os.chmod(backup, target.stat().st_mode & 0o7777)
    fd = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(file.data)
        handle.flush()
        os.fsync(handle.fileno())
    os.chmod(staged, mode)


def _finishable(root: Path, entry: Entry) -> bool:
    staged, target = root / entry.staged, root / entry.target
    if staged.is_file():
        return _sha256(staged) == entry.new_sha256
    return target.is_file() and _sha256(target) == entry.new_sha256


def _roll_back(root: Path, entries: Sequence[Entry]) -> None:
    """Every target as it was before the run; the backups of this run go. A target that holds neither
    the old nor the new bytes was changed by someone else: it stays, and so does its backup."""
    for entry in entries:
        staged, target = root / entry.staged, root / entry.target
        backup = root / entry.backup if entry.backup else None
        with contextlib.suppress(FileNotFoundError):
            staged.unlink()
        current = _sha256(target) if target.is_file() else None
        if current == entry.new_sha256 and current != entry.old_sha256:
            if backup is not None and backup.is_file():
                os.replace(backup, target)
            elif entry.old_sha256 is None:
                target.unlink()
        elif backup is not None and current == entry.old_sha256:
            with contextlib.suppress(FileNotFoundError):
                backup.unlink()
    _sync_directories(root, entries)


def _remove_backups(root: Path, entries: Sequence[Entry]) -> None:
    for entry in entries:
        if entry.backup is not None:
            with contextlib.suppress(FileNotFoundError):
                (root / entry.backup).unlink()


def _record(journal: Path, state: str, token: str, entries: Sequence[Entry]) -> None:
    document = {"state": state, "token": token, "entries": [asdict(entry) for entry in entries]}
    write_atomically(journal, json.dumps(document, indent=1) + "\n", keep_backup=False)
    _fsync_directory(journal.parent)


def _read(root: Path, journal: Path) -> tuple[str, list[Entry]]:
    try:
        with open(journal, "rb") as handle:
            raw = handle.read(MAX_JOURNAL_BYTES + 1)
    except OSError as error:
        raise JettisonError(f"cannot read the fix journal: {error.strerror}", journal) from None
    try:
        if len(raw) > MAX_JOURNAL_BYTES:
            raise ValueError("larger than any journal jettison writes")
        document = json.loads(raw)
        state, token = document["state"], document["token"]
        if state not in ("staging", "renaming") or not isinstance(token, str) or not _TOKEN.match(token):
            raise ValueError("unknown state or token")
        entries = [_entry(root, item, token) for item in document["entries"]]
    except (ValueError, KeyError, TypeError, RecursionError) as error:
        raise JettisonError(
            f"not a journal jettison wrote ({error}); nothing was touched: remove it by hand", journal
        ) from None
    return state, entries


def _entry(root: Path, item: object, token: str) -> Entry:
    if not isinstance(item, dict) or set(item) != {"target", "staged", "backup", "old_sha256", "new_sha256"}:
        raise ValueError("an entry without the fields jettison writes")
    entry = Entry(**item)
    target = entry.target
    if not isinstance(target, str) or not _inside(root, target):
        raise ValueError(f"target {target!r} is not a file of the project")
    directory, name = posixpath.split(target)
    if entry.staged != posixpath.join(directory, f".{name}.jettison-{token}.tmp"):
        raise ValueError(f"staged file {entry.staged!r} is not one jettison names")
    backup_names = re.compile(re.escape(name) + r"\.jettison-bak(\.[0-9]+)?")
    if entry.backup is not None and not (
        isinstance(entry.backup, str)
        and posixpath.dirname(entry.backup) == directory
        and backup_names.fullmatch(posixpath.basename(entry.backup))
    ):
        raise ValueError(f"backup {entry.backup!r} is not one jettison names")
    if not (isinstance(entry.new_sha256, str) and _HEX.match(entry.new_sha256)) or not (
        entry.old_sha256 is None or (isinstance(entry.old_sha256, str) and _HEX.match(entry.old_sha256))
    ):
        raise ValueError("a digest that is not sha256 hex")
    if (entry.backup is None) != (entry.old_sha256 is None):
        raise ValueError("a backup without an old file, or an old file without a backup")
    return entry


def _inside(root: Path, relative: str) -> bool:
    if not relative or relative.startswith("/") or "\\" in relative or "\x00" in relative:
        return False
    if any(part in ("", ".", "..") for part in relative.split("/")):
        return False
    real_root = os.path.realpath(root)
    parent = os.path.realpath(os.path.join(real_root, posixpath.dirname(relative)))
    return os.path.commonpath([parent, real_root]) == real_root


def _relative(root: Path, path: Path) -> str:
    relative = os.path.relpath(os.path.abspath(path), os.path.abspath(root)).replace(os.sep, "/")
    if relative.startswith("../") or relative == "..":
        raise JettisonError("fix writes only inside the project", path)
    return relative


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _sync_directories(root: Path, entries: Sequence[Entry]) -> None:
    for directory in sorted({(root / entry.target).parent for entry in entries}):
        _fsync_directory(directory)


def _fsync_directory(directory: Path) -> None:
    """Make the renames in `directory` durable (a rename lives in the directory, not the file)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some filesystems refuse fsync on a directory; the rename itself stands
    finally:
        os.close(fd)


def _remove_journal(journal: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        journal.unlink()
    _fsync_directory(journal.parent)


@contextlib.contextmanager
def _project_lock(root: Path) -> Iterator[None]:
    """Hold an flock on the project directory: one writer or recoverer at a time."""
    try:
        fd = os.open(root, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError as error:
        raise JettisonError(f"cannot open the project: {error.strerror}", root) from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _test_kill(variable: str, count: int) -> None:
    if os.environ.get(variable) == str(count):
        os.kill(os.getpid(), signal.SIGKILL)
