"""Data file paths and glob patterns, resolved inside a confinement root and within fixed bounds.

A brand file names its data (``from: survey.csv``, ``from: exports/*.csv``) relative to its own
folder, and a brand file may come from someone else: its paths must not reach the rest of the
machine. With a ``root``, every path and every glob match is resolved (symbolic links followed) and
must lie inside it; a glob is walked only from its fixed leading folders, which must lie inside it
too. Without a root (paths typed on the command line) nothing is confined, but a glob is still
bounded: at most :data:`MAX_GLOB_MATCHES` files and :data:`GLOB_SECONDS` of listing, so
``/**/x*.csv`` fails quickly instead of walking the whole filesystem.

The walk is our own rather than :func:`glob.glob`, which can neither stop at a deadline nor refuse
to follow a symbolic link out of the tree; it keeps glob's rules otherwise (``*``, ``?``, ``[...]``
within one path segment, ``**`` for any number of folders, hidden names matched only by a pattern
that starts with a dot, results sorted).
"""

from __future__ import annotations

import errno
import os
import re
import stat
import time
from fnmatch import fnmatchcase
from pathlib import Path
from typing import NamedTuple

from cxscore.errors import InputError, Issue
from cxscore.output import note_input

MAX_GLOB_MATCHES = 10_000
GLOB_SECONDS = 5.0
GLOB_CHARS = re.compile(r"[*?\[]")
OUTSIDE = "--allow-outside lifts this"
#: What a failed look at a path means "nothing there" rather than "not allowed to look".
MISSING = (errno.ENOENT, errno.ENOTDIR, errno.ELOOP, errno.ENAMETOOLONG)


class DataFile(NamedTuple):
    """One data file: the path as the user named it (for messages) and the resolved file read."""

    shown: Path
    real: Path


class ListingBudget:
    """The time a whole run may spend listing folders for globs (:data:`GLOB_SECONDS` in all)."""

    def __init__(self, seconds: float | None = None) -> None:
        self.left = GLOB_SECONDS if seconds is None else seconds

    def deadline(self) -> float:
        """When the next walk must stop, on the ``time.monotonic`` clock."""
        return time.monotonic() + self.left

    def spend(self, seconds: float) -> None:
        """Take what a walk used off what is left."""
        self.left = max(0.0, self.left - seconds)


def resolve_files(
    patterns: tuple[str, ...],
    base: str | None = None,
    root: str | None = None,
    budget: ListingBudget | None = None,
) -> list[DataFile]:
    """Expand paths and glob patterns into existing, non-empty files, in a stable order.

    Relative paths are taken from ``base``; with ``root``, every file must resolve inside it. Globs
    list folders within ``budget`` (a run's shared budget; a fresh one when none is given).
    """
    budget = ListingBudget() if budget is None else budget
    confine = Path(root).resolve() if root is not None else None
    files: list[DataFile] = []
    for pattern in patterns:
        # The base folder is a literal path, even when its name holds "[" or "*".
        folder = Path(base) if base is not None and not Path(pattern).is_absolute() else Path()
        full = folder / pattern
        real = _resolve(full, pattern)
        # Checked before anything else is looked up, so a path outside the root cannot even probe
        # whether a file exists there.
        _check_inside(real, confine, pattern)
        kind = _kind(real, pattern)
        if GLOB_CHARS.search(pattern) and kind != "file":
            files += _glob(folder, pattern, confine, budget)
            continue
        if kind == "folder":
            raise InputError(Issue(pattern, "is a directory: give files, or a glob such as DIR/*.csv"))
        if kind is None:
            raise InputError(Issue(pattern, "no such file"))
        if kind != "file":
            raise InputError(Issue(pattern, "is not a regular file"))
        files.append(DataFile(full, real))
    unique = list({file.real: file for file in reversed(files)}.values())[::-1]
    for file in unique:
        status = _stat(file.real, str(file.shown))
        if status is None:
            raise InputError(Issue(str(file.shown), "no such file"))
        if status.st_size == 0:
            raise InputError(Issue(str(file.shown), "the file is empty"))
        note_input(status)  # a report written by this run must not replace its data
    return unique


def _resolve(path: Path, pattern: str) -> Path:
    """``path`` absolute, with every symbolic link followed."""
    try:
        return path.resolve()
    except RuntimeError:  # how pathlib reports a loop of symbolic links
        raise InputError(Issue(pattern, "is a loop of symbolic links")) from None
    except ValueError:  # a NUL character, which no file name can hold
        raise InputError(
            Issue(pattern.replace("\x00", "\\x00"), "is not a file name: it holds a NUL character")
        ) from None
    except OSError as error:
        raise InputError(Issue(pattern, f"cannot be read: {os_reason(error)}")) from None


def _stat(path: Path, shown: str) -> os.stat_result | None:
    """The status of ``path``, None when there is nothing there; a denied look is the user's error."""
    try:
        return path.stat()
    except ValueError:  # a NUL character, which no file name can hold
        raise InputError(
            Issue(shown.replace("\x00", "\\x00"), "is not a file name: it holds a NUL character")
        ) from None
    except OSError as error:
        if error.errno in MISSING:
            return None
        raise InputError(Issue(shown, f"cannot be read: {os_reason(error)}")) from None


def _kind(path: Path, shown: str) -> str | None:
    """``file``, ``folder``, ``other`` (a device, a pipe) or None when nothing is there."""
    status = _stat(path, shown)
    if status is None:
        return None
    if stat.S_ISREG(status.st_mode):
        return "file"
    return "folder" if stat.S_ISDIR(status.st_mode) else "other"


def os_reason(error: OSError) -> str:
    """An OS error's reason without its number or the path (which the message already names)."""
    if error.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    return (error.strerror or type(error).__name__).lower()


def _check_inside(real: Path, root: Path | None, pattern: str, match: Path | None = None) -> None:
    if root is None or real == root or real.is_relative_to(root):
        return
    what = f"matches {match}, which is" if match is not None else "is"
    message = (
        f"{what} outside the folders a brand file may read from, its own and the current directory's "
        f"trees ({OUTSIDE})"
    )
    raise InputError(Issue(pattern, message))


def _glob(folder: Path, pattern: str, root: Path | None, budget: ListingBudget) -> list[DataFile]:
    """The files matching ``pattern`` in ``folder``, walked from its fixed leading folders."""
    parts = Path(pattern).parts
    fixed = next(i for i, part in enumerate(parts) if GLOB_CHARS.search(part))
    start = folder.joinpath(*parts[:fixed])
    _check_inside(_resolve(start, pattern), root, pattern)
    started = time.monotonic()
    walk = _Walk(parts[fixed:], pattern, budget.deadline())
    try:
        walk.run(start)
    finally:
        budget.spend(time.monotonic() - started)
    files = []
    for shown in sorted(walk.found):
        real = _resolve(shown, pattern)
        _check_inside(real, root, pattern, shown)
        files.append(DataFile(shown, real))
    if not files:
        raise InputError(Issue(pattern, "no file matches this pattern"))
    return files


class _Walk:
    """An iterative glob walk over the segments of a pattern, stopped by a deadline and a count."""

    def __init__(self, segments: tuple[str, ...], pattern: str, deadline: float) -> None:
        self.segments = segments
        self.pattern = pattern
        self.deadline = deadline
        self.found: dict[Path, None] = {}

    def run(self, start: Path) -> None:
        pending = [(start, 0)]
        seen: set[tuple[Path, int]] = set()
        while pending:
            state = pending.pop()
            if state in seen:
                continue
            seen.add(state)
            folder, index = state
            segment = self.segments[index]
            last = index == len(self.segments) - 1
            if segment == "**":
                if not last:
                    pending.append((folder, index + 1))
                for entry in self._entries(folder, hidden=False):
                    # Not into linked folders: a link may loop, or lead out of the tree.
                    if _is_dir(entry) and not entry.is_symlink():
                        pending.append((folder / entry.name, index))
                    elif last and _is_file(entry):
                        self._add(folder / entry.name)
            elif not GLOB_CHARS.search(segment):
                target = folder / segment
                kind = _quiet_kind(target)
                if last and kind == "file":
                    self._add(target)
                elif not last and kind == "folder":
                    pending.append((target, index + 1))
            else:
                for entry in self._entries(folder, hidden=segment.startswith(".")):
                    if not fnmatchcase(entry.name, segment):
                        continue
                    if last and _is_file(entry):
                        self._add(folder / entry.name)
                    elif not last and _is_dir(entry):
                        pending.append((folder / entry.name, index + 1))

    def _entries(self, folder: Path, hidden: bool) -> list[os.DirEntry[str]]:
        entries = []
        try:
            with os.scandir(folder) as listing:
                for entry in listing:
                    self._check_time()
                    if hidden or not entry.name.startswith("."):
                        entries.append(entry)
        except OSError:
            return []  # an unreadable or vanished folder holds no match, as for glob.glob
        return entries

    def _add(self, path: Path) -> None:
        self.found[path] = None
        if len(self.found) > MAX_GLOB_MATCHES:
            message = f"matches more than {MAX_GLOB_MATCHES:,} files: narrow the pattern"
            raise InputError(Issue(self.pattern, message))

    def _check_time(self) -> None:
        if time.monotonic() > self.deadline:
            message = f"listing files took more than {GLOB_SECONDS:g} s in all this run: narrow the pattern"
            raise InputError(Issue(self.pattern, message))


def _quiet_kind(path: Path) -> str | None:
    """Like :func:`_kind`, but a path that cannot be looked at is simply not there (as in glob)."""
    try:
        status = path.stat()
    except (OSError, ValueError):
        return None
    if stat.S_ISREG(status.st_mode):
        return "file"
    return "folder" if stat.S_ISDIR(status.st_mode) else "other"


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _is_file(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_file()
    except OSError:
        return False
