"""Leaderboards: many brands ranked by overall score, each kept as a small summary.

Ranking 10,000 files must stay flat in memory, so each brand is reduced to a :class:`RankEntry` (a
dozen numbers and strings shared with its framework) as soon as it is scored; its document, model and
full scorecard are dropped before the next file is read.
"""

from __future__ import annotations

import datetime
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from cxscore.errors import Issue, UsageError
from cxscore.loader import LoadedBrand
from cxscore.scorecard import map_brands, score_loaded
from cxscore.scoring import LOW_COVERAGE_PERCENT, SCHEMA_VERSION, ScoreResult

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
    """Every ranked brand, best first; ``top`` limits what the report shows, never what is gated."""

    entries: tuple[RankEntry, ...]
    top: int | None = None

    @property
    def shown(self) -> tuple[RankEntry, ...]:
        """The entries the report lists (the first ``top``, or all)."""
        return self.entries if self.top is None else self.entries[: self.top]

    def to_dict(self) -> dict[str, Any]:
        """``{"schema_version", "total", "ranking": [...]}`` (``rank --format json``), best first, the
        first ``top`` only."""
        ranking = [
            {
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
            for entry in self.shown
        ]
        return {"schema_version": SCHEMA_VERSION, "total": len(self.entries), "ranking": ranking}

    @property
    def frameworks(self) -> dict[str, int]:
        """How many brands were scored on each framework, most used first."""
        return dict(Counter(entry.framework_id for entry in self.entries).most_common())


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


def rank_entries(entries: Iterable[RankEntry], top: int | None = None) -> Leaderboard:
    """Order entries by overall (best first; ties by brand, then path) with competition ranks (1, 2, 2, 4)."""
    _check_top(top)
    ordered = sorted(entries, key=lambda e: (-e.overall_percent, e.brand.casefold(), e.path))
    ranked: list[RankEntry] = []
    for position, entry in enumerate(ordered, start=1):
        # Equal up to float noise: 2/3 reached by different weights is still a tie.
        tied = ranked and math.isclose(ranked[-1].overall_percent, entry.overall_percent, abs_tol=1e-9)
        rank = ranked[-1].rank if tied else position
        ranked.append(entry._replace(rank=rank))
    if any(entry.overall_ci_low is not None for entry in ranked):
        ranked = _with_rank_ranges(ranked)
    return Leaderboard(tuple(ranked), top)


def _with_rank_ranges(ranked: list[RankEntry]) -> list[RankEntry]:
    """The entries with their 95% rank ranges and ``p_above_next`` (``cxscore.uncertainty.rank_ranges``)."""
    from cxscore.uncertainty import Scored, rank_ranges

    brands = [Scored(e.overall_percent, e.overall_ci_low, e.overall_ci_high) for e in ranked]
    ranges = rank_ranges(brands) or []
    return [
        entry._replace(rank_low=found.low, rank_high=found.high, p_above_next=found.p_above_next)
        for entry, found in zip(ranked, ranges, strict=True)
    ]


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
    return rank_entries(map_brands(arguments, _summarise_loaded, allow_outside, engine=engine), top)
