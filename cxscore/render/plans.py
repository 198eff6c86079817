"""What the table and markdown renderings of ``cxscore plan`` share: the header and each row's cells."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cxscore.render.numbers import format_number

if TYPE_CHECKING:
    from cxscore.data.plan import Plan, PlanReport

PLAN_HEADER = ("Measure", "Margin ±", "Change", "Power", "n")
_NAMES = {"nps": "NPS", "csat": "CSAT", "fcr": "FCR", "ces": "CES"}


def plan_cells(plan: Plan) -> tuple[str, ...]:
    """A plan as text cells; ``n`` is per period for a change (the assumption is said once, above)."""
    decimals = 2 if plan.measure == "ces" else 1
    margin = "" if plan.moe is None else format_number(plan.moe, decimals)
    change = "" if plan.change is None else format_number(plan.change, decimals)
    power = "" if plan.power is None else f"{format_number(100 * plan.power, 0)}%"
    n = f"{plan.n:,}" + (" per period" if plan.change is not None else "")
    return (_NAMES[plan.measure], margin, change, power, n)


def assumptions(report: PlanReport) -> str:
    """What the plans assume, once: ``Assumed: promoters 50%, detractors 50% (worst case, V = 1).``"""
    return "Assumed: " + "; ".join(dict.fromkeys(plan.assumed for plan in report.plans)) + "."
