"""Display rounding for scores, used by every renderer and nowhere in the scoring core."""

from __future__ import annotations

import functools
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

    from cxscore.compare import Comparison
    from cxscore.scoring import MetricScore, ScoreResult

#: Units up to this many characters are shown as written beside a value; longer ones by a short form.
SHORT_UNIT = 6

# Beyond this, half-up decimal rounding is meaningless (and Decimal.quantize would overflow):
# such values are shown in scientific notation.
HUGE = 1e15


@functools.lru_cache(maxsize=4096)
def format_number(value: float, decimals: int = 1) -> str:
    """Round half-up for display, never showing 0 or 100 for a value that is not exactly that.

    Cached: a portfolio repeats the same few scores thousands of times (``0.0`` and ``-0.0`` share
    an entry, and both show as ``0.0``).

    ``Decimal(repr(x))`` rounds the decimal the user sees (``round(2.675, 2)`` would give 2.67), and a
    true 99.97 shows as 99.9 rather than a misleading 100.0; likewise 0.02 shows as 0.1.
    """
    if not abs(value) < HUGE:
        return f"{value:.6g}"
    step = Decimal(1).scaleb(-decimals)
    shown = Decimal(repr(float(value))).quantize(step, rounding=ROUND_HALF_UP)
    sign = -1 if value < 0 else 1
    if abs(shown) == 100 and abs(value) < 100:
        shown = sign * (Decimal(100) - step)
    elif shown == 0 and value != 0:
        shown = sign * step
    elif shown == 0:
        shown = abs(shown)  # no "-0.0"
    return f"{shown:f}"


def format_percent(value: float, decimals: int = 1) -> str:
    """A percentage for display, e.g. ``68.0%``."""
    return f"{format_number(value, decimals)}%"


def format_rating(rating: float) -> str:
    """A rating as written on its scale: ``4`` or ``4.5``."""
    return f"{rating:g}"


def format_delta(value: float, decimals: int = 1) -> str:
    """A signed change in points for display: ``+12.0``, ``-3.5``; ``0.0`` only when exactly zero."""
    text = format_number(value, decimals)
    return f"+{text}" if value > 0 else text


def score_tier(percent: float) -> str:
    """A coarse level for colouring a score (the thresholds of the bundled frameworks' bands)."""
    for tier, floor in (("excellent", 80), ("good", 65), ("ok", 50), ("poor", 35)):
        if percent >= floor:
            return tier
    return "very-poor"


def format_value(value: float) -> str:
    """A measured value as people write it: half-up, thousands separated, trailing zeros dropped.

    One decimal from 1 up (``5.39`` shows as ``5.4``, ``1234.56`` as ``1,234.6``, ``42`` as ``42``);
    two below 1, where ratios live (``0.423`` shows as ``0.42``).
    """
    if not abs(value) < HUGE:
        return f"{value:,.6g}"
    step = Decimal("0.01") if abs(value) < 1 else Decimal("0.1")
    shown = Decimal(repr(float(value))).quantize(step, rounding=ROUND_HALF_UP)
    text = f"{shown:,f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def format_bound(value: float, decimals: int = 1) -> str:
    """An interval's bound with a fixed number of decimals (``35.0``, not ``35``), half-up."""
    if not abs(value) < HUGE:
        return f"{value:,.6g}"
    shown = Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    text = f"{shown:,f}"
    return text.removeprefix("-") if shown == 0 else text


def short_unit(unit: str | None) -> str | None:
    """A unit short enough to sit beside a number in a table: ``%`` for ``% of active customers``,
    ``pp`` for percentage points, ``pts`` for points of anything; None when it has no short form."""
    if not unit:
        return None
    for long, short in (("%", "%"), ("percentage point", "pp"), ("point", "pts")):
        if unit.startswith(long):
            return short if len(unit) > SHORT_UNIT else unit
    return unit if len(unit) <= SHORT_UNIT else None


def weighted_by(metric: MetricScore, escape: Callable[[str], str]) -> tuple[float | None, str] | None:
    """A weighted metric's effective n and weight column (user text, through ``escape``), else None."""
    if metric.survey_weight is None:
        return None
    return metric.n_effective, escape(metric.survey_weight)


def format_interval(
    ci_low: float | None,
    ci_high: float | None,
    n: int | None,
    significant: bool | None = None,
    weighted: tuple[float | None, str] | None = None,
) -> str:
    """What backs a measured value: ``[34.6, 48.9] n=400``, ``n=400``, or the empty string; a
    difference between groups adds whether it is ``significant`` (its interval excludes 0), and a
    weighted value its effective n and weight column (``weighted``: ``n eff 210.4, weights w``)."""
    parts = []
    if ci_low is not None and ci_high is not None:
        # Both bounds with the same decimals: two where the interval lies within ±1 (ratios), else one.
        decimals = 2 if max(abs(ci_low), abs(ci_high)) < 1 else 1
        parts.append(f"[{format_bound(ci_low, decimals)}, {format_bound(ci_high, decimals)}]")
    if n is not None:
        parts.append(f"n={n:,}")
    if weighted is not None:
        n_effective, column = weighted
        shown = "" if n_effective is None else f"n eff {format_number(n_effective, 1)}, "
        parts.append(f"({shown}weights {column})")
    if significant is not None:
        parts.append("significant" if significant else "not significant")
    return " ".join(parts)


def format_measured(value: float, ci_low: float | None, ci_high: float | None, n: int | None) -> str:
    """A measured value with its interval and count when known: ``42 [34.6, 48.9] n=400``."""
    backing = format_interval(ci_low, ci_high, n)
    return f"{format_value(value)} {backing}" if backing else format_value(value)


def with_unit(value: str, unit: str | None) -> str:
    """A value and its (already escaped) unit: ``81%`` but ``42 points``."""
    if not unit:
        return value
    return f"{value}{unit}" if unit.startswith("%") else f"{value} {unit}"


def lift_change(rating: float | None, value: float | None, scale_max: float) -> str:
    """What the biggest-lift advice asks: ``2/5 → 5/5`` when rated, ``42 → top score`` when measured."""
    if value is not None:
        return f"{format_value(value)} → top score"
    scale = format_rating(scale_max)
    return f"{format_rated(rating or 0)}/{scale} → {scale}/{scale}"


def format_before_after(value: float | None, scale_max: float, measured: bool) -> str:
    """One side of a what-if change: ``4/5`` for a rating, the bare measured value, or ``not rated``."""
    if value is None:
        return "not rated"
    if measured:
        return format_value(value)
    return f"{format_rated(value)}/{format_rating(scale_max)}"


def format_rated(rating: float, assessments: tuple[float, ...] | None = None) -> str:
    """A rating as written (``4``, ``4.25``), or several assessors' mean as a value (``3.3``, not
    ``3.33333``); a rating with more than two decimals shows as a value too."""
    several = assessments is not None and len(assessments) > 1
    return format_value(rating) if several or rating != round(rating, 2) else format_rating(rating)


def format_spread(assessments: tuple[float, ...] | None, sd: float | None) -> str:
    """Several assessors' spread: ``3 assessors 3–5, sd 1.00``; empty for one assessor."""
    if not assessments or len(assessments) < 2:
        return ""
    spread = (
        f"{len(assessments)} assessors {format_rating(min(assessments))}–{format_rating(max(assessments))}"
    )
    return spread if sd is None else f"{spread}, sd {format_number(sd, 2)}"


def format_overall_interval(low: float | None, high: float | None) -> str:
    """The overall's 95% interval: ``95% CI 55.8–90.4%``; empty when it has none."""
    if low is None or high is None:
        return ""
    return f"95% CI {format_number(low)}–{format_number(high)}%"


def format_alpha(alpha: float | None) -> str:
    """The assessors' agreement: ``assessors' agreement α = 0.25 (Krippendorff, interval)``, or empty."""
    if alpha is None:
        return ""
    return f"assessors' agreement α = {format_number(alpha, 2)} (Krippendorff, interval)"


def format_rank_range(low: int | None, high: int | None) -> str:
    """A 95% rank range, ``2–5`` (``3`` when certain); empty without uncertainty."""
    if low is None or high is None:
        return ""
    return str(low) if low == high else f"{low}–{high}"


def format_above_next(p: float | None, tied: bool | None) -> str:
    """``P(above next) 62% ≈`` as ``62% ≈`` (≈: the order is not clear); empty when nothing is uncertain."""
    if p is None:
        return ""
    shown = f"{format_number(100 * p, 0)}%"
    return f"{shown} ≈" if tied else shown


def standing_rows(comparison: Comparison) -> list[tuple[str, list[str]]]:
    """The compare rows under the overall when some overall carries an interval: each brand's 95%
    interval, rank with its 95% range, and probability of truly scoring above the brand ranked next."""
    standings = comparison.standings
    if not any(standing.rank_low is not None for standing in standings):
        return []
    intervals = [
        format_overall_interval(r.overall_ci_low, r.overall_ci_high).removeprefix("95% CI ")
        for r in comparison.results
    ]
    ranks = [f"{s.rank} ({format_rank_range(s.rank_low, s.rank_high)})" for s in standings]
    above = [format_above_next(s.p_above_next, s.tied_with_next) or "—" for s in standings]
    return [
        ("95% interval", [text or "—" for text in intervals]),
        ("Rank (95% range)", ranks),
        ("P(above next)", above),
    ]


TIED_LEGEND = (
    "≈ order with the next brand not clear: it truly scores above the next in under 95% of simulations."
)

LOW_COVERAGE_LEGEND = "! low coverage: the overall rests on less than half of the framework's weight."


def coverage_warning(coverage_percent: float) -> str:
    """What every report says next to an overall that rests on less than half of the framework."""
    return (
        f"Low coverage: this overall rests on {format_percent(coverage_percent)} of the framework's "
        "weight (less than half); rate more metrics before comparing it."
    )


def industry_anchors_text(result: ScoreResult) -> str:
    """Which industry's curve anchors scored the brand, for its report header ("" when none chosen):
    ``Industry anchors: TV and Internet service providers (tv_internet) for Net Promoter Score``."""
    if result.industry is None:
        return ""
    used = [metric for metric in result.metrics if metric.industry_anchors is not None]
    if not used:
        return f"Industry: {result.industry} (no scored metric has anchors for it: default curves used)"
    names = dict.fromkeys(metric.industry_anchors for metric in used)
    return f"Industry anchors: {', '.join(str(name) for name in names)} ({result.industry}) for " + ", ".join(
        metric.name for metric in used
    )
