"""What the table and markdown renderings of a ``cxscore measure`` report share: their tables.

The renderers themselves are ``render_measure`` in the format modules (terminal, JSON, CSV, markdown),
reached through the one registry like every other command's. JSON and CSV carry every result
unrounded, one per line (their contract); the table and markdown are laid out to be read at a glance,
rounded half-up:

* without ``--by`` or ``--trend``, one table with a row per measure;
* otherwise one table per measure, a row per segment (``all`` first). Without ``--trend`` the
  columns are the value, its 95% interval and n. With it, each period is a column (``all`` first)
  whose cells read ``value ±half-width n``, marked ▲ or ▼ where the change against the previous
  period is significant (the *wide* layout); when the periods are too many for that, or (on a
  terminal) the columns do not fit its width, each period is a row under its segment instead, with
  the change and its p-value in a column (the *long* layout).

Every table is built in one pass over the results, and the wide layout only for a bounded number of
periods, so rendering stays linear in the number of groups.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

from cxscore.data.model import plain_value
from cxscore.render.numbers import format_delta, format_number, format_percent

if TYPE_CHECKING:
    from cxscore.data.model import MeasureReport, MeasureResult


_LABELS = {"nps": "NPS", "csat": "CSAT", "ces": "CES", "fcr": "FCR", "response_time": "Response time"}
#: Periods as columns up to this many (a year of months); more are laid out as rows.
MAX_PERIOD_COLUMNS = 12
ALL = "all"
MISSING = "∅"
RISE, FALL, SMALL = "▲", "▼", "!"


def group_text(value: Any) -> str | None:
    """A group value as CSV text (``None`` stays empty)."""
    plain = plain_value(value)
    return None if plain is None else str(plain)


# Table structure ------------------------------------------------------------------------------------


class Part(NamedTuple):
    """One aligned piece of a column's cells: a role (for styling) and how it is placed.

    Roles: ``label`` (user text), ``value``, ``spread`` (interval or p90), ``n``, ``flag`` (``!``),
    ``change`` and ``mark`` (▲ ▼). ``gap`` goes before the piece when both it and what precedes it
    show; a piece that is empty in every row of a column takes no room at all.
    """

    role: str
    right: bool = True
    gap: str = " "


class TableColumn(NamedTuple):
    """A column: its header (right-aligned over numbers) and the pieces of each of its cells."""

    header: str
    parts: tuple[Part, ...]

    @property
    def is_label(self) -> bool:
        """Whether the column names rows (user text, left-aligned) rather than holding numbers."""
        return self.parts[0].role == "label"


class TableRow(NamedTuple):
    """One row: for each column, the text of each of its pieces (user text not yet escaped)."""

    cells: tuple[tuple[str, ...], ...]
    overall: bool = False  # the ``all`` row of a table of segments


class MeasureTable(NamedTuple):
    """A titled table (the one table of measures has no title); ``note`` says what the cells hold."""

    title: str
    note: str
    columns: tuple[TableColumn, ...]
    rows: list[TableRow]


_LABEL = (Part("label", right=False, gap=""),)
_VALUE = (Part("value", gap=""),)
_SPREAD = (Part("spread", gap=""),)
_N = (Part("n", gap=""), Part("flag", right=False, gap=""))
_CHANGE = (Part("change", gap=""), Part("mark", right=False))
_CELL = (Part("value", gap=""), Part("spread", right=False), Part("n"), Part("flag", right=False, gap=""))
_CELL_MARKED = (*_CELL, Part("mark", right=False))


# Cells ----------------------------------------------------------------------------------------------


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


def format_half_width(result: MeasureResult) -> str:
    """Half the width of the 95% interval, ``±5.7`` (points; 2 decimals for CES), or empty.

    The intervals of NPS, CSAT and FCR are not symmetric around the value, so this is a summary of
    their width; the bounds themselves are in the long layout, JSON and CSV.
    """
    if result.ci_low is None or result.ci_high is None:
        return ""
    decimals = 2 if result.kind.value == "ces" else 1
    return "±" + format_number((result.ci_high - result.ci_low) / 2, decimals)


def format_change(result: MeasureResult) -> str:
    """The change against the previous period and its p-value: ``-6.5 p=0.411``."""
    if result.change is None:
        return ""
    decimals = 2 if result.kind.value in ("ces", "response_time") else 1
    shown = format_delta(result.change, decimals)
    if result.p_value is None:
        return shown
    p_value = "p<0.001" if result.p_value < 0.001 else f"p={format_number(result.p_value, 3)}"
    return f"{shown} {p_value}"


def change_mark(result: MeasureResult) -> str:
    """▲ or ▼ for a significant rise or fall against the previous period, else empty."""
    if not result.significant or result.change is None:
        return ""
    return RISE if result.change > 0 else FALL


def measure_label(result: MeasureResult) -> str:
    """The measure's name, with the unit for response times."""
    label = _LABELS[result.kind.value]
    return f"{label} ({result.unit})" if result.unit else label


def value_text(value: Any) -> str:
    """A group value as a row label or column header: ``∅`` for a missing one."""
    return MISSING if value is None else str(plain_value(value))


def _flag(result: MeasureResult) -> str:
    return SMALL if result.insufficient_n else ""


def _p90(result: MeasureResult) -> str:
    return "" if result.p90 is None else format_measure_value(result, result.p90)


def _cell(result: MeasureResult, marked: bool) -> tuple[str, ...]:
    """A result as one cell of the wide layout: value, ±half-width (or / p90), n, flag (and mark)."""
    timed = result.kind.value == "response_time"
    spread = ("/ " + _p90(result) if result.p90 is not None else "") if timed else format_half_width(result)
    cell = (format_measure_value(result, result.value), spread, str(result.n), _flag(result))
    return (*cell, change_mark(result)) if marked else cell


def _detail(result: MeasureResult, timed: bool, trend: bool) -> tuple[tuple[str, ...], ...]:
    """A result as the cells of a detail row: value, interval (or p90), n and flag, change and mark."""
    spread = _p90(result) if timed else format_measure_interval(result)
    cells: tuple[tuple[str, ...], ...] = (
        (format_measure_value(result, result.value),),
        (spread,),
        (str(result.n), _flag(result)),
    )
    return (*cells, (format_change(result), change_mark(result))) if trend else cells


# Layout ---------------------------------------------------------------------------------------------


class _Measure(NamedTuple):
    """One measure's results by segment and period (``()`` stands for all segments or periods)."""

    first: MeasureResult
    cells: dict[tuple[str, ...], dict[tuple[str, ...], MeasureResult]]


def _by_measure(report: MeasureReport) -> tuple[list[_Measure], list[tuple[str, ...]]]:
    """Each measure's results keyed by segment then period, and the periods in order (one pass)."""
    by, trend = report.by, report.trend
    measures: dict[tuple[str, str], _Measure] = {}
    periods: dict[tuple[str, ...], None] = {}
    for result in report.results:
        group = result.group or {}
        segment = tuple(value_text(group[key]) for key in by) if by and by[0] in group else ()
        period = (value_text(group[trend]),) if trend is not None and trend in group else ()
        if period:
            periods[period] = None
        key = (result.kind.value, result.column)
        if key not in measures:
            measures[key] = _Measure(result, {})
        measures[key].cells.setdefault(segment, {})[period] = result
    return list(measures.values()), list(periods)


def wide_possible(report: MeasureReport) -> bool:
    """Whether the periods of a ``--trend`` report are few enough to be columns."""
    if report.trend is None:
        return False
    trend = report.trend
    periods = {value_text(result.group.get(trend)) for result in report.results if result.group}
    return len(periods) <= MAX_PERIOD_COLUMNS


def measure_tables(report: MeasureReport, wide: bool) -> list[MeasureTable]:
    """The report's tables: in the wide layout (periods as columns) when ``wide``, else the long one."""
    measures, periods = _by_measure(report)
    if not report.by and report.trend is None:
        return [_measures_table(measures)]
    segment_header = " · ".join(report.by)
    tables = []
    for measure in measures:
        first = measure.first
        title = f"{measure_label(first)} · {first.column}"
        timed = first.kind.value == "response_time"
        if report.trend is not None and wide:
            tables.append(_wide_table(measure, title, timed, segment_header, periods))
        else:
            tables.append(_long_table(measure, title, timed, segment_header, report.trend))
    return tables


def _measures_table(measures: list[_Measure]) -> MeasureTable:
    """Without segments or periods: a row per measure, with p90 when a response time is measured."""
    timed = any(measure.first.kind.value == "response_time" for measure in measures)
    columns = [
        TableColumn("Measure", _LABEL),
        TableColumn("Value", _VALUE),
        TableColumn("95% CI", _SPREAD),
        TableColumn("n", _N),
    ]
    if timed:
        columns.append(TableColumn("p90", _SPREAD))
    rows = []
    for measure in measures:
        result = measure.first
        label = f"{measure_label(result)} · {result.column}"
        value, interval, n = _detail(result, False, False)
        cells = [(label,), value, interval, n] + ([(_p90(result),)] if timed else [])
        rows.append(TableRow(tuple(cells)))
    return MeasureTable("", "", tuple(columns), rows)


def _long_table(
    measure: _Measure, title: str, timed: bool, segment_header: str, trend: str | None
) -> MeasureTable:
    """A row per segment (and, with a trend, per period under it): value, interval, n (and change)."""
    columns = [TableColumn(segment_header, _LABEL)] if segment_header else []
    if trend is not None:
        columns.append(TableColumn(trend, _LABEL))
    columns += [
        TableColumn("Median" if timed else "Value", _VALUE),
        TableColumn("p90" if timed else "95% CI", _SPREAD),
        TableColumn("n", _N),
    ]
    if trend is not None:
        columns.append(TableColumn("Change", _CHANGE))
    rows = []
    for segment, by_period in measure.cells.items():
        for number, (period, result) in enumerate(by_period.items()):
            # A segment is named on its first row only, so that its periods read as a block under it.
            labels = [("" if number else " · ".join(segment) or ALL,)] if segment_header else []
            if trend is not None:
                labels.append((period[0] if period else ALL,))
            cells = _detail(result, timed, trend is not None)
            rows.append(TableRow((*labels, *cells), overall=not segment))
    return MeasureTable(title, "", tuple(columns), rows)


def _wide_table(
    measure: _Measure, title: str, timed: bool, segment_header: str, periods: list[tuple[str, ...]]
) -> MeasureTable:
    """A row per segment, a column per period (``all`` first); a period a segment lacks is blank."""
    keys: list[tuple[str, ...]] = [(), *periods]
    marked = {
        period
        for by_period in measure.cells.values()
        for period, result in by_period.items()
        if change_mark(result)
    }
    columns = [TableColumn(segment_header, _LABEL)]
    for period in keys:
        columns.append(TableColumn(period[0] if period else ALL, _CELL_MARKED if period in marked else _CELL))
    rows = []
    for segment, by_period in measure.cells.items():
        cells: list[tuple[str, ...]] = [(" · ".join(segment) or ALL,)]
        for period in keys:
            found = by_period.get(period)
            width = len(_CELL_MARKED if period in marked else _CELL)
            cells.append(_cell(found, period in marked) if found is not None else ("",) * width)
        rows.append(TableRow(tuple(cells), overall=not segment))
    return MeasureTable(title, "median / p90, n" if timed else "", tuple(columns), rows)


def legend(report: MeasureReport, wide: bool) -> list[str]:
    """What the numbers and marks mean, one line each, only for what the tables show."""
    kinds = {result.kind.value for result in report.results if result.group is None}
    methods = ["NPS adjusted Wald"] if "nps" in kinds else []
    shares = [kind.upper() for kind in ("csat", "fcr") if kind in kinds]
    methods += [" and ".join(shares) + " Wilson"] if shares else []
    methods += ["CES Student t"] if "ces" in kinds else []
    lines = [f"95% intervals: {', '.join(methods)}."] if methods else []
    if wide and methods:
        lines.append("Cells: value ±half the width of its 95% interval, then n (valid answers).")
    if any(result.insufficient_n for result in report.results):
        lines.append(f"{SMALL} insufficient n: fewer than 100 valid answers.")
    marks = {change_mark(result) for result in report.results} - {""}
    if marks:
        named = ((RISE, "rise"), (FALL, "fall"))
        words = " or ".join(f"{mark} {word}" for mark, word in named if mark in marks)
        lines.append(f"{words}: a significant change against the previous period (two-sided z test, 5%).")
    return lines
