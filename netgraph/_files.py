"""Writing files all or nothing: the one atomic writer behind save, render and the CLI.

The data go to a temporary file beside the target, named
``.<target name>.<pid>-<12 hex digits>.tmp``, which is then renamed over the target. A
process killed mid-write leaves its temporary file behind; the next write to the same
target removes such leftovers, but only files that are certainly ours and certainly
abandoned: regular files (not links) whose name has exactly that form for this target,
owned by this user, untouched for ``STALE_AFTER`` seconds, and whose writing process
(named in the file name) is no longer running on this machine.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import stat
import time
from pathlib import Path
from typing import Any

CHUNK = 1 << 22  # bytes per write()
STALE_AFTER = 600.0  # seconds without a write before a leftover temporary file is removed
_NAME_TRIES = 100


def _write_chunk(f: Any, chunk: memoryview) -> None:
    f.write(chunk)


def _token() -> str:
    return secrets.token_hex(6)


def _temp_name(base: str) -> str:
    return f".{base}.{os.getpid()}-{_token()}.tmp"


def _running(pid: int) -> bool:
    """Is process ``pid`` alive on this machine? (True when it cannot be told.)"""
    if os.name != "posix":
        return True  # no cheap, safe test here: never take the file for abandoned
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True
    return True


def remove_stale_temporaries(target: str, now: float | None = None) -> list[str]:
    """Remove the temporary files that earlier, killed writes to ``target`` left behind
    (see the module's docstring for which). Returns the paths removed."""
    folder, base = os.path.split(os.path.abspath(target))
    pattern = re.compile(rf"\.{re.escape(base)}\.([0-9]{{1,10}})-[0-9a-f]{{12}}\.tmp")
    now = time.time() if now is None else now
    uid = os.geteuid() if hasattr(os, "geteuid") else None
    removed: list[str] = []
    try:
        names = os.listdir(folder)
    except OSError:
        return removed
    for name in names:
        m = pattern.fullmatch(name)
        if m is None:
            continue
        path = os.path.join(folder, name)
        try:
            st = os.lstat(path)
        except OSError:
            continue
        if (not stat.S_ISREG(st.st_mode) or (uid is not None and st.st_uid != uid)
                or now - st.st_mtime < STALE_AFTER or _running(int(m[1]))):
            continue
        with contextlib.suppress(OSError):
            os.unlink(path)
            removed.append(path)
    return removed


def write_atomically(path: str | os.PathLike[str], data: bytes | list[bytes]) -> Path:
    """Replace ``path`` by ``data`` (bytes, or a list of parts to concatenate): all of it
    or, on any failure, none of it, old content included. The data go to a new file in
    the same folder (mode 0o666 less the umask, or the old file's mode), flushed to
    disk, then renamed over ``path``, an atomic step on POSIX and Windows. A symlink is
    followed, so the file it points to is replaced. Temporary files left by earlier
    writes that were killed are removed first. Returns the path written.

    An ``OSError`` names ``path`` (or its folder, when that is missing), never the
    hidden temporary file the caller did not ask for."""
    target = os.fspath(path)
    if os.path.islink(target):
        target = os.path.realpath(target)
    folder = os.path.dirname(os.path.abspath(target))
    try:
        if os.path.isdir(target):  # found before writing, not at the rename
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), target)
        return _write(target, folder, data)
    except OSError as e:
        if e.errno in (errno.ENOENT, errno.ENOTDIR) and not os.path.isdir(folder):
            if os.path.lexists(folder):  # a file where the folder should be
                raise NotADirectoryError(errno.ENOTDIR, "Not a folder", folder) from None
            raise FileNotFoundError(errno.ENOENT, "No such folder", folder) from None
        if e.filename == target and e.filename2 is None:
            raise
        raise OSError(e.errno, e.strerror or str(e), target) from None


def _write(target: str, folder: str, data: bytes | list[bytes]) -> Path:
    parts = [data] if isinstance(data, (bytes, bytearray, memoryview)) else data
    try:
        mode: int | None = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        mode = None
    remove_stale_temporaries(target)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for attempt in range(_NAME_TRIES):
        # O_EXCL: never write through a file or link that is already there
        tmp = os.path.join(folder, _temp_name(os.path.basename(target)))
        try:
            fd = os.open(tmp, flags, 0o666)
            break
        except FileExistsError:
            if attempt + 1 == _NAME_TRIES:
                raise
    try:
        with os.fdopen(fd, "wb") as f:
            for part in parts:
                view = memoryview(part)
                for start in range(0, len(view), CHUNK):
                    _write_chunk(f, view[start:start + CHUNK])
            f.flush()
            os.fsync(f.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):  # the first error is the one to report
            os.unlink(tmp)
        raise
    if hasattr(os, "O_DIRECTORY"):  # make the rename itself durable (POSIX)
        with contextlib.suppress(OSError):
            dfd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
            try:
                os.fsync(dfd)
            finally:
                os.close(dfd)
    return Path(target)
