"""Writing files all or nothing: the one atomic writer behind save, render and the CLI."""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from pathlib import Path
from typing import Any

CHUNK = 1 << 22  # bytes per write()


def _write_chunk(f: Any, chunk: memoryview) -> None:
    f.write(chunk)


def write_atomically(path: str | os.PathLike[str], data: bytes | list[bytes]) -> Path:
    """Replace ``path`` by ``data`` (bytes, or a list of parts to concatenate): all of it
    or, on any failure, none of it, old content included. The data go to a new file in
    the same folder (mode 0o666 less the umask, or the old file's mode), flushed to
    disk, then renamed over ``path``, an atomic step on POSIX and Windows. A symlink is
    followed, so the file it points to is replaced. Returns the path written."""
    parts = [data] if isinstance(data, (bytes, bytearray, memoryview)) else data
    target = os.fspath(path)
    if os.path.islink(target):
        target = os.path.realpath(target)
    folder = os.path.dirname(os.path.abspath(target))
    try:
        mode: int | None = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        mode = None
    tmp = os.path.join(folder, f".{os.path.basename(target)}.{secrets.token_hex(6)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
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
        with contextlib.suppress(OSError):
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
