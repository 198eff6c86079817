"""``--format total``: only the overall percentage, for scripts and badges.

One brand prints a bare number; several print one ``PCT<TAB>BRAND`` line each, so a script can tell
them apart (``cut -f2``, ``sort -n``). The number is display-rounded like every report (one decimal,
never 100.0 or 0.0 unless exact) and written without a ``%`` sign so a shell can compare it directly;
the brand is made printable on one line (a tab in a name becomes a space).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from cxscore.render import Pieces
from cxscore.render.numbers import format_number
from cxscore.textsafe import clean_line

if TYPE_CHECKING:
    from cxscore.compare import Comparison
    from cxscore.rank import Leaderboard
    from cxscore.report import RateReport, RateStream


def _lines(brands: Iterable[tuple[float, str]]) -> str:
    return "".join(_line_pieces(brands))


def _line_pieces(brands: Iterable[tuple[float, str]]) -> Iterator[str]:
    """A bare number for one brand; else a line per brand, each made as its brand comes."""
    pairs = iter(brands)
    first = next(pairs, None)
    second = next(pairs, None)
    if first is None:
        return
    if second is None:
        yield f"{format_number(first[0])}\n"
        return
    for value, brand in itertools.chain((first, second), pairs):
        yield f"{format_number(value)}\t{clean_line(brand)}\n"


def render_rate(report: RateReport) -> str:
    """Each brand's overall, in the order given."""
    return _lines((result.overall_percent, result.brand) for result in report.results)


def render_rate_stream(stream: RateStream) -> Pieces:
    """:func:`render_rate` for a portfolio, a line as each brand is scored."""
    return Pieces(_line_pieces((result.overall_percent, result.brand) for result in stream.results), False)


def render_compare(comparison: Comparison) -> str:
    """Each compared brand's overall, in the order given."""
    return _lines((result.overall_percent, result.brand) for result in comparison.results)


def render_rank(board: Leaderboard) -> str:
    """Each ranked brand's overall, best first (the first ``--top`` only)."""
    return _lines((entry.overall_percent, entry.brand) for entry in board.shown)
