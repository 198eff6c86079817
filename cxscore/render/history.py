"""Pieces every history renderer shares: the sparkline and the one-line summary of a history."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cxscore.history import History

BLOCKS = "▁▂▃▄▅▆▇█"
#: The least span, in points, a sparkline's eight levels stand for (see :func:`sparkline`).
MIN_SPAN = 10.0


def sparkline(values: Sequence[float | None]) -> str:
    """One block character per percentage, ``▁`` lowest to ``█`` highest, a space for a gap.

    The levels span the values' own range, widened around its middle to at least ``MIN_SPAN`` points
    (kept within 0..100), so a change of a tenth of a point does not look like a collapse; equal values
    sit on the middle level. A single value is no trend: it draws nothing.
    """
    present = [value for value in values if value is not None]
    if len(present) < 2:
        return " " * len(values)
    low, high = min(present), max(present)
    if high - low < MIN_SPAN:
        middle = (low + high) / 2
        low = min(max(middle - MIN_SPAN / 2, 0.0), 100.0 - MIN_SPAN)
        high = low + MIN_SPAN
    top = len(BLOCKS) - 1
    levels = [None if v is None else round((v - low) / (high - low) * top) for v in values]
    return "".join(" " if level is None else BLOCKS[min(max(level, 0), top)] for level in levels)


def period_span(history: History) -> str:
    """How many assessments and when: ``4 assessments, 2024-03-28 to 2024-12-19``."""
    periods = history.periods
    first, last = periods[0].assessed.isoformat(), periods[-1].assessed.isoformat()
    if len(periods) == 1:
        return f"1 assessment, {first}"
    return f"{len(periods)} assessments, {first} to {last}"
