"""Reports of ``cxscore measure``: a terminal table, JSON, CSV and markdown from one MeasureReport.

JSON and CSV carry the unrounded values; the table and markdown round half-up for display. rich is
imported only to build the terminal table.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from cxscore.render.numbers import format_delta, format_number, format_percent

if TYPE_CHECKING:
    from rich.console import RenderableType

    from cxscore.data.model import MeasureReport, MeasureResult


_LABELS = {"nps": "NPS", "csat": "CSAT", "ces": "CES", "fcr": "FCR", "response_time": "Response time"}
_NUMERIC = frozenset({"Value", "95% CI", "n", "Invalid", "p90", "Change"})


def render_measures(report: MeasureReport, output_format: str) -> str:
    """The report as text in ``output_format`` (one of :data:`FORMATS`)."""
    return FORMATS[output_format](report)


def render_table_text(report: MeasureReport) -> str:
    """The terminal table as plain text, 100 columns wide (for ``--output``)."""
    from rich.console import Console

    console = Console(file=io.StringIO(), width=100, color_system=None, highlight=False)
    console.print(build_table(report))
    return console.file.getvalue()  # type: ignore[attr-defined, no-any-return]


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


def render_json(report: MeasureReport) -> str:
    """``{"measures": [...]}`` with unrounded values, overall results first."""
    trend = report.trend is not None
    document = {"measures": [result_to_dict(result, trend) for result in report.results]}
    return json.dumps(document, ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def _text(value: Any) -> str | None:
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


# CSV ------------------------------------------------------------------------------------------------


def render_csv(report: MeasureReport) -> str:
    """One row per result; group columns by name; the JSON fields as the other columns.

    User text (column names, group values) goes through the scorecard CSV's ``csv_text``, which
    neutralises formula starts (CSV injection) and makes control characters visible.
    """
    from cxscore.render.csv_report import csv_text, csv_value

    keys = [*report.by, *([report.trend] if report.trend else [])]
    header = ["measure", "column", *keys, "value", "n", "invalid", "ci_low", "ci_high"]
    if report.has_response_time:
        header += ["median", "p90"]
    if report.trend is not None:
        header += ["change", "p_value", "significant"]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([csv_text(name) for name in header])
    for result in report.results:
        entry = result_to_dict(result, report.trend is not None)
        group = result.group or {}
        row = [entry["measure"], csv_text(result.column)]
        row += [csv_text(_text(group[key])) if key in group else "" for key in keys]
        row += [csv_value(entry.get(name)) for name in header[2 + len(keys) :]]
        writer.writerow(row)
    return buffer.getvalue()


# Display --------------------------------------------------------------------------------------------


def format_value(result: MeasureResult, value: float | None) -> str:
    """A measure's value as shown: NPS in signed points, shares in %, CES and times to 2 places."""
    if value is None:
        return "—"
    kind = result.kind.value
    if kind == "nps":
        return format_delta(value)
    if kind in ("csat", "fcr"):
        return format_percent(value)
    return format_number(value, 2)


def format_interval(result: MeasureResult) -> str:
    """The 95% interval as ``[low, high]``, or empty when there is none."""
    if result.ci_low is None or result.ci_high is None:
        return ""
    return f"[{format_value(result, result.ci_low)}, {format_value(result, result.ci_high)}]"


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


def _rows(report: MeasureReport) -> tuple[list[str], list[list[str]]]:
    """Header and cells shared by the table and markdown views (user text not yet escaped)."""
    header = ["Measure", "Column", "Group", "Value", "95% CI", "n", "Invalid"]
    if report.has_response_time:
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
            format_value(result, result.value),
            format_interval(result),
            str(result.n),
            str(result.invalid),
        ]
        if report.has_response_time:
            row.append(format_value(result, result.p90) if result.p90 is not None else "")
        if report.trend is not None:
            row.append(format_change(result))
        row.append("insufficient n" if result.insufficient_n else "")
        rows.append(row)
    return header, rows


def build_table(report: MeasureReport) -> RenderableType:
    """One small table per group, narrow enough for 80 columns; user text enters rich as ``Text``.

    The insufficient-n flag is a ``!`` beside n (explained under the tables) rather than a column,
    which would not fit beside the interval and the change.
    """
    from rich import box
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    from cxscore.textsafe import clean_line

    header, rows = _rows(report)
    shown = [name for name in header if name not in ("Group", "Column", "Note")]
    parts: list[RenderableType] = [Text.assemble(("Measures of ", "bold"), clean_line(report.source))]
    table = None
    for index, (row, result) in enumerate(zip(rows, report.results, strict=True)):
        cells = dict(zip(header, row, strict=True))
        if table is None or result.group != report.results[index - 1].group:
            title = Text(clean_line(cells["Group"]), style="bold")
            table = Table(box=box.SIMPLE_HEAD, pad_edge=False, title=title, title_justify="left")
            for name in shown:
                numeric = name in _NUMERIC
                table.add_column(name, justify="right" if numeric else "left", no_wrap=numeric)
            parts.append(table)
        cells["Measure"] = f"{cells['Measure']} · {cells['Column']}"
        texts = {name: Text(clean_line(cells[name])) for name in shown}
        if result.insufficient_n:
            texts["n"].append(" !", style="yellow")
        if result.significant:
            texts["Change"].stylize("bold")
        table.add_row(*texts.values())
    parts += [Text(line, style="dim") for line in _legend(report)]
    return Group(*parts)


def _legend(report: MeasureReport) -> list[str]:
    lines = ["95% intervals: NPS adjusted Wald, CSAT and FCR Wilson, CES Student t."]
    if any(result.insufficient_n for result in report.results):
        lines.append("! insufficient n: fewer than 100 valid answers.")
    if report.trend is not None:
        lines.append("* significant change against the previous period (two-sided z test, 5%).")
    return lines


def render_markdown(report: MeasureReport) -> str:
    """A GFM table of the results; user text escaped for inline markdown."""
    from cxscore.textsafe import markdown_inline

    header, rows = _rows(report)
    align = ["---:" if name in _NUMERIC else ":---" for name in header]
    lines = [f"# Measures of {markdown_inline(report.source)}", ""]
    lines.append("| " + " | ".join(header) + " |")
    lines.append("| " + " | ".join(align) + " |")
    lines += ["| " + " | ".join(markdown_inline(cell) for cell in row) + " |" for row in rows]
    lines += ["", *(markdown_inline(line) for line in _legend(report))]
    return "\n".join(lines) + "\n"


#: Every output format of ``cxscore measure`` and its renderer (a test checks the CLI's choices match).
FORMATS: dict[str, Callable[[MeasureReport], str]] = {
    "table": render_table_text,
    "json": render_json,
    "csv": render_csv,
    "markdown": render_markdown,
}
