"""The statistics behind the measures: pure functions of counts and sums, no engine, no I/O.

The engines return aggregates (counts, sums, quantiles); everything that turns them into a value, an
interval or a test lives here, so each formula is written once, documented with its source and tested
against an independent computation. All intervals are two-sided 95%.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from statistics import NormalDist

#: The 97.5% quantile of the standard normal distribution (two-sided 95%).
Z_95 = 1.959963984540054

#: Below this many valid answers a measure is flagged "insufficient n" (the per-brand floor that
#: KPMG Nunwood and XM Institute use).
MIN_N = 100


@dataclass(frozen=True, slots=True)
class Estimate:
    """A point value with its 95% interval and what a test between two estimates needs.

    ``method`` names the family (``nps``, ``share``, ``mean``, ``ratio``; empty: no test), ``n`` is
    the (effective) number of answers, ``centre`` the quantity the test differences (the adjusted
    NPS; the value itself otherwise) and ``se`` its standard error.
    """

    value: float
    ci_low: float | None
    ci_high: float | None
    se: float | None
    method: str = ""
    n: float = 0.0
    centre: float | None = None


@dataclass(frozen=True, slots=True)
class Comparison:
    """A difference between two estimates (second minus first), its 95% interval and p-value.

    ``p_value`` is ``None`` when no test is possible; ``reason`` then says why.
    """

    difference: float
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    reason: str | None = None


def nps(promoters: float, detractors: float, n: float) -> Estimate:
    """Net Promoter Score in points (−100..100) with the adjusted-Wald 95% interval.

    Value (Reichheld): NPS = 100·(P − D)/n, with P the answers 9–10 and D the answers 0–6 among the n
    valid 0–10 answers. Interval (Rocks 2016, "Interval estimation for the Net Promoter Score", as
    published by MeasuringU): add ¾ to P and to D and 3 to n, so p̃P = (P + ¾)/(n + 3) and
    p̃D = (D + ¾)/(n + 3); Var = p̃P + p̃D − (p̃P − p̃D)²; SE = √(Var/(n + 3)); interval =
    100·(p̃P − p̃D ± 1.959964·SE). The point value stays the plain NPS; ``se`` is 100·SE and ``centre``
    the adjusted NPS 100·(p̃P − p̃D). With survey weights the counts are effective counts: n is Kish's
    effective sample size and P, D are n times the weighted shares (see :func:`kish`).
    """
    if n <= 0:
        raise ValueError("NPS needs at least one valid answer")
    value = 100.0 * (promoters - detractors) / n
    adjusted_n = n + 3
    p_promoters = (promoters + 0.75) / adjusted_n
    p_detractors = (detractors + 0.75) / adjusted_n
    difference = p_promoters - p_detractors
    variance = p_promoters + p_detractors - difference**2
    se = math.sqrt(variance / adjusted_n)
    return Estimate(
        value,
        100.0 * max(-1.0, difference - Z_95 * se),
        100.0 * min(1.0, difference + Z_95 * se),
        100.0 * se,
        "nps",
        n,
        100.0 * difference,
    )


def share(successes: float, n: float) -> Estimate:
    """A share in percent (CSAT top-2-box, FCR) with the Wilson score 95% interval.

    Value: 100·x/n. Interval (Wilson 1927): with p̂ = x/n and z = 1.959964,
    centre = (p̂ + z²/(2n)) / (1 + z²/n), half-width = z/(1 + z²/n) · √(p̂(1 − p̂)/n + z²/(4n²)).
    ``se`` (used only to compare periods) is the Agresti–Caffo adjusted standard error
    100·√(p̃(1 − p̃)/(n + 2)) with p̃ = (x + 1)/(n + 2) (Agresti & Caffo 2000), which, unlike the
    plain Wald error, does not collapse to 0 at 0% or 100%.
    """
    if n <= 0:
        raise ValueError("a share needs at least one valid answer")
    p = successes / n
    low, high = wilson(p, n)
    adjusted = (successes + 1) / (n + 2)
    se = math.sqrt(adjusted * (1 - adjusted) / (n + 2))
    return Estimate(100.0 * p, 100.0 * low, 100.0 * high, 100.0 * se, "share", n, 100.0 * p)


def wilson(p: float, n: float, z: float = Z_95) -> tuple[float, float]:
    """The Wilson score interval of a proportion ``p`` observed on ``n`` answers (fractions, 0..1)."""
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = z / denominator * math.sqrt(max(0.0, p * (1 - p)) / n + z2 / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def mean(total: int, squares: int, n: int) -> Estimate:
    """A mean (CES) with the Student t 95% interval, from integer sums of the values and their squares.

    Value: x̄ = Σx/n. Sample variance s² = (n·Σx² − (Σx)²)/(n(n − 1)), computed exactly on the
    integer sums (the answers are integers, so there is no cancellation error); SE = s/√n; interval =
    x̄ ± t(0.975, n − 1)·SE (Student 1908). With n = 1 there is no interval.
    """
    if n <= 0:
        raise ValueError("a mean needs at least one valid answer")
    value = total / n
    if n == 1:
        return Estimate(value, None, None, None, "mean", 1)
    variance = max(0, n * squares - total * total) / (n * (n - 1))
    return mean_estimate(value, variance, n)


def mean_estimate(value: float, variance: float, n: float) -> Estimate:
    """A mean with sample variance ``variance`` over (effective) ``n`` > 1 answers: Student t interval.

    SE = √(s²/n); interval x̄ ± t(0.975, n − 1)·SE, with fractional degrees of freedom for a Kish
    effective n (the t quantile is continuous in ν).
    """
    if n <= 1:
        return Estimate(value, None, None, None, "mean", n)
    se = math.sqrt(max(0.0, variance) / n)
    half = t_quantile_975(n - 1) * se
    return Estimate(value, value - half, value + half, se, "mean", n, value)


def kish(weight_sum: float, weight_squares: float) -> float:
    """Kish's effective sample size of weighted answers: n_eff = (Σw)²/Σw² (Kish 1965, §11.7).

    Equal weights give n; unequal ones fewer, and every interval and test of a weighted measure uses
    n_eff in place of n (with the weighted shares and means as the point values).
    """
    return weight_sum * weight_sum / weight_squares if weight_squares > 0 else 0.0


def ratio_estimate(value: float, residual_squares: float, denominator_sum: float, n: int) -> Estimate:
    """A ratio of sums R = Σy/Σx with its delta-method (linearisation) 95% interval.

    Var(R) ≈ n/(n − 1) · Σ w²(y − R·x)² / (Σ w·x)², the ratio estimator's variance (Cochran 1977,
    *Sampling Techniques*, §6.3 eq. 6.9, with weights w = 1 unless survey weights are given);
    ``residual_squares`` is Σ w²(y − R·x)², summed by the engine in a second pass once R is known.
    Interval R ± 1.959964·SE (normal: the delta method is a large-sample result). n = 1: no interval.
    """
    if n <= 1 or denominator_sum == 0:
        return Estimate(value, None, None, None, "ratio", n)
    se = math.sqrt(n / (n - 1) * max(0.0, residual_squares)) / abs(denominator_sum)
    return Estimate(value, value - Z_95 * se, value + Z_95 * se, se, "ratio", n, value)


def compare(first: Estimate, second: Estimate) -> Comparison:
    """Second minus first, with a 95% interval and a two-sided p-value whose estimate and SE agree.

    * NPS: the difference of the adjusted NPS (Rocks 2016: P + ¾, D + ¾, n + 3 in each sample) with
      SE = √(SE₁² + SE₂²), the sum of the two adjusted-Wald variances; z test and interval
      d̃ ± 1.959964·SE. The plain difference of the values is reported; the test is on the adjusted
      one (pairing the plain difference with adjusted errors rejected 7% at n = 30).
    * Shares (CSAT, FCR, generic share): Newcombe's hybrid score interval (Newcombe 1998, method 10)
      from the two Wilson intervals, p-value by inverting it: the smallest α at which the (1 − α)
      interval excludes 0.
    * Means (CES, generic mean): Welch's t with Welch–Satterthwaite degrees of freedom (Welch 1947).
      No test when either sample has no variance or a single answer: a zero variance makes t
      infinite however small the difference.
    * Ratios of sums: z test on the delta-method SEs, √(SE₁² + SE₂²).
    """
    difference = second.value - first.value
    if not first.method or first.method != second.method:
        return Comparison(difference, None, None, None, "no test for this measure")
    if first.method == "share":
        return _newcombe(first, second, difference)
    if first.se is None or second.se is None or first.n < 2 or second.n < 2:
        return Comparison(difference, None, None, None, "a single answer: no variance to test with")
    if first.method == "mean" and (first.se == 0 or second.se == 0):
        return Comparison(difference, None, None, None, "no variance: every answer is the same")
    se = math.hypot(first.se, second.se)
    if se == 0:
        return Comparison(difference, None, None, None, "no variance: every answer is the same")
    centre = (second.centre if second.centre is not None else second.value) - (
        first.centre if first.centre is not None else first.value
    )
    if first.method == "mean":
        df = welch_df(first.se, first.n, second.se, second.n)
        half = t_quantile_975(df) * se
        p_value = 2.0 * t_upper_tail(abs(centre) / se, df)
    else:
        half = Z_95 * se
        p_value = math.erfc(abs(centre / se) / math.sqrt(2))
    return Comparison(difference, centre - half, centre + half, min(1.0, p_value))


def welch_df(se1: float, n1: float, se2: float, n2: float) -> float:
    """Welch–Satterthwaite degrees of freedom: (a + b)² / (a²/(n₁ − 1) + b²/(n₂ − 1)), a = SE₁², b = SE₂²."""
    a, b = se1 * se1, se2 * se2
    return (a + b) ** 2 / (a * a / (n1 - 1) + b * b / (n2 - 1))


def _newcombe_bounds(p1: float, n1: float, p2: float, n2: float, z: float) -> tuple[float, float]:
    """Newcombe's hybrid score interval of p₂ − p₁ at normal quantile z (fractions).

    With Wilson bounds (l₁, u₁), (l₂, u₂): low = d − √((p₂ − l₂)² + (u₁ − p₁)²),
    high = d + √((u₂ − p₂)² + (p₁ − l₁)²).
    """
    l1, u1 = wilson(p1, n1, z)
    l2, u2 = wilson(p2, n2, z)
    d = p2 - p1
    return d - math.hypot(p2 - l2, u1 - p1), d + math.hypot(u2 - p2, p1 - l1)


def _newcombe(first: Estimate, second: Estimate, difference: float) -> Comparison:
    """The hybrid score interval of two shares and the p-value that inverts it (bisection on z)."""
    p1, p2 = first.value / 100.0, second.value / 100.0
    n1, n2 = first.n, second.n
    low, high = _newcombe_bounds(p1, n1, p2, n2, Z_95)
    if p1 == p2:
        # Identical shares: the interval always holds 0. All answers alike in both is no test at all.
        reason = "no variance: every answer is the same" if p1 in (0.0, 1.0) else None
        return Comparison(difference, 100 * low, 100 * high, None if reason else 1.0, reason)
    # The interval shrinks to the point p₂ − p₁ ≠ 0 as z → 0 and widens with z: find the z at
    # which it first holds 0 (the bound is monotone in z); p = 2·(1 − Φ(z)).
    inside_low, outside_high = 0.0, 40.0
    for _ in range(64):
        z = (inside_low + outside_high) / 2
        lo, hi = _newcombe_bounds(p1, n1, p2, n2, z)
        if lo > 0 or hi < 0:
            inside_low = z
        else:
            outside_high = z
    p_value = math.erfc(inside_low / math.sqrt(2))
    return Comparison(difference, 100 * low, 100 * high, p_value)


def adjust(p_values: list[float | None], method: str) -> list[float | None]:
    """Multiple-comparison adjusted p-values of all tests of one run (``None``: no test, kept).

    * ``holm`` (Holm 1979), controls the family-wise error rate: with the m p-values sorted
      ascending, p̃₍ᵢ₎ = max over j ≤ i of min(1, (m − j + 1)·p₍ⱼ₎).
    * ``bh`` (Benjamini & Hochberg 1995), controls the false discovery rate:
      p̃₍ᵢ₎ = min over j ≥ i of min(1, m·p₍ⱼ₎/j).
    * ``none``: unchanged.
    """
    if method not in ADJUSTMENTS:
        raise ValueError(f"unknown adjustment {method!r}")
    tested = sorted((p, i) for i, p in enumerate(p_values) if p is not None)
    m = len(tested)
    adjusted: list[float | None] = list(p_values)
    if method == "none" or m == 0:
        return adjusted
    if method == "holm":
        running = 0.0
        for rank, (p, i) in enumerate(tested):
            running = max(running, min(1.0, (m - rank) * p))
            adjusted[i] = running
    else:
        running = 1.0
        for rank in range(m - 1, -1, -1):
            p, i = tested[rank]
            running = min(running, min(1.0, m * p / (rank + 1)))
            adjusted[i] = running
    return adjusted


#: The multiple-comparison adjustments ``--adjust`` offers (Holm by default).
ADJUSTMENTS = ("holm", "bh", "none")
ADJUSTMENT_NAMES = {"holm": "Holm", "bh": "Benjamini–Hochberg", "none": "none"}


# Distribution-free quantile intervals ---------------------------------------------------------------


def quantile_ranks(q: float, n: int) -> tuple[int | None, int | None]:
    """1-based ranks (l, u) of the order statistics bracketing the q-quantile with ≥ 95% confidence.

    Distribution-free (Hahn & Meeker 1991, §5.2; Conover 1999, §3.2): the number of values below the
    true quantile is Binomial(n, q), so P(x₍ₗ₎ ≤ ξ_q < x₍ᵤ₎) = F(u − 1) − F(l − 1), F the Binomial(n, q)
    CDF. l is the largest rank with F(l − 1) ≤ 0.025 and u the smallest with F(u − 1) ≥ 0.975 (each
    tail at most 2.5%). A rank outside 1..n means that side has no bound at this n (``None``).
    """
    if n <= 0:
        return None, None
    # F(k) is increasing in k: find by bisection the smallest k with F(k) > 0.025 (then l = k) and the
    # smallest k with F(k) ≥ 0.975 (then u = k + 1).
    low_rank = _smallest_k(lambda k: binomial_cdf(k, n, q) > 0.025, n)
    high_rank = _smallest_k(lambda k: binomial_cdf(k, n, q) >= 0.975, n) + 1
    return (low_rank if low_rank >= 1 else None), (high_rank if high_rank <= n else None)


def _smallest_k(holds: Callable[[int], bool], n: int) -> int:
    """The smallest k in 0..n for which ``holds`` (monotone) is true (n if none before)."""
    low, high = 0, n
    while low < high:
        middle = (low + high) // 2
        if holds(middle):
            high = middle
        else:
            low = middle + 1
    return low


def binomial_cdf(k: int, n: int, q: float) -> float:
    """P(Binomial(n, q) ≤ k) = I_{1−q}(n − k, k + 1) (regularised incomplete beta; A&S 26.5.24)."""
    if k < 0:
        return 0.0
    if k >= n:
        return 1.0
    return _regularized_beta(1.0 - q, n - k, k + 1)


# Planning -------------------------------------------------------------------------------------------


def plan_n(variance: float, margin: float) -> int:
    """Answers needed for a 95% margin of error: n = ⌈1.959964²·V/margin²⌉ (margin on V's scale)."""
    return math.ceil(Z_95 * Z_95 * variance / (margin * margin))


def plan_change_n(variance: float, change: float, power: float) -> int:
    """Answers per period to detect a change with a two-sided 5% test: ⌈(z₀.₉₇₅ + z_power)²·2V/Δ²⌉.

    The normal-approximation sample size of a two-sample comparison with equal groups (Chow, Shao &
    Wang 2008, *Sample Size Calculations in Clinical Research*, §3.2), V the per-answer variance.
    """
    z_power = NormalDist().inv_cdf(power)
    return math.ceil((Z_95 + z_power) ** 2 * 2 * variance / (change * change))


def interpolated_quantile(low: float, high: float, q: float, n: int) -> float:
    """Linear interpolation between the order statistics around position h = (n − 1)·q.

    This is Hyndman & Fan's type 7 (the default of R, NumPy and DuckDB's ``quantile_cont``):
    x₍⌊h⌋₎ + (h − ⌊h⌋)·(x₍⌊h⌋+1₎ − x₍⌊h⌋₎), with ``low`` and ``high`` the two order statistics
    (0-based positions ⌊h⌋ and min(⌊h⌋ + 1, n − 1)).
    """
    h = (n - 1) * q
    return low + (h - math.floor(h)) * (high - low)


def quantile_positions(q: float, n: int) -> tuple[int, int]:
    """The 0-based order-statistic positions that :func:`interpolated_quantile` needs for n values."""
    h = math.floor((n - 1) * q)
    return h, min(h + 1, n - 1)


# Student t quantile ---------------------------------------------------------------------------------


def t_quantile_975(df: float) -> float:
    """The 97.5% quantile of Student's t distribution with ``df`` degrees of freedom.

    Up to 1000 degrees of freedom the t CDF, F(t) = 1 − ½·I_{ν/(ν+t²)}(ν/2, ½) (regularised incomplete
    beta, evaluated by its continued fraction), is inverted by Newton's method on the t density,
    safeguarded by bisection, to 1e-13. Above that the Cornish–Fisher expansion in 1/ν (Abramowitz &
    Stegun 26.7.5, four terms) is exact to ~1e-13. ``df`` may be fractional (Welch, Kish).
    """
    if df <= 0:
        raise ValueError("the t distribution needs positive degrees of freedom")
    if df > 1000:
        return _cornish_fisher(Z_95, df)
    low, high = Z_95, 13.0  # t(0.975) lies between the normal quantile and t(0.975, 1) = 12.706
    while _upper(high, df) > 0.025:  # fewer than one degree of freedom (a Welch or Kish ν)
        low, high = high, high * 4
    log_scale = math.lgamma((df + 1) / 2) - math.lgamma(df / 2) - 0.5 * math.log(df * math.pi)
    t = min(max(_cornish_fisher(Z_95, df), low), high)
    for _ in range(200):
        excess = _upper(t, df) - 0.025  # P(T > t) falls as t grows
        if excess > 0:
            low = t
        else:
            high = t
        density = math.exp(log_scale - (df + 1) / 2 * math.log1p(t * t / df))
        step = t + excess / density
        following = step if low < step < high else (low + high) / 2
        if abs(following - t) <= 1e-14 * t or high - low <= 1e-13 * t:
            return following
        t = following
    return t


def t_upper_tail(t: float, df: float) -> float:
    """P(T > t) for t ≥ 0: ½·I_{ν/(ν+t²)}(ν/2, ½); above 10⁵ degrees of freedom, the normal tail."""
    if math.isinf(t):
        return 0.0
    if df > 100_000:
        return NormalDist().cdf(-t)
    return _upper(t, df)


def _upper(t: float, df: float) -> float:
    return 0.5 * _regularized_beta(df / (df + t * t), df / 2, 0.5)


def _regularized_beta(x: float, a: float, b: float) -> float:
    """I_x(a, b) by its continued fraction (Numerical Recipes §6.4), using the symmetry to converge fast."""
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    log_front = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    if x < (a + 1) / (a + b + 2):
        return math.exp(log_front) * _beta_fraction(x, a, b) / a
    return 1.0 - math.exp(log_front) * _beta_fraction(1 - x, b, a) / b


def _beta_fraction(x: float, a: float, b: float) -> float:
    """The continued fraction of the incomplete beta function, by the modified Lentz method."""
    tiny = 1e-300
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    result = d
    for m in range(1, 10_000):
        for numerator in (
            m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1)),
        ):
            d = 1.0 + numerator * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + numerator / c
            c = c if abs(c) > tiny else tiny
            result *= c * d
        if abs(c * d - 1.0) < 1e-15:
            break
    return result


def _cornish_fisher(z: float, df: float) -> float:
    """t quantile from the normal quantile z by the Cornish–Fisher expansion (A&S 26.7.5)."""
    g1 = (z**3 + z) / 4
    g2 = (5 * z**5 + 16 * z**3 + 3 * z) / 96
    g3 = (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / 384
    g4 = (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / 92160
    return z + g1 / df + g2 / df**2 + g3 / df**3 + g4 / df**4
