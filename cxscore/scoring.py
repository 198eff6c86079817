"""The scoring core: pure functions from a validated brand and its framework to a ScoreResult.

Conventions (the published six-metric CX scorecard that rated Santa Claus 17 of 25 points, 68%):

* A metric's score is its points out of the maximum, ``s = r / max`` (``scoring: points``), or, for
  frameworks that choose ``scoring: minmax``, the position on the scale, ``s = (r - min) / (max - min)``.
  Both are written ``s = (r - lo) / (hi - lo)`` with ``lo = 0`` for points and ``lo = min`` for minmax.
* The overall percentage is the weighted mean over the *rated* metrics,
  ``overall = 100 * sum(w_i * s_i) / sum(w_i)``; unrated metrics are left out of both sums.
* Coverage is the share of the framework's total weight that was rated,
  ``coverage = 100 * sum(w_i, rated) / sum(w_i, all)``.
* A metric's lost points are what it keeps the overall from 100,
  ``lost_i = 100 * w_i * (1 - s_i) / sum(w_j, rated)``; they add up to ``100 - overall``. Raising a
  metric to the top of the scale raises the overall by exactly its lost points (the denominator does
  not change), which is why "biggest lift" ranks metrics by weight x headroom.

Nothing is rounded here: rounding is the renderers' job.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass

from cxscore.models import Band, BrandFile, Framework

LIFTS_SHOWN = 2


@dataclass(frozen=True, slots=True)
class MetricScore:
    """One metric of one brand: its rating, weight and what it contributes to the overall."""

    id: str
    name: str
    rating: float | None
    weight: float
    score_percent: float | None
    points_lost: float | None
    note: str | None
    description: str
    remediation: str

    @property
    def rated(self) -> bool:
        """Whether the brand rated this metric."""
        return self.rating is not None


@dataclass(frozen=True, slots=True)
class Lift:
    """How much the overall would rise if one metric reached the top of the scale."""

    metric: MetricScore
    points: float


@dataclass(frozen=True, slots=True)
class ScoreResult:
    """A brand's scorecard: the one result model every renderer takes."""

    path: str
    brand: str
    framework_id: str
    framework_name: str
    scale_min: float
    scale_max: float
    scoring: str
    overall_percent: float
    band: str
    coverage_percent: float
    metrics: tuple[MetricScore, ...]
    lifts: tuple[Lift, ...]
    assessed: datetime.date | None = None
    assessor: str | None = None
    notes: str | None = None

    @property
    def rated(self) -> tuple[MetricScore, ...]:
        """The metrics that were rated."""
        return tuple(metric for metric in self.metrics if metric.rated)

    @property
    def unrated(self) -> tuple[MetricScore, ...]:
        """The metrics left unrated (excluded from the overall)."""
        return tuple(metric for metric in self.metrics if not metric.rated)


def scale_floor(framework: Framework) -> float:
    """``lo`` of the score formula: 0 for points scoring, the scale minimum for minmax."""
    return framework.scale.min if framework.scoring == "minmax" else 0.0


def metric_fraction(rating: float, framework: Framework) -> float:
    """``s = (r - lo) / (hi - lo)``: a rating as a fraction of the scale (see module docstring)."""
    low = scale_floor(framework)
    return (rating - low) / (framework.scale.max - low)


def band_for(percent: float, bands: list[Band]) -> str:
    """The highest band whose ``min`` the percentage reaches (bands cover 0 by validation)."""
    for band in sorted(bands, key=lambda b: b.min, reverse=True):
        if percent >= band.min:
            return band.name
    return bands[-1].name


def _clamp(percent: float) -> float:
    return min(100.0, max(0.0, percent))


def score_brand(brand: BrandFile, framework: Framework, path: str = "") -> ScoreResult:
    """Score a validated brand against its framework (formulas in the module docstring).

    The overall is computed as one division, ``100 * sum(w_i * (r_i - lo)) / ((hi - lo) * sum(w_i))``,
    with exactly rounded sums (``math.fsum``), so integer ratings and weights give exact
    percentages: Santa's 17 of 25 points is 68.0, not 68.00000000000001.
    """
    low, high = scale_floor(framework), framework.scale.max
    span = high - low
    weights = {m.id: brand.weights.get(m.id, m.weight) for m in framework.metrics}
    ratings = {
        metric_id: entry.rating
        for metric_id, entry in brand.ratings.items()
        if entry.rating is not None and metric_id in weights
    }
    rated_weight = math.fsum(weights[metric_id] for metric_id in ratings)
    total_weight = math.fsum(weights.values())
    if rated_weight <= 0:
        raise ValueError("no rated metric has a positive weight; the loader rejects such files")
    earned = math.fsum(weights[metric_id] * (r - low) for metric_id, r in ratings.items())
    overall = _clamp(100.0 * earned / (span * rated_weight))

    metrics = []
    for metric in framework.metrics:
        entry = brand.ratings.get(metric.id)
        rating = ratings.get(metric.id)
        weight = weights[metric.id]
        score = lost = None
        if rating is not None:
            score = _clamp(100.0 * (rating - low) / span)
            lost = _clamp(100.0 * weight * (high - rating) / (span * rated_weight))
        metrics.append(
            MetricScore(
                id=metric.id,
                name=metric.name,
                rating=rating,
                weight=weight,
                score_percent=score,
                points_lost=lost,
                note=None if entry is None else entry.note,
                description=metric.description,
                remediation=metric.remediation,
            )
        )
    return ScoreResult(
        path=path,
        brand=brand.brand,
        framework_id=framework.id,
        framework_name=framework.name,
        scale_min=framework.scale.min,
        scale_max=framework.scale.max,
        scoring=framework.scoring,
        overall_percent=overall,
        band=band_for(overall, framework.bands),
        coverage_percent=_clamp(100.0 * rated_weight / total_weight),
        metrics=tuple(metrics),
        lifts=biggest_lifts(metrics),
        assessed=brand.assessed,
        assessor=brand.assessor,
        notes=brand.notes,
    )


def biggest_lifts(metrics: list[MetricScore], limit: int = LIFTS_SHOWN) -> tuple[Lift, ...]:
    """The rated metrics whose rise to the top would lift the overall most (ties: framework order)."""
    candidates = [
        Lift(metric, metric.points_lost)
        for metric in metrics
        if metric.points_lost is not None and metric.points_lost > 0
    ]
    candidates.sort(key=lambda lift: -lift.points)
    return tuple(candidates[:limit])
