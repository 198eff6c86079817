"""The scoring core: pure functions from a validated brand and its framework to a ScoreResult.

Conventions (the published six-metric CX scorecard that rated Santa Claus 17 of 25 points, 68%):

* A metric's score is its points out of the maximum, ``s = r / max`` (``scoring: points``), or, for
  frameworks that choose ``scoring: minmax``, the position on the scale, ``s = (r - min) / (max - min)``.
  Both are written ``s = (r - lo) / (hi - lo)`` with ``lo = 0`` for points and ``lo = min`` for minmax.
  Framework validation makes ``0 <= lo < hi`` for points and ``hi - lo`` finite, so ``s`` is in 0..1
  for every rating on the scale; a rating off the scale (which the loader refuses) counts as the
  nearer end of it.
* A *measured* metric (one with ``measure`` and ``curve``) scores ``s = curve(v)`` for its measured
  value ``v`` (see :func:`curve_score`); it counts as rated and enters the same weighted mean. A brand
  file's ``industry:`` swaps in that industry's anchors on the curves that give some.
* The overall percentage is the weighted mean over the *rated* metrics,
  ``overall = 100 * sum(w_i * s_i) / sum(w_i)``; unrated metrics are left out of both sums.
* Several assessors' ratings of a metric count as their mean ``r̄``; the overall's 95% interval
  carries their disagreement and measured values' intervals through the same weights (formulas and
  sources in :mod:`cxscore.uncertainty`).
* Coverage is the share of the framework's total weight that was rated,
  ``coverage = 100 * sum(w_i, rated) / sum(w_i, all)``.
* A metric's lost points are what it keeps the overall from 100,
  ``lost_i = 100 * w_i * (1 - s_i) / sum(w_j, rated)``; they add up to ``100 - overall``. Raising a
  metric to the top of the scale raises the overall by exactly its lost points (the denominator does
  not change), which is why "biggest lift" ranks metrics by weight x headroom.

Nothing is rounded here: rounding is the renderers' job. A scale may span up to 1.8e308, so
``r - lo``, ``hi - r`` and the span are counted in units of ``2**e``, the power of two that puts the
span ``hi - lo = unit * 2**e`` at ``0.5 <= unit < 1``, before they meet a weight: no product
overflows, and as a power of two changes no bit of a ratio, every score is what the formulas give.
"""

import datetime
import math
from typing import Any, NamedTuple

from cxscore.models import Band, BrandFile, Curve, Framework, Metric, RatingEntry

LIFTS_SHOWN = 2

#: The version of the JSON contract every ``to_dict`` (and so every ``--format json``) follows.
SCHEMA_VERSION = 1

#: Below this coverage (share of the framework's weight rated) an overall rests on less than half of
#: what the framework measures: every report says so next to the score.
LOW_COVERAGE_PERCENT = 50.0

#: Φ⁻¹(0.9), the standard normal 90% quantile: a lognormal curve puts its p10 value at a 0.90 score.
NORMAL_QUANTILE_90 = 1.2815515655446004


# Result records are NamedTuples: immutable and cheap to build, and defining one costs a fraction of
# a dataclass, whose generated methods are compiled when the module is imported (start-up time).
class MetricScore(NamedTuple):
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
    value: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    n: int | None = None
    measure: str | None = None
    unit: str | None = None
    #: The name of the industry whose curve anchors scored this metric (``None``: the default curve).
    industry_anchors: str | None = None
    score_ci_low: float | None = None
    score_ci_high: float | None = None
    assessments: tuple[float, ...] | None = None
    #: Under survey weights (a data source's ``weight:``): Kish's effective n and the weight column.
    n_effective: float | None = None
    survey_weight: str | None = None

    @property
    def significant(self) -> bool | None:
        """For a ``difference`` with an interval: whether that interval excludes 0 (the two groups
        differ at the 5% level); ``None`` for every other metric."""
        if self.measure != "difference" or self.ci_low is None or self.ci_high is None:
            return None
        return self.ci_low > 0 or self.ci_high < 0

    @property
    def rated(self) -> bool:
        """Whether the brand rated this metric (or, for a measured metric, gave its value)."""
        return self.rating is not None or self.value is not None

    @property
    def measured(self) -> bool:
        """Whether this metric is measured (a value on a curve) rather than rated on the scale."""
        return self.measure is not None

    @property
    def assessor_sd(self) -> float | None:
        """The sample standard deviation of several assessors' ratings (None for one assessor)."""
        if self.assessments is None or len(self.assessments) < 2:
            return None
        from cxscore.uncertainty import sample_sd

        return sample_sd(self.assessments)


class Lift(NamedTuple):
    """How much the overall would rise if one metric reached the top of the scale."""

    metric: MetricScore
    points: float


class ScoreResult(NamedTuple):
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
    industry: str | None = None
    overall_ci_low: float | None = None
    overall_ci_high: float | None = None
    krippendorff_alpha: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """This brand as the JSON contract's object (what ``rate --format json`` prints for it)."""
        return {
            "brand": self.brand,
            "framework": self.framework_id,
            "framework_name": self.framework_name,
            "path": self.path,
            "assessed": self.assessed.isoformat() if self.assessed else None,
            "assessor": self.assessor,
            "industry": self.industry,
            "overall_percent": self.overall_percent,
            "overall_ci_low": self.overall_ci_low,
            "overall_ci_high": self.overall_ci_high,
            "krippendorff_alpha": self.krippendorff_alpha,
            "band": self.band,
            "coverage_percent": self.coverage_percent,
            "low_coverage": self.low_coverage,
            "scale": {"min": self.scale_min, "max": self.scale_max, "scoring": self.scoring},
            "metrics": [
                {
                    "id": metric.id,
                    "name": metric.name,
                    "rating": metric.rating,
                    "weight": metric.weight,
                    "score_percent": metric.score_percent,
                    "points_lost": metric.points_lost,
                    "rated": metric.rated,
                    "note": metric.note,
                    "value": metric.value,
                    "ci_low": metric.ci_low,
                    "ci_high": metric.ci_high,
                    "n": metric.n,
                    "n_effective": metric.n_effective,
                    "survey_weight": metric.survey_weight,
                    "significant": metric.significant,
                    "industry_anchors": metric.industry_anchors,
                    "score_ci_low": metric.score_ci_low,
                    "score_ci_high": metric.score_ci_high,
                    "assessor_ratings": None if metric.assessments is None else list(metric.assessments),
                    "assessor_sd": metric.assessor_sd,
                }
                for metric in self.metrics
            ],
            "biggest_lift": [
                {"id": lift.metric.id, "points": lift.points, "remediation": lift.metric.remediation}
                for lift in self.lifts
            ],
        }

    @property
    def low_coverage(self) -> bool:
        """Whether the overall rests on less than half of the framework's weight."""
        return self.coverage_percent < LOW_COVERAGE_PERCENT

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


def on_scale(rating: float, framework: Framework) -> float:
    """The rating, or the nearer end of the scale for a rating beyond it."""
    return min(framework.scale.max, max(framework.scale.min, rating))


def metric_fraction(rating: float, framework: Framework) -> float:
    """``s = (r - lo) / (hi - lo)``: a rating as a fraction of the scale (see module docstring)."""
    low = scale_floor(framework)
    return (on_scale(rating, framework) - low) / (framework.scale.max - low)


def normal_cdf(z: float) -> float:
    """Φ(z), the standard normal distribution function: ``Φ(z) = (1 + erf(z / √2)) / 2``."""
    return 0.5 * (1.0 + math.erf(z / math.sqrt(2.0)))


def curve_score(curve: Curve, value: float) -> float:
    """Map a measured value onto a score in 0..1 with the metric's curve.

    * ``linear``: ``s = clamp((v − worst) / (best − worst), 0, 1)``. ``best`` may be below ``worst``
      (lower is better, e.g. hours to respond); values beyond either anchor are clamped.
    * ``lognormal`` (Lighthouse's metric scoring, "How performance scores are weighted",
      developer.chrome.com/docs/lighthouse/performance/performance-scoring): the value follows a
      log-normal curve with its ``median`` scoring 0.50 and its ``p10`` scoring 0.90, lower being better:
      ``s = 1 − Φ((ln v − ln median) / σ)`` with ``σ = (ln median − ln p10) / Φ⁻¹(0.9)`` and
      ``Φ⁻¹(0.9) = 1.2815515655446004``. A value ``v ≤ 0`` (nothing could be faster) scores 1.
    """
    if curve.type == "linear":
        worst, best = curve.worst, curve.best
        if worst is None or best is None:
            raise ValueError("a linear curve needs worst and best; the loader rejects such frameworks")
        return min(1.0, max(0.0, (value - worst) / (best - worst)))
    p10, median = curve.p10, curve.median
    if p10 is None or median is None:
        raise ValueError("a lognormal curve needs p10 and median; the loader rejects such frameworks")
    if value <= 0:
        return 1.0
    sigma = (math.log(median) - math.log(p10)) / NORMAL_QUANTILE_90
    return min(1.0, max(0.0, 1.0 - normal_cdf((math.log(value) - math.log(median)) / sigma)))


def measured_fraction(metric: Metric, value: float, industry: str | None = None) -> float:
    """``s = curve(v)`` for a measured metric (see :func:`curve_score`), on ``industry``'s anchors
    when its curve gives some for that industry."""
    if metric.curve is None:
        raise ValueError(f"metric '{metric.id}' has no curve; the loader rejects such frameworks")
    return curve_score(metric.curve.for_industry(industry), value)


def band_for(percent: float, bands: list[Band]) -> str:
    """The highest band whose ``min`` the percentage reaches.

    Framework validation sorts bands highest first and makes the lowest start at 0.
    """
    for band in bands:
        if percent >= band.min:
            return band.name
    return bands[-1].name


def _clamp(percent: float) -> float:
    return min(100.0, max(0.0, percent))


class _Given(NamedTuple):
    """What a brand gave for one metric, before scoring: the gathering step of :func:`score_brand`."""

    metric: Metric
    entry: RatingEntry | None
    weight: float
    rating: float | None  # as given, for a rated metric
    value: float | None  # the measured value, for a measured metric
    fraction: float | None  # s in 0..1; None when the metric is unrated
    above: float | None  # r - lo for a rated metric, in units of 2**e (module docstring)
    below: float | None  # hi - r, in the same units


def _given(metric: Metric, brand: BrandFile, framework: Framework, exponent: int) -> _Given:
    entry = brand.ratings.get(metric.id)
    weight = brand.weights.get(metric.id, metric.weight)
    rating = value = fraction = above = below = None
    if entry is not None:
        if metric.measure is not None:
            value = entry.measured_value
            if value is not None:
                fraction = measured_fraction(metric, value, brand.industry)
        elif entry.rating is not None:
            rating = entry.rating
            fraction = metric_fraction(rating, framework)
            placed = on_scale(rating, framework)
            above = math.ldexp(placed - scale_floor(framework), -exponent)
            below = math.ldexp(framework.scale.max - placed, -exponent)
    return _Given(metric, entry, weight, rating, value, fraction, above, below)


def _score_interval(given: _Given, framework: Framework, industry: str | None) -> tuple[float, float] | None:
    """The 0..1 interval of a metric's score (``cxscore.uncertainty``): a measured value's interval
    through its curve (the industry's anchors where the brand names one), or several assessors' t
    interval on the scale; None when it has neither."""
    entry, metric = given.entry, given.metric
    if entry is None or given.fraction is None:
        return None
    if metric.curve is not None:
        if entry.ci_low is None or entry.ci_high is None:
            return None
        ends = (
            measured_fraction(metric, entry.ci_low, industry),
            measured_fraction(metric, entry.ci_high, industry),
        )
        return min(ends), max(ends)
    from cxscore.uncertainty import mean_interval

    interval = None if entry.assessments is None else mean_interval(entry.assessments)
    if interval is None:
        return None
    return metric_fraction(interval[0], framework), metric_fraction(interval[1], framework)


def _metric_score(
    given: _Given,
    unit: float,
    rated_weight: float,
    industry: str | None,
    interval: tuple[float, float] | None = None,
) -> MetricScore:
    """One metric's record: its score and the points it keeps the overall from 100.

    ``score = 100 * (r - lo) / (hi - lo)`` and ``lost = 100 * w * (hi - r) / ((hi - lo) * sum(w))``,
    with ``r - lo``, ``hi - r`` and the span ``hi - lo = unit * 2**e`` all in units of ``2**e``.
    """
    metric, entry, weight, rating, value, fraction, above, below = given
    score = lost = None
    if above is not None and below is not None:
        score = _clamp(100.0 * above / unit)
        lost = _clamp(100.0 * weight * below / (unit * rated_weight))
    elif fraction is not None:
        score = _clamp(100.0 * fraction)
        lost = _clamp(100.0 * weight * (1.0 - fraction) / rated_weight)
    measure = metric.measure
    measured = entry if measure is not None and value is not None else None
    anchors = None if metric.curve is None else metric.curve.industries.get(industry or "")
    return MetricScore(
        id=metric.id,
        name=metric.name,
        rating=rating,
        weight=weight,
        score_percent=score,
        points_lost=lost,
        note=None if entry is None else entry.note,
        description=metric.description,
        remediation=metric.remediation,
        value=value,
        ci_low=None if measured is None else measured.ci_low,
        ci_high=None if measured is None else measured.ci_high,
        n=None if measured is None else measured.n,
        n_effective=None if measured is None else measured.n_effective,
        survey_weight=None if measured is None else measured.weight,
        measure=None if measure is None else measure.name,
        unit=None if measure is None else measure.unit,
        industry_anchors=None if anchors is None or measured is None else anchors.name,
        score_ci_low=None if interval is None else 100.0 * interval[0],
        score_ci_high=None if interval is None else 100.0 * interval[1],
        assessments=None if entry is None or entry.assessments is None else tuple(entry.assessments),
    )


def score_brand(brand: BrandFile, framework: Framework, path: str = "") -> ScoreResult:
    """Score a validated brand against its framework (formulas in the module docstring).

    The overall is computed as one division, ``100 * sum(w_i * (r_i - lo)) / ((hi - lo) * sum(w_i))``,
    with exactly rounded sums (``math.fsum``), so integer ratings and weights give exact
    percentages: Santa's 17 of 25 points is 68.0, not 68.00000000000001. A measured metric adds
    ``w_i * s_i * (hi - lo)`` to the same numerator, which is ``w_i * s_i`` once divided by the span.
    A measured metric's data source must have been computed into its ``value`` by the loader.
    """
    unit, exponent = math.frexp(framework.scale.max - scale_floor(framework))
    given = [_given(metric, brand, framework, exponent) for metric in framework.metrics]
    rated = [entry for entry in given if entry.fraction is not None]
    rated_weight = math.fsum(entry.weight for entry in rated)
    total_weight = math.fsum(entry.weight for entry in given)
    if rated_weight <= 0:
        raise ValueError("no rated metric has a positive weight; the loader rejects such files")
    # A rating's share of the numerator is kept as w·(r − lo), not w·s·(hi − lo): integer ratings
    # and weights then sum exactly and Santa's overall is 68.0 to the last bit. It and the span are in
    # units of 2**e (module docstring), which changes no bit of their ratio.
    earned = math.fsum(
        entry.weight * entry.above if entry.above is not None else entry.weight * entry.fraction * unit
        for entry in rated
        if entry.fraction is not None
    )
    overall = _clamp(100.0 * earned / (unit * rated_weight))
    uncertain = any(
        entry.entry is not None and (entry.entry.assessments is not None or entry.entry.ci_low is not None)
        for entry in rated
    )
    if not uncertain:  # the common case: nothing varies, and nothing more is computed
        metrics = [_metric_score(entry, unit, rated_weight, brand.industry) for entry in given]
        overall_ci: tuple[float | None, float | None] = (None, None)
        alpha = None
    else:
        metrics, overall_ci, alpha = _with_uncertainty(given, framework, unit, rated_weight, overall, brand)
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
        industry=brand.industry,
        overall_ci_low=overall_ci[0],
        overall_ci_high=overall_ci[1],
        krippendorff_alpha=alpha,
    )


def _with_uncertainty(
    given: list[_Given],
    framework: Framework,
    unit: float,
    rated_weight: float,
    overall: float,
    brand: BrandFile,
) -> tuple[list[MetricScore], tuple[float | None, float | None], float | None]:
    """The metrics with their score intervals, the overall's 95% interval (MOVER) and the assessors'
    Krippendorff alpha (formulas and sources in :mod:`cxscore.uncertainty`)."""
    from cxscore.uncertainty import Part, krippendorff_alpha_interval, overall_interval

    metrics: list[MetricScore] = []
    parts: list[Part] = []
    for entry in given:
        interval = _score_interval(entry, framework, brand.industry)
        metrics.append(_metric_score(entry, unit, rated_weight, brand.industry, interval))
        # Only what can move the overall counts: an interval of some width, on a metric of some weight.
        fraction = entry.fraction
        if interval is not None and fraction is not None and entry.weight > 0 and interval[0] != interval[1]:
            parts.append(Part(entry.weight / rated_weight, fraction, *interval))
    overall_ci: tuple[float | None, float | None] = (None, None)
    if parts:  # else nothing behind the overall varies: no interval (null), as without any
        overall_ci = overall_interval(overall, parts)
    units = [metric.assessments for metric in metrics if metric.assessments and len(metric.assessments) >= 2]
    alpha = krippendorff_alpha_interval(units) if len(units) >= 2 else None
    return metrics, overall_ci, alpha


def biggest_lifts(metrics: list[MetricScore], limit: int = LIFTS_SHOWN) -> tuple[Lift, ...]:
    """The rated metrics whose rise to the top would lift the overall most (ties: framework order)."""
    candidates = [
        Lift(metric, metric.points_lost)
        for metric in metrics
        if metric.points_lost is not None and metric.points_lost > 0
    ]
    candidates.sort(key=lambda lift: -lift.points)
    return tuple(candidates[:limit])
