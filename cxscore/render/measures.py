"""What every rendering of a ``cxscore measure`` report shares: its cells, labels and JSON objects.

The renderers themselves are ``render_measure`` in the format modules (terminal, JSON, CSV, markdown),
reached through the one registry like every other command's. JSON and CSV carry the unrounded values;
the table and markdown round half-up for display.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from cxscore.render.numbers import format_delta, format_number, format_percent

if TYPE_CHECKING:
    from cxscore.data.model import MeasureReport, MeasureResult


_LABELS = {"nps": "NPS", "csat": "CSAT", "ces": "CES", "fcr": "FCR", "response_time": "Response time"}
NUMERIC_COLUMNS = frozenset({"Value", "95% CI", "n", "Invalid", "p90", "Change"})


# JSON -----------------------------------------------------------------------------------------------


def result_to_dict(result: MeasureResult, trend: bool) -> dict[str, Any]:
    """One result as the JSON contract's object."""
    entry: dict[str, Any] = {
        "measure": result.kind.value,
        "column": result.column,
        "group": None if result.group is None else {k: _plain(v) for k, v in result.group.items()},
        "value": result.value,
        "n": result.n,
        "invalid": result.invalid,
        "ci_low": result.ci_low,
        "ci_high": result.ci_high,
    }
    if result.kind.value == "response_time":
        entry["median"] = result.median
        entry["p90"] = result.p90
    if trend:
        entry["change"] = result.change
        entry["p_value"] = result.p_value
        entry["significant"] = result.significant
    return entry


def group_text(value: Any) -> str | None:
    """A group value as CSV text (``None`` stays empty)."""
    plain = _plain(value)
    return None if plain is None else str(plain)


def _plain(value: Any) -> Any:
    """A group value as JSON can hold it: dates as ISO text, other non-JSON types as text."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime.date | datetime.datetime | datetime.time):
        return value.isoformat()
    return str(value)


# Display --------------------------------------------------------------------------------------------


def format_measure_value(result: MeasureResult, value: float | None) -> str:
    """A measure's value as shown: NPS in signed points, shares in %, CES and times to 2 places."""
    if value is None:
        return "—"
    kind = result.kind.value
    if kind == "nps":
        return format_delta(value)
    if kind in ("csat", "fcr"):
        return format_percent(value)
    return format_number(value, 2)


def format_measure_interval(result: MeasureResult) -> str:
    """The 95% interval as ``[low, high]``, or empty when there is none."""
    if result.ci_low is None or result.ci_high is None:
        return ""
    return f"[{format_measure_value(result, result.ci_low)}, {format_measure_value(result, result.ci_high)}]"


def format_change(result: MeasureResult) -> str:
    """The change against the previous period, with its p-value and a star when significant."""
    if result.change is None:
        return ""
    decimals = 2 if result.kind.value in ("ces", "response_time") else 1
    shown = format_delta(result.change, decimals)
    if result.p_value is None:
        return shown
    star = " *" if result.significant else ""
    p_value = "p<0.001" if result.p_value < 0.001 else f"p={format_number(result.p_value, 3)}"
    return f"{shown} ({p_value}){star}"


def measure_label(result: MeasureResult) -> str:
    """The measure's name, with the unit for response times."""
    label = _LABELS[result.kind.value]
    return f"{label} ({result.unit})" if result.unit else label


def group_label(result: MeasureResult) -> str:
    """``all`` or ``region=EU, quarter=2024-Q1``."""
    if result.group is None:
        return "all"
    return ", ".join(
        f"{key}={'∅' if value is None else _plain(value)}" for key, value in result.group.items()
    )


def rows(report: MeasureReport) -> tuple[list[str], list[list[str]]]:
    """Header and cells shared by the table and markdown views (user text not yet escaped)."""
    header = ["Measure", "Column", "Group", "Value", "95% CI", "n", "Invalid"]
    # Asked once: the property scans every result, and asking it per row made 100,000 groups quadratic.
    response_times = report.has_response_time
    if response_times:
        header.append("p90")
    if report.trend is not None:
        header.append("Change")
    header.append("Note")
    rows = []
    for result in report.results:
        row = [
            measure_label(result),
            result.column,
            group_label(result),
            format_measure_value(result, result.value),
            format_measure_interval(result),
            str(result.n),
            str(result.invalid),
        ]
        if response_times:
            row.append(format_measure_value(result, result.p90) if result.p90 is not None else "")
        if report.trend is not None:
            row.append(format_change(result))
        row.append("insufficient n" if result.insufficient_n else "")
        rows.append(row)
    return header, rows


def legend(report: MeasureReport) -> list[str]:
    lines = ["95% intervals: NPS adjusted Wald, CSAT and FCR Wilson, CES Student t."]
    if any(result.insufficient_n for result in report.results):
        lines.append("! insufficient n: fewer than 100 valid answers.")
    if report.trend is not None:
        lines.append("* significant change against the previous period (two-sided z test, 5%).")
    return lines
