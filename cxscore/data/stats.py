"""The statistics behind the measures: pure functions of counts and sums, no engine, no I/O.

The engines return aggregates (counts, sums, quantiles); everything that turns them into a value, an
interval or a test lives here, so each formula is written once, documented with its source and tested
against an independent computation. All intervals are two-sided 95%.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

#: The 97.5% quantile of the standard normal distribution (two-sided 95%).
Z_95 = 1.959963984540054

#: Below this many valid answers a measure is flagged "insufficient n" (the per-brand floor that
#: KPMG Nunwood and XM Institute use).
MIN_N = 100


@dataclass(frozen=True, slots=True)
class Estimate:
    """A point value with its 95% interval and the standard error used to compare periods."""

    value: float
    ci_low: float | None
    ci_high: float | None
    se: float | None


def nps(promoters: int, detractors: int, n: int) -> Estimate:
    """Net Promoter Score in points (−100..100) with the adjusted-Wald 95% interval.

    Value (Reichheld): NPS = 100·(P − D)/n, with P the answers 9–10 and D the answers 0–6 among the n
    valid 0–10 answers. Interval (Rocks 2016, "Interval estimation for the Net Promoter Score", as
    published by MeasuringU): add ¾ to P and to D and 3 to n, so p̃P = (P + ¾)/(n + 3) and
    p̃D = (D + ¾)/(n + 3); Var = p̃P + p̃D − (p̃P − p̃D)²; SE = √(Var/(n + 3)); interval =
    100·(p̃P − p̃D ± 1.959964·SE). The point value stays the plain NPS; ``se`` is 100·SE.
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
    )


def share(successes: int, n: int) -> Estimate:
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
    z2 = Z_95 * Z_95
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = Z_95 / denominator * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    adjusted = (successes + 1) / (n + 2)
    se = math.sqrt(adjusted * (1 - adjusted) / (n + 2))
    return Estimate(100.0 * p, 100.0 * max(0.0, centre - half), 100.0 * min(1.0, centre + half), 100.0 * se)


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
        return Estimate(value, None, None, None)
    variance = max(0, n * squares - total * total) / (n * (n - 1))
    se = math.sqrt(variance / n)
    half = t_quantile_975(n - 1) * se
    return Estimate(value, value - half, value + half, se)


def change_test(previous: Estimate, current: Estimate) -> tuple[float, float | None]:
    """The change from one period to the next and its two-sided z-test p-value.

    change = v₂ − v₁; SE of the difference = √(SE₁² + SE₂²) (independent samples); z = change/SE;
    p = 2·(1 − Φ(|z|)) = erfc(|z|/√2). The p-value is ``None`` when either period has no standard
    error; when both errors are 0 (every answer identical in both periods) it is 1 for no change and 0
    for any change.
    """
    change = current.value - previous.value
    if previous.se is None or current.se is None:
        return change, None
    se = math.hypot(previous.se, current.se)
    if se == 0:
        return change, 1.0 if change == 0 else 0.0
    return change, math.erfc(abs(change / se) / math.sqrt(2))


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


def t_quantile_975(df: int) -> float:
    """The 97.5% quantile of Student's t distribution with ``df`` degrees of freedom.

    Up to 1000 degrees of freedom the t CDF, F(t) = 1 − ½·I_{ν/(ν+t²)}(ν/2, ½) (regularised incomplete
    beta, evaluated by its continued fraction), is inverted by bisection to 1e-12. Above that the
    Cornish–Fisher expansion in 1/ν (Abramowitz & Stegun 26.7.5, four terms) is exact to ~1e-13.
    """
    if df < 1:
        raise ValueError("the t distribution needs at least one degree of freedom")
    if df > 1000:
        return _cornish_fisher(Z_95, df)
    low, high = Z_95, 13.0  # t(0.975) lies between the normal quantile and t(0.975, 1) = 12.706
    while high - low > 1e-12:
        middle = (low + high) / 2
        if _t_upper_tail(middle, df) > 0.025:
            low = middle
        else:
            high = middle
    return (low + high) / 2


def _t_upper_tail(t: float, df: int) -> float:
    """P(T > t) for t ≥ 0: ½·I_{ν/(ν+t²)}(ν/2, ½)."""
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


def _cornish_fisher(z: float, df: int) -> float:
    """t quantile from the normal quantile z by the Cornish–Fisher expansion (A&S 26.7.5)."""
    g1 = (z**3 + z) / 4
    g2 = (5 * z**5 + 16 * z**3 + 3 * z) / 96
    g3 = (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / 384
    g4 = (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / 92160
    return z + g1 / df + g2 / df**2 + g3 / df**3 + g4 / df**4
