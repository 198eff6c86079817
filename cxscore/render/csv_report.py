"""CSV exports for spreadsheets, with stable column names and unrounded numbers.

``rate`` gives one row per brand x metric (a rated metric fills ``rating``; a measured one ``value``,
``unit``, ``ci_low``..``ci_high`` and ``n``), ``compare`` one row per compared line (each shared
metric, then the overall) x brand, ``rank`` one row per brand. Text that a spreadsheet would run as a
formula (starting with ``=``, ``+``, ``-``, ``@``) is prefixed with an apostrophe: brand names and
notes are user input, and CSV injection turns them into commands when the file is opened.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, cast

from cxscore.render import Pieces
from cxscore.textsafe import clean_block

if TYPE_CHECKING:
    from cxscore.compare import Comparison
    from cxscore.data.customer_report import CustomersReport
    from cxscore.data.driver_model import DriversReport
    from cxscore.data.model import MeasureReport
    from cxscore.data.plan import PlanReport
    from cxscore.history import HistoryReport
    from cxscore.rank import Leaderboard
    from cxscore.report import RateReport, RateStream
    from cxscore.scoring import MetricScore, ScoreResult

RATE_COLUMNS = (
    "brand",
    "path",
    "framework",
    "assessed",
    "overall_percent",
    "band",
    "coverage_percent",
    "low_coverage",
    "overall_ci_low",
    "overall_ci_high",
    "krippendorff_alpha",
    "metric_id",
    "metric_name",
    "rated",
    "rating",
    "scale_min",
    "scale_max",
    "value",
    "unit",
    "ci_low",
    "ci_high",
    "n",
    "n_effective",
    "survey_weight",
    "significant",
    "weight",
    "score_percent",
    "points_lost",
    "score_ci_low",
    "score_ci_high",
    "assessor_ratings",
    "assessor_sd",
    "note",
)
WHAT_IF_COLUMNS = ("what_if_rating", "what_if_score_percent", "what_if_overall_percent")
BASELINE_COLUMNS = ("baseline_score_percent", "score_change", "baseline_overall_percent", "overall_change")
COMPARE_COLUMNS = (
    "metric_id",
    "metric_name",
    "brand_index",
    "brand",
    "path",
    "framework",
    "rated",
    "rating",
    "score_percent",
    "best",
    "delta",
    "overall_ci_low",
    "overall_ci_high",
    "rank",
    "rank_low",
    "rank_high",
    "p_above_next",
    "tied_with_next",
)
RANK_COLUMNS = (
    "rank",
    "brand",
    "path",
    "framework",
    "overall_percent",
    "overall_ci_low",
    "overall_ci_high",
    "rank_low",
    "rank_high",
    "p_above_next",
    "tied_with_next",
    "band",
    "coverage_percent",
    "low_coverage",
    "rated_metrics",
    "metrics",
    "strongest_metric_id",
    "strongest_metric",
    "strongest_score_percent",
    "weakest_metric_id",
    "weakest_metric",
    "weakest_score_percent",
)
HISTORY_COLUMNS = (
    "brand",
    "assessed",
    "path",
    "framework",
    "metric_id",
    "metric_name",
    "rated",
    "score_percent",
    "change",
)

Cell = str | float | int | bool | None
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_text(value: str | None) -> str:
    """User text for a cell: controls made visible, formula starts neutralised.

    A spreadsheet skips leading blanks and line breaks before it looks for a formula, so text whose
    first visible character starts one (``"\n=HYPERLINK(...)"``, ``"  +1"``) is guarded too.
    """
    if value is None:
        return ""
    text = clean_block(value)
    return "'" + text if text.lstrip().startswith(_FORMULA_STARTS) else text


def csv_value(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        # NaN and infinity are no numbers a spreadsheet reads (and "-inf" would start a formula).
        return repr(value) if math.isfinite(value) else ""
    return str(value)


def csv_document(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> str:
    """The CSV text of a header and rows; numbers unrounded, user text already through ``csv_text``."""
    return "".join(csv_pieces(header, rows))


def csv_pieces(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> Iterator[str]:
    """:func:`csv_document` a piece at a time: the header, then a piece per ~1,000 rows as they come."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([csv_text(name) for name in header])
    for number, row in enumerate(rows, start=1):
        writer.writerow([csv_value(value) for value in row])
        if not number % 1000:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _brand_cells(result: ScoreResult) -> list[Cell]:
    assessed = result.assessed.isoformat() if result.assessed else None
    return [
        csv_text(result.brand),
        csv_text(result.path),
        result.framework_id,
        assessed,
        result.overall_percent,
        csv_text(result.band),
        result.coverage_percent,
        result.low_coverage,
        result.overall_ci_low,
        result.overall_ci_high,
        result.krippendorff_alpha,
    ]


def _metric_cells(metric: MetricScore, result: ScoreResult) -> list[Cell]:
    return [
        metric.id,
        csv_text(metric.name),
        metric.rated,
        metric.rating,
        result.scale_min,
        result.scale_max,
        metric.value,
        csv_text(metric.unit),
        metric.ci_low,
        metric.ci_high,
        metric.n,
        metric.n_effective,
        csv_text(metric.survey_weight),
        metric.significant,
        metric.weight,
        metric.score_percent,
        metric.points_lost,
        metric.score_ci_low,
        metric.score_ci_high,
        None if metric.assessments is None else csv_text(";".join(f"{r:g}" for r in metric.assessments)),
        metric.assessor_sd,
        csv_text(metric.note),
    ]


def render_rate(report: RateReport) -> str:
    """One row per brand x metric; what-if and baseline columns are appended when asked for."""
    header = list(RATE_COLUMNS)
    if report.what_ifs:
        header += WHAT_IF_COLUMNS
    if report.change is not None:
        header += BASELINE_COLUMNS
    rows: list[list[Cell]] = []
    for result, what_if, change in report.sections():
        for index, metric in enumerate(result.metrics):
            row = _brand_cells(result) + _metric_cells(metric, result)
            if what_if is not None:
                future = what_if.hypothetical.metrics[index]
                given = future.rating if future.rating is not None else future.value
                row += [given, future.score_percent, what_if.hypothetical.overall_percent]
            elif report.what_ifs:
                row += [None] * len(WHAT_IF_COLUMNS)
            if change is not None:
                line = next((r for r in change.rows if r.id == metric.id), None)
                before, delta = (None, None) if line is None else (line.scores[0], line.delta)
                row += [before, delta, change.overall.scores[0], change.overall.delta]
            elif report.change is not None:
                row += [None] * len(BASELINE_COLUMNS)
            rows.append(row)
    return csv_document(header, rows)


def render_rate_stream(stream: RateStream) -> Pieces:
    """:func:`render_rate` for a portfolio, written as each brand is scored."""
    rows = (
        _brand_cells(result) + _metric_cells(metric, result)
        for result in stream.results
        for metric in result.metrics
    )
    return Pieces(csv_pieces(RATE_COLUMNS, rows), settled=False)


def render_compare(comparison: Comparison) -> str:
    """One row per compared line (shared metrics, then ``overall``) x brand; ``delta`` is 2 - 1."""
    rows: list[list[Cell]] = []
    for line in (*comparison.rows, comparison.overall):
        for index, result in enumerate(comparison.results):
            score = line.scores[index]
            standing: list[Cell] = [None] * 7
            if line is comparison.overall and comparison.standings:
                place = comparison.standings[index]
                standing = [
                    result.overall_ci_low,
                    result.overall_ci_high,
                    place.rank,
                    place.rank_low,
                    place.rank_high,
                    place.p_above_next,
                    place.tied_with_next,
                ]
            rows.append(
                [
                    line.id,
                    csv_text(line.name),
                    index + 1,
                    csv_text(result.brand),
                    csv_text(result.path),
                    result.framework_id,
                    score is not None,
                    line.ratings[index],
                    score,
                    index in line.best,
                    line.delta,
                    *standing,
                ]
            )
    return csv_document(COMPARE_COLUMNS, rows)


def render_rank(board: Leaderboard) -> str:
    """One row per ranked brand, best first (the first ``--top`` only)."""
    rows: list[list[Cell]] = [
        [
            entry.rank,
            csv_text(entry.brand),
            csv_text(entry.path),
            entry.framework_id,
            entry.overall_percent,
            entry.overall_ci_low,
            entry.overall_ci_high,
            entry.rank_low,
            entry.rank_high,
            entry.p_above_next,
            entry.tied_with_next,
            csv_text(entry.band),
            entry.coverage_percent,
            entry.low_coverage,
            entry.rated_count,
            entry.metric_count,
            entry.strongest.id,
            csv_text(entry.strongest.name),
            entry.strongest.score_percent,
            entry.weakest.id,
            csv_text(entry.weakest.name),
            entry.weakest.score_percent,
        ]
        for entry in board.shown
    ]
    return csv_document(RANK_COLUMNS, rows)


def render_measure(report: MeasureReport) -> str:
    """One row per result; group columns by name; the JSON fields as the other columns.

    Under ``--weight`` every row names the weight column; under ``--trend`` or ``--vs-rest`` every
    row carries the run's number of tests and their adjustment. Group column names and values, and
    the weight column's name, are user text: through ``csv_text`` like every other cell.
    """
    from cxscore.render.measures import group_text

    keys = [*report.by, *([report.trend] if report.trend else [])]
    trend = report.trend is not None
    fields = ["value", "n", "n_effective", "invalid", "ci_low", "ci_high"]
    if report.has_response_time:
        fields += ["median", "p90", "p90_ci_low", "p90_ci_high"]
    if trend:
        fields += ["change", "base"]
    if report.vs_rest:
        fields += ["vs_rest"]
    if report.tested:
        fields += ["p_value", "p_adjusted", "significant", "test_note"]
    run: list[Cell] = []
    run_columns: list[str] = []
    if report.weight is not None:
        run_columns.append("weight")
        run.append(csv_text(report.weight))
    if report.tested:
        run_columns += ["tests", "adjustment"]
        run += [report.tests, report.adjustment]
    rows = []
    for result in report.results:
        entry = result.to_dict(trend, report.vs_rest)
        group = result.group or {}
        row: list[Cell] = [entry["measure"], csv_text(result.column)]
        row += [csv_text(group_text(group[key])) if key in group else None for key in keys]
        row += [_measure_cell(name, entry.get(name)) for name in fields]
        rows.append(row + run)
    return csv_document(["measure", "column", *keys, *fields, *run_columns], rows)


def _measure_cell(name: str, value: Any) -> Cell:
    """A measure field as a cell: the base period and the note are text (user text for the base)."""
    if name in ("base", "test_note"):
        return None if value is None else csv_text(str(value))
    return cast("Cell", value)


PLAN_COLUMNS = ("measure", "moe", "change", "power", "n", "assumed")


def render_plan(report: PlanReport) -> str:
    """One row per plan, the JSON fields as columns."""
    rows = [[p.measure, p.moe, p.change, p.power, p.n, csv_text(p.assumed)] for p in report.plans]
    return csv_document(PLAN_COLUMNS, rows)


def render_history(report: HistoryReport) -> str:
    """One row per brand x period x followed line (the shared metrics, then ``overall``), by brand and
    date; ``change`` is the unrounded difference in points from the period before (empty for the
    first period and across a gap)."""
    rows: list[list[Cell]] = []
    for history in report.histories:
        for index, period in enumerate(history.periods):
            result = period.result
            for line in (*history.lines, history.overall):
                point = line.points[index]
                rows.append(
                    [
                        csv_text(history.brand),
                        period.assessed.isoformat(),
                        csv_text(result.path),
                        csv_text(result.framework_id),
                        line.id,
                        csv_text(line.name),
                        point.score_percent is not None,
                        point.score_percent,
                        point.change,
                    ]
                )
    return csv_document(HISTORY_COLUMNS, rows)


def render_customers(report: CustomersReport) -> str:
    """One row per listed customer in the report, with the columns ``-o x.csv`` writes through the
    engine for every listed customer; customer ids guarded against formulas."""
    from cxscore.data.customer_report import EXPORT_COLUMNS

    rows = []
    for row in report.listed:
        entry = row.to_dict()
        values: dict[str, Cell] = {
            **entry,
            "customer": csv_text(row.customer),
            "r": row.r,
            "f": row.f,
            "m": row.m,
        }
        rows.append([values[name] for name in EXPORT_COLUMNS])
    return csv_document(EXPORT_COLUMNS, rows)


def render_drivers(report: DriversReport) -> str:
    """One row per driver (per segment with --by): the model's fields, then the driver's, unrounded."""
    from cxscore.data.model import plain_value

    model_fields = ["outcome", "n", "invalid", "r_squared", "adjusted_r_squared"]
    driver_fields = ["driver", "metric", "relative_weight", "share_percent", "ci_low", "ci_high", "shapley"]
    driver_fields += ["beta", "r", "vif", "mean", "performance_percent", "quadrant"]
    rows = []
    for model in report.models:
        entry = model.to_dict()
        group = model.group or {}
        for driver in entry["drivers"]:
            row: list[Cell] = [csv_text(_text(plain_value(group.get(key)))) for key in report.by]
            row += [csv_text(entry[name]) if name == "outcome" else entry[name] for name in model_fields]
            row += [
                csv_text(driver[name]) if name in ("driver", "metric", "quadrant") else driver[name]
                for name in driver_fields
            ]
            rows.append(row)
    return csv_document([*report.by, *model_fields, *driver_fields], rows)


def _text(value: Cell) -> str | None:
    return None if value is None else str(value)
