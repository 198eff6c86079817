"""One run's engine connections and opened sources, so that each is opened once.

A brand file whose five metrics all come ``from: survey.csv`` would otherwise start five DuckDB
engines and sniff the file five times. A :class:`DataSession` keeps what was opened, keyed by the
engine URL and the resolved files (or the table name), until it is closed at the end of the run.
Importing this module is cheap: it holds engines, it does not import them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable
from types import TracebackType
from typing import Any, TypeVar

T = TypeVar("T")


class DataSession:
    """Engines and opened sources shared by every measure of one run; ``close`` disconnects them.

    Use it as a context manager around everything computed from data in one run::

        with DataSession() as session:
            for measure, source in wanted:
                compute_metric_value(measure, source, session)

    ``opened`` counts what was actually opened, by kind (``engine``, ``files``, ``table``).
    """

    def __init__(self) -> None:
        self._kept: dict[Hashable, Any] = {}
        self._closers: list[Callable[[], None]] = []
        self.opened: Counter[str] = Counter()

    def remember(
        self,
        key: tuple[Hashable, ...],
        open_it: Callable[[], T],
        close: Callable[[T], None] | None = None,
    ) -> T:
        """What ``open_it`` returns, opened on the first call with ``key`` and kept for the others.

        ``close``, when given, is called with it when the session closes.
        """
        if key in self._kept:
            found: T = self._kept[key]
            return found
        value = open_it()
        self._kept[key] = value
        self.opened[str(key[0])] += 1
        if close is not None:
            self._closers.append(lambda: close(value))
        return value

    def close(self) -> None:
        """Disconnect every engine opened in this session (results are computed by then)."""
        closers, self._closers = self._closers, []
        self._kept.clear()
        for closer in reversed(closers):
            closer()

    def __enter__(self) -> DataSession:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
