"""What the table and markdown renderings of a ``cxscore measure`` report share: their tables.

The renderers themselves are ``render_measure`` in the format modules (terminal, JSON, CSV, markdown),
reached through the one registry like every other command's. JSON and CSV carry every result
unrounded, one per line (their contract); the table and markdown are laid out to be read at a glance,
rounded half-up:

* without ``--by`` or ``--trend``, one table with a row per measure;
* otherwise one table per measure, a row per segment (``all`` first). Without ``--trend`` the
  columns are the value, its 95% interval and n. With it, each period is a column (``all`` first)
  whose cells read ``value ±half-width n``, marked ▲ or ▼ where the change against the base
  period is significant after the run's multiple-comparison adjustment (the *wide* layout); when
  the periods are too many for that, under ``--weight`` or ``--vs-rest`` (whose n eff and
  comparison columns only rows have), or (on a terminal) the columns do not fit its width, each
  period is a row under its segment instead, with the change, its base when a gap lies between, and
  its p-values in a column (the *long* layout); a period a segment lacks is a gap row (``—``).

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


def format_change(result: MeasureResult, base: str | None = None) -> str:
    """The change against the base period (named when it is not ``base``, the period shown before)
    and its p-values, raw and adjusted: ``-6.5 p=0.041 adj=0.246``, ``+3.0 vs 2024-Q1 p=0.7 adj=1``."""
    if result.change is None:
        return ""
    shown = format_delta(result.change, _decimals(result))
    if result.base is not None and value_text(result.base) != base:
        shown += f" vs {value_text(result.base)}"
    return shown + _p_values(result)


def format_vs_rest(result: MeasureResult) -> str:
    """A segment minus the rest of the rows, with its p-values: ``+8.1 p=0.002 adj=0.008``."""
    if result.vs_rest is None:
        return ""
    return format_delta(result.vs_rest, _decimals(result)) + _p_values(result)


def _decimals(result: MeasureResult) -> int:
    return 2 if result.kind.value in ("ces", "response_time") else 1


def _p_value(p: float) -> str:
    return "<0.001" if p < 0.001 else "=" + format_number(p, 3)


def _p_values(result: MeasureResult) -> str:
    if result.p_value is None:
        return ""
    adjusted = result.p_adjusted
    shown = f" p{_p_value(result.p_value)}"
    return shown if adjusted is None or adjusted == result.p_value else f"{shown} adj{_p_value(adjusted)}"


def change_mark(result: MeasureResult) -> str:
    """▲ or ▼ for a significant rise or fall (after adjustment) against the base period or the rest."""
    difference = result.change if result.change is not None else result.vs_rest
    if not result.significant or difference is None:
        return ""
    return RISE if difference > 0 else FALL


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
    """The p90 with its distribution-free interval: ``48.0 [40.5, 52.0]``."""
    if result.p90 is None:
        return ""
    shown = format_measure_value(result, result.p90)
    if result.p90_ci_low is None or result.p90_ci_high is None:
        return shown
    low, high = (
        format_measure_value(result, result.p90_ci_low),
        format_measure_value(result, result.p90_ci_high),
    )
    return f"{shown} [{low}, {high}]"


def _n_effective(result: MeasureResult) -> str:
    return "" if result.n_effective is None else format_number(result.n_effective, 1)


def _cell(result: MeasureResult, marked: bool) -> tuple[str, ...]:
    """A result as one cell of the wide layout: value, ±half-width (or / p90), n, flag (and mark)."""
    timed = result.kind.value == "response_time"
    p90 = "" if result.p90 is None else "/ " + format_measure_value(result, result.p90)
    spread = p90 if timed else format_half_width(result)
    cell = (format_measure_value(result, result.value), spread, str(result.n), _flag(result))
    return (*cell, change_mark(result)) if marked else cell


def _detail(
    result: MeasureResult, timed: bool, trend: bool, weighted: bool = False, base: str | None = None
) -> tuple[tuple[str, ...], ...]:
    """A result as the cells of a detail row: value, interval, p90 (times), n and flag, n effective
    (weighted), and the change (trend) or the difference from the rest (``--vs-rest``) with its mark."""
    cells: tuple[tuple[str, ...], ...] = (
        (format_measure_value(result, result.value),),
        (format_measure_interval(result),),
        *(((_p90(result),),) if timed else ()),
        (str(result.n), _flag(result)),
        *(((_n_effective(result),),) if weighted else ()),
    )
    if not trend:
        return cells
    compared = format_change(result, base) if result.vs_rest is None else format_vs_rest(result)
    return (*cells, (compared, change_mark(result)))


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
    """Whether the periods of a ``--trend`` report are few enough to be columns (and the report is
    unweighted and without ``--vs-rest``: those add columns that only the long layout has)."""
    if report.trend is None or report.weight is not None or report.vs_rest:
        return False
    trend = report.trend
    periods = {value_text(result.group.get(trend)) for result in report.results if result.group}
    return len(periods) <= MAX_PERIOD_COLUMNS


def measure_tables(report: MeasureReport, wide: bool) -> list[MeasureTable]:
    """The report's tables: in the wide layout (periods as columns) when ``wide``, else the long one."""
    measures, periods = _by_measure(report)
    weighted = report.weight is not None
    if not report.by and report.trend is None:
        return [_measures_table(measures, weighted)]
    segment_header = " · ".join(report.by)
    tables = []
    for measure in measures:
        first = measure.first
        title = f"{measure_label(first)} · {first.column}"
        timed = first.kind.value == "response_time"
        if report.trend is not None and wide:
            tables.append(_wide_table(measure, title, timed, segment_header, periods))
        else:
            tables.append(_long_table(measure, title, timed, segment_header, report, periods))
    return tables


def _value_columns(timed: bool, weighted: bool, median: bool | None = None) -> list[TableColumn]:
    """Value, its interval, p90 (times), n and, under weights, Kish's effective n.

    The value column is headed "Median" when every value in it is a median (``median``; by default,
    when ``timed``)."""
    median = timed if median is None else median
    columns = [TableColumn("Median" if median else "Value", _VALUE), TableColumn("95% CI", _SPREAD)]
    if timed:
        columns.append(TableColumn("p90 [95% CI]", _SPREAD))
    columns.append(TableColumn("n", _N))
    if weighted:
        columns.append(TableColumn("n eff", _SPREAD))
    return columns


def _measures_table(measures: list[_Measure], weighted: bool) -> MeasureTable:
    """Without segments or periods: a row per measure, with p90 when a response time is measured."""
    kinds = [measure.first.kind.value == "response_time" for measure in measures]
    timed, only_times = any(kinds), all(kinds)
    columns = [TableColumn("Measure", _LABEL), *_value_columns(timed, weighted, median=only_times)]
    rows = []
    for measure in measures:
        result = measure.first
        name = measure_label(result)
        if timed and not only_times and result.kind.value == "response_time":
            name = f"Median {name[:1].lower()}{name[1:]}"  # the column is "Value": say which value
        label = f"{name} · {result.column}"
        cells = list(_detail(result, False, False, weighted))
        if timed:
            cells.insert(2, (_p90(result),))
        rows.append(TableRow(((label,), *cells)))
    return MeasureTable("", "", tuple(columns), rows)


def _long_table(
    measure: _Measure,
    title: str,
    timed: bool,
    segment_header: str,
    report: MeasureReport,
    periods: list[tuple[str, ...]],
) -> MeasureTable:
    """A row per segment (and, with a trend, per period under it): value, interval, n (and change or
    the difference from the rest). A period a segment lacks between its first and last is a gap row."""
    trend, weighted = report.trend, report.weight is not None
    columns = [TableColumn(segment_header, _LABEL)] if segment_header else []
    if trend is not None:
        columns.append(TableColumn(trend, _LABEL))
    columns += _value_columns(timed, weighted)
    compared = trend is not None or report.vs_rest
    if compared:
        header = {(True, False): "Change", (False, True): "vs rest"}.get(
            (trend is not None, report.vs_rest), "Change · vs rest"
        )
        columns.append(TableColumn(header, _CHANGE))
    order = {period: index for index, period in enumerate(periods)}
    labelled = bool(segment_header) + (trend is not None)
    gap = tuple(("—",) if c.parts == _VALUE else ("",) * len(c.parts) for c in columns[labelled:])
    rows = []
    for segment, by_period in measure.cells.items():
        shown: list[tuple[tuple[str, ...], MeasureResult | None]] = list(by_period.items())
        present = [order[period] for period, _ in shown if period in order]
        if present:
            # Gaps: the periods between the segment's first and last that it has no row for.
            missing = [
                periods[i] for i in range(min(present), max(present) + 1) if periods[i] not in by_period
            ]
            shown += [(period, None) for period in missing]
            shown.sort(key=lambda item: order.get(item[0], -1))
        before: str | None = None
        for number, (period, result) in enumerate(shown):
            # A segment is named on its first row only, so that its periods read as a block under it.
            labels = [("" if number else " · ".join(segment) or ALL,)] if segment_header else []
            if trend is not None:
                labels.append((period[0] if period else ALL,))
            cells = gap if result is None else _detail(result, timed, compared, weighted, before)
            if period:
                before = period[0]
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


def _skips_a_gap(report: MeasureReport) -> bool:
    """Whether some change is against a period other than the one just before it."""
    trend = report.trend or ""
    _, periods = _by_measure(report)
    before = {period[0]: periods[index - 1][0] for index, period in enumerate(periods) if index}
    return any(
        result.base is not None
        and before.get(value_text((result.group or {}).get(trend))) != value_text(result.base)
        for result in report.results
    )


#: How each measure is tested against another period or the rest (README, "Tests").
_TESTS = {
    "nps": "NPS difference of adjusted NPS (z)",
    "csat": "CSAT Newcombe hybrid score",
    "fcr": "FCR Newcombe hybrid score",
    "ces": "CES Welch t",
}
_ADJUSTED = {"holm": "Holm-adjusted", "bh": "Benjamini–Hochberg-adjusted", "none": "not adjusted"}


def legend(report: MeasureReport, wide: bool) -> list[str]:
    """What the numbers and marks mean, one line each, only for what the tables show."""
    kinds = {result.kind.value for result in report.results if result.group is None}
    methods = ["NPS adjusted Wald"] if "nps" in kinds else []
    shares = [kind.upper() for kind in ("csat", "fcr") if kind in kinds]
    methods += [" and ".join(shares) + " Wilson"] if shares else []
    methods += ["CES Student t"] if "ces" in kinds else []
    methods += ["response times order statistics (distribution-free)"] if "response_time" in kinds else []
    lines = [f"95% intervals: {', '.join(methods)}."] if methods else []
    if report.weight is not None:
        lines.append(
            f"Weighted by '{report.weight}': n counts answers; values, intervals and tests use the weights "
            "and Kish's effective n (n eff)."
        )
    if wide and methods:
        lines.append("Cells: value ±half the width of its 95% interval, then n (valid answers).")
    if any(result.insufficient_n for result in report.results):
        tested = ", never tested" if report.tested else ""
        lines.append(f"{SMALL} insufficient n: fewer than {report.min_n} valid answers{tested}.")
    if report.tested:
        tests = [_TESTS[kind] for kind in ("nps", "csat", "fcr", "ces") if kind in kinds]
        untested = "; response times are not tested" if "response_time" in kinds else ""
        against = " or ".join(
            words
            for words, shown in (
                ("the base period", report.trend is not None),
                ("the rest of the rows", report.vs_rest),
            )
            if shown
        )
        lines.append(
            f"{report.tests} test{'s' if report.tests != 1 else ''} against {against}, p-values "
            f"{_ADJUSTED[report.adjustment]} over all of them (adj): {', '.join(tests) or 'none'}{untested}."
        )
    if report.trend is not None and _skips_a_gap(report):
        lines.append("A change after a gap (—) is against the last period with answers, which it names.")
    marks = {change_mark(result) for result in report.results} - {""}
    if marks:
        named = ((RISE, "rise"), (FALL, "fall"))
        words = " or ".join(f"{mark} {word}" for mark, word in named if mark in marks)
        lines.append(f"{words}: significant at 5% after adjustment.")
    return lines
