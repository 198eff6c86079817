"""Uncertainty carried into the scorecard: assessors' intervals, the overall's interval, agreement, ranks.

Plain Python and the standard library only (the rating path never loads numpy). Every interval is
two-sided 95%; the formulas, with their sources:

* **Several assessors** rate a metric ``r_1..r_k``: the rating is their mean ``r̄``, and its interval
  is Student's t interval for a mean, ``r̄ ± t(0.975, k−1) · s / √k`` with ``s`` the sample standard
  deviation (divisor ``k − 1``), cut to the scale (any textbook, e.g. NIST/SEMATECH e-Handbook §7.2.2.1).
  The assessors are taken as a sample of the assessors who could have rated the brand, so their
  disagreement is the uncertainty of the rating. One assessor gives no interval.
* **A measured metric's** interval ``[L, U]`` on its value is carried through its curve: the score's
  interval is ``[min(c(L), c(U)), max(c(L), c(U))]``. A curve is monotone, so
  ``P(L ≤ v ≤ U) = P(c(L) ≤ c(v) ≤ c(U))``: the ends of a confidence interval mapped through a monotone
  function are a confidence interval of the mapped value with the same coverage (e.g. Casella & Berger,
  *Statistical Inference*, 2nd ed., §9.2.3). Where the curve is clamped the score cannot vary, and the
  interval narrows to what the score can be.
* **The overall** is the weighted mean ``O = Σ cᵢ·sᵢ`` with ``cᵢ = wᵢ / Σ w`` over the rated metrics.
  Its interval combines the metrics' score intervals ``[lᵢ, uᵢ]`` by the method of variance estimates
  recovery (MOVER; Zou & Donner, "Construction of confidence limits about effect measures: a general
  approach", *Statistics in Medicine* 27(10):1693–1702, 2008, eq. 5–6, for a sum with positive
  coefficients): ``O − √Σ cᵢ²(sᵢ − lᵢ)²`` to ``O + √Σ cᵢ²(uᵢ − sᵢ)²``. Each side of each interval
  recovers its own standard error (``(sᵢ − lᵢ)/1.96`` below, ``(uᵢ − sᵢ)/1.96`` above) and the
  variances add under independence. For symmetric intervals this is exactly the normal approximation
  ``O ± 1.96·√Σ cᵢ²·seᵢ²``; for the asymmetric ones (Wilson, a clamped curve, a t interval cut to the
  scale) it keeps each side's width. The metrics are assumed independent (different surveys and
  assessors' errors unrelated across metrics); correlated errors would widen the interval.
* **Agreement** of several assessors over several metrics is Krippendorff's alpha at the interval
  level (Krippendorff, "Computing Krippendorff's Alpha-Reliability", 2011, §"interval metric"):
  ``α = 1 − D_o / D_e`` over the metrics rated by at least two assessors (the *units*), with ``n`` the
  number of their ratings, ``D_o = (1/n) Σ_u Σ_{i≠j in u} (r_i − r_j)² / (m_u − 1)`` and
  ``D_e = Σ_{i≠j} (r_i − r_j)² / (n(n − 1))`` over all ``n`` ratings (ordered pairs). Both sums of
  squared differences are written as ``2m·Σ(r − r̄)²``, so the cost is linear. ``α`` is 1 for perfect
  agreement, 0 for agreement at chance; it is undefined (None) when all ratings are equal.
* **Ranks** under uncertainty come from a seeded simulation (:func:`rank_ranges`).
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from typing import NamedTuple

#: The 97.5% quantile of the standard normal distribution (two-sided 95%).
Z_95 = 1.959963984540054

#: The simulation's seed: the same brands give the same rank ranges on every run.
RANK_SEED = 20241217
#: Replicates of the rank simulation, and the fewest it runs with for very large portfolios: the
#: work is capped at RANK_WORK ranked entries (brands, certain ones grouped by overall) × replicates.
RANK_REPLICATES = 2000
RANK_MIN_REPLICATES = 200
RANK_WORK = 1_000_000
#: Below this probability of truly scoring above the next brand, the two are marked tied.
CLEAR_ORDER = 0.95


def _scaled(values: Sequence[float]) -> tuple[list[float], int]:
    """The values divided by ``2**e``, the power of two that brings the largest to at most 1, and ``e``.

    A scale may reach 1.8e308 (``cxscore.scoring``): squares and sums are taken of the scaled values,
    so none overflows, and dividing by a power of two changes no bit of a ratio.
    """
    exponent = max(math.frexp(value)[1] for value in values)
    return [math.ldexp(value, -exponent) for value in values], exponent


def sample_sd(ratings: Sequence[float]) -> float | None:
    """The sample standard deviation (divisor ``k − 1``) of two or more ratings; None for fewer."""
    count = len(ratings)
    if count < 2:
        return None
    scaled, exponent = _scaled(ratings)
    mean = math.fsum(scaled) / count
    deviation = math.sqrt(math.fsum((rating - mean) ** 2 for rating in scaled) / (count - 1))
    return math.ldexp(deviation, exponent)


def mean_interval(ratings: Sequence[float]) -> tuple[float, float] | None:
    """The mean's 95% t interval, ``r̄ ± t(0.975, k−1)·s/√k`` (module docstring); None for one rating."""
    deviation = sample_sd(ratings)
    if deviation is None:
        return None
    from cxscore.data.stats import t_quantile_975  # pure Python; only files with assessors' lists need it

    count = len(ratings)
    scaled, exponent = _scaled(ratings)
    mean = math.fsum(scaled) / count
    half = t_quantile_975(count - 1) * math.ldexp(deviation, -exponent) / math.sqrt(count)
    return _unscaled(mean - half, exponent), _unscaled(mean + half, exponent)


def _unscaled(value: float, exponent: int) -> float:
    """``value · 2**exponent``; an infinity of its sign beyond a float's range (the scale cuts it)."""
    try:
        return math.ldexp(value, exponent)
    except OverflowError:
        return math.copysign(math.inf, value)


class Part(NamedTuple):
    """One rated metric in the overall: its coefficient ``cᵢ = wᵢ/Σw``, score and score interval (0..1)."""

    coefficient: float
    score: float
    low: float
    high: float


def overall_interval(overall: float, parts: Sequence[Part]) -> tuple[float, float]:
    """The overall's 95% interval in percent by MOVER (module docstring), cut to 0..100.

    ``overall`` is the exact overall in percent; ``parts`` the metrics that carry an interval (metrics
    without one add nothing to either side).
    """
    below = math.hypot(*(part.coefficient * (part.score - part.low) for part in parts))
    above = math.hypot(*(part.coefficient * (part.high - part.score) for part in parts))
    return max(0.0, overall - 100.0 * below), min(100.0, overall + 100.0 * above)


def krippendorff_alpha_interval(units: Sequence[Sequence[float]]) -> float | None:
    """Krippendorff's alpha at the interval level over ``units`` (module docstring).

    Units with fewer than two values are not pairable and are left out; None when fewer than two
    values are pairable or every pairable value is the same (alpha is then undefined).
    """
    pairable = [unit for unit in units if len(unit) >= 2]
    values = [value for unit in pairable for value in unit]
    total = len(values)
    if total < 2:
        return None
    # Alpha is a ratio of squared differences: the scaled values give the same one, without overflow.
    exponent = _scaled(values)[1]
    pairable = [[math.ldexp(value, -exponent) for value in unit] for unit in pairable]
    values = [value for unit in pairable for value in unit]
    grand = math.fsum(values) / total
    expected = 2.0 * math.fsum((value - grand) ** 2 for value in values) / (total - 1)
    if expected == 0:
        return None
    observed = 0.0
    for unit in pairable:
        mean = math.fsum(unit) / len(unit)
        squares = math.fsum((value - mean) ** 2 for value in unit)
        observed += 2.0 * len(unit) * squares / (len(unit) - 1)
    return 1.0 - (observed / total) / expected


class RankRange(NamedTuple):
    """A brand's 95% rank range and the probability it truly scores above the next brand (or None)."""

    low: int
    high: int
    p_above_next: float | None

    @property
    def tied_with_next(self) -> bool | None:
        """Whether the order against the next brand is not clear (None: nothing to doubt)."""
        return None if self.p_above_next is None else self.p_above_next < CLEAR_ORDER


class Scored(NamedTuple):
    """What the rank simulation needs of a brand: its overall and that overall's interval (or None)."""

    overall: float
    low: float | None
    high: float | None


def replicates_for(entries: int) -> int:
    """How many replicates the rank simulation runs over ``entries`` ranked values: RANK_REPLICATES,
    fewer (at least RANK_MIN_REPLICATES) when entries × replicates would pass RANK_WORK."""
    return max(RANK_MIN_REPLICATES, min(RANK_REPLICATES, RANK_WORK // max(1, entries)))


def rank_ranges(brands: Sequence[Scored]) -> list[RankRange] | None:
    """Each brand's 95% rank range and ``p_above_next``, for brands in ranked order (best first).

    None when no brand's overall carries an interval (every rank is then certain).

    Each replicate draws every overall with an interval from the two-piece ("split") normal
    distribution whose 2.5% and 97.5% quantiles are the interval's ends: ``O + z·σ₋`` for ``z < 0``
    and ``O + z·σ₊`` otherwise, ``z`` standard normal, ``σ₋ = (O − low)/1.96``,
    ``σ₊ = (high − O)/1.96`` (John, "The three-parameter two-piece normal family of distributions",
    *Communications in Statistics* 11(8), 1982); brands are independent, and an overall without an
    interval stays where it is. A brand's rank in a replicate is 1 + the number of brands drawn above
    it (competition ranking, as ``rank`` shows). Its range is the 2.5% and 97.5% quantiles of those
    ranks (nearest rank: the ⌈0.025·R⌉-th and ⌈0.975·R⌉-th smallest of R); ``p_above_next`` is the
    share of replicates in which it is drawn above the brand listed after it (None for the last, and
    for two brands without intervals). Brands with ``p_above_next`` below 0.95 are marked tied.

    Standard library ``random`` with a fixed seed (:data:`RANK_SEED`), so a report is reproducible.
    Brands without an interval are ranked as one entry per distinct overall (with its count), so a
    portfolio of mostly certain brands costs little; the replicates are :func:`replicates_for` the
    number of entries.
    """
    if not any(brand.low is not None for brand in brands):
        return None
    # The entries ranked in each replicate: one per uncertain brand, one per distinct certain overall.
    entry_of: list[int] = []
    overall: list[float] = []
    below: list[float] = []
    above: list[float] = []
    weight: list[int] = []
    certain: dict[float, int] = {}
    for brand in brands:
        if brand.low is None:
            found = certain.get(brand.overall)
            if found is not None:
                weight[found] += 1
                entry_of.append(found)
                continue
            certain[brand.overall] = len(overall)
        entry_of.append(len(overall))
        low = brand.overall if brand.low is None else brand.low
        high = brand.overall if brand.high is None else brand.high
        overall.append(brand.overall)
        below.append((brand.overall - low) / Z_95)
        above.append((high - brand.overall) / Z_95)
        weight.append(1)
    count = len(overall)
    drawn = [index for index in range(count) if below[index] > 0 or above[index] > 0]
    replicates = replicates_for(count)
    # The adjacent pairs (in ranked order) whose order can change: at least one of them is drawn.
    pairs = [
        (entry_of[i], entry_of[i + 1])
        for i in range(len(brands) - 1)
        if brands[i].low is not None or brands[i + 1].low is not None
    ]
    above_next = [0] * len(pairs)
    ranks: list[list[int]] = [[] for _ in range(count)]
    values = list(overall)
    by_value = values.__getitem__
    gauss = random.Random(RANK_SEED).gauss
    for _ in range(replicates):
        for index in drawn:
            z = gauss(0.0, 1.0)
            values[index] = overall[index] + z * (below[index] if z < 0 else above[index])
        passed, previous, rank = 0, math.inf, 1
        for index in sorted(range(count), key=by_value, reverse=True):
            value = values[index]
            if value != previous:  # equal values share a rank: 1 + how many lie strictly above
                rank, previous = 1 + passed, value
            ranks[index].append(rank)
            passed += weight[index]
        for slot, (first, second) in enumerate(pairs):
            if values[first] > values[second]:
                above_next[slot] += 1
    low_at = math.ceil(0.025 * replicates) - 1
    high_at = math.ceil(0.975 * replicates) - 1
    for drawn_ranks in ranks:
        drawn_ranks.sort()
    share: dict[int, float] = {}
    for i in range(len(brands) - 1):
        if brands[i].low is not None or brands[i + 1].low is not None:
            share[i] = above_next[len(share)] / replicates
    return [
        RankRange(ranks[entry][low_at], ranks[entry][high_at], share.get(index))
        for index, entry in enumerate(entry_of)
    ]
