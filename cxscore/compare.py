"""Comparing scored brands: pure functions from ScoreResults to a Comparison.

Brands are compared metric by metric on the metrics their frameworks share (by metric id); each
brand's overall stays the one computed on its own framework. Two things make percentages less
comparable than they look, and the Comparison flags both instead of letting them pass silently:

* different frameworks: only the shared metrics can be set side by side;
* different rated sets: when one brand left unrated a metric that another rated, their overalls are
  weighted means over different sets of metrics (different denominators);
* different industry anchors: brands that chose different ``industry:`` curves (or none) have their
  measured values scored on different curves.

A baseline check (``rate --baseline``) is the same computation on two results, the baseline first:
each row's ``delta`` is then the change since the baseline.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from cxscore.errors import Issue, UsageError
from cxscore.scoring import SCHEMA_VERSION, MetricScore, ScoreResult

OVERALL_ID = "overall"


class Row(NamedTuple):
    """One compared line (a metric, or the overall): every brand's score and the best of them."""

    id: str
    name: str
    scores: tuple[float | None, ...]
    ratings: tuple[float | None, ...]
    best: tuple[int, ...]
    delta: float | None

    def to_dict(self) -> dict[str, Any]:
        """The row as JSON: id, name, every brand's score, the best brands' indices, the delta."""
        return {
            "id": self.id,
            "name": self.name,
            "scores": list(self.scores),
            "best": list(self.best),
            "delta": self.delta,
        }

    @property
    def rated_by_all(self) -> bool:
        """Whether every brand rated this metric."""
        return all(score is not None for score in self.scores)


class Standing(NamedTuple):
    """One brand's place by overall among the compared brands (``brand`` indexes ``results``).

    ``rank_low``..``rank_high`` is its 95% rank range and ``p_above_next`` the probability it truly
    scores above ``next`` (the brand ranked after it), by the seeded simulation of
    ``cxscore.uncertainty.rank_ranges``; all None when no overall carries an interval.
    """

    brand: int
    rank: int
    rank_low: int | None = None
    rank_high: int | None = None
    next: int | None = None
    p_above_next: float | None = None
    tied_with_next: bool | None = None


class Comparison(NamedTuple):
    """Brands side by side: shared metrics, the best brand per metric, b - a for two brands."""

    results: tuple[ScoreResult, ...]
    rows: tuple[Row, ...]
    overall: Row
    excluded: tuple[tuple[MetricScore, ...], ...]
    uneven: tuple[Row, ...]
    weights_differ: tuple[Row, ...]
    standings: tuple[Standing, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """``{"schema_version", "brands": [as rate], "comparison": {...}}`` (``compare --format json``);
        ``best`` holds brand indices."""
        section = {
            "frameworks": list(self.frameworks),
            "same_framework": self.same_framework,
            "shared_metrics": [row.id for row in self.rows],
            "metrics": [row.to_dict() for row in self.rows],
            "overall": self.overall.to_dict(),
            "delta": "brands[1] - brands[0], in points" if self.has_delta else None,
            "rated_sets_differ": self.rated_sets_differ,
            "unevenly_rated": [row.id for row in self.uneven],
            "weights_differ": [row.id for row in self.weights_differ],
            "not_compared": [[metric.id for metric in metrics] for metrics in self.excluded],
            "ranks": [standing._asdict() for standing in self.standings],
            "notes": self.notes(),
        }
        brands = [result.to_dict() for result in self.results]
        return {"schema_version": SCHEMA_VERSION, "brands": brands, "comparison": section}

    def baseline_dict(self) -> dict[str, Any]:
        """This comparison as a change since a baseline (``rate --baseline``'s ``baseline`` object)."""
        baseline = self.results[0]
        return {
            "brand": baseline.brand,
            "path": baseline.path,
            "assessed": baseline.assessed.isoformat() if baseline.assessed else None,
            "overall_percent": baseline.overall_percent,
            "overall_change": self.overall.delta,
            "metrics": [
                {
                    "id": row.id,
                    "name": row.name,
                    "score_percent_before": row.scores[0],
                    "score_percent": row.scores[1],
                    "change": row.delta,
                }
                for row in self.rows
            ],
            "notes": self.notes(),
        }

    @property
    def frameworks(self) -> tuple[str, ...]:
        """The distinct framework ids, in the order brands were given."""
        return tuple(dict.fromkeys(result.framework_id for result in self.results))

    @property
    def same_framework(self) -> bool:
        """Whether every brand was scored on the same framework: the same id *and* the same content.

        A custom framework file may reuse a bundled id (``id: cx-six``) with other metrics or another
        scale; comparing by id alone would then drop metrics without a word.
        """
        return len(set(map(framework_signature, self.results))) == 1

    @property
    def same_brand(self) -> bool:
        """Whether every result assesses the same brand (by name): the columns are then dates."""
        return len({result.brand for result in self.results}) == 1

    def labels(self) -> tuple[str, ...]:
        """What heads each result's column: the brand; for assessments of one brand, the date each was
        assessed (its file where the date is missing or another column has it too)."""
        if not self.same_brand:
            return tuple(result.brand for result in self.results)
        dates = [result.assessed.isoformat() if result.assessed else "" for result in self.results]
        return tuple(
            date if date and dates.count(date) == 1 else result.path
            for date, result in zip(dates, self.results, strict=True)
        )

    @property
    def has_delta(self) -> bool:
        """Whether the comparison has a delta column (exactly two brands)."""
        return len(self.results) == 2

    @property
    def rated_sets_differ(self) -> bool:
        """Whether some compared metric is rated by one brand and not by another."""
        return bool(self.uneven)

    def notes(self) -> list[str]:
        """Plain-language caveats a reader must see next to the numbers (may be empty)."""
        notes: list[str] = []
        if not self.same_framework:
            count = len(self.rows)
            names = ", ".join(row.name for row in self.rows) or "none"
            ids = ", ".join(self.frameworks)
            if len(self.frameworks) == 1:
                ids = f"two frameworks both called {ids}"
            notes.append(
                f"Different frameworks ({ids}): compared on the {count} "
                f"metric{'' if count == 1 else 's'} they share ({names}); each overall is on the "
                "brand's own framework."
            )
        if self.uneven:
            names = ", ".join(row.name for row in self.uneven)
            notes.append(
                f"Rated sets differ ({names} rated by some brands only): the overall percentages "
                "rest on different denominators."
            )
        if self.weights_differ:
            names = ", ".join(row.name for row in self.weights_differ)
            notes.append(f"Weights differ between brands for: {names}.")
        anchors = [
            ", ".join(dict.fromkeys(m.industry_anchors for m in result.metrics if m.industry_anchors))
            or "default curves"
            for result in self.results
        ]
        if len(set(anchors)) > 1:
            listed = "; ".join(f"{label}: {used}" for label, used in zip(self.labels(), anchors, strict=True))
            notes.append(
                f"Industry anchors differ ({listed}): measured scores are placed on different curves."
            )
        return notes


def framework_signature(result: ScoreResult) -> tuple[object, ...]:
    """What makes two scorecards' frameworks the same one: id, name, scale, scoring and metric ids."""
    metric_ids = tuple(metric.id for metric in result.metrics)
    return (
        result.framework_id,
        result.framework_name,
        result.scale_min,
        result.scale_max,
        result.scoring,
        metric_ids,
    )


def compare_results(results: Sequence[ScoreResult]) -> Comparison:
    """Compare two or more scored brands on the metrics they share, in the order given."""
    if len(results) < 2:
        given = "1 brand was" if len(results) == 1 else f"{len(results)} brands were"
        raise UsageError(Issue("compare", f"needs at least two brands; {given} given"))
    results = tuple(results)
    by_id = [{metric.id: metric for metric in result.metrics} for result in results]
    shared = [metric.id for metric in results[0].metrics if all(metric.id in ids for ids in by_id)]
    rows = []
    for metric_id in shared:
        metrics = [ids[metric_id] for ids in by_id]
        scores = tuple(metric.score_percent for metric in metrics)
        ratings = tuple(metric.rating for metric in metrics)
        rows.append(Row(metric_id, metrics[0].name, scores, ratings, _best(scores), _delta(scores)))
    overall_scores = tuple(result.overall_percent for result in results)
    overall = Row(
        OVERALL_ID,
        "Overall",
        overall_scores,
        (None,) * len(results),
        _best(overall_scores),
        _delta(overall_scores),
    )
    excluded = tuple(
        tuple(metric for metric in result.metrics if metric.id not in shared) for result in results
    )
    weights_differ = tuple(row for row in rows if len({ids[row.id].weight for ids in by_id}) > 1)
    uneven = tuple(row for row in rows if not row.rated_by_all and any(s is not None for s in row.scores))
    standings = _standings(results)
    return Comparison(results, tuple(rows), overall, excluded, uneven, weights_differ, standings)


def _standings(results: tuple[ScoreResult, ...]) -> tuple[Standing, ...]:
    """Each brand's rank by overall (competition ranks, ties within 1e-9), with its rank range and
    ``p_above_next`` when some overall carries an interval; in the order the brands were given."""
    order = sorted(range(len(results)), key=lambda index: -results[index].overall_percent)
    ranks: list[int] = []
    for position, index in enumerate(order):
        tied = (
            ranks
            and abs(results[order[position - 1]].overall_percent - results[index].overall_percent) <= 1e-9
        )
        ranks.append(ranks[-1] if tied else position + 1)
    ranges = None
    if any(result.overall_ci_low is not None for result in results):
        from cxscore.uncertainty import Scored, rank_ranges

        ranges = rank_ranges(
            [
                Scored(results[i].overall_percent, results[i].overall_ci_low, results[i].overall_ci_high)
                for i in order
            ]
        )
    standings: dict[int, Standing] = {}
    for position, index in enumerate(order):
        following = order[position + 1] if position + 1 < len(order) else None
        standing = Standing(index, ranks[position], next=following)
        if ranges is not None:
            found = ranges[position]
            standing = standing._replace(
                rank_low=found.low,
                rank_high=found.high,
                p_above_next=found.p_above_next,
                tied_with_next=found.tied_with_next,
            )
        standings[index] = standing
    return tuple(standings[index] for index in range(len(results)))


def _best(scores: tuple[float | None, ...]) -> tuple[int, ...]:
    """Indices of the top score when at least two brands are scored and they do not all tie."""
    scored = [(index, score) for index, score in enumerate(scores) if score is not None]
    if len(scored) < 2:
        return ()
    top = max(score for _, score in scored)
    best = tuple(index for index, score in scored if score == top)
    return () if len(best) == len(scored) else best


def _delta(scores: tuple[float | None, ...]) -> float | None:
    """``b - a`` in percentage points for exactly two brands that both have a score."""
    if len(scores) != 2 or scores[0] is None or scores[1] is None:
        return None
    return scores[1] - scores[0]


def regressions(change: Comparison, tolerance: float) -> list[Row]:
    """The rows (overall first, then metrics) that fell by more than ``tolerance`` points."""
    return [row for row in (change.overall, *change.rows) if row.delta is not None and row.delta < -tolerance]
