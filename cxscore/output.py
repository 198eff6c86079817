"""Writing reports: to a file named with ``-o`` (atomically where that is safe), or to standard output.

What a report may be written over is decided here, once, for every command:

* ``-o -`` is standard output.
* A new path, or an existing regular file, is replaced atomically: a temporary file in the same
  directory is written, flushed and fsynced, then renamed over the target, so readers see the old
  report or the whole new one. A symlink is followed: the file it points to is replaced, not the link.
* A character device or a FIFO (``/dev/null``, a named pipe) is written to as it is: renaming over
  it would replace the device node with a regular file (as root, which is what CI and containers
  run as, ``-o /dev/null`` would otherwise destroy ``/dev/null``).
* ``/dev/stdout``, ``/dev/stderr``, ``/dev/fd/N`` and ``/proc/self/fd/N`` are this process's own
  streams and are written to as such (they resolve to whatever the shell redirected them to, which a
  rename would replace); anything else under ``/proc`` is refused.
* A directory, a socket or a block device is refused.
* Any file this run read (a brand file, its framework, a baseline, a data file) is refused: the
  readers record each file they open with :func:`note_input`, and a report never replaces one.

Every write is checked: a short write (a full disk, a file-size limit) is an error, never a silently
truncated report with exit 0.
"""

from __future__ import annotations

import bisect
import contextlib
import errno
import math
import os
import stat
import sys
from array import array
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TextIO

from cxscore.errors import Issue, UsageError

STDOUT = "-"

# The inode of every file read in this run, and the device of each run of them read from one device
# (as (first index, device) pairs: nearly always one pair); a report may not be written over any of
# them. A 100,000-file portfolio's take 0.8 MB, where a set of (device, inode) tuples took 13 MB; the
# lookup runs once per report written.
_input_inodes = array("Q")
_input_devices: list[tuple[int, int]] = []


def note_input(status: os.stat_result) -> None:
    """Record that this run read the file with this ``os.stat``/``os.fstat`` result."""
    if not _input_devices or _input_devices[-1][1] != status.st_dev:
        _input_devices.append((len(_input_inodes), status.st_dev))
    _input_inodes.append(status.st_ino)


def forget_inputs() -> None:
    """Start a new run's record (the command line calls this once per invocation; tests reuse it)."""
    del _input_inodes[:]
    _input_devices.clear()


def _was_read(status: os.stat_result) -> bool:
    """Whether this run read the file with this ``os.stat``/``os.fstat`` result."""
    start = 0
    while True:
        try:
            index = _input_inodes.index(status.st_ino, start)
        except ValueError:
            return False
        run = bisect.bisect_right(_input_devices, (index, math.inf)) - 1
        if _input_devices[run][1] == status.st_dev:
            return True
        start = index + 1


def is_stdout(path: Path | None) -> bool:
    """Whether ``-o`` names standard output (no option, or ``-``)."""
    return path is None or str(path) == STDOUT


def write_report(path: Path | None, text: str | bytes) -> None:
    """Write a finished report (text, or a PDF's bytes) to ``path`` (see the module docstring), or to
    standard output."""
    if is_stdout(path):
        write_stdout(text)
        return
    assert path is not None
    descriptor = _open_descriptor(path)
    if descriptor is not None:  # /dev/stdout, /dev/fd/N: this process's own stream, as it is
        try:
            _write_all(descriptor, _encoded(text))
        except OSError as error:
            raise UsageError(Issue(str(path), f"cannot write: {error.strerror or error}")) from None
        return
    if _in_proc(path):  # kernel settings and other processes' files: never a place for a report
        raise UsageError(Issue(str(path), "cannot write: /proc holds no files for reports"))
    target = _target(path)
    status = _status_of(path, target)
    if status is not None:
        _refuse_unwritable(path, status)
        if not stat.S_ISREG(status.st_mode):  # a character device or a FIFO: written to in place
            _write_in_place(path, target, text)
            return
    _write_atomic(path, target, text)


#: Pieces of a report are gathered up to this many characters before each write (small: a batch is
#: held three times over, as pieces, joined and encoded).
_BATCH = 1 << 16


def write_pieces(path: Path | None, pieces: Iterable[str], settled: bool = True) -> None:
    """Write a report made piece by piece, under :func:`write_report`'s rules, never holding it whole.

    ``settled`` pieces (all their input already read) go to standard output as they come; others,
    and every file, are written in full to a temporary file first and then put in place (renamed, or
    copied to a stream or device), so a problem found half-way leaves nothing behind.
    """
    if settled and is_stdout(path):
        for batch in _batches(pieces):
            write_stdout(batch)
        return

    def produce(produced: Path) -> None:
        descriptor = os.open(produced, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            for batch in _batches(pieces):
                _write_all(descriptor, _encoded(batch))
        finally:
            os.close(descriptor)

    write_produced(path, produce)


def _batches(pieces: Iterable[str]) -> Iterator[str]:
    """The pieces joined into batches of about :data:`_BATCH` characters (a write each)."""
    batch: list[str] = []
    size = 0
    for piece in pieces:
        batch.append(piece)
        size += len(piece)
        if size >= _BATCH:
            yield "".join(batch)
            batch, size = [], 0
    if batch:
        yield "".join(batch)


def _status_of(path: Path, target: Path) -> os.stat_result | None:
    """What is at ``target`` now (None: nothing yet); a file that cannot be examined is the user's error."""
    try:
        return target.stat()
    except FileNotFoundError:
        return None
    except OSError as error:
        raise UsageError(Issue(str(path), f"cannot write: {error.strerror or error}")) from None


def write_produced(path: Path | None, produce: Callable[[Path], None]) -> None:
    """Write a file that ``produce`` writes itself (an engine's ``COPY ... TO``), under the same rules.

    ``produce`` writes into a fresh temporary folder beside the target; the finished file is fsynced
    and renamed over the target (atomically, as :func:`write_report` does), or copied as it is to
    standard output, a device or a FIFO. Nothing is left behind on failure.
    """
    import shutil
    import tempfile

    descriptor = None if is_stdout(path) else _open_descriptor(path)  # type: ignore[arg-type]
    target: Path | None = None
    if path is not None and not is_stdout(path) and descriptor is None:
        if _in_proc(path):
            raise UsageError(Issue(str(path), "cannot write: /proc holds no files for reports"))
        target = _target(path)
        status = _status_of(path, target)
        if status is not None:
            _refuse_unwritable(path, status)
            if not stat.S_ISREG(status.st_mode):
                target = None  # a device or a FIFO: produced elsewhere, then copied into it
        if target is not None and not (target.parent if str(target.parent) else Path()).is_dir():
            raise UsageError(Issue(str(path), "cannot write: the directory does not exist"))
    where = (target.parent if str(target.parent) else Path()) if target is not None else None
    try:
        folder = Path(tempfile.mkdtemp(prefix=".cxscore-", dir=where))
    except OSError as error:
        raise UsageError(Issue(str(path or STDOUT), f"cannot write: {error.strerror or error}")) from None
    try:
        produced = folder / ("out" + (target.suffix if target is not None else ""))
        produce(produced)
        # A report made while its inputs are read (a streamed portfolio) names them only now: check
        # the place again, so it never lands on a file this run read.
        _refuse_read_target(path, target, descriptor)
        if target is not None:
            produced.chmod(_mode_for(target))
            with produced.open("rb") as handle:
                os.fsync(handle.fileno())
            produced.replace(target)
            return
        if is_stdout(path):
            _copy_to_stdout(produced)
        elif descriptor is not None:
            _copy_to(descriptor, produced)
        else:
            assert path is not None
            out = os.open(
                _target(path), os.O_WRONLY | os.O_APPEND if _is_fifo(_target(path)) else os.O_WRONLY
            )
            try:
                _copy_to(out, produced)
            finally:
                os.close(out)
    except BrokenPipeError:
        raise  # a reader that stopped early (`| head`): the command line ends quietly, as for any report
    except OSError as error:
        raise UsageError(Issue(str(path or STDOUT), f"cannot write: {error.strerror or error}")) from None
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _refuse_read_target(path: Path | None, target: Path | None, descriptor: int | None) -> None:
    """Refuse a place ``-o`` names that is now known to be a file this run read."""
    if path is None or is_stdout(path):
        return
    if descriptor is not None:
        _refuse_input_stream(path, descriptor)
        return
    with contextlib.suppress(OSError):
        if _was_read((target or _target(path)).stat()):
            raise _over_an_input(path)


def _copy_to_stdout(source: Path) -> None:
    """A produced text file to standard output: by descriptor, or through a test's captured stream."""
    stream = sys.stdout
    if stream is None:
        raise UsageError(Issue("stdout", "cannot write the report: standard output is closed"))
    try:
        descriptor = stream.fileno()
    except (AttributeError, OSError, ValueError):
        stream.write(source.read_text(encoding="utf-8"))
        stream.flush()
        return
    stream.flush()
    _copy_to(descriptor, source)


def _copy_to(descriptor: int, source: Path) -> None:
    """Copy a produced file to a descriptor in chunks, every write checked."""
    with source.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            _write_all(descriptor, chunk)


def write_stdout(text: str | bytes) -> None:
    """Write ``text`` (or bytes, as they are) to standard output, checking that every byte was written."""
    stream = sys.stdout
    if stream is None:  # started with stdout closed (`>&-`)
        raise UsageError(Issue("stdout", "cannot write the report: standard output is closed"))
    if isinstance(text, bytes):
        _write_bytes_to_stdout(stream, text)
        return
    try:
        descriptor = stream.fileno()
    except (AttributeError, OSError, ValueError):
        # Not a real file (a test's captured stream): its own write and flush are all there is.
        stream.write(text)
        stream.flush()
        return
    stream.flush()
    _write_all(descriptor, text.encode(stream.encoding or "utf-8", stream.errors or "strict"))


def _write_bytes_to_stdout(stream: TextIO, data: bytes) -> None:
    """A binary report on standard output: never onto a terminal, where it would be noise."""
    if stream.isatty():
        raise UsageError(Issue("stdout", "a PDF is binary: write it to a file with -o report.pdf"))
    try:
        descriptor = stream.fileno()
    except (AttributeError, OSError, ValueError):
        stream.buffer.write(data)  # a test's captured stream
        stream.flush()
        return
    stream.flush()
    _write_all(descriptor, data)


def _encoded(text: str | bytes) -> bytes:
    """UTF-8, with the raw bytes of undecodable file names (which Python holds as surrogates) written
    back as they were, and any other lone surrogate as its escape, never a crash."""
    if isinstance(text, bytes):
        return text
    try:
        return text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace")


_STREAMS = {"/dev/stdout": 1, "/dev/stderr": 2}


def _open_descriptor(path: Path) -> int | None:
    """The descriptor ``-o`` names when it is one of this process's streams (``/dev/stdout``,
    ``/dev/fd/1``, ``/proc/self/fd/1``), else None."""
    name = str(path)
    descriptor = _STREAMS.get(name)
    for prefix in ("/dev/fd/", "/proc/self/fd/"):
        number = name.removeprefix(prefix)
        if name.startswith(prefix) and number.isdigit():
            descriptor = int(number)
    if descriptor is not None:
        _refuse_input_stream(path, descriptor)
    return descriptor


def _over_an_input(path: Path) -> UsageError:
    return UsageError(Issue(str(path), "refusing to write the report over a file this run read"))


def _refuse_input_stream(path: Path, descriptor: int) -> None:
    """A stream opened onto a file this run read (``3<>brand.yaml``) is that file: never written over."""
    try:
        status = os.fstat(descriptor)
    except OSError:
        return  # not open: the write fails with its own reason
    if _was_read(status):
        raise _over_an_input(path)


def _in_proc(path: Path) -> bool:
    try:
        return path.absolute().parts[1:2] == ("proc",) or path.resolve().parts[1:2] == ("proc",)
    except (OSError, RuntimeError):
        return False


def _target(path: Path) -> Path:
    """The file ``-o`` names once symlinks are followed (so a link to a report keeps being a link)."""
    try:
        return path.resolve(strict=False) if path.is_symlink() else path
    except (OSError, RuntimeError):  # a symlink loop: let the write below fail with its own reason
        return path


def _refuse_unwritable(path: Path, status: os.stat_result) -> None:
    mode = status.st_mode
    if stat.S_ISDIR(mode):
        raise UsageError(Issue(str(path), "cannot write: it is a directory; name a file"))
    if stat.S_ISSOCK(mode) or stat.S_ISBLK(mode):
        kind = "a socket" if stat.S_ISSOCK(mode) else "a block device"
        raise UsageError(Issue(str(path), f"cannot write: it is {kind}, not a file"))
    if _was_read(status):
        raise _over_an_input(path)


def _write_in_place(path: Path, target: Path, text: str | bytes) -> None:
    try:
        descriptor = os.open(target, os.O_WRONLY | os.O_APPEND if _is_fifo(target) else os.O_WRONLY)
    except OSError as error:
        raise UsageError(Issue(str(path), f"cannot write: {error.strerror or error}")) from None
    try:
        _write_all(descriptor, _encoded(text))
    except OSError as error:
        raise UsageError(Issue(str(path), f"cannot write: {error.strerror or error}")) from None
    finally:
        os.close(descriptor)


def _is_fifo(path: Path) -> bool:
    with contextlib.suppress(OSError):
        return stat.S_ISFIFO(path.stat().st_mode)
    return False


def _write_atomic(path: Path, target: Path, text: str | bytes) -> None:
    """Write a new or regular file so readers see the old file or the whole new one, never a part.

    The file gets the permissions a plain ``open`` would give it (an existing file's, else 0o666 less
    the umask), not the owner-only mode of a temporary file: reports are made to be shared.
    """
    import tempfile  # only -o needs it: not worth its import on every run

    directory = target.parent if str(target.parent) else Path()
    if not directory.is_dir():
        raise UsageError(Issue(str(path), "cannot write: the directory does not exist"))
    try:
        descriptor, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    except OSError as error:
        raise UsageError(Issue(str(path), f"cannot write: {error.strerror or error}")) from None
    try:
        os.fchmod(descriptor, _mode_for(target))
        _write_all(descriptor, _encoded(text))
        os.fsync(descriptor)
        os.close(descriptor)
        descriptor = -1
        Path(temporary).replace(target)
    except BaseException as error:
        if descriptor >= 0:
            os.close(descriptor)
        with contextlib.suppress(FileNotFoundError):
            Path(temporary).unlink()
        if isinstance(error, OSError):
            raise UsageError(Issue(str(path), f"cannot write: {error.strerror or error}")) from None
        raise


def _write_all(descriptor: int, data: bytes) -> None:
    """``os.write`` until every byte is out: a short write is retried, and a failed one raises.

    Python's buffered streams can report success after the system wrote only part of the data (a
    file-size limit or a full disk): a report truncated at 8 KiB with exit 0. Writing the bytes
    ourselves sees every short count.
    """
    view = memoryview(data)
    while view:
        written = os.write(descriptor, view)
        if written <= 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))  # the system took nothing and said nothing
        view = view[written:]


def _mode_for(path: Path) -> int:
    """The permission bits ``path`` keeps if it exists, else what a new file gets under the umask."""
    try:
        return path.stat().st_mode & 0o777  # permission bits only: never carry set-id bits over
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
