"""``--format total``: only the overall percentage, one line per brand, for scripts and badges.

The number is display-rounded like every report (one decimal, never 100.0 or 0.0 unless exact) and
written without a ``%`` sign so a shell can compare it directly.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from cxscore.render.numbers import format_number

if TYPE_CHECKING:
    from cxscore.compare import Comparison
    from cxscore.rank import Leaderboard
    from cxscore.report import RateReport


def _lines(values: Iterable[float]) -> str:
    return "".join(f"{format_number(value)}\n" for value in values)


def render_rate(report: RateReport) -> str:
    """Each brand's overall, in the order given."""
    return _lines(result.overall_percent for result in report.results)


def render_compare(comparison: Comparison) -> str:
    """Each compared brand's overall, in the order given."""
    return _lines(result.overall_percent for result in comparison.results)


def render_rank(board: Leaderboard) -> str:
    """Each ranked brand's overall, best first (the first ``--top`` only)."""
    return _lines(entry.overall_percent for entry in board.shown)
