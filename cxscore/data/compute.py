"""Every measure as an Ibis expression, run as one aggregation per grouping on the engine.

For each requested measure the answers column is parsed into a number that is NULL whenever the
answer is blank, unparseable or outside the measure's scale; one aggregation then counts, sums or
takes quantiles of all the parsed columns at once, and only that one row per group comes back to
Python, where :mod:`cxscore.data.stats` turns it into values and intervals. A decimal comma
(``9,94``) is read by the engine too, as part of the parse.
"""

from __future__ import annotations

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
) -> MeasureReport:
    """Compute ``specs`` over all rows, per ``by`` segment, and per ``trend`` period with changes.

    The groupings are: all rows; the ``by`` columns together; and with ``trend``, the trend column
    alone and the ``by`` columns with the trend column. Each grouping is one aggregation query.
    ``specs`` is never empty: :func:`cxscore.data.compute_measures` refuses that before any scan.
    """
    by = tuple(dict.fromkeys(by))
    if trend is not None and trend in by:
        raise UsageError(Issue("--trend", f"'{trend}' is also a --by column: use it in one of them"))
    table = dataset.table
    check_columns(dataset, [spec.column for spec in specs] + list(by) + ([trend] if trend else []))
    # Every column of the parsed table has an internal name, the group keys too: a data column
    # called "__cx_rows" cannot collide with an aggregate.
    internal = {key: f"__cx_k{j}" for j, key in enumerate((*by, *([trend] if trend else [])))}
    parsed = table.select(
        **{name: table[key] for key, name in internal.items()},
        **{f"__cx_m{i}": _parse(dataset, spec) for i, spec in enumerate(specs)},
        **{f"__cx_r{i}": _raw_text(table[spec.column]) for i, spec in enumerate(specs)},
    )
    overall_row = _run(dataset, parsed, (), specs, examples=True)[0]
    rows_total = int(overall_row["__cx_rows"])
    if rows_total == 0:
        raise InputError(dataset.issue("no data rows: the source has a header but no rows"))
    warnings: list[str] = []
    results = _overall_results(dataset, specs, overall_row, warnings)
    groupings: list[tuple[str, ...]] = [by] if by else []
    if trend is not None:
        groupings += [(trend,)] + ([(*by, trend)] if by else [])
    segment_results: list[MeasureResult] = []
    for keys in groupings:
        inner = tuple(internal[key] for key in keys)
        found = [
            _result(spec, i, row, {key: row[internal[key]] for key in keys})
            for row in _sorted(_run(dataset, parsed, inner, specs), inner)
            for i, spec in enumerate(specs)
        ]
        if trend is not None and trend in keys:
            found = _with_changes(found, trend)
        segment_results += found
    small = sum(1 for result in segment_results if result.insufficient_n)
    if small:
        warnings.append(
            f"{dataset.label}: warning: {small} of {len(segment_results)} segment results rest on fewer "
            f"than {stats.MIN_N} valid answers (insufficient n)"
        )
    return MeasureReport(dataset.label, tuple(results + segment_results), by, trend, tuple(warnings))


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


def _parse(dataset: Dataset, spec: MeasureSpec) -> Column:
    """The answers of ``spec.column`` as float64, NULL when blank, unparseable or out of scale."""
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


def _aggregates(parsed: Table, specs: Sequence[MeasureSpec], quantiles: bool) -> dict[str, Any]:
    """Every count, sum and quantile the measures need, as named Ibis reductions over ``parsed``."""
    aggregates: dict[str, Any] = {"__cx_rows": parsed.count()}
    for i, spec in enumerate(specs):
        value = parsed[f"__cx_m{i}"]
        aggregates[f"__cx_m{i}_n"] = value.count()
        if spec.kind is MeasureKind.nps:
            aggregates[f"__cx_m{i}_promoters"] = parsed.count(where=value >= 9)
            aggregates[f"__cx_m{i}_detractors"] = parsed.count(where=value <= 6)
        elif spec.kind is MeasureKind.csat:
            aggregates[f"__cx_m{i}_top"] = parsed.count(where=value >= 4)
        elif spec.kind is MeasureKind.fcr:
            aggregates[f"__cx_m{i}_top"] = parsed.count(where=value == 1)
        elif spec.kind is MeasureKind.ces:
            aggregates[f"__cx_m{i}_sum"] = value.sum()
            aggregates[f"__cx_m{i}_squares"] = (value * value).sum()
        elif quantiles:
            for q in _QUANTILES:
                aggregates[f"__cx_m{i}_q{q}"] = value.quantile(q)
    return aggregates


def _run(
    dataset: Dataset,
    parsed: Table,
    keys: tuple[str, ...],
    specs: Sequence[MeasureSpec],
    examples: bool = False,
) -> list[Row]:
    """One aggregation over ``parsed`` grouped by ``keys`` (one row when there are none)."""
    backend = dataset.backend
    native_quantiles = compat.ibis_supports(backend, "Quantile")
    aggregates = _aggregates(parsed, specs, native_quantiles)
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
    if not native_quantiles and any(spec.kind is MeasureKind.response_time for spec in specs):
        _add_order_statistics(dataset, parsed, keys, specs, rows)
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


@functools.cache
def _names(i: int) -> _Names:
    prefix = f"__cx_m{i}_"
    parts = ("n", "promoters", "detractors", "top", "sum", "squares", "q0.5", "q0.9")
    return _Names(*(prefix + part for part in parts))


def _result(spec: MeasureSpec, i: int, row: Row, group: dict[str, Any] | None) -> MeasureResult:
    """Turn one aggregated row into the measure's value and interval.

    Built in one call (not with ``dataclasses.replace``, three times slower): ``--by`` a column of
    100,000 values makes as many results.
    """
    name = _names(i)
    n = int(row[name.n])
    invalid = int(row["__cx_rows"]) - n
    if n == 0:
        return MeasureResult(spec.kind, spec.column, group, None, n, invalid, unit=spec.unit)
    estimate: stats.Estimate
    if spec.kind is MeasureKind.nps:
        estimate = stats.nps(int(row[name.promoters]), int(row[name.detractors]), n)
    elif spec.kind in (MeasureKind.csat, MeasureKind.fcr):
        estimate = stats.share(int(row[name.top]), n)
    elif spec.kind is MeasureKind.ces:
        # The answers are integers, so their float sums are exact integers (below 2**53).
        estimate = stats.mean(round(row[name.sum]), round(row[name.squares]), n)
    else:
        median, p90 = row[name.median], row[name.p90]
        return MeasureResult(
            spec.kind, spec.column, group, median, n, invalid, median=median, p90=p90, unit=spec.unit
        )
    return MeasureResult(
        spec.kind,
        spec.column,
        group,
        estimate.value,
        n,
        invalid,
        ci_low=estimate.ci_low,
        ci_high=estimate.ci_high,
        se=estimate.se,
        unit=spec.unit,
    )


def _overall_results(
    dataset: Dataset, specs: Sequence[MeasureSpec], row: Row, warnings: list[str]
) -> list[MeasureResult]:
    """The all-rows results; a measure with no valid answer at all is an error, not a warning."""
    results = []
    issues = []
    for i, spec in enumerate(specs):
        result = _result(spec, i, row, None)
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
                f"valid {label} answer in '{spec.column}' (blank, unparseable or not {answers}{quoted}); "
                f"they are left out of n{hint}"
            )
        if result.insufficient_n:
            warnings.append(
                f"{dataset.label}: warning: {label} of '{spec.column}' rests on {result.n} valid answers, "
                f"fewer than {stats.MIN_N} (insufficient n)"
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


def _with_changes(results: list[MeasureResult], trend: str) -> list[MeasureResult]:
    """Each period's change against the previous period of the same segment and measure."""
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
        change, p_value = stats.change_test(
            stats.Estimate(before.value, None, None, before.se),
            stats.Estimate(result.value, None, None, result.se),
        )
        significant = None if p_value is None else p_value < 0.05
        changed.append(_with_change(result, change, p_value, significant))
    return changed


def _with_change(
    result: MeasureResult, change: float | None, p_value: float | None, significant: bool | None
) -> MeasureResult:
    """``result`` with its change against the previous period (``dataclasses.replace``, spelt out)."""
    r = result
    return MeasureResult(
        r.kind, r.column, r.group, r.value, r.n, r.invalid, r.ci_low, r.ci_high, r.se, r.median, r.p90,
        r.unit, change, p_value, significant,
    )  # fmt: skip
