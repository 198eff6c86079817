"""Writing reports: atomically to a file, or to standard output."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from cxscore.errors import Issue, UsageError


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so readers see the old file or the whole new one, never a part.

    A temporary file in the same directory is written, flushed and fsynced, then renamed (``os.replace``)
    over the target (atomic on POSIX); on any error the temporary file is removed. The file gets the
    permissions a plain ``open`` would give it (an existing file's, else 0o666 less the umask), not
    the owner-only mode of a temporary file: reports are made to be shared.
    """
    directory = path.parent if str(path.parent) else Path()
    if not directory.is_dir():
        raise UsageError(Issue(str(path), "cannot write: the directory does not exist"))
    if path.is_dir():
        raise UsageError(Issue(str(path), "cannot write: it is a directory; name a file"))
    try:
        descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as error:
        raise UsageError(Issue(str(path), f"cannot write: {error.strerror or error}")) from None
    try:
        os.fchmod(descriptor, _mode_for(path))
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        Path(temporary).replace(path)
    except BaseException as error:
        with contextlib.suppress(FileNotFoundError):
            Path(temporary).unlink()
        if isinstance(error, OSError):
            raise UsageError(Issue(str(path), f"cannot write: {error.strerror or error}")) from None
        raise


def _mode_for(path: Path) -> int:
    """The permission bits ``path`` keeps if it exists, else what a new file gets under the umask."""
    try:
        return path.stat().st_mode & 0o777  # permission bits only: never carry set-id bits over
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
