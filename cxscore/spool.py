"""Records kept compactly, in memory while they are few and in an anonymous temporary file beyond.

A leaderboard must see every brand before it can print the first; holding each brand's summary as
Python objects costs about a kilobyte a brand, and the garbage collector walks them all again and
again as they pile up (ranking 100,000 files took 13 times as long as 10,000). A :class:`Spool`
encodes each record as it comes; up to :data:`IN_MEMORY` bytes of records stay in one buffer, and
past that they go to a temporary file, so memory keeps 8 bytes a record (where it starts).

Records are tuples of plain values (str, int, float, bool, None, and tuples of those), encoded with
:mod:`marshal`: the standard library's fastest encoding of such tuples. Only this process writes and
reads them (the file has no name, and is gone when it is closed or the process ends), so the
encoding never meets data from anywhere else.
"""

import heapq
import marshal
import os
import tempfile
import weakref
from array import array
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Generic, TypeVar

from cxscore.errors import InputError, Issue

T = TypeVar("T")

#: Records up to this many bytes stay in memory (about 25,000 leaderboard entries); more go to disk.
IN_MEMORY = 1 << 20
#: Once on disk, records are gathered up to this many bytes before each write.
_BATCH = 1 << 20


class Spool(Generic[T]):
    """An append-only sequence of records: ``append`` while collecting, then read any of them.

    ``encode`` turns an item into a tuple of plain values and ``decode`` turns that tuple back into
    the item; ``decode(encode(item)) == item`` is the contract (tested for every record type).
    """

    def __init__(
        self, encode: Callable[[T], tuple[Any, ...]], decode: Callable[[Any], T], in_memory: int | None = None
    ) -> None:
        self._encode, self._decode = encode, decode
        self._in_memory = IN_MEMORY if in_memory is None else in_memory
        self._offsets = array("q")  # where each record starts
        self._pending = bytearray()  # records not in the file (all of them while there is no file)
        self._written = 0  # bytes in the file
        self._descriptor: int | None = None
        self._close: Callable[[], Any] = lambda: None

    def append(self, item: T) -> None:
        """Add a record at the end."""
        data = marshal.dumps(self._encode(item))
        self._offsets.append(self._written + len(self._pending))
        self._pending += data
        limit = _BATCH if self._descriptor is not None else self._in_memory
        if len(self._pending) >= limit:
            self._flush()

    def _flush(self) -> None:
        try:
            if self._descriptor is None:
                file = tempfile.TemporaryFile()  # noqa: SIM115 -- lives as long as the spool
                self._descriptor = file.fileno()
                # Closed with the spool: by close(), or when the spool is collected.
                self._close = weakref.finalize(self, file.close)
            data, self._pending = self._pending, bytearray()
            view = memoryview(data)
            while view:
                view = view[os.write(self._descriptor, view) :]
        except OSError as error:
            where = tempfile.gettempdir()
            message = (
                f"cannot keep {len(self._offsets):,} brands' summaries in a temporary file in {where}: "
                f"{error.strerror or error} (set TMPDIR to a folder with room)"
            )
            raise InputError(Issue("cxscore", message)) from None
        self._written += len(data)

    def __len__(self) -> int:
        return len(self._offsets)

    def _span(self, index: int) -> tuple[int, int]:
        start = self._offsets[index]
        last = index + 1 == len(self._offsets)
        end = self._written + len(self._pending) if last else self._offsets[index + 1]
        return start, end - start

    def _read(self, start: int, size: int, ahead: bool = False) -> bytes | memoryview:
        """``size`` bytes from ``start`` (with ``ahead``, from disk, up to a batch more to read on)."""
        if self._descriptor is None:
            return memoryview(self._pending)[start : start + size]
        if self._pending:
            self._flush()
        wanted = min(max(size, _BATCH), self._written - start) if ahead else size
        data = os.pread(self._descriptor, wanted, start)
        if len(data) != wanted:
            raise OSError(f"the spool file came back short: {len(data)} of {wanted} bytes")
        return data

    def get(self, index: int) -> T:
        """The record at ``index`` (in the order appended)."""
        return self._decode(marshal.loads(self._read(*self._span(index))))

    def get_plain(self, index: int) -> tuple[Any, ...]:
        """The record at ``index`` as the plain tuple it was stored as (not decoded)."""
        plain: tuple[Any, ...] = marshal.loads(self._read(*self._span(index)))
        return plain

    def __iter__(self) -> Iterator[T]:
        """Every record in the order appended (from disk in large sequential blocks)."""
        block: bytes | memoryview = b""
        block_start = 0
        for index in range(len(self._offsets)):
            start, size = self._span(index)
            if start + size > block_start + len(block):
                block_start = start
                block = self._read(start, size, ahead=True)
            offset = start - block_start
            yield self._decode(marshal.loads(block[offset : offset + size]))

    def close(self) -> None:
        """Delete the file, if there is one (also done when the spool is collected or the process ends)."""
        self._close()


#: Indices are sorted in chunks this long and then merged (:func:`sorted_in_chunks`): a chunk's keys
#: (for brands of equal overall, a name and a path each) stay well under a megabyte.
SORT_CHUNK = 2048


def sorted_in_chunks(
    indices: Sequence[int], key: Callable[[int], Any], reverse: bool = False
) -> "array[int]":
    """``indices`` sorted by ``key``, stable as :func:`sorted` is, holding one chunk's keys at a time.

    Sorting 100,000 indices at once holds a list of them all and of all their keys (about 7 MB);
    sorting chunks of :data:`SORT_CHUNK` and merging them holds one chunk's, plus the result.
    """
    # 4 bytes an index where that is enough (every portfolio), else 8.
    code = "I" if array("I").itemsize >= 4 and len(indices) and max(indices) < 2**32 else "q"
    chunks = [
        array(code, sorted(indices[start : start + SORT_CHUNK], key=key, reverse=reverse))
        for start in range(0, len(indices), SORT_CHUNK)
    ]
    if len(chunks) <= 1:
        return chunks[0] if chunks else array(code)
    # heapq.merge takes equal keys from the earlier chunk first: the merge stays stable.
    return array(code, heapq.merge(*chunks, key=key, reverse=reverse))
