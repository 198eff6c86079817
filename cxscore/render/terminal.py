"""The rich terminal reports: the scorecard, comparison, leaderboard, history, measures and frameworks.

User text only ever enters rich as ``Text`` objects (never markup), after control characters have
been made visible, so a brand called ``Acme [/]`` or one holding an escape sequence prints as written.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Literal, overload

from rich import box
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.padding import Padding
from rich.panel import Panel
from rich.segment import Segment
from rich.style import Style
from rich.table import Table
from rich.text import Text

from cxscore.render.grid import FLEX_FLOOR, GAP, Cell, Column, Grid
from cxscore.render.grid import Row as GridRow
from cxscore.render.grid import cells as grid_cells
from cxscore.render.grid import fit as grid_fit
from cxscore.render.numbers import (
    LOW_COVERAGE_LEGEND,
    TIED_LEGEND,
    coverage_warning,
    format_above_next,
    format_alpha,
    format_before_after,
    format_delta,
    format_interval,
    format_measured,
    format_number,
    format_overall_interval,
    format_percent,
    format_rank_range,
    format_rated,
    format_rating,
    format_spread,
    format_value,
    industry_anchors_text,
    lift_change,
    score_tier,
    short_unit,
    standing_rows,
    weighted_by,
    with_unit,
)
from cxscore.scoring import MetricScore, ScoreResult
from cxscore.textsafe import clean_block, clean_line

if TYPE_CHECKING:
    from cxscore.compare import Comparison, Row
    from cxscore.data.customer_report import CustomersReport
    from cxscore.data.driver_model import DriversReport
    from cxscore.data.model import MeasureReport
    from cxscore.data.plan import PlanReport
    from cxscore.history import History, HistoryReport, Line
    from cxscore.models import Framework
    from cxscore.rank import Leaderboard, RankEntry
    from cxscore.render.measures import MeasureTable, Part
    from cxscore.report import RateReport, WhatIf

BAR_CELLS = 10
_EIGHTHS = " ▏▎▍▌▋▊▉"


_TIER_STYLES = {
    "excellent": "bold green",
    "good": "green",
    "ok": "yellow",
    "poor": "dark_orange",
    "very-poor": "red",
}


def score_style(percent: float) -> str:
    """Colour for a score: green when strong, yellow in the middle, red when weak."""
    return _TIER_STYLES[score_tier(percent)]


def bar_cells(percent: float, cells: int = BAR_CELLS) -> str:
    """A horizontal bar of ``cells`` characters with eighth-cell resolution."""
    eighths = round(max(0.0, min(100.0, percent)) / 100 * cells * 8)
    full, part = divmod(eighths, 8)
    filled = "█" * full + (_EIGHTHS[part] if part else "")
    return filled.ljust(cells, " ")


def _header(result: ScoreResult) -> RenderableType:
    subtitle = Text.assemble(
        (clean_line(result.framework_name), "bold"), (f" ({result.framework_id})", "dim")
    )
    if result.assessed or result.assessor:
        subtitle.append(" · assessed", style="dim")
        if result.assessed:
            subtitle.append(f" {result.assessed.isoformat()}", style="dim")
        if result.assessor:
            subtitle.append(" by ", style="dim")
            subtitle.append(clean_line(result.assessor), style="dim")
    rated, total = len(result.rated), len(result.metrics)
    overall = Text.assemble(
        ("Overall ", "bold"),
        (format_percent(result.overall_percent), score_style(result.overall_percent) + " bold"),
        "  ",
        (clean_line(result.band), score_style(result.overall_percent)),
        ("   coverage ", "dim"),
        format_percent(result.coverage_percent),
        (f" of weight · {rated} of {total} metrics rated", "dim"),
    )
    lines: list[RenderableType] = [subtitle, overall]
    anchors = industry_anchors_text(result)
    if anchors:
        lines.append(Text(clean_line(anchors), style="dim"))
    uncertainty = "  ·  ".join(
        text
        for text in (
            format_overall_interval(result.overall_ci_low, result.overall_ci_high),
            format_alpha(result.krippendorff_alpha),
        )
        if text
    )
    if uncertainty:
        lines.append(Text(uncertainty, style="dim"))
    if result.low_coverage:
        lines.append(Text("⚠ " + coverage_warning(result.coverage_percent), style="yellow"))
    if result.notes:
        lines.append(Text(clean_block(result.notes), style="italic"))
    title = Text(clean_line(result.brand), style="bold")
    return Panel(Group(*lines), title=title, title_align="left", box=box.ROUNDED, expand=False)


def _metric_table(result: ScoreResult) -> Grid:
    measured = any(metric.value is not None for metric in result.metrics)
    columns = (
        # On a narrow terminal the bar goes first, then the metric names narrow: numbers stay whole.
        Column("Metric", flexible=True, min_width=20),
        Column("Value" if measured else "Rating", right=True, min_width=6),
        Column("Weight", right=True, min_width=6),
        Column("Score", right=True, min_width=6),
        Column("", min_width=BAR_CELLS, optional=True),
        Column("Pts lost", right=True, min_width=8),
    )
    rows = []
    for metric in result.metrics:
        name = Cell(clean_line(metric.name), "bold")
        detail = _interval_line(metric)
        weight = Cell(format_rating(metric.weight))
        if metric.score_percent is None or not metric.rated or metric.points_lost is None:
            rows.append(GridRow((name, Cell("—", "dim"), weight, Cell(""), Cell(""), Cell("")), detail))
            continue
        style = score_style(metric.score_percent)
        cells = (
            name,
            Cell(_rating_cell(metric, result)),
            weight,
            Cell(format_percent(metric.score_percent), style),
            Cell(bar_cells(metric.score_percent), style),
            Cell(format_number(metric.points_lost), "dim" if not metric.points_lost else ""),
        )
        rows.append(GridRow(cells, detail))
    return Grid(columns, rows)


def _rating_text(metric: MetricScore, result: ScoreResult) -> str:
    """``4/5`` for a rated metric; the value, with its interval and n when known, for a measured one."""
    if metric.value is not None:
        return format_measured(metric.value, metric.ci_low, metric.ci_high, metric.n)
    if metric.rating is None:
        return "not rated"
    return f"{format_rated(metric.rating, metric.assessments)}/{format_rating(result.scale_max)}"


def _rating_cell(metric: MetricScore, result: ScoreResult) -> str:
    """The table's rating cell: ``4/5``, or a measured value (its interval goes under the name)."""
    if metric.value is None:
        return _rating_text(metric, result)
    # Short units read as part of the number; long ones ("% of active customers") would crowd the
    # table and show by their short form (`cxscore frameworks show` spells them out).
    return with_unit(format_value(metric.value), short_unit(clean_line(metric.unit or "")))


def _interval_line(metric: MetricScore) -> str:
    """A measured value's 95% interval and n, or several assessors' spread, dim under the name."""
    if metric.value is None:
        return format_spread(metric.assessments, metric.assessor_sd)
    return format_interval(
        metric.ci_low, metric.ci_high, metric.n, metric.significant, weighted_by(metric, clean_line)
    )


def _unrated(result: ScoreResult) -> RenderableType | None:
    if not result.unrated:
        return None
    names = ", ".join(clean_line(metric.name) for metric in result.unrated)
    return Text.assemble(("Not rated: ", "bold"), names, (" (left out of the overall)", "dim"))


def _lifts(result: ScoreResult) -> RenderableType | None:
    if not result.lifts:
        return None
    rows: list[RenderableType] = [Text("Biggest lift", style="bold")]
    for lift in result.lifts:
        metric = lift.metric
        target = result.overall_percent + lift.points
        line = Text.assemble(
            (f"+{format_number(lift.points)} pts", "bold green"),
            "  ",
            (clean_line(metric.name), "bold"),
            " " + lift_change(metric.rating, metric.value, result.scale_max),
            (f" would make the overall {format_percent(target)}", "dim"),
        )
        # A two-column grid gives the line a hanging indent: when it wraps, it wraps under itself.
        marked = Table.grid(padding=(0, 1))
        marked.add_column(no_wrap=True)
        marked.add_column()
        marked.add_row(Text("  ▲", style="green"), line)
        rows.append(marked)
        if metric.remediation:
            rows.append(Padding(Text(clean_block(metric.remediation)), (0, 0, 0, 6)))
    return Group(*rows)


def _details(result: ScoreResult) -> RenderableType:
    rows: list[RenderableType] = [Text("Details", style="bold")]
    for metric in result.metrics:
        rows.append(_metric_detail(metric, result))
    return Group(*rows)


def _metric_detail(metric: MetricScore, result: ScoreResult) -> RenderableType:
    rating = _rating_text(metric, result)
    if metric.value is not None and metric.unit:
        unit = clean_line(metric.unit)
        rating += unit if unit.startswith("%") else f" {unit}"
    parts: list[RenderableType] = [
        Text.assemble(("  " + clean_line(metric.name), "bold"), (f"  {rating}", "dim"))
    ]
    if metric.description:
        parts.append(Padding(Text(clean_block(metric.description), style="dim"), (0, 0, 0, 4)))
    if metric.note:
        parts.append(Padding(Text("Note: " + clean_block(metric.note), style="italic"), (0, 0, 0, 4)))
    return Group(*parts)


def build_report(results: list[ScoreResult], details: bool = False) -> RenderableType:
    """The terminal report for one or more scored brands."""
    blocks: list[RenderableType] = []
    for index, result in enumerate(results):
        if index:
            blocks.append(Text(""))
        blocks.append(_header(result))
        blocks.append(_metric_table(result))
        sections = [_unrated(result), _lifts(result), _details(result) if details else None]
        for block in sections:
            if block is not None:
                blocks.extend((Text(""), block))
    return Group(*blocks)


def _delta_text(delta: float | None) -> Text:
    if delta is None:
        return Text("")
    style = "green" if delta > 0 else "red" if delta < 0 else "dim"
    return Text(format_delta(delta), style=style)


def _overall_text(percent: float, band: str) -> Text:
    style = score_style(percent)
    return Text.assemble((format_percent(percent), style + " bold"), " ", (clean_line(band), style))


def _what_if(what_if: WhatIf) -> RenderableType:
    scale = what_if.current.scale_max
    line = Text("What if ", style="bold")
    for index, change in enumerate(what_if.changes):
        line.append(", " if index else "")
        line.append(clean_line(change.name), style="bold")
        before = format_before_after(change.before, scale, change.measured)
        line.append(f" {before} → {format_before_after(change.after, scale, change.measured)}")
    now, then = what_if.current, what_if.hypothetical
    overall = Text.assemble(
        "  Overall ",
        _overall_text(now.overall_percent, now.band),
        "  →  ",
        _overall_text(then.overall_percent, then.band),
        "  (",
        _delta_text(what_if.overall_delta),
        " pts)",
    )
    return Group(line, overall)


def _notes(notes: list[str]) -> list[RenderableType]:
    return [Text.assemble(("⚠ ", "yellow"), clean_line(note)) for note in notes]


def _baseline(change: Comparison) -> RenderableType:
    baseline = change.results[0]
    title = Text.assemble(("Change since the baseline ", "bold"), clean_line(baseline.path))
    if baseline.assessed:
        title.append(f" (assessed {baseline.assessed.isoformat()})", style="dim")
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    table.add_column("Metric", style="bold", no_wrap=True)
    for column in ("Baseline", "Now", "Change"):
        table.add_column(column, justify="right", no_wrap=True)
    for row in (*change.rows, change.overall):
        cells = [Text("—", style="dim") if s is None else Text(format_percent(s)) for s in row.scores]
        table.add_row(
            Text(clean_line(row.name)), *cells, _delta_text(row.delta), end_section=row is change.rows[-1]
        )
    return Group(title, *_notes(change.notes()), table)


def render_rate(report: RateReport) -> RenderableType:
    """The ``rate`` report, each brand followed by its what-if and baseline sections when asked for."""
    blocks: list[RenderableType] = []
    for result, what_if, change in report.sections():
        if blocks:
            blocks.append(Text(""))
        blocks.append(build_report([result], details=report.details))
        if what_if is not None:
            blocks.extend((Text(""), _what_if(what_if)))
        if change is not None:
            blocks.extend((Text(""), _baseline(change)))
    return Group(*blocks)


def _compare_cell(row: Row, index: int, scale: float) -> Text:
    score = row.scores[index]
    if score is None:
        return Text("not rated", style="dim")
    best = index in row.best
    text = Text(format_percent(score), style=("bold " if best else "") + score_style(score))
    rating = row.ratings[index]
    if rating is not None:
        text.append(f" {format_rated(rating)}/{format_rating(scale)}", style="dim")
    return text


def _star(best: bool) -> Text:
    """The mark column beside each brand's: a ★ for the row's best, else nothing (numbers stay in line)."""
    return Text("★" if best else "", style="bold yellow")


def render_compare(comparison: Comparison) -> RenderableType:
    """Brands as columns, shared metrics as rows and the overall last; ★ marks each row's best."""
    results = comparison.results
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    table.add_column("Metric", style="bold", no_wrap=True)
    for result, label in zip(results, comparison.labels(), strict=True):
        header = Text.assemble((clean_line(label), "bold"), ("\n" + result.framework_id, "dim"))
        table.add_column(header, justify="right")
        table.add_column("", width=1, no_wrap=True)  # the ★, in a column of its own
    if comparison.has_delta:
        table.add_column("Δ 2 − 1", justify="right", no_wrap=True)
    for row in comparison.rows:
        cells = [
            cell
            for i, result in enumerate(results)
            for cell in (_compare_cell(row, i, result.scale_max), _star(i in row.best))
        ]
        delta = [_delta_text(row.delta)] if comparison.has_delta else []
        table.add_row(Text(clean_line(row.name)), *cells, *delta, end_section=row is comparison.rows[-1])
    overall = comparison.overall
    cells = [
        cell
        for index, result in enumerate(results)
        for cell in (_overall_text(result.overall_percent, result.band), _star(index in overall.best))
    ]
    table.add_row("Overall", *cells, *([_delta_text(overall.delta)] if comparison.has_delta else []))
    for label, texts in standing_rows(comparison):
        cells = [cell for text in texts for cell in (Text(text, style="dim"), Text(""))]
        table.add_row(Text(label, style="dim"), *cells, *([Text("")] if comparison.has_delta else []))
    title = Text(f"CX comparison of {len(results)} brands", style="bold")
    if comparison.same_brand:
        title = Text.assemble(
            (f"CX comparison of {len(results)} assessments of ", "bold"),
            (clean_line(results[0].brand), "bold"),
        )
    return Group(title, *_notes(comparison.notes()), table)


_RANK_COLUMNS = (
    Column("#", right=True),
    Column("Brand", flexible=True),
    Column("Overall", right=True),
    Column("Band"),
    Column("Coverage", right=True),
    Column("Strongest", flexible=True, optional=True, gives_first=True),
    Column("Weakest", flexible=True, optional=True, gives_first=True),
)


_RANGE_COLUMNS = (
    Column("95% CI", right=True),
    Column("Rank 95%", right=True),
    Column("P>next", right=True),
)


def _leaderboard(entries: Sequence[RankEntry]) -> Grid:
    """One line per brand; long names give way (cut with an ellipsis), the scores never do. When the
    overalls carry intervals (then every entry has a rank range), each one's 95% interval, rank range
    and P(above next) follow the overall. The rows are made as the grid reads them, never all kept."""
    ranged = bool(entries) and entries[0].rank_low is not None
    columns = (*_RANK_COLUMNS[:3], *_RANGE_COLUMNS, *_RANK_COLUMNS[3:]) if ranged else _RANK_COLUMNS
    return Grid(columns, _LeaderboardRows(entries, ranged), say_left_out=True)


class _LeaderboardRows(Sequence[GridRow]):
    """The leaderboard's rows, each made from its entry when read (a grid reads them twice)."""

    def __init__(self, entries: Sequence[RankEntry], ranged: bool) -> None:
        self.entries, self.ranged = entries, ranged

    def __len__(self) -> int:
        return len(self.entries)

    @overload
    def __getitem__(self, index: int) -> GridRow: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[GridRow]: ...
    def __getitem__(self, index: int | slice) -> GridRow | Sequence[GridRow]:
        if isinstance(index, slice):
            return _LeaderboardRows(self.entries[index], self.ranged)
        return self._row(self.entries[index])

    def __iter__(self) -> Iterator[GridRow]:
        return map(self._row, self.entries)

    def _row(self, entry: RankEntry) -> GridRow:
        style = score_style(entry.overall_percent)
        cells: tuple[Cell, ...] = (
            Cell(str(entry.rank)),
            Cell(clean_line(entry.brand), "bold"),
            Cell(format_percent(entry.overall_percent), style),
            Cell(clean_line(entry.band), style),
            Cell(
                format_percent(entry.coverage_percent),
                tail="!" if entry.low_coverage else "",
                tail_style="yellow",
            ),
            Cell(clean_line(entry.strongest.name), tail=format_percent(entry.strongest.score_percent)),
            Cell(clean_line(entry.weakest.name), tail=format_percent(entry.weakest.score_percent)),
        )
        if self.ranged:
            interval = format_overall_interval(entry.overall_ci_low, entry.overall_ci_high)
            extra = (
                Cell(interval.removeprefix("95% CI ") or "—", "dim"),
                Cell(format_rank_range(entry.rank_low, entry.rank_high)),
                Cell(format_above_next(entry.p_above_next, entry.tied_with_next) or "—"),
            )
            cells = (*cells[:3], *extra, *cells[3:])
        return GridRow(cells)


def render_rank(board: Leaderboard) -> RenderableType:
    """The leaderboard: rank, brand, overall, band, coverage, strongest and weakest metric."""
    total, shown = len(board.entries), len(board.shown)
    frameworks = ", ".join(f"{framework} ({count})" for framework, count in board.frameworks.items())
    footer = f"{total} brand{'' if total == 1 else 's'} ranked"
    footer += f", top {shown} shown" if shown < total else ""
    table = _leaderboard(board.shown)
    lines: list[RenderableType] = [Text("CX leaderboard", style="bold"), table]
    lines.append(Text(f"{footer} · frameworks: {frameworks}", style="dim"))
    if board.shown_low_coverage:
        lines.append(Text(LOW_COVERAGE_LEGEND, style="yellow"))
    if board.shown_tied:
        lines.append(Text(TIED_LEGEND, style="dim"))
    return Group(*lines)


# measure ---------------------------------------------------------------------------------------------


def render_measure(report: MeasureReport) -> RenderableType:
    """One table per measure, segments as rows and periods as columns where they fit; user text is made
    printable. The layouts are :mod:`cxscore.render.measures`'; one is chosen once the width is known.
    Linear in the number of results: a 100,000-group report prints in seconds."""
    return _MeasureReport(report)


class _MeasureReport:
    """The measure tables, laid out once the width is known: the wide layout when every table fits
    (with two blanks between columns, else one), otherwise the long one."""

    def __init__(self, report: MeasureReport) -> None:
        self.report = report

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        from cxscore.render.measures import legend, measure_tables, wide_possible

        report, width = self.report, options.max_width
        laid: list[_LaidTable] | None = None
        if wide_possible(report):
            for gap in (len(GAP), 1):
                laid = [_LaidTable(table, gap, width) for table in measure_tables(report, wide=True)]
                if all(table.fits for table in laid):
                    break
                laid = None
        wide = laid is not None
        if laid is None:
            laid = [_LaidTable(table, len(GAP), width) for table in measure_tables(report, wide=False)]
        yield Text.assemble(("Measures of ", "bold"), clean_line(report.source))
        styles = _MeasureStyles(console)
        for table in laid:
            yield Text("")
            if table.table.title:
                title = Text(clean_line(table.table.title), style="bold")
                if table.table.note:
                    title.append(f"  {table.table.note}", style="dim")
                yield title
            yield from table.segments(styles)
        lines = legend(report, wide)
        if lines:
            yield Text("")
            yield from (Text(line, style="dim") for line in lines)


#: How each piece of a measure cell is styled (see :class:`cxscore.render.measures.Part`); others plain.
_PART_STYLES = {"spread": "dim", "n": "dim", "flag": "yellow", "mark": "bold"}


class _MeasureStyles:
    """Styles parsed once per report, not once per cell; the empty name is no style at all."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.parsed: dict[str, Style | None] = {"": None}

    def __getitem__(self, name: str) -> Style | None:
        if name not in self.parsed:
            self.parsed[name] = self.console.get_style(name)
        return self.parsed[name]


class _Line:
    """A line's styled pieces, neighbours of one style joined: fewer segments for rich to measure."""

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.styles: list[Style | None] = []

    def add(self, text: str, style: Style | None) -> None:
        if self.styles and self.styles[-1] is style:
            self.texts[-1] += text
        else:
            self.texts.append(text)
            self.styles.append(style)

    def segments(self) -> RenderResult:
        """The pieces without the blanks at the end of the line, then a line break."""
        texts, styles = self.texts, self.styles
        while texts and not texts[-1].strip():
            texts.pop()
            styles.pop()
        if texts:
            texts[-1] = texts[-1].rstrip()
        yield from map(Segment, texts, styles)
        yield Segment.line()


class _LaidTable:
    """A measure table's column and piece widths for a line of at most ``max_width`` cells.

    Numbers keep their width; when the line is too long, the widest label column gives up a cell
    at a time down to ``FLEX_FLOOR`` (its texts cut with an ellipsis), as names do in
    :class:`cxscore.render.grid.Grid`. ``fits`` tells whether the line fits without that.
    """

    def __init__(self, table: MeasureTable, gap: int, max_width: int) -> None:
        self.table = table
        self.gap = " " * gap
        columns = table.columns
        self.parts = [[0] * len(column.parts) for column in columns]
        for row in table.rows:
            for index, cell in enumerate(row.cells):
                widths = self.parts[index]
                for part, text in enumerate(cell):
                    if text:
                        widths[part] = max(widths[part], grid_cells(clean_line(text)))
        self.widths = [
            max(grid_cells(clean_line(column.header)), self._content(i)) for i, column in enumerate(columns)
        ]
        self.fits = self.width <= max_width
        labels = [index for index, column in enumerate(columns) if column.is_label]
        while labels and self.width > max_width:
            widest = max(labels, key=lambda index: self.widths[index])
            if self.widths[widest] <= FLEX_FLOOR:
                break
            self.widths[widest] -= 1

    @property
    def width(self) -> int:
        """The width of a full line in cells."""
        return sum(self.widths) + len(self.gap) * (len(self.widths) - 1)

    def _content(self, index: int) -> int:
        """The width of column ``index``'s cells: its shown pieces and the gaps between them."""
        parts = zip(self.table.columns[index].parts, self.parts[index], strict=True)
        shown = [(part, width) for part, width in parts if width]
        return sum(width for _, width in shown) + sum(len(part.gap) for part, _ in shown[1:])

    def segments(self, styles: _MeasureStyles) -> RenderResult:
        """The header, a rule and one line per row, without trailing blanks."""
        columns = self.table.columns
        header = _Line()
        for index, column in enumerate(columns):
            if index:
                header.add(self.gap, None)
            text = grid_fit(clean_line(column.header), self.widths[index], not column.is_label)
            header.add(text, styles["bold"])
        yield from header.segments()
        yield Segment("─" * self.width, styles["dim"])
        yield Segment.line()
        parts = [[(part, _PART_STYLES.get(part.role, "")) for part in column.parts] for column in columns]
        for row in self.table.rows:
            line = _Line()
            for index, cell in enumerate(row.cells):
                if index:
                    line.add(self.gap, None)
                if columns[index].is_label:
                    text = grid_fit(clean_line(cell[0]), self.widths[index], False)
                    line.add(text, styles["bold" if row.overall else ""])
                else:
                    self._cell(line, parts[index], cell, index, styles)
            yield from line.segments()

    def _cell(
        self,
        line: _Line,
        parts: list[tuple[Part, str]],
        cell: tuple[str, ...],
        index: int,
        styles: _MeasureStyles,
    ) -> None:
        """One cell of numbers: its pieces padded to their widths, the whole right-aligned."""
        pieces: list[tuple[str, str]] = []
        size = 0
        for (part, style), width, text in zip(parts, self.parts[index], cell, strict=True):
            if not width:
                continue
            if pieces and part.gap:
                pieces.append((part.gap, ""))
                size += len(part.gap)
            # A change names its base period (user text) after a gap: made printable like a label.
            pieces.append((grid_fit(clean_line(text), width, part.right), style))
            size += width
        line.add(" " * (self.widths[index] - size), None)
        for text, style in pieces:
            line.add(text, styles[style])


# frameworks ------------------------------------------------------------------------------------------


def render_frameworks(frameworks: list[Framework]) -> RenderableType:
    """A table of frameworks: id, name, how metrics are scored, metric count."""
    from cxscore.render.frameworks import metrics_scored, scoring_text

    table = Table(box=box.SIMPLE_HEAD, title="Bundled frameworks", title_justify="left")
    for column in ("Id", "Name", "Metrics scored", "Scoring", "Metrics"):
        table.add_column(column, justify="right" if column == "Metrics" else "left")
    for framework in frameworks:
        table.add_row(
            Text(clean_line(framework.id), style="bold"),
            Text(clean_line(framework.name)),
            metrics_scored(framework),
            scoring_text(framework),
            str(len(framework.metrics)),
        )
    return Group(table, Text("Show one with: cxscore frameworks show ID_OR_FILE", style="dim"))


def render_framework(framework: Framework) -> RenderableType:
    """One framework in full: description, source, scoring, bands, the metrics and what each means."""
    from cxscore.render.frameworks import anchor_sources, metric_scoring, rating_scale

    parts: list[RenderableType] = [
        Text.assemble((clean_line(framework.name), "bold"), (f" ({clean_line(framework.id)})", "dim")),
        Text(clean_block(framework.description)),
    ]
    if framework.source:
        parts.append(Text.assemble(("Source: ", "bold"), clean_block(framework.source)))
    scale = rating_scale(framework)
    if scale:
        parts.append(
            Text.assemble(("Rating scale: ", "bold"), scale, ("  scoring: ", "bold"), framework.scoring)
        )
    bands = ", ".join(f"{clean_line(b.name)} ≥ {b.min:g}%" for b in framework.bands)
    parts.append(Text.assemble(("Bands: ", "bold"), bands))
    if framework.bands_source:
        parts.append(Text.assemble(("Bands source: ", "bold"), clean_block(framework.bands_source)))
    table = Table(box=box.SIMPLE_HEAD)
    table.add_column("Id", style="bold", no_wrap=True)
    table.add_column("Metric")
    table.add_column("Weight", justify="right", no_wrap=True)
    table.add_column("Scored as")
    for metric in framework.metrics:
        table.add_row(
            clean_line(metric.id),
            Text(clean_line(metric.name)),
            format_rating(metric.weight),
            Text(clean_line(metric_scoring(metric, framework))),
        )
    parts.append(table)
    for metric in framework.metrics:
        parts.append(Text(clean_line(metric.name), style="bold"))
        parts.append(Padding(Text(clean_block(metric.description)), (0, 0, 0, 2)))
        for line in anchor_sources(metric):
            parts.append(Padding(Text(clean_block(line), style="italic"), (0, 0, 0, 2)))
        if metric.remediation:
            parts.append(
                Padding(Text("To improve: " + clean_block(metric.remediation), style="dim"), (0, 0, 1, 2))
            )
    return Group(*parts)


# history ---------------------------------------------------------------------------------------------


def _history_cell(line: Line, index: int, widths: tuple[int, int], overall: bool) -> Cell:
    """A period's cell: the score and, after it, the change since the period before (or a gap).

    ``widths`` are the room for a score and for a change (0 in a column without changes), so the
    scores and the changes each line up down the column.
    """
    score_width, change_width = widths
    point = line.points[index]
    blank = " " * change_width
    if point.score_percent is None:
        return Cell("—".rjust(score_width), "dim", tail=blank)
    style = score_style(point.score_percent) + (" bold" if overall else "")
    score = format_percent(point.score_percent).rjust(score_width)
    if not change_width:
        return Cell(score, style)
    change = point.change
    if change is None:
        return Cell(score, style, tail=blank)
    tail_style = "green" if change > 0 else "red" if change < 0 else "dim"
    return Cell(score, style, tail=format_delta(change).rjust(change_width), tail_style=tail_style)


def _history_grid(history: History, first: int) -> Grid:
    """Metrics as rows, the periods from ``first`` on as columns, the overall last, a trend at the end."""
    from cxscore.render.history import sparkline

    periods = range(first, len(history.periods))
    lines = (*history.lines, history.overall)
    score_width = max(len(format_percent(s)) for line in lines for s in line.scores if s is not None)
    widths = {}
    for index in periods:
        changes = [format_delta(c) for c in (line.points[index].change for line in lines) if c is not None]
        widths[index] = (score_width, max(map(len, changes), default=0))
    columns = (
        Column("Metric", flexible=True, min_width=20),
        *(Column(history.periods[index].assessed.isoformat(), right=True) for index in periods),
        Column("Trend"),
    )
    rows = []
    for line in lines:
        overall = line is history.overall
        if overall:
            rows.append(GridRow([Cell("")] * len(columns)))
        cells = [Cell(clean_line(line.name), "bold")]
        cells += [_history_cell(line, index, widths[index], overall) for index in periods]
        cells.append(Cell(sparkline(line.scores), "bold" if overall else ""))
        rows.append(GridRow(cells))
    return Grid(columns, rows)


class _HistoryTable:
    """The history table at the width it is laid out at: the latest periods that fit.

    Each period needs a column of its own; when the line cannot hold them all with the metric names
    at ``FLEX_FLOOR`` cells or more, the oldest give way (the trend column still covers every period)
    and a line under the table says how many.
    """

    def __init__(self, history: History) -> None:
        self.history = history

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        count = len(self.history.periods)
        for first in range(count):
            grid = _history_grid(self.history, first)
            widths = grid.widths(options.max_width)
            names = min(grid.widths(sys.maxsize)[0], FLEX_FLOOR)
            shown = [width for width in widths if width]
            if sum(shown) + len(GAP) * (len(shown) - 1) <= options.max_width and widths[0] >= names:
                break
        yield grid
        if first:
            earliest = self.history.periods[first].assessed.isoformat()
            yield Text(
                f"{first} earlier period{'' if first == 1 else 's'} left out for the width (the first shown "
                f"is {earliest}); the trend covers all {count}.",
                style="dim",
            )


def _history_block(history: History) -> RenderableType:
    from cxscore.render.history import period_span, sparkline

    frameworks = " → ".join(history.frameworks)
    title = Text.assemble(
        (clean_line(history.brand), "bold"), (f"  {clean_line(frameworks)} · {period_span(history)}", "dim")
    )
    first, last = history.overall.points[0], history.overall.points[-1]
    summary = Text.assemble(
        ("Overall ", "bold"),
        (sparkline(history.overall.scores), "bold"),
        "  ",
        (format_percent(first.score_percent or 0.0), score_style(first.score_percent or 0.0)),
    )
    if len(history.periods) > 1:
        latest = last.score_percent or 0.0
        summary.append(" → ")
        summary.append(format_percent(latest), score_style(latest) + " bold")
        summary.append("  (")
        summary.append_text(_delta_text(latest - (first.score_percent or 0.0)))
        summary.append(f" pts since {history.periods[0].assessed.isoformat()})")
    return Group(title, summary, *_notes(history.notes()), _HistoryTable(history))


def render_history(report: HistoryReport) -> RenderableType:
    """Each brand's history: the overall's sparkline, then metrics by period with each change."""
    blocks: list[RenderableType] = [Text("CX history", style="bold")]
    for history in report.histories:
        blocks.extend((Text(""), _history_block(history)))
    return Group(*blocks)


def render_plan(report: PlanReport) -> RenderableType:
    """The plans as one table: measure, margin or change (and power), answers needed, assumption."""
    from cxscore.render.plans import PLAN_HEADER, assumptions, plan_cells

    grid = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    for index, header in enumerate(PLAN_HEADER):
        grid.add_column(header, justify="right" if index else "left")
    for plan in report.plans:
        grid.add_row(*plan_cells(plan))
    title = Text("Answers needed (95% confidence; changes: two-sided 5% test)", style="bold")
    return Group(title, Text(assumptions(report), style="dim"), Text(""), grid)


# customers -------------------------------------------------------------------------------------------


def render_customers(report: CustomersReport) -> RenderableType:
    """The summary, the segments, the model and the listed customers; customer ids made printable."""
    from cxscore.render.customers import (
        LIST_HEADER,
        TEXT_COLUMNS,
        model_lines,
        more_line,
        row_cells,
        segment_lines,
        summary_lines,
        title,
    )  # fmt: skip

    def pairs(lines: list[tuple[str, str]]) -> Table:
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="dim")
        grid.add_column()
        for label, value in lines:
            grid.add_row(Text(label), Text(clean_line(value)))
        return grid

    segments = Table.grid(padding=(0, 2))
    segments.add_column()
    segments.add_column(justify="right")
    for name, count in segment_lines(report):
        segments.add_row(Text(name), Text(f"{count:,}"))
    listing = Table(box=None, pad_edge=False, padding=(0, 1), header_style="bold")
    longest = max((len(row.customer) for row in report.listed), default=8)
    segment = max((len(row.segment) for row in report.listed), default=7)
    for name in LIST_HEADER:
        justify: Literal["left", "right"] = "left" if name in TEXT_COLUMNS else "right"
        wide = min(longest, 24) if name == "customer" else segment if name == "segment" else None
        listing.add_column(name, justify=justify, no_wrap=name != "segment", min_width=wide)
    for row in report.listed:
        listing.add_row(*(Text(clean_line(cell)) for cell in row_cells(row)))
    parts: list[RenderableType] = [
        Text.assemble(("Customers of ", "bold"), clean_line(report.source)),
        pairs(summary_lines(report)),
        Text(""),
        Text("Segments (RFM)", style="bold"),
        segments,
        Text(""),
        Text("Model: BG/NBD + Gamma-Gamma", style="bold"),
        pairs(model_lines(report)),
        Text(""),
        Text(title(report), style="bold"),
        listing if report.listed else Text("no customer in this list", style="dim"),
    ]
    more = more_line(report)
    if more:
        parts.append(Text(more, style="dim"))
    return Group(*parts)


def render_drivers(report: DriversReport) -> RenderableType:
    """Per model: its fit, then its drivers grouped by quadrant ("fix first" first), most important
    first within each; user text as Text objects, control characters made visible."""
    from cxscore.render.drivers import driver_cells, group_label, method_note, model_summary, report_title

    parts: list[RenderableType] = [Text(clean_line(report_title(report)), style="bold")]
    shown = (0, 2, 3, 5, 6, 8, 9, 10)  # the columns of render.drivers.HEADER that fit 80 columns
    headers = ("Driver", "Share", "95% CI", "Shapley", "Beta", "VIF", "Mean", "Perf.")
    for model in report.models:
        label = group_label(model)
        parts.append(Text(""))
        if label is not None:
            parts.append(Text(clean_line(label), style="bold"))
        parts.append(Text(clean_line(model_summary(model)), style="dim"))
        table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
        # The driver's name folds rather than being cut: it is the one column that must be readable.
        table.add_column(headers[0], justify="left", overflow="fold", min_width=16)
        for header in headers[1:]:
            table.add_column(header, justify="right", no_wrap=True)
        for quadrant, drivers in model.quadrant_groups():
            table.add_row(Text(quadrant.value.capitalize(), style="bold"), *([""] * (len(headers) - 1)))
            for driver in drivers:
                cells = driver_cells(driver)
                name = Text("  " + clean_line(cells[0]))
                if driver.metric and driver.metric != driver.driver:
                    name.append(f" ({clean_line(driver.metric)})", style="dim")
                table.add_row(name, *(Text(cells[i]) for i in shown[1:]))
        parts.append(table)
    parts.append(Text(method_note(report), style="dim"))
    return Group(*parts)
