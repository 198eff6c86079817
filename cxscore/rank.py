"""Leaderboards: many brands ranked by overall score, each kept as a small summary on disk.

Ranking 100,000 files must stay flat in memory, so each brand is reduced to a :class:`RankEntry` as
soon as it is scored (its document, model and full scorecard are dropped before the next file is
read), and the entry goes to a :class:`cxscore.spool.Spool`: memory keeps 16 bytes a brand (where its
entry starts, and its overall). The ranked order is a permutation of those; the entries are read
back one at a time as a report asks for them.
"""

from __future__ import annotations

import bisect
import datetime
import math
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, NamedTuple, overload

from cxscore.errors import Issue, UsageError
from cxscore.loader import LoadedBrand
from cxscore.scorecard import each_brand, score_loaded
from cxscore.scoring import LOW_COVERAGE_PERCENT, SCHEMA_VERSION, ScoreResult
from cxscore.spool import Spool, sorted_in_chunks

#: Below this probability of truly scoring above the next brand, the two are marked tied
#: (``cxscore.uncertainty.CLEAR_ORDER``, kept here so a ranking without intervals loads nothing more).
CLEAR_ORDER = 0.95


class MetricMark(NamedTuple):
    """A metric singled out for a brand (its strongest or weakest)."""

    id: str
    name: str
    score_percent: float


class RankEntry(NamedTuple):
    """One brand on the leaderboard: what the ranking, the report and the gates need, nothing more.

    It is what :class:`cxscore.gating.Gated` asks for, so the gates check entries as they are (all of
    them, whatever ``top`` shows).
    """

    path: str
    brand: str
    framework_id: str
    overall_percent: float
    band: str
    coverage_percent: float
    rated_count: int
    metric_count: int
    strongest: MetricMark
    weakest: MetricMark
    metric_scores: tuple[tuple[str, float], ...]
    rank: int = 0
    overall_ci_low: float | None = None
    overall_ci_high: float | None = None
    rank_low: int | None = None
    rank_high: int | None = None
    p_above_next: float | None = None
    assessed: datetime.date | None = None
    assessor: str | None = None

    @property
    def low_coverage(self) -> bool:
        """Whether the overall rests on less than half of the framework's weight."""
        return self.coverage_percent < LOW_COVERAGE_PERCENT

    @property
    def tied_with_next(self) -> bool | None:
        """Whether the order against the next brand is unclear (p_above_next below 0.95); None without
        uncertainty."""
        return None if self.p_above_next is None else self.p_above_next < CLEAR_ORDER


class Leaderboard(NamedTuple):
    """Every ranked brand, best first; ``top`` limits what the report shows, never what is gated.

    ``entries`` may be read from disk as they are asked for (:class:`RankedEntries`): iterate them
    rather than keep them. ``frameworks`` counts the brands scored on each framework, most used first
    (equal counts by framework id).
    """

    entries: RankedEntries
    top: int | None = None
    frameworks: dict[str, int] = {}

    @property
    def shown(self) -> RankedEntries:
        """The entries the report lists (the first ``top``, or all)."""
        return self.entries if self.top is None else self.entries[: self.top]

    @property
    def shown_low_coverage(self) -> bool:
        """Whether some brand listed rests on less than half of its framework's weight."""
        return self.shown.any_low_coverage()

    @property
    def shown_tied(self) -> bool:
        """Whether some brand listed is marked tied with the next (its order is unclear)."""
        return self.shown.any_tied()

    def to_dict(self, lazy: bool = False) -> dict[str, Any]:
        """``{"schema_version", "total", "ranking": [...]}`` (``rank --format json``), best first, the
        first ``top`` only; with ``lazy``, ``ranking`` is an iterator making each item when asked."""
        items = map(_ranking_item, self.shown)
        ranking = items if lazy else list(items)
        return {"schema_version": SCHEMA_VERSION, "total": len(self.entries), "ranking": ranking}


def _ranking_item(entry: RankEntry) -> dict[str, Any]:
    """One brand of ``rank --format json``."""
    return {
        "rank": entry.rank,
        "brand": entry.brand,
        "path": entry.path,
        "framework": entry.framework_id,
        "overall_percent": entry.overall_percent,
        "overall_ci_low": entry.overall_ci_low,
        "overall_ci_high": entry.overall_ci_high,
        "rank_low": entry.rank_low,
        "rank_high": entry.rank_high,
        "p_above_next": entry.p_above_next,
        "tied_with_next": entry.tied_with_next,
        "band": entry.band,
        "coverage_percent": entry.coverage_percent,
        "low_coverage": entry.low_coverage,
        "rated_metrics": entry.rated_count,
        "metrics": entry.metric_count,
        "strongest": entry.strongest._asdict(),
        "weakest": entry.weakest._asdict(),
    }


def summarise(result: ScoreResult) -> RankEntry:
    """Reduce a scorecard to its leaderboard entry (ties for strongest/weakest: framework order)."""
    rated = [metric for metric in result.metrics if metric.score_percent is not None]
    marks = [MetricMark(metric.id, metric.name, metric.score_percent or 0.0) for metric in rated]
    return RankEntry(
        path=result.path,
        brand=result.brand,
        framework_id=result.framework_id,
        overall_percent=result.overall_percent,
        band=result.band,
        coverage_percent=result.coverage_percent,
        rated_count=len(rated),
        metric_count=len(result.metrics),
        strongest=max(marks, key=lambda mark: mark.score_percent),
        weakest=min(marks, key=lambda mark: mark.score_percent),
        metric_scores=tuple((mark.name, mark.score_percent) for mark in marks),
        overall_ci_low=result.overall_ci_low,
        overall_ci_high=result.overall_ci_high,
        assessed=result.assessed,
        assessor=result.assessor,
    )


def _summarise_loaded(loaded: LoadedBrand) -> RankEntry:
    return summarise(score_loaded(loaded))


# Where the fields that are not plain values sit in a RankEntry.
_MARKS = (RankEntry._fields.index("strongest"), RankEntry._fields.index("weakest"))
_ASSESSED = RankEntry._fields.index("assessed")


def _encode(entry: RankEntry) -> tuple[Any, ...]:
    """A :class:`RankEntry` as plain values for the spool (its marks as tuples, its date as a day number)."""
    fields: list[Any] = list(entry)
    for at in _MARKS:
        fields[at] = tuple(fields[at])
    if entry.assessed is not None:
        fields[_ASSESSED] = entry.assessed.toordinal()
    return tuple(fields)


_RANK, _RANK_LOW, _RANK_HIGH, _ABOVE = (
    RankEntry._fields.index(name) for name in ("rank", "rank_low", "rank_high", "p_above_next")
)


def _decode(fields: Sequence[Any]) -> RankEntry:
    """The inverse of :func:`_encode`."""
    values = list(fields)
    for at in _MARKS:
        values[at] = MetricMark._make(values[at])
    if values[_ASSESSED] is not None:
        values[_ASSESSED] = datetime.date.fromordinal(values[_ASSESSED])
    return RankEntry._make(values)


class _Collected:
    """Summaries as scored, in a spool; in memory each overall, a low-coverage flag (1 where the
    entry rests on less than half of its framework's weight), the framework counts, and whether any
    overall carries an interval."""

    def __init__(self) -> None:
        self.spool: Spool[RankEntry] = Spool(_encode, _decode)
        self.overall = array("d")
        self.low_coverage = bytearray()
        self.frameworks: Counter[str] = Counter()
        self.intervals = False

    def add(self, entry: RankEntry) -> None:
        self.spool.append(entry)
        self.overall.append(entry.overall_percent)
        self.low_coverage.append(entry.low_coverage)
        self.frameworks[entry.framework_id] += 1
        if entry.overall_ci_low is not None:
            self.intervals = True


class CompetitionRanks:
    """Each position's competition rank (1, 2, 2, 4), kept as the positions where a new rank starts:
    a portfolio has far fewer distinct scores than brands."""

    def __init__(self) -> None:
        self.starts = array("q")  # ascending positions; a rank starting at position p is p + 1

    def __getitem__(self, position: int) -> int:
        return self.starts[bisect.bisect_right(self.starts, position) - 1] + 1


class RankedEntries(Sequence[RankEntry]):
    """The entries in ranked order, each read from the spool (with its rank) when asked for.

    ``order[i]`` is the spool index of the entry ranked ``i``-th; ``ranks`` its competition rank;
    ``ranges``, when the overalls carry intervals, its rank range and P(above next) (``nan``: none).
    A slice is a view of the same spool, not a copy.
    """

    def __init__(
        self,
        spool: Spool[RankEntry],
        order: array[int],
        ranks: CompetitionRanks,
        ranges: tuple[array[int], array[int], array[float]] | None,
        low_coverage: bytearray,
        window: range | None = None,
    ) -> None:
        self._spool, self._order, self._ranks, self._ranges = spool, order, ranks, ranges
        self._low_coverage = low_coverage  # by spool index, as collected
        self._window = range(len(order)) if window is None else window

    def any_low_coverage(self) -> bool:
        """Whether some entry here rests on less than half of its framework's weight (no entry read)."""
        return any(self._low_coverage[self._order[position]] for position in self._window)

    def any_tied(self) -> bool:
        """Whether some entry here is marked tied with the next (no entry read)."""
        if self._ranges is None:
            return False
        above = self._ranges[2]
        return any(above[position] < CLEAR_ORDER for position in self._window)  # nan compares False

    def __len__(self) -> int:
        return len(self._window)

    @overload
    def __getitem__(self, index: int) -> RankEntry: ...
    @overload
    def __getitem__(self, index: slice) -> RankedEntries: ...
    def __getitem__(self, index: int | slice) -> RankEntry | RankedEntries:
        if isinstance(index, slice):
            return RankedEntries(
                self._spool, self._order, self._ranks, self._ranges, self._low_coverage, self._window[index]
            )
        return self._entry(self._window[index])

    def __iter__(self) -> Iterator[RankEntry]:
        for position in self._window:
            yield self._entry(position)

    def _entry(self, position: int) -> RankEntry:
        values = list(self._spool.get_plain(self._order[position]))
        values[_RANK] = self._ranks[position]
        if self._ranges is not None:
            low, high, above = (column[position] for column in self._ranges)
            values[_RANK_LOW], values[_RANK_HIGH] = int(low), int(high)
            values[_ABOVE] = None if math.isnan(above) else above
        return _decode(values)


def rank_entries(entries: Iterable[RankEntry], top: int | None = None) -> Leaderboard:
    """Order entries by overall (best first; ties by brand, then path) with competition ranks (1, 2, 2, 4)."""
    _check_top(top)
    collected = _Collected()
    for entry in entries:
        collected.add(entry)
    return _rank(collected, top)


def _rank(collected: _Collected, top: int | None) -> Leaderboard:
    """The leaderboard of the collected entries (see :func:`rank_entries` for the order)."""
    spool, overall = collected.spool, collected.overall
    # Sorted on the overall alone first (stable, so equal overalls stay in the order collected); only
    # brands with equal overalls are read back to be ordered by brand, then path.
    order = sorted_in_chunks(range(len(overall)), overall.__getitem__, reverse=True)
    start = 0
    while start < len(order):
        end = start + 1
        while end < len(order) and overall[order[end]] == overall[order[start]]:
            end += 1
        if end - start > 1:
            group = order[start:end]
            order[start:end] = sorted_in_chunks(group, lambda index: _tie_key(spool.get_plain(index)))
        start = end
    ranks = CompetitionRanks()
    for position, index in enumerate(order):
        # Equal up to float noise: 2/3 reached by different weights is still a tie.
        tied = position and math.isclose(overall[order[position - 1]], overall[index], abs_tol=1e-9)
        if not tied:
            ranks.starts.append(position)
    # Most used first; equal counts by id (the files were read in no particular order).
    frameworks = dict(sorted(collected.frameworks.items(), key=lambda item: (-item[1], item[0])))
    ranges = _rank_ranges(spool, order) if collected.intervals else None
    entries = RankedEntries(spool, order, ranks, ranges, collected.low_coverage)
    return Leaderboard(entries, top, frameworks)


_BRAND, _PATH = RankEntry._fields.index("brand"), RankEntry._fields.index("path")


def _tie_key(plain: tuple[Any, ...]) -> tuple[str, str]:
    """Brand (case-folded), then path: the order of brands with equal overalls (from a stored entry)."""
    return plain[_BRAND].casefold(), plain[_PATH]


def _rank_ranges(
    spool: Spool[RankEntry], order: array[int]
) -> tuple[array[int], array[int], array[float]] | None:
    """Each ranked entry's 95% rank range and ``p_above_next`` (``cxscore.uncertainty.rank_ranges``),
    or None when no overall carries an interval."""
    from cxscore.uncertainty import Scored, rank_ranges

    brands = []
    for index in order:
        entry = spool.get(index)
        brands.append(Scored(entry.overall_percent, entry.overall_ci_low, entry.overall_ci_high))
    found = rank_ranges(brands)
    if found is None:
        return None
    low, high, above = array("q"), array("q"), array("d")
    for item in found:
        low.append(item.low)
        high.append(item.high)
        above.append(math.nan if item.p_above_next is None else item.p_above_next)
    return low, high, above


def _check_top(top: int | None) -> None:
    if top is not None and top < 1:
        raise UsageError(Issue("--top", f"expected at least 1, got {top}"))


def rank_files(
    arguments: Iterable[str],
    top: int | None = None,
    allow_outside: Sequence[Path] = (),
    *,
    engine: str | None = None,
) -> Leaderboard:
    """Load, score and rank every brand file named (directories expand to their YAML files)."""
    _check_top(top)  # before reading thousands of files
    collected = _Collected()
    # The files' order does not matter to a ranking: a directory is read in its own order.
    each_brand(
        arguments,
        lambda loaded: collected.add(_summarise_loaded(loaded)),
        allow_outside,
        engine=engine,
        ordered=False,
    )
    return _rank(collected, top)
