"""Every measure as an Ibis expression, run as one aggregation per grouping on the engine.

For each requested measure the answers column is parsed into a number that is NULL whenever the
answer is blank, unparseable or outside the measure's scale; one aggregation then counts, sums or
takes quantiles of all the parsed columns at once, and only that one row per group comes back to
Python, where :mod:`cxscore.data.stats` turns it into values and intervals. A decimal comma
(``9,94``) is read by the engine too, as part of the parse.

Survey weights (``--weight``) turn the counts into sums of weights and add Σw and Σw² for Kish's
effective n; response times number their rows within each group (a window) so that the order
statistics of their distribution-free intervals come back in the same row. The tests of a run (each
period against its base, each segment against the rest of the rows, whose aggregates are the overall
ones minus the segment's) are computed in Python from those rows and adjusted together.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import Any, NamedTuple

import ibis
import ibis.common.exceptions as ibis_errors
import ibis.expr.datatypes as dt
from ibis.backends import BaseBackend
from ibis.expr.types import BooleanValue, Column, NumericColumn, Table

from cxscore import compat
from cxscore.data import stats
from cxscore.data.model import (
    LABELS,
    VALID_ANSWERS,
    MeasureKind,
    MeasureOptions,
    MeasureReport,
    MeasureResult,
    MeasureSpec,
)
from cxscore.data.sources import Dataset, engine_errors, shorten
from cxscore.errors import InputError, Issue, UsageError

#: The valid answers of the measures asked on a fixed integer scale (DOMAIN.md conventions).
SCALES: dict[MeasureKind, range] = {
    MeasureKind.nps: range(0, 11),
    MeasureKind.csat: range(1, 6),
    MeasureKind.ces: range(1, 8),
}
TRUE_WORDS = ("true", "yes", "1", "1.0")
FALSE_WORDS = ("false", "no", "0", "0.0")
# A decimal number as text, for engines without TRY_CAST (SQLite would cast "abc" to 0). Written so
# that a string can match in one way only: "[0-9]+[.]?[0-9]*" backtracked quadratically on a long run
# of digits that did not end a number (the SQLite backend runs it in Python on every cell).
NUMBER_PATTERN = r"^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]+)?$"
_QUANTILES = (0.5, 0.9)
DECIMAL_COMMA_HINT = "its numbers have a decimal comma: give --decimal-comma"
DECIMAL_COMMA = re.compile(r"\s*[+-]?[0-9]+,[0-9]+\s*$")

Row = dict[str, Any]
# Backends whose raw_sql returns a DB-API cursor (DuckDB's connection, a sqlite3 cursor).
_CURSOR_BACKENDS = frozenset({"duckdb", "sqlite"})


def measure_dataset(
    dataset: Dataset,
    specs: Sequence[MeasureSpec],
    by: Sequence[str] = (),
    trend: str | None = None,
    options: MeasureOptions | None = None,
) -> MeasureReport:
    """Compute ``specs`` over all rows, per ``by`` segment, and per ``trend`` period with changes.

    The groupings are: all rows; the ``by`` columns together; and with ``trend``, the trend column
    alone and the ``by`` columns with the trend column. Each grouping is one aggregation query.
    ``specs`` is never empty: :func:`cxscore.data.compute_measures` refuses that before any scan.
    ``options`` adds survey weights, segment-vs-rest tests, the n floor of tests and the adjustment
    of all the run's p-values (see :class:`MeasureOptions`).
    """
    options = options or MeasureOptions()
    by = tuple(dict.fromkeys(by))
    if trend is not None and trend in by:
        raise UsageError(Issue("--trend", f"'{trend}' is also a --by column: use it in one of them"))
    if options.vs_rest and not by:
        raise UsageError(Issue("--vs-rest", "compares each --by segment with the rest: give --by COL"))
    if options.adjust not in stats.ADJUSTMENTS:
        raise UsageError(
            Issue("--adjust", f"'{options.adjust}' is not one of {', '.join(stats.ADJUSTMENTS)}")
        )
    table = dataset.table
    weight = options.weight
    check_columns(
        dataset,
        [spec.column for spec in specs]
        + list(by)
        + ([trend] if trend else [])
        + ([weight] if weight else []),
    )
    # Every column of the parsed table has an internal name, the group keys too: a data column
    # called "__cx_rows" cannot collide with an aggregate.
    internal = {key: f"__cx_k{j}" for j, key in enumerate((*by, *([trend] if trend else [])))}
    weights = {"__cx_w": weight_column(dataset, weight)} if weight else {}
    parsed = table.select(
        **{name: table[key] for key, name in internal.items()},
        **weights,
        **{f"__cx_m{i}": _parse(dataset, spec, weights.get("__cx_w")) for i, spec in enumerate(specs)},
        **{f"__cx_r{i}": _raw_text(table[spec.column]) for i, spec in enumerate(specs)},
    )
    weighted = weight is not None
    overall_row = _run(dataset, parsed, (), specs, weighted, examples=True)[0]
    rows_total = int(overall_row["__cx_rows"])
    if rows_total == 0:
        raise InputError(dataset.issue("no data rows: the source has a header but no rows"))
    warnings: list[str] = []
    if weighted and any(spec.kind is MeasureKind.response_time for spec in specs):
        warnings.append(
            f"{dataset.label}: warning: response times are not weighted: their median and p90 count "
            "every valid row once"
        )
    results = _overall_results(dataset, specs, overall_row, warnings, weighted, options.min_n)
    groupings: list[tuple[str, ...]] = [by] if by else []
    if trend is not None:
        groupings += [(trend,)] + ([(*by, trend)] if by else [])
    segment_results: list[MeasureResult] = []
    for keys in groupings:
        inner = tuple(internal[key] for key in keys)
        rows = _sorted(_run(dataset, parsed, inner, specs, weighted), inner)
        found = [
            _result(spec, i, row, {key: row[internal[key]] for key in keys}, weighted, options.min_n)
            for row in rows
            for i, spec in enumerate(specs)
        ]
        if trend is not None and trend in keys:
            found = _with_changes(found, trend, options.min_n)
        elif options.vs_rest:
            found = _against_rest(found, rows, overall_row, specs, weighted, options.min_n)
        segment_results += found
    small = sum(1 for result in segment_results if result.insufficient_n)
    if small:
        warnings.append(
            f"{dataset.label}: warning: {small} of {len(segment_results)} segment results rest on fewer "
            f"than {options.min_n} valid answers (insufficient n: shown, never tested)"
        )
    everything, tests = _adjusted(results + segment_results, options.adjust)
    return MeasureReport(
        dataset.label,
        tuple(everything),
        by,
        trend,
        tuple(warnings),
        weight=weight,
        vs_rest=options.vs_rest,
        tests=tests,
        adjustment=options.adjust,
        min_n=options.min_n,
    )


def weight_column(dataset: Dataset, column: str) -> Column:
    """Survey weights as float64: NULL (an invalid row) when blank, negative, unparseable or not finite."""
    value = _as_text_if_json(dataset.table[column])
    kind = value.type()
    if kind.is_numeric():
        number = value.cast(dt.float64)
    elif kind.is_string():
        number = text_to_number(dataset.backend, value, bool(dataset.decimal_comma))
    else:
        message = f"column '{column}' holds {shorten(str(kind), 80)}, but weights are non-negative numbers"
        raise InputError(dataset.issue(message, column))
    # The upper bound drops inf and NaN (NaN sorts above every number on DuckDB and Postgres).
    valid = (number >= 0) & (number <= sys.float_info.max)
    return ibis.ifelse(valid, number, ibis.null(dt.float64))


# Parsing --------------------------------------------------------------------------------------------


def check_columns(dataset: Dataset, columns: Iterable[str]) -> None:
    """Every column asked for exists; else one located issue per missing column."""
    available = set(dataset.table.columns)
    issues = []
    for column in dict.fromkeys(columns):
        if column in available:
            continue
        issues.append(dataset.issue(f"no column '{column}'{dataset.listing(column)}", column))
    if issues:
        raise InputError(issues)


def _parse(dataset: Dataset, spec: MeasureSpec, weight: Column | None = None) -> Column:
    """The answers of ``spec.column`` as float64, NULL when blank, unparseable or out of scale (or,
    under survey weights, when the row's weight is invalid)."""
    parsed = _parse_answer(dataset, spec)
    if weight is None:
        return parsed
    return ibis.ifelse(weight.notnull(), parsed, ibis.null(dt.float64))


def _parse_answer(dataset: Dataset, spec: MeasureSpec) -> Column:
    column = _as_text_if_json(dataset.table[spec.column])
    kind = spec.kind
    dtype = column.type()
    if dtype.is_boolean() and kind is MeasureKind.fcr:
        return ibis.cases((column, 1.0), (~column, 0.0), else_=ibis.null(dt.float64))
    if dtype.is_string() and kind is MeasureKind.fcr:
        return ibis.cases((yes_no(column), 1.0), (~yes_no(column), 0.0), else_=ibis.null(dt.float64))
    if dtype.is_string():
        number = text_to_number(dataset.backend, column, dataset.decimal_comma)
    elif dtype.is_numeric():
        number = column.cast(dt.float64)
    else:
        raise InputError(
            dataset.issue(
                f"column '{spec.column}' holds {shorten(str(dtype), 80)}, but {LABELS[kind]} needs "
                f"{VALID_ANSWERS[kind]}",
                spec.column,
            )
        )
    if kind is MeasureKind.fcr:
        valid = number.isin([0.0, 1.0])
    elif kind is MeasureKind.response_time:
        # The upper bound also drops inf and (on DuckDB and Postgres, where NaN sorts above every
        # number) NaN, which parse as numbers but are not durations.
        valid = (number >= 0) & (number <= sys.float_info.max)
    else:
        valid = number.isin([float(v) for v in SCALES[kind]])
    return ibis.ifelse(valid, number, ibis.null(dt.float64))


def yes_no(column: Column) -> BooleanValue:
    """A yes/no answer however it is written (true/false, yes/no, 1/0, any case); NULL otherwise."""
    text = column.cast(dt.string).strip().lower()
    return ibis.cases(
        (text.isin(TRUE_WORDS), True), (text.isin(FALSE_WORDS), False), else_=ibis.null(dt.boolean)
    )


def text_to_number(backend: BaseBackend, text: Column, decimal_comma: bool = False) -> NumericColumn:
    """Text parsed as a float64, NULL when it is not a number; with ``decimal_comma``, ``9,94`` is 9.94."""
    if decimal_comma:
        text = text.replace(",", ".")
    if backend.name == "duckdb":
        # DuckDB's cast already ignores surrounding whitespace; Ibis's strip() compiles to a
        # TRIM(x, chars) that doubled the time of a 10M-row scan.
        return text.try_cast(dt.float64)
    stripped = text.strip()
    if compat.ibis_supports(backend, "TryCast"):
        return stripped.try_cast(dt.float64)
    matches: BooleanValue = stripped.re_search(NUMBER_PATTERN)
    return ibis.ifelse(matches, stripped.cast(dt.float64), ibis.null(dt.float64))


def _as_text_if_json(column: Column) -> Column:
    """A JSON column (NDJSON fields of mixed types) as text: strings unquoted, other values as written."""
    if not column.type().is_json():
        return column
    return column.str.fill_null(column.cast(dt.string))


def _raw_text(column: Column) -> Column:
    """The answer as written, for quoting an invalid one in a message."""
    column = _as_text_if_json(column)
    return column if column.type().is_string() else column.cast(dt.string)


# Aggregation ----------------------------------------------------------------------------------------


def _aggregates(
    parsed: Table, specs: Sequence[MeasureSpec], quantiles: bool, weighted: bool
) -> dict[str, Any]:
    """Every count, sum and quantile the measures need, as named Ibis reductions over ``parsed``.

    Under survey weights the counts of promoters, detractors and top answers and the CES sums are
    sums of weights (Σw, Σw·x, Σw·x²), and Σw and Σw² give Kish's effective n.
    """
    aggregates: dict[str, Any] = {"__cx_rows": parsed.count()}
    for i, spec in enumerate(specs):
        value = parsed[f"__cx_m{i}"]
        name = _names(i)
        aggregates[name.n] = value.count()
        if weighted and spec.kind is not MeasureKind.response_time:
            w = parsed["__cx_w"]
            aggregates[name.weights] = w.sum(where=value.notnull())
            aggregates[name.weight_squares] = (w * w).sum(where=value.notnull())

            count = _weight_sum(w)
            total, squares = (w * value).sum(), (w * value * value).sum()
        else:
            count = _row_count(parsed)
            total, squares = value.sum(), (value * value).sum()
        if spec.kind is MeasureKind.nps:
            aggregates[name.promoters] = count(value >= 9)
            aggregates[name.detractors] = count(value <= 6)
        elif spec.kind is MeasureKind.csat:
            aggregates[name.top] = count(value >= 4)
        elif spec.kind is MeasureKind.fcr:
            aggregates[name.top] = count(value == 1)
        elif spec.kind is MeasureKind.ces:
            aggregates[name.sum] = total
            aggregates[name.squares] = squares
        elif quantiles:
            for q in _QUANTILES:
                aggregates[f"__cx_m{i}_q{q}"] = value.quantile(q)
    return aggregates


def _weight_sum(w: Any) -> Callable[[Any], Any]:
    """Σw over the rows where a condition holds: the weighted count."""
    return lambda condition: w.sum(where=condition)


def _row_count(parsed: Table) -> Callable[[Any], Any]:
    """The rows where a condition holds."""
    return lambda condition: parsed.count(where=condition)


def _run(
    dataset: Dataset,
    parsed: Table,
    keys: tuple[str, ...],
    specs: Sequence[MeasureSpec],
    weighted: bool = False,
    examples: bool = False,
) -> list[Row]:
    """One aggregation over ``parsed`` grouped by ``keys`` (one row when there are none).

    With a response time, the rows are first numbered within each group (a window), so that the same
    aggregation also brings back the order statistics of the median's and p90's intervals.
    """
    backend = dataset.backend
    native_quantiles = compat.ibis_supports(backend, "Quantile")
    timed = [i for i, spec in enumerate(specs) if spec.kind is MeasureKind.response_time]
    if timed:
        parsed = _ranked(parsed, keys, timed)
    aggregates = _aggregates(parsed, specs, native_quantiles, weighted)
    for i in timed:
        aggregates.update(_order_statistics(parsed, i))
    if examples:
        for i, spec in enumerate(specs):
            raw = parsed[f"__cx_r{i}"]
            invalid = parsed[f"__cx_m{i}"].isnull()
            # max, not min: whitespace sorts first, and a real value makes the better example.
            aggregates[f"__cx_m{i}_example"] = raw.max(where=invalid & raw.notnull())
            if not dataset.decimal_comma and spec.kind is MeasureKind.response_time:
                # An invalid answer with a comma, checked for a decimal comma in Python: a hint to give
                # --decimal-comma. min, for a number sorts before a word; response times only, the one
                # measure whose answers are not integers (a full number check cost a quarter of a scan).
                aggregates[f"__cx_m{i}_comma_example"] = raw.min(where=invalid & raw.contains(","))
    expression = (
        parsed.group_by(list(keys)).aggregate(**aggregates) if keys else parsed.aggregate(**aggregates)
    )
    rows = fetch(dataset, expression)
    if timed:
        if not native_quantiles:
            _add_order_statistics(dataset, parsed, keys, specs, rows)
        for i in timed:
            _add_quantile_intervals(i, rows)
    return rows


def fetch(dataset: Dataset, expression: Table) -> list[Row]:
    """Execute an aggregation; only its result rows come back."""
    backend = dataset.backend
    try:
        if backend.name in _CURSOR_BACKENDS:
            # The compiled SQL through the driver's own cursor: the result is a few numbers, and
            # Ibis's Arrow/pandas result conversion would cost more start-up time than the query.
            return compat.ibis_cursor_rows(backend, expression)
        if backend.name == "pyspark":
            return compat.ibis_spark_rows(backend, expression)
        rows: list[Row] = expression.to_pyarrow().to_pylist()
        return rows
    # An operation the engine has no translation for (OperationNotDefinedError and
    # UnsupportedOperationError are both TranslationErrors).
    except ibis_errors.TranslationError as error:
        reason = dataset.engine.describe(error)
        message = f"the {backend.name} engine cannot compute this measure: {reason}"
        raise UsageError(Issue("--engine", message)) from None
    except engine_errors(backend) as error:
        raise InputError(dataset.engine_issue(error)) from None


def _add_order_statistics(
    dataset: Dataset, parsed: Table, keys: tuple[str, ...], specs: Sequence[MeasureSpec], rows: list[Row]
) -> None:
    """Median and p90 on engines without a quantile aggregate (SQLite), from ranked rows.

    A window numbers each group's valid values in order; only the two order statistics around each
    quantile's position come back, and :func:`stats.interpolated_quantile` interpolates them, which
    gives exactly what ``quantile_cont`` gives on DuckDB.
    """
    for i, spec in enumerate(specs):
        if spec.kind is not MeasureKind.response_time:
            continue
        value = parsed[f"__cx_m{i}"]
        valid = parsed.filter(value.notnull())
        window = ibis.window(group_by=[valid[key] for key in keys], order_by=valid[f"__cx_m{i}"])
        ranked = valid.select(
            *keys,
            __cx_x=valid[f"__cx_m{i}"],
            __cx_position=ibis.row_number().over(window),
            __cx_count=valid[f"__cx_m{i}"].count().over(ibis.window(group_by=[valid[key] for key in keys])),
        )
        position = ranked["__cx_position"]
        wanted = ibis.literal(False)
        for q in _QUANTILES:
            low = ((ranked["__cx_count"] - 1) * q).floor()
            wanted |= (position == low) | (position == low + 1)
        found: dict[tuple[Any, ...], dict[int, float]] = {}
        for row in fetch(dataset, ranked.filter(wanted)):
            group = tuple(row[key] for key in keys)
            found.setdefault(group, {})[int(row["__cx_position"])] = row["__cx_x"]
        for row in rows:
            n = int(row[f"__cx_m{i}_n"])
            values = found.get(tuple(row[key] for key in keys), {})
            for q in _QUANTILES:
                low, high = stats.quantile_positions(q, n) if n else (0, 0)
                row[f"__cx_m{i}_q{q}"] = (
                    stats.interpolated_quantile(values[low], values[high], q, n) if n else None
                )


def _ranked(parsed: Table, keys: tuple[str, ...], timed: list[int]) -> Table:
    """``parsed`` with, per response time, each valid value's rank in its group (1..n) and the group's n.

    Blanks are asked to sort last, so that the valid values take ranks 1..n (DuckDB's default; a
    sort key on "is blank" cost a third more); :func:`_order_statistics` also returns the first valid
    rank, so an engine that put blanks first anyway would only shift the ranks, never the values.
    """
    groups = [parsed[key] for key in keys]
    columns = {}
    for i in timed:
        value = parsed[f"__cx_m{i}"]
        order = ibis.window(group_by=groups, order_by=[ibis.asc(value, nulls_first=False)])
        columns[f"__cx_m{i}_rank"] = ibis.row_number().over(order) + 1
        columns[f"__cx_m{i}_count"] = value.count().over(ibis.window(group_by=groups)).cast(dt.float64)
    return parsed.mutate(**columns)


def _order_statistics(parsed: Table, i: int) -> dict[str, Any]:
    """Aggregates bringing back, per group, the values at the ranks around each interval bound.

    The exact ranks (:func:`stats.quantile_ranks`) lie within ``_RANK_MARGIN`` of the normal
    approximation e = nq ∓ 1.96·√(nq(1 − q)), so the values at ranks ⌊e⌋ − 3 .. ⌊e⌋ + 4 are taken, as
    one aggregate each, with ⌊e⌋ itself: one row per group, however many rows it has.
    """
    value, rank, count = parsed[f"__cx_m{i}"], parsed[f"__cx_m{i}_rank"], parsed[f"__cx_m{i}_count"]
    aggregates: dict[str, Any] = {f"__cx_m{i}_first": rank.min(where=value.notnull())}
    for q in _QUANTILES:
        spread = stats.Z_95 * (count * q * (1 - q)).sqrt()
        for side, edge in (("low", count * q - spread), ("high", count * q + spread)):
            base = edge.floor().cast(dt.int64)
            prefix = f"__cx_m{i}_q{q}_{side}"
            aggregates[f"{prefix}_base"] = base.max()
            for j in range(_RANK_WINDOW):
                aggregates[f"{prefix}_{j}"] = value.max(where=rank == base + (j - _RANK_BEFORE))
    return aggregates


def _add_quantile_intervals(i: int, row_list: list[Row]) -> None:
    """The distribution-free 95% intervals of each group's median and p90, from :func:`_order_statistics`.

    A bound whose rank falls outside 1..n stays ``None`` (no bound at that n), and so would one whose
    value did not come back (never, by the margin test).
    """
    for row in row_list:
        n = int(row[f"__cx_m{i}_n"] or 0)
        shift = int(row.get(f"__cx_m{i}_first") or 1) - 1  # blanks sorted first: valid ranks start later
        for q in _QUANTILES:
            for side, rank in zip(("low", "high"), stats.quantile_ranks(q, n), strict=True):
                prefix = f"__cx_m{i}_q{q}_{side}"
                base = row.get(f"{prefix}_base")
                j = None if rank is None or base is None else rank + shift - int(base) + _RANK_BEFORE
                row[f"{prefix}"] = (
                    row.get(f"{prefix}_{j}") if j is not None and 0 <= j < _RANK_WINDOW else None
                )


#: How far (in ranks) the exact binomial ranks may lie from their normal approximation (a test
#: checks both quantiles over n up to 200,000), and so the ranks ⌊e⌋ − 3 .. ⌊e⌋ + 4 fetched.
_RANK_MARGIN = 4
_RANK_BEFORE = _RANK_MARGIN - 1
_RANK_WINDOW = 2 * _RANK_MARGIN


# Results --------------------------------------------------------------------------------------------


class _Names(NamedTuple):
    """The names of one measure's aggregates in a result row (see :func:`_aggregates`)."""

    n: str
    promoters: str
    detractors: str
    top: str
    sum: str
    squares: str
    median: str
    p90: str
    weights: str
    weight_squares: str
    median_low: str
    median_high: str
    p90_low: str
    p90_high: str


@functools.cache
def _names(i: int) -> _Names:
    prefix = f"__cx_m{i}_"
    parts = (
        "n", "promoters", "detractors", "top", "sum", "squares", "q0.5", "q0.9", "w", "w2",
        "q0.5_low", "q0.5_high", "q0.9_low", "q0.9_high",
    )  # fmt: skip
    return _Names(*(prefix + part for part in parts))


#: The aggregates that add up over rows: a segment's rest is the overall row minus the segment's.
_ADDITIVE = ("n", "promoters", "detractors", "top", "sum", "squares", "weights", "weight_squares")


def _result(
    spec: MeasureSpec,
    i: int,
    row: Row,
    group: dict[str, Any] | None,
    weighted: bool = False,
    min_n: int = stats.MIN_N,
) -> MeasureResult:
    """Turn one aggregated row into the measure's value and interval.

    Built in one call (not with ``dataclasses.replace``, three times slower): ``--by`` a column of
    100,000 values makes as many results. Under survey weights the shares and means are weighted and
    the intervals use Kish's effective n: the effective counts n_eff·(weighted share) go into the same
    formulas as plain counts.
    """
    name = _names(i)
    n = int(row[name.n] or 0)
    invalid = int(row["__cx_rows"]) - n
    kind = spec.kind
    if kind is MeasureKind.response_time:
        median, p90 = row.get(name.median), row.get(name.p90)
        return MeasureResult(
            kind, spec.column, group, median if n else None, n, invalid,
            ci_low=row.get(name.median_low), ci_high=row.get(name.median_high), median=median, p90=p90,
            unit=spec.unit, n_effective=n, p90_ci_low=row.get(name.p90_low),
            p90_ci_high=row.get(name.p90_high), min_n=min_n,
        )  # fmt: skip
    estimate = _estimate(kind, name, row, n, weighted)
    if estimate is None:
        n_effective = 0.0 if weighted else n
        return MeasureResult(
            kind, spec.column, group, None, n, invalid, unit=spec.unit, n_effective=n_effective, min_n=min_n
        )
    low, high = estimate.ci_low, estimate.ci_high
    if kind is MeasureKind.ces and low is not None and high is not None:
        # The t interval is symmetric and can pass the ends of the 1–7 scale; a mean cannot.
        low, high = max(1.0, low), min(7.0, high)
    return MeasureResult(
        kind, spec.column, group, estimate.value, n, invalid, ci_low=low, ci_high=high, se=estimate.se,
        unit=spec.unit, n_effective=estimate.n, min_n=min_n, estimate=estimate,
    )  # fmt: skip


def _estimate(kind: MeasureKind, name: _Names, row: Row, n: int, weighted: bool) -> stats.Estimate | None:
    """The value and interval of a count-based measure from its aggregates (``None``: nothing valid)."""
    if n == 0:
        return None
    if weighted:
        total_weight = float(row[name.weights] or 0.0)
        if total_weight <= 0:
            return None
        n_eff = stats.kish(total_weight, float(row[name.weight_squares] or 0.0))

        def effective(weight_sum: Any) -> float:
            """A weighted count as an effective count: n_eff × the weighted share (kept within 0..1)."""
            return n_eff * min(1.0, max(0.0, float(weight_sum or 0.0) / total_weight))

        if kind is MeasureKind.nps:
            return stats.nps(effective(row[name.promoters]), effective(row[name.detractors]), n_eff)
        if kind in (MeasureKind.csat, MeasureKind.fcr):
            return stats.share(effective(row[name.top]), n_eff)
        mean = float(row[name.sum]) / total_weight
        second = float(row[name.squares]) / total_weight
        variance = (second - mean * mean) * n_eff / (n_eff - 1) if n_eff > 1 else 0.0
        return stats.mean_estimate(mean, variance, n_eff)
    if kind is MeasureKind.nps:
        return stats.nps(int(row[name.promoters]), int(row[name.detractors]), n)
    if kind in (MeasureKind.csat, MeasureKind.fcr):
        return stats.share(int(row[name.top]), n)
    # The answers are integers, so their float sums are exact integers (below 2**53).
    return stats.mean(round(row[name.sum]), round(row[name.squares]), n)


def _overall_results(
    dataset: Dataset,
    specs: Sequence[MeasureSpec],
    row: Row,
    warnings: list[str],
    weighted: bool = False,
    min_n: int = stats.MIN_N,
) -> list[MeasureResult]:
    """The all-rows results; a measure with no valid answer at all is an error, not a warning."""
    results = []
    issues = []
    for i, spec in enumerate(specs):
        result = _result(spec, i, row, None, weighted, min_n)
        label, answers = LABELS[spec.kind], VALID_ANSWERS[spec.kind]
        raw = row.get(f"__cx_m{i}_example")
        example = dataset.example(raw)
        quoted = f", e.g. {example}" if example is not None else ""
        comma = row.get(f"__cx_m{i}_comma_example")
        comma_example = dataset.example(comma) if DECIMAL_COMMA.match(str(comma or "")) else None
        if result.n == 0:
            if comma_example is not None:
                detail = f"e.g. {comma_example}; {DECIMAL_COMMA_HINT}"
            elif example is not None:
                detail = f"e.g. {example}"
            elif raw is None or (isinstance(raw, str) and not raw.strip()):
                detail = f"all {result.invalid} rows are blank"
            else:
                detail = f"none of its {result.invalid} rows holds one"
            if weighted:
                detail += " with a valid weight (a non-negative number)"
            issues.append(
                dataset.issue(
                    f"column '{spec.column}' has no valid {label} answer ({answers}): {detail}", spec.column
                )
            )
            continue
        if result.invalid:
            hint = ""
            if comma_example is not None:
                hint = f"; some are numbers with a decimal comma (e.g. {comma_example}): give --decimal-comma"
            warnings.append(
                f"{dataset.label}: warning: {result.invalid} of {result.n + result.invalid} rows have no "
                f"valid {label} answer in '{spec.column}' (blank, unparseable or not {answers}{quoted}"
                f"{', or an invalid weight' if weighted else ''}); they are left out of n{hint}"
            )
        if result.insufficient_n:
            warnings.append(
                f"{dataset.label}: warning: {label} of '{spec.column}' rests on {result.n} valid answers, "
                f"fewer than {min_n} (insufficient n)"
            )
        results.append(result)
    if issues:
        raise InputError(issues)
    return results


def _ordering(values: Iterable[Any]) -> Callable[[Any], tuple[int, Any]]:
    """A sort key for group values: numbers in numeric order (even as text), missing values last."""
    present = [value for value in values if value is not None]

    def as_number(value: Any) -> float | None:
        if isinstance(value, bool):
            return None
        if isinstance(value, int | float):
            return float(value)
        try:
            return float(str(value))
        except ValueError:
            return None

    numeric = bool(present) and all(as_number(value) is not None for value in present)

    def key(value: Any) -> tuple[int, Any]:
        if value is None:
            return (1, "")
        return (0, as_number(value)) if numeric else (0, str(value))

    return key


def _sorted(rows: list[Row], keys: tuple[str, ...]) -> list[Row]:
    """Aggregated rows ordered by their group values, key by key (each row's key computed once)."""
    orderings = [(key, _ordering(row[key] for row in rows)) for key in keys]
    return sorted(rows, key=lambda row: tuple(order(row[key]) for key, order in orderings))


def _with_changes(results: list[MeasureResult], trend: str, min_n: int = stats.MIN_N) -> list[MeasureResult]:
    """Each period's change against the segment's last earlier period with a valid value, its base.

    The base is named in every result with a change; a period with no valid answer gets no change
    and is shown as a gap (its value is empty), and the next period's base says which period it was
    compared with instead. Periods are ordered (numbers numerically); a missing period value has no
    place in the order and gets no change.
    """
    previous: dict[tuple[Any, ...], MeasureResult] = {}
    changed = []
    for result in results:
        group = result.group or {}
        segment = (result.kind, result.column, *(v for k, v in group.items() if k != trend))
        before = previous.get(segment)
        if group.get(trend) is None or result.value is None:
            changed.append(result)
            continue
        previous[segment] = result
        if before is None or before.value is None:
            changed.append(result)
            continue
        p_value, note = None, _untested(before, result, min_n)
        if note is None:
            comparison = stats.compare(before.estimate, result.estimate)
            p_value, note = comparison.p_value, comparison.reason
        change = result.value - before.value
        base = (before.group or {}).get(trend)
        changed.append(dataclasses.replace(result, change=change, base=base, p_value=p_value, test_note=note))
    return changed


def _untested(first: MeasureResult, second: MeasureResult, min_n: int) -> str | None:
    """Why two results are not tested against each other, or ``None`` when they are."""
    if first.kind is MeasureKind.response_time:
        return "no test for response times: medians are compared by their intervals only"
    if first.estimate is None or second.estimate is None:
        return "no valid answer on one side"
    if min(first.n, second.n) < min_n:
        return f"fewer than {min_n} answers on one side: not tested"
    return None


def _against_rest(
    results: list[MeasureResult],
    rows: list[Row],
    overall: Row,
    specs: Sequence[MeasureSpec],
    weighted: bool,
    min_n: int,
) -> list[MeasureResult]:
    """Each segment against the rest of the rows: the rest's aggregates are the overall ones minus the
    segment's (counts and sums add up), so no query is needed; the test is :func:`stats.compare`."""
    compared = []
    for index, result in enumerate(results):
        row, i = rows[index // len(specs)], index % len(specs)
        spec = specs[i]
        if result.value is None:
            compared.append(result)
            continue
        rest_row = {"__cx_rows": int(overall["__cx_rows"]) - int(row["__cx_rows"])}
        for part in _ADDITIVE:
            key = getattr(_names(i), part)
            if key in row:
                rest_row[key] = (overall[key] or 0) - (row[key] or 0)
        if spec.kind is MeasureKind.response_time:
            note = _untested(result, result, min_n)
            compared.append(dataclasses.replace(result, test_note=note))
            continue
        rest = _result(spec, i, rest_row, None, weighted, min_n)
        if rest.value is None:
            compared.append(dataclasses.replace(result, test_note="no other rows to compare with"))
            continue
        p_value, note = None, _untested(rest, result, min_n)
        if note is None:
            comparison = stats.compare(rest.estimate, result.estimate)
            p_value, note = comparison.p_value, comparison.reason
        compared.append(
            dataclasses.replace(result, vs_rest=result.value - rest.value, p_value=p_value, test_note=note)
        )
    return _mirrors_once(compared, len(specs))


def _mirrors_once(compared: list[MeasureResult], measures: int) -> list[MeasureResult]:
    """With exactly two segments, each one's rest is the other: the two tests are one, mirrored.

    The second keeps its difference but not the p-value, so the test is counted (and adjusted) once.
    """
    for i in range(measures):
        segments = [index for index in range(i, len(compared), measures) if compared[index].value is not None]
        if len(segments) == 2 and all(compared[index].p_value is not None for index in segments):
            second = segments[1]
            name = " · ".join(value_text(v) for v in (compared[segments[0]].group or {}).values())
            note = f"the test of '{name}' against the rest, mirrored (counted once)"
            compared[second] = dataclasses.replace(compared[second], p_value=None, test_note=note)
    return compared


def value_text(value: Any) -> str:
    """A group value as a message names it (``∅`` for a missing one)."""
    return "∅" if value is None else str(value)


def _adjusted(results: list[MeasureResult], method: str) -> tuple[list[MeasureResult], int]:
    """All results with their p-values adjusted together (``method``) and significance on the adjusted
    value at 5%; and the number of tests."""
    raw = [result.p_value for result in results]
    tests = sum(1 for p in raw if p is not None)
    if not tests:
        return results, 0
    adjusted = stats.adjust(raw, method)
    return [
        result if p is None else dataclasses.replace(result, p_adjusted=p, significant=p < 0.05)
        for result, p in zip(results, adjusted, strict=True)
    ], tests
