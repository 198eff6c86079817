"""Planning the next wave: how many answers a margin of error or a detectable change needs.

Pure Python over :mod:`cxscore.data.stats` (no engine): ``cxscore plan`` never reads data.

Each measure's per-answer variance V on the scale its margin is given in:

* NPS: an answer scores +1 (promoter), 0 or −1 (detractor), so V = p + d − (p − d)² with p and d the
  expected shares of promoters and detractors (fractions); the worst case, p = d = ½, is V = 1. The
  margin is in NPS points, so it is divided by 100.
* CSAT and FCR: a share, V = p(1 − p); the worst case p = ½ is V = ¼. Margin in percentage points.
* CES: V = s², the expected standard deviation of the answers; the worst case on a 1–7 scale is
  s = 3 (half the answers 1, half 7). Margin in CES points (not divided).

Margin of error (two-sided 95%): n = ⌈1.959964²·V/moe²⌉. A change Δ between two periods with a
two-sided 5% test and the given power: n per period = ⌈(1.959964 + z_power)²·2V/Δ²⌉.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from cxscore.data import stats
from cxscore.errors import Issue, UsageError

PLAN_MEASURES = ("nps", "csat", "fcr", "ces")
#: The worst-case standard deviation of answers on the CES 1–7 scale (half 1s, half 7s).
CES_WORST_SD = 3.0


@dataclass(frozen=True, slots=True)
class Plan:
    """One row of a plan: answers needed for a margin of error (``moe``) or a ``change`` with ``power``."""

    measure: str
    moe: float | None
    change: float | None
    power: float | None
    n: int
    assumed: str

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract's plan object."""
        return {
            "measure": self.measure,
            "moe": self.moe,
            "change": self.change,
            "power": self.power,
            "n": self.n,
            "assumed": self.assumed,
        }


@dataclass(frozen=True, slots=True)
class PlanReport:
    """Every plan of one ``cxscore plan`` call, margins first, then changes."""

    plans: tuple[Plan, ...]

    def to_dict(self) -> dict[str, Any]:
        """``{"schema_version": 1, "plans": [...]}``."""
        return {"schema_version": 1, "plans": [plan.to_dict() for plan in self.plans]}


def variance(measure: str, expect: tuple[float, ...] | None, expect_sd: float | None) -> tuple[float, str]:
    """The per-answer variance of ``measure`` (on its margin's scale, see above) and how it was assumed.

    ``expect`` holds shares as fractions (0.45) or percentages (45): percentages when any exceeds 1.
    """
    if measure == "ces":
        if expect is not None:
            raise UsageError(
                Issue("--expect", "CES plans take --expect-sd (the answers' standard deviation)")
            )
        if expect_sd is None:
            return CES_WORST_SD**2, f"standard deviation {CES_WORST_SD:g} (worst case on 1–7)"
        if not 0 < expect_sd <= 6:
            raise UsageError(
                Issue("--expect-sd", "give a standard deviation above 0 and at most 6 (1–7 scale)")
            )
        return expect_sd**2, f"standard deviation {expect_sd:g}"
    if expect_sd is not None:
        raise UsageError(Issue("--expect-sd", "is for --ces; NPS, CSAT and FCR take --expect"))
    wanted = 2 if measure == "nps" else 1
    if expect is None:
        if measure == "nps":
            return 1.0, "promoters 50%, detractors 50% (worst case, V = 1)"
        return 0.25, "50% (worst case, V = 0.25)"
    if len(expect) != wanted:
        shape = "PROMOTERS,DETRACTORS (e.g. 45,20)" if measure == "nps" else "one share (e.g. 80)"
        raise UsageError(Issue("--expect", f"{measure.upper()} takes {shape}"))
    shares = tuple(value / 100 for value in expect) if any(value > 1 for value in expect) else expect
    if any(not 0 <= share <= 1 for share in shares) or sum(shares) > 1:
        raise UsageError(Issue("--expect", "shares must lie in 0–100% and add up to at most 100%"))
    if measure == "nps":
        p, d = shares
        v = p + d - (p - d) ** 2
        return v, f"promoters {100 * p:g}%, detractors {100 * d:g}% (V = {v:.4g})"
    (p,) = shares
    return p * (1 - p), f"{100 * p:g}% (V = {p * (1 - p):.4g})"


def make_plan(
    measure: str,
    moes: tuple[float, ...] = (),
    changes: tuple[float, ...] = (),
    power: float = 0.8,
    expect: tuple[float, ...] | None = None,
    expect_sd: float | None = None,
) -> PlanReport:
    """The answers ``measure`` needs for each margin of error in ``moes`` and, per period, for each
    change in ``changes`` at ``power`` (see the module's formulas)."""
    if measure not in PLAN_MEASURES:
        raise UsageError(Issue("plan", "give one of --nps, --csat, --fcr or --ces"))
    if not moes and not changes:
        raise UsageError(Issue("plan", "give --moe POINTS (margin of error) or --change POINTS, or both"))
    if not 0 < power < 1:
        raise UsageError(Issue("--power", "give a power between 0 and 1, e.g. 0.8"))
    for option, values in (("--moe", moes), ("--change", changes)):
        if any(not 0 < value < math.inf for value in values):
            raise UsageError(Issue(option, "give a finite number of points above 0"))
    v, assumed = variance(measure, expect, expect_sd)
    scale = 1.0 if measure == "ces" else 100.0
    plans = [Plan(measure, moe, None, None, stats.plan_n(v, moe / scale), assumed) for moe in moes]
    plans += [
        Plan(measure, None, change, power, stats.plan_change_n(v, change / scale, power), assumed)
        for change in changes
    ]
    return PlanReport(tuple(plans))
