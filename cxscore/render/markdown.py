"""GitHub-flavoured markdown reports; every user string is escaped for inline markdown."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cxscore.render.numbers import (
    LOW_COVERAGE_LEGEND,
    TIED_LEGEND,
    coverage_warning,
    format_above_next,
    format_alpha,
    format_before_after,
    format_delta,
    format_interval,
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
    standing_rows,
    weighted_by,
    with_unit,
)
from cxscore.textsafe import markdown_block, markdown_inline

if TYPE_CHECKING:
    from cxscore.compare import Comparison, Row
    from cxscore.data.customer_report import CustomersReport
    from cxscore.data.driver_model import DriversReport
    from cxscore.data.model import MeasureReport
    from cxscore.data.plan import PlanReport
    from cxscore.history import History, HistoryReport, Line
    from cxscore.models import Framework
    from cxscore.rank import Leaderboard
    from cxscore.render.measures import TableColumn
    from cxscore.report import RateReport, WhatIf
    from cxscore.scoring import MetricScore, ScoreResult


def table(header: list[str], rows: list[list[str]], align: str) -> list[str]:
    """A GFM pipe table; ``align`` has one of ``l``/``r`` per column; cells must be escaped already."""
    marks = {"l": ":---", "r": "---:"}
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(marks[a] for a in align) + " |"]
    lines.extend("| " + " | ".join(row) + " |" for row in rows)
    return lines


def _rating_cell(metric: MetricScore, scale: str) -> str:
    """``4/5``; a measured value with its unit, interval and n (``42 points [34.6, 48.9] n=400``); or —."""
    if metric.value is not None:
        unit = markdown_inline(metric.unit) if metric.unit else None
        backing = format_interval(
            metric.ci_low, metric.ci_high, metric.n, metric.significant, weighted_by(metric, markdown_inline)
        )
        return with_unit(format_value(metric.value), unit) + (f" {backing}" if backing else "")
    if metric.rating is None:
        return "—"
    spread = format_spread(metric.assessments, metric.assessor_sd)
    return f"{format_rated(metric.rating, metric.assessments)}/{scale}" + (f" ({spread})" if spread else "")


def _heading(kind: str) -> list[str]:
    """The report's title (the settings' title, else ``kind``) and the line saying when it was
    generated and by which cxscore, as the HTML reports have."""
    from cxscore.report_settings import report_meta

    meta = report_meta()
    title = markdown_inline(meta.branding.title) if meta.branding.title else kind
    made = f"Generated {meta.generated_time} by cxscore {meta.version}."
    if meta.branding.organisation:
        made = f"{markdown_inline(meta.branding.organisation)} · {made}"
    return [f"# {title}", "", made, ""]


def _brand_section(result: ScoreResult) -> list[str]:
    scale = format_rating(result.scale_max)
    lines = [f"## {markdown_inline(result.brand)}", ""]
    meta = f"Framework: {markdown_inline(result.framework_name)} (`{result.framework_id}`)"
    if result.assessed:
        meta += f" · assessed {result.assessed.isoformat()}"
    if result.assessor:
        meta += f" by {markdown_inline(result.assessor)}"
    lines += [meta, ""]
    anchors = industry_anchors_text(result)
    if anchors:
        lines += [markdown_inline(anchors), ""]
    lines += [
        f"**Overall: {format_percent(result.overall_percent)} ({markdown_inline(result.band)})** · "
        f"coverage {format_percent(result.coverage_percent)} of weight "
        f"({len(result.rated)} of {len(result.metrics)} metrics rated)",
        "",
    ]
    uncertainty = [
        format_overall_interval(result.overall_ci_low, result.overall_ci_high),
        format_alpha(result.krippendorff_alpha),
    ]
    if any(uncertainty):
        lines += [" · ".join(text for text in uncertainty if text), ""]
    if result.low_coverage:
        lines += [f"> **⚠ {coverage_warning(result.coverage_percent)}**", ""]
    if result.notes:
        lines += [markdown_inline(result.notes), ""]
    rows = []
    for metric in result.metrics:
        rated = metric.rated and metric.score_percent is not None
        rows.append(
            [
                markdown_inline(metric.name),
                _rating_cell(metric, scale),
                format_rating(metric.weight),
                format_percent(metric.score_percent)
                if rated and metric.score_percent is not None
                else "not rated",
                format_number(metric.points_lost) if metric.points_lost is not None else "",
                markdown_inline(metric.note or ""),
            ]
        )
    lines += table(["Metric", "Rating", "Weight", "Score", "Points lost", "Note"], rows, "lrrrrl")
    lines.append("")
    if result.unrated:
        names = ", ".join(markdown_inline(m.name) for m in result.unrated)
        lines += [f"Not rated (left out of the overall): {names}", ""]
    if result.lifts:
        lines += ["### Biggest lift", ""]
        for lift in result.lifts:
            metric = lift.metric
            lines.append(
                f"- **{markdown_inline(metric.name)}** "
                f"({lift_change(metric.rating, metric.value, result.scale_max)}): "
                f"+{format_number(lift.points)} points. {markdown_inline(metric.remediation)}"
            )
        lines.append("")
    return lines


def _percent_or_dash(value: float | None) -> str:
    return "—" if value is None else format_percent(value)


def _delta_or_blank(value: float | None) -> str:
    return "" if value is None else format_delta(value)


def _what_if_section(what_if: WhatIf) -> list[str]:
    scale = what_if.current.scale_max
    rows = [
        [
            markdown_inline(change.name),
            format_before_after(change.before, scale, change.measured),
            format_before_after(change.after, scale, change.measured),
        ]
        for change in what_if.changes
    ]
    now, then = what_if.current, what_if.hypothetical
    return [
        "### What if",
        "",
        *table(["Metric", "Rating now", "What-if rating"], rows, "lrr"),
        "",
        f"Overall now **{format_percent(now.overall_percent)} ({markdown_inline(now.band)})** → "
        f"what-if **{format_percent(then.overall_percent)} ({markdown_inline(then.band)})**, "
        f"{format_delta(what_if.overall_delta)} points.",
        "",
    ]


def _baseline_section(change: Comparison) -> list[str]:
    baseline = change.results[0]
    title = f"### Change since the baseline ({markdown_inline(baseline.path)}"
    title += f", assessed {baseline.assessed.isoformat()})" if baseline.assessed else ")"
    rows = [
        [
            markdown_inline(row.name) if row is not change.overall else "**Overall**",
            _percent_or_dash(row.scores[0]),
            _percent_or_dash(row.scores[1]),
            _delta_or_blank(row.delta),
        ]
        for row in (*change.rows, change.overall)
    ]
    lines = [title, "", *table(["Metric", "Baseline", "Now", "Change"], rows, "lrrr"), ""]
    return lines + _notes(change.notes())


def _notes(notes: list[str]) -> list[str]:
    return [line for note in notes for line in (f"> **Note:** {markdown_inline(note)}", "")]


def render_rate(report: RateReport) -> str:
    """The ``rate`` report: one section per brand, with what-if and baseline sections when asked for."""
    lines = _heading("CX scorecard")
    for result, what_if, change in report.sections():
        lines += _brand_section(result)
        if what_if is not None:
            lines += _what_if_section(what_if)
        if change is not None:
            lines += _baseline_section(change)
    return "\n".join(lines).rstrip("\n") + "\n"


def _compare_cell(row: Row, index: int, scale: float) -> str:
    score = row.scores[index]
    if score is None:
        return "not rated"
    text = format_percent(score)
    if index in row.best:
        text = f"**{text}** ★"
    rating = row.ratings[index]
    return text if rating is None else f"{text} ({format_rated(rating)}/{format_rating(scale)})"


def render_compare(comparison: Comparison) -> str:
    """Brands as columns, shared metrics as rows, the overall last; ★ marks the best per row."""
    results = comparison.results
    labels = comparison.labels()
    lines = _heading("CX comparison")
    if comparison.same_brand:
        lines += [f"{len(results)} assessments of **{markdown_inline(results[0].brand)}**", ""]
    for number, (result, label) in enumerate(zip(results, labels, strict=True), start=1):
        lines.append(
            f"{number}. **{markdown_inline(label)}** — {markdown_inline(result.framework_name)} "
            f"(`{result.framework_id}`), overall {format_percent(result.overall_percent)} "
            f"({markdown_inline(result.band)}), coverage {format_percent(result.coverage_percent)}"
            + (f", assessed {result.assessed.isoformat()}" if result.assessed else "")
            + (f" by {markdown_inline(result.assessor)}" if result.assessor else "")
        )
    lines.append("")
    lines += _notes(comparison.notes())
    header = ["Metric", *(markdown_inline(label) for label in labels)]
    if comparison.has_delta:
        header.append("Δ (2 − 1)")
    rows = []
    for row in (*comparison.rows, comparison.overall):
        cells = [_compare_cell(row, index, result.scale_max) for index, result in enumerate(results)]
        name = "**Overall**" if row is comparison.overall else markdown_inline(row.name)
        if row is comparison.overall:
            cells = [
                f"{cell} {markdown_inline(result.band)}" for cell, result in zip(cells, results, strict=True)
            ]
        delta = [_delta_or_blank(row.delta)] if comparison.has_delta else []
        rows.append([name, *cells, *delta])
    for label, texts in standing_rows(comparison):
        rows.append([label, *texts, *([""] if comparison.has_delta else [])])
    lines += table(header, rows, "l" + "r" * (len(header) - 1))
    if any(standing.tied_with_next for standing in comparison.standings):
        lines += ["", TIED_LEGEND]
    return "\n".join(lines) + "\n"


def render_rank(board: Leaderboard) -> str:
    """The leaderboard as a table, best first."""
    shown, total = board.shown, len(board.entries)
    lines = _heading("CX leaderboard")
    frameworks = ", ".join(f"`{framework}` ({count})" for framework, count in board.frameworks.items())
    summary = f"{total} brand{'' if total == 1 else 's'} ranked by overall score"
    if len(shown) < total:
        summary += f", top {len(shown)} shown"
    lines += [f"{summary}. Frameworks: {frameworks}.", ""]
    rows = [
        [
            str(entry.rank),
            markdown_inline(entry.brand),
            format_percent(entry.overall_percent),
            markdown_inline(entry.band),
            format_percent(entry.coverage_percent) + (" ⚠" if entry.low_coverage else ""),
            f"{markdown_inline(entry.strongest.name)} ({format_percent(entry.strongest.score_percent)})",
            f"{markdown_inline(entry.weakest.name)} ({format_percent(entry.weakest.score_percent)})",
        ]
        for entry in shown
    ]
    header = ["#", "Brand", "Overall", "Band", "Coverage", "Strongest", "Weakest"]
    align = "rlrlrll"
    if any(entry.rank_low is not None for entry in shown):
        for row, entry in zip(rows, shown, strict=True):
            interval = format_overall_interval(entry.overall_ci_low, entry.overall_ci_high)
            row[3:3] = [
                interval.removeprefix("95% CI ") or "—",
                format_rank_range(entry.rank_low, entry.rank_high),
                format_above_next(entry.p_above_next, entry.tied_with_next) or "—",
            ]
        header[3:3] = ["95% CI", "Rank (95% range)", "P(above next)"]
        align = "rlrrrrlrll"
    lines += table(header, rows, align)
    if board.shown_low_coverage:
        lines += ["", "⚠ " + markdown_inline(LOW_COVERAGE_LEGEND.removeprefix("! "))]
    if board.shown_tied:
        lines += ["", TIED_LEGEND]
    return "\n".join(lines) + "\n"


def render_measure(report: MeasureReport) -> str:
    """The terminal's tables as GFM tables under a heading per measure; user text escaped.

    Periods are columns when there are at most a dozen (a markdown table has no width to keep
    within), else rows; see :mod:`cxscore.render.measures`.
    """
    from cxscore.render.measures import legend, measure_tables, wide_possible

    wide = wide_possible(report)
    lines = [f"# Measures of {markdown_inline(report.source)}", ""]
    for measure_table in measure_tables(report, wide):
        if measure_table.title:
            note = f" ({measure_table.note})" if measure_table.note else ""
            lines += [f"## {markdown_inline(measure_table.title)}{note}", ""]
        columns = measure_table.columns
        header = [markdown_inline(column.header) for column in columns]
        align = "".join("l" if column.is_label else "r" for column in columns)
        rows = [
            [_measure_cell(column, cell) for column, cell in zip(columns, row.cells, strict=True)]
            for row in measure_table.rows
        ]
        lines += [*table(header, rows, align), ""]
    lines += [markdown_inline(line) for line in legend(report, wide)]
    return "\n".join(lines).rstrip("\n") + "\n"


def _measure_cell(column: TableColumn, cell: tuple[str, ...]) -> str:
    """A measure table's cell as markdown: its pieces joined (``+28.2 ±5.7 n=773``), escaped."""
    roles = {part.role for part in column.parts}
    text = ""
    for part, piece in zip(column.parts, cell, strict=True):
        if not piece:
            continue
        if part.role == "n" and "value" in roles:
            piece = f"n={piece}"
        text += (part.gap if text else "") + piece
    return markdown_inline(text)


def render_frameworks(frameworks: list[Framework]) -> str:
    """The frameworks as a GFM table: id, name, how metrics are scored, metric count."""
    from cxscore.render.frameworks import metrics_scored, scoring_text

    rows = [
        [
            markdown_inline(framework.id),
            markdown_inline(framework.name),
            metrics_scored(framework),
            scoring_text(framework),
            str(len(framework.metrics)),
        ]
        for framework in frameworks
    ]
    header = ["Id", "Name", "Metrics scored", "Scoring", "Metrics"]
    return "\n".join(["# Frameworks", "", *table(header, rows, "llllr")]) + "\n"


def render_framework(framework: Framework) -> str:
    """One framework in full: description, source, scale, bands, a table of metrics, then each metric."""
    from cxscore.render.frameworks import anchor_sources, metric_scoring, rating_scale

    lines = [f"# {markdown_inline(framework.name)} ({markdown_inline(framework.id)})", ""]
    lines += [markdown_block(framework.description), ""]
    if framework.source:
        lines += [f"**Source:** {markdown_block(framework.source)}", ""]
    scale = rating_scale(framework)
    if scale:
        lines += [f"**Rating scale:** {scale}, scoring: {framework.scoring}", ""]
    bands = ", ".join(f"{markdown_inline(band.name)} ≥ {band.min:g}%" for band in framework.bands)
    lines += [f"**Bands:** {bands}", ""]
    if framework.bands_source:
        lines += [f"**Bands source:** {markdown_block(framework.bands_source)}", ""]
    rows = [
        [
            markdown_inline(metric.id),
            markdown_inline(metric.name),
            format_rating(metric.weight),
            markdown_inline(metric_scoring(metric, framework)),
        ]
        for metric in framework.metrics
    ]
    lines += [*table(["Id", "Metric", "Weight", "Scored as"], rows, "llrl"), ""]
    for metric in framework.metrics:
        lines += [f"## {markdown_inline(metric.name)}", "", markdown_block(metric.description), ""]
        lines += [line for source in anchor_sources(metric) for line in (f"*{markdown_block(source)}*", "")]
        if metric.remediation:
            lines += [f"*To improve:* {markdown_block(metric.remediation)}", ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def _history_cell(line: Line, index: int) -> str:
    """A period's cell: ``80.0% (+20.0)``, the score alone in the first period, ``—`` for a gap."""
    point = line.points[index]
    if point.score_percent is None:
        return "—"
    text = format_percent(point.score_percent)
    return text if point.change is None else f"{text} ({format_delta(point.change)})"


def _history_section(history: History) -> list[str]:
    from cxscore.render.history import period_span, sparkline

    frameworks = " → ".join(f"`{markdown_inline(framework)}`" for framework in history.frameworks)
    overall = history.overall.points
    summary = f"Overall {sparkline(history.overall.scores)} {format_percent(overall[0].score_percent or 0.0)}"
    if len(overall) > 1:
        latest, first = overall[-1].score_percent or 0.0, overall[0].score_percent or 0.0
        summary += (
            f" → **{format_percent(latest)}** ({format_delta(latest - first)} points since "
            f"{history.periods[0].assessed.isoformat()})"
        )
    lines = [f"## {markdown_inline(history.brand)}", "", f"{frameworks} · {period_span(history)}", ""]
    lines += [summary, "", *_notes(history.notes())]
    header = ["Metric", *(period.assessed.isoformat() for period in history.periods)]
    rows = []
    for line in (*history.lines, history.overall):
        cells = [_history_cell(line, index) for index in range(len(history.periods))]
        if line is history.overall:
            rows.append(["**Overall**", *(f"**{cell}**" if cell != "—" else cell for cell in cells)])
        else:
            rows.append([markdown_inline(line.name), *cells])
    lines += table(header, rows, "l" + "r" * len(history.periods))
    return [*lines, ""]


def render_history(report: HistoryReport) -> str:
    """A section per brand: the overall's sparkline, then a table of metrics by period with each change."""
    lines = _heading("CX history")
    for history in report.histories:
        lines += _history_section(history)
    return "\n".join(lines).rstrip("\n") + "\n"


def render_plan(report: PlanReport) -> str:
    """The plans as one GFM table: measure, margin or change (and power), answers needed, assumption."""
    from cxscore.render.plans import PLAN_HEADER, assumptions, plan_cells

    rows = [[markdown_inline(cell) for cell in plan_cells(plan)] for plan in report.plans]
    lines = ["# Answers needed", "", markdown_inline(assumptions(report)), ""]
    return "\n".join([*lines, *table(list(PLAN_HEADER), rows, "lrrrr")]) + "\n"


def render_customers(report: CustomersReport) -> str:
    """The summary, segments and model as two-column tables, then the listed customers; ids escaped."""
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

    def pairs(lines: list[tuple[str, str]]) -> list[str]:
        return table(["", ""], [[markdown_inline(a), markdown_inline(b)] for a, b in lines], "lr")

    lines = [*_heading(f"Customers of {markdown_inline(report.source)}"), *pairs(summary_lines(report)), ""]
    lines += ["## Segments (RFM)", ""]
    lines += table(
        ["segment", "customers"], [[markdown_inline(n), f"{c:,}"] for n, c in segment_lines(report)], "lr"
    )
    lines += ["", "## Model: BG/NBD + Gamma-Gamma", "", *pairs(model_lines(report)), ""]
    lines += [f"## {markdown_inline(title(report))}", ""]
    align = "".join("l" if name in TEXT_COLUMNS else "r" for name in LIST_HEADER)
    rows = [[markdown_inline(cell) for cell in row_cells(row)] for row in report.listed]
    lines += (
        table([markdown_inline(name) for name in LIST_HEADER], rows, align)
        if rows
        else ["No customer in this list."]
    )
    more = more_line(report)
    if more:
        lines += ["", markdown_inline(more)]
    return "\n".join(lines) + "\n"


def render_drivers(report: DriversReport) -> str:
    """Per model: its fit, then one table per importance–performance quadrant; user text escaped."""
    from cxscore.render.drivers import (
        HEADER,
        TEXT_COLUMNS,
        driver_cells,
        group_label,
        method_note,
        model_summary,
        report_title,
    )

    lines = _heading(markdown_inline(report_title(report)))
    align = "".join("l" if i in TEXT_COLUMNS else "r" for i in range(len(HEADER)))
    for model in report.models:
        label = group_label(model)
        if label is not None:
            lines += [f"## {markdown_inline(label)}", ""]
        lines += [markdown_inline(model_summary(model)), ""]
        for quadrant, drivers in model.quadrant_groups():
            rows = [[markdown_inline(cell) for cell in driver_cells(driver)] for driver in drivers]
            lines += [f"**{markdown_inline(quadrant.value.capitalize())}**", ""]
            lines += [*table([markdown_inline(h) for h in HEADER], rows, align), ""]
    lines.append(markdown_inline(method_note(report)))
    return "\n".join(lines) + "\n"
