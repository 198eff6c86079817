"""The rich terminal report of ``cxscore rate``.

User text only ever enters rich as ``Text`` objects (never markup), after control characters have
been made visible, so a brand called ``Acme [/]`` or one holding an escape sequence prints as written.
"""

from __future__ import annotations

from rich import box
from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from cxscore.render.numbers import format_measured, format_number, format_percent, format_rating
from cxscore.scoring import MetricScore, ScoreResult
from cxscore.textsafe import clean_block, clean_line

BAR_CELLS = 10
_EIGHTHS = " ▏▎▍▌▋▊▉"


def score_style(percent: float) -> str:
    """Colour for a score: green when strong, yellow in the middle, red when weak."""
    if percent >= 80:
        return "bold green"
    if percent >= 65:
        return "green"
    if percent >= 50:
        return "yellow"
    if percent >= 35:
        return "dark_orange"
    return "red"


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
    table.add_column("Metric", style="bold", no_wrap=not details, ratio=None)
    table.add_column("Rating", justify="right", no_wrap=True)
    table.add_column("Weight", justify="right", no_wrap=True)
    table.add_column("Score", justify="right", no_wrap=True)
    table.add_column("", no_wrap=True, width=BAR_CELLS)
    table.add_column("Pts lost", justify="right", no_wrap=True)
    for metric in result.metrics:
        name = Text(clean_line(metric.name))
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
    """The table's rating cell: ``4/5``, or a measured value with its interval and n on a dim line."""
    if metric.value is None:
        return Text(_rating_text(metric, result))
    cell = Text(format_measured(metric.value, None, None, None))
    detail = format_measured(metric.value, metric.ci_low, metric.ci_high, metric.n)
    extra = detail[len(cell.plain) :].strip()
    if extra:
        cell.append("\n" + extra, style="dim")
    return cell


def _unrated(result: ScoreResult) -> RenderableType | None:
    if not result.unrated:
        return None
    names = ", ".join(clean_line(metric.name) for metric in result.unrated)
    return Text.assemble(("Not rated: ", "bold"), names, (" (left out of the overall)", "dim"))


def _lifts(result: ScoreResult) -> RenderableType | None:
    if not result.lifts:
        return None
    scale = format_rating(result.scale_max)
    rows: list[RenderableType] = [Text("Biggest lift", style="bold")]
    for lift in result.lifts:
        metric = lift.metric
        target = result.overall_percent + lift.points
        line = Text.assemble(
            ("  ▲ ", "green"),
            (f"+{format_number(lift.points)} pts", "bold green"),
            "  ",
            (clean_line(metric.name), "bold"),
            f" {format_rating(metric.rating or 0)}/{scale} → {scale}/{scale}"
            if metric.value is None
            else f" {format_measured(metric.value, None, None, None)} → top score",
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
