"""The rich terminal report of ``cxscore rate``.

User text only ever enters rich as ``Text`` objects (never markup), after control characters have
been made visible, so a brand called ``Acme [/]`` or one holding an escape sequence prints as written.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich import box
from rich.cells import cell_len, set_cell_size
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.padding import Padding
from rich.panel import Panel
from rich.segment import Segment
from rich.style import Style
from rich.table import Table
from rich.text import Text

from cxscore.render.numbers import (
    format_delta,
    format_interval,
    format_measured,
    format_number,
    format_percent,
    format_rating,
    format_value,
    lift_change,
    score_tier,
    with_unit,
)
from cxscore.scoring import MetricScore, ScoreResult
from cxscore.textsafe import clean_block, clean_line

if TYPE_CHECKING:
    from cxscore.compare import Comparison, Row
    from cxscore.rank import Leaderboard, RankEntry
    from cxscore.report import RateReport, WhatIf

BAR_CELLS = 10
SHORT_UNIT = 6
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


def bar(percent: float, cells: int = BAR_CELLS) -> Text:
    """A horizontal bar of ``cells`` characters with eighth-cell resolution."""
    eighths = round(max(0.0, min(100.0, percent)) / 100 * cells * 8)
    full, part = divmod(eighths, 8)
    filled = "█" * full + (_EIGHTHS[part] if part else "")
    return Text(filled.ljust(cells, " "), style=score_style(percent))


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
    if result.notes:
        lines.append(Text(clean_block(result.notes), style="italic"))
    title = Text(clean_line(result.brand), style="bold")
    return Panel(Group(*lines), title=title, title_align="left", box=box.ROUNDED, expand=False)


def _metric_table(result: ScoreResult, details: bool) -> Table:
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    # On a narrow terminal only the metric names give way: numbers are never cut.
    table.add_column("Metric", style="bold", min_width=20)
    measured = any(metric.value is not None for metric in result.metrics)
    rating_width = max((len(_rating_cell(m, result).plain) for m in result.metrics if m.rated), default=1)
    table.add_column(
        "Value" if measured else "Rating", justify="right", no_wrap=True, min_width=max(6, rating_width)
    )
    table.add_column("Weight", justify="right", no_wrap=True, min_width=6)
    table.add_column("Score", justify="right", no_wrap=True, min_width=6)
    table.add_column("", no_wrap=True, width=BAR_CELLS, min_width=BAR_CELLS)
    table.add_column("Pts lost", justify="right", no_wrap=True, min_width=8)
    for metric in result.metrics:
        name = _name_cell(metric)
        if metric.score_percent is None or not metric.rated or metric.points_lost is None:
            table.add_row(name, Text("—", style="dim"), format_rating(metric.weight), "", "", "")
            continue
        table.add_row(
            name,
            _rating_cell(metric, result),
            format_rating(metric.weight),
            Text(format_percent(metric.score_percent), style=score_style(metric.score_percent)),
            bar(metric.score_percent),
            Text(format_number(metric.points_lost), style="dim" if not metric.points_lost else ""),
        )
    return table


def _rating_text(metric: MetricScore, result: ScoreResult) -> str:
    """``4/5`` for a rated metric; the value, with its interval and n when known, for a measured one."""
    if metric.value is not None:
        return format_measured(metric.value, metric.ci_low, metric.ci_high, metric.n)
    if metric.rating is None:
        return "not rated"
    return f"{format_rating(metric.rating)}/{format_rating(result.scale_max)}"


def _rating_cell(metric: MetricScore, result: ScoreResult) -> Text:
    """The table's rating cell: ``4/5``, or a measured value (its interval goes under the name)."""
    if metric.value is None:
        return Text(_rating_text(metric, result))
    # Short units read as part of the number; long ones ("% of active customers") would crowd the
    # table, and `cxscore frameworks show` spells them out.
    unit = clean_line(metric.unit or "")
    return Text(with_unit(format_value(metric.value), unit if len(unit) <= SHORT_UNIT else None))


def _name_cell(metric: MetricScore) -> Text:
    """The metric's name, with a measured value's 95% interval and n on a dim line below it."""
    name = Text(clean_line(metric.name))
    if metric.value is None:
        return name
    extra = format_interval(metric.ci_low, metric.ci_high, metric.n)
    if extra:
        name.append(f"\n  {extra}", style="dim")
    return name


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
            ("  ▲ ", "green"),
            (f"+{format_number(lift.points)} pts", "bold green"),
            "  ",
            (clean_line(metric.name), "bold"),
            " " + lift_change(metric.rating, metric.value, result.scale_max),
            (f" would make the overall {format_percent(target)}", "dim"),
        )
        rows.append(line)
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
        blocks.append(_metric_table(result, details))
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
        line.append(f" {change.shown(change.before, scale)} → {change.shown(change.after, scale)}")
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
        text.append(f" {format_rating(rating)}/{format_rating(scale)}", style="dim")
    if best:
        text.append(" ★", style="bold yellow")
    return text


def render_compare(comparison: Comparison) -> RenderableType:
    """Brands as columns, shared metrics as rows and the overall last; ★ marks each row's best."""
    results = comparison.results
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    table.add_column("Metric", style="bold", no_wrap=True)
    for result in results:
        header = Text.assemble((clean_line(result.brand), "bold"), ("\n" + result.framework_id, "dim"))
        table.add_column(header, justify="right")
    if comparison.has_delta:
        table.add_column("Δ 2 − 1", justify="right", no_wrap=True)
    for row in comparison.rows:
        cells = [_compare_cell(row, i, result.scale_max) for i, result in enumerate(results)]
        delta = [_delta_text(row.delta)] if comparison.has_delta else []
        table.add_row(Text(clean_line(row.name)), *cells, *delta, end_section=row is comparison.rows[-1])
    overall = comparison.overall
    cells = [_overall_text(result.overall_percent, result.band) for result in results]
    for index in overall.best:
        cells[index].append(" ★", style="bold yellow")
    table.add_row("Overall", *cells, *([_delta_text(overall.delta)] if comparison.has_delta else []))
    title = Text(f"CX comparison of {len(results)} brands", style="bold")
    return Group(title, *_notes(comparison.notes()), table)


_RANK_HEADERS = ("#", "Brand", "Overall", "Band", "Coverage", "Strongest", "Weakest")
_RANK_RIGHT = {0, 2, 4}  # right-aligned columns (the numbers)
_RANK_FLEX = (1, 5, 6)  # columns that give up width on a narrow terminal (the names)
_RANK_FLEX_MIN = 10
_RANK_GAP = "  "


class LeaderboardLines:
    """A leaderboard laid out by hand: one line per brand, long names cut with an ellipsis.

    rich's ``Table`` measures every cell to lay out its columns, which took about 7 s for 10,000 brands;
    here the widths come from one pass over the strings and each line is yielded as styled segments.
    """

    def __init__(self, entries: tuple[RankEntry, ...]) -> None:
        self.rows = [
            (
                (str(entry.rank), ""),
                (clean_line(entry.brand), "bold"),
                (format_percent(entry.overall_percent), score_style(entry.overall_percent)),
                (clean_line(entry.band), score_style(entry.overall_percent)),
                (format_percent(entry.coverage_percent), ""),
                (clean_line(entry.strongest.name), format_percent(entry.strongest.score_percent)),
                (clean_line(entry.weakest.name), format_percent(entry.weakest.score_percent)),
            )
            for entry in entries
        ]

    def _widths(self, max_width: int) -> list[int]:
        widths = [_cells(header) for header in _RANK_HEADERS]
        for row in self.rows:
            for index, (text, extra) in enumerate(row):
                size = _cells(text) + (len(extra) + 1 if index >= 5 else 0)
                widths[index] = max(widths[index], size)
        room = max_width - len(_RANK_GAP) * (len(widths) - 1)
        # The widest name column gives way first, so the names end up sharing the room evenly.
        while sum(widths) > room:
            widest = max(_RANK_FLEX, key=lambda index: widths[index])
            if widths[widest] <= _RANK_FLEX_MIN:
                break  # narrower helps nobody: the terminal crops what is left
            widths[widest] -= 1
        return widths

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        widths = self._widths(options.max_width)
        styles: dict[str, Style] = {}  # parsed once per style name, not once per cell

        def style(name: str) -> Style:
            if name not in styles:
                styles[name] = console.get_style(name)
            return styles[name]

        for index, header in enumerate(_RANK_HEADERS):
            gap = _RANK_GAP if index else ""
            yield Segment(gap + _fit(header, widths[index], index in _RANK_RIGHT), style("bold"))
        yield Segment.line()
        yield Segment("─" * (sum(widths) + len(_RANK_GAP) * (len(widths) - 1)), style("dim"))
        yield Segment.line()
        # One segment per cell, the gap included (styles here colour text only, so spaces stay blank).
        for row in self.rows:
            for index, (text, extra) in enumerate(row):
                gap = _RANK_GAP if index else ""
                if index >= 5:  # a metric name and its score: the name gives way, the score stays
                    yield Segment(gap + _fit(text, widths[index] - len(extra) - 1, False) + " ")
                    yield Segment(extra, style("dim"))
                else:
                    yield Segment(gap + _fit(text, widths[index], index in _RANK_RIGHT), style(extra))
            yield Segment.line()


def _cells(text: str) -> int:
    """Terminal cells a string takes: its length for ASCII (most names), rich's measure otherwise."""
    return len(text) if text.isascii() else cell_len(text)


def _fit(text: str, width: int, right: bool) -> str:
    """Pad text to exactly ``width`` cells, cutting it with an ellipsis when it is longer."""
    size = _cells(text)
    if size > width:
        return set_cell_size(text, width - 1) + "…"
    padding = " " * (width - size)
    return padding + text if right else text + padding


def render_rank(board: Leaderboard) -> RenderableType:
    """The leaderboard: rank, brand, overall, band, coverage, strongest and weakest metric."""
    total, shown = len(board.entries), len(board.shown)
    frameworks = ", ".join(f"{framework} ({count})" for framework, count in board.frameworks.items())
    footer = f"{total} brand{'' if total == 1 else 's'} ranked"
    footer += f", top {shown} shown" if shown < total else ""
    table = LeaderboardLines(board.shown)
    return Group(
        Text("CX leaderboard", style="bold"), table, Text(f"{footer} · frameworks: {frameworks}", style="dim")
    )
