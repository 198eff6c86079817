"""A framework's measured metric computed from raw rows: the CX measures and the generic ones.

Frameworks define their own metrics without code (the loyalty-programme metrics, say) with four
generic measures and simple row conditions:

* ``share``: ``100 * rows where `where` holds / rows`` (percent);
* ``mean``: the mean of ``column`` over the rows (numbers only; other cells are left out of n);
* ``ratio``: ``sum(numerator) / sum(denominator)`` over the rows (a ratio of sums, not a mean of
  ratios, so large and small customers weigh by their size);
* ``difference``: the measure ``of`` (share, mean, ratio or a CX measure) in the rows matching
  ``between[0]`` minus the same measure in the rows matching ``between[1]``;
* ``net_box``: ``100 * (T - B) / n`` with ``T`` the answers in ``column`` equal to one of the ``top``
  values, ``B`` those equal to one of the ``bottom`` values and ``n`` the answers that are numbers
  between the lowest and the highest of those values (XM Institute's net score: % 6-7 minus % 1-3
  on a 7-point item, n counting the answers 1-7). Its 95% interval is NPS's
  adjusted Wald on the same three-way split (Rocks 2016; :func:`cxscore.data.stats.nps`).

A condition is ``COLUMN = VALUE`` or ``COLUMN != VALUE``. ``true``/``false`` (and ``yes``/``no``)
compare a yes/no column however it is written (true/false, yes/no, 1/0, any case); a number compares
numerically; anything else compares the text. Rows where the column is blank never match. Any CX
measure (NPS, CSAT, CES, FCR, response time) can also take a ``where`` to measure a subset
(member NPS), and then keeps its interval.
"""

from __future__ import annotations

import math
import re
import sys
from dataclasses import replace
from typing import Any

import ibis
import ibis.expr.datatypes as dt

from cxscore.data import stats
from cxscore.data.compute import (
    NUMBER_PATTERN,
    check_columns,
    fetch,
    measure_dataset,
    text_to_number,
    weight_column,
    yes_no,
)
from cxscore.data.model import (
    DataSource,
    MeasuredValue,
    MeasureKind,
    MeasureOptions,
    MeasureSpec,
    MetricMeasure,
)
from cxscore.data.session import DataSession
from cxscore.data.sources import Dataset, open_source
from cxscore.errors import InputError, notice

GENERIC = ("share", "mean", "ratio", "difference", "net_box")
# The value is everything after the operator, stripped in Python: a lazy "(.*?)\s*$" backtracked
# quadratically on a long run of spaces inside the value.
_CONDITION = re.compile(r"^\s*([^\s=!]+)\s*(!=|=)(.*)$")


def compute_metric_value(measure: MetricMeasure, source: DataSource, session: DataSession) -> MeasuredValue:
    """Open ``source`` (once per ``session``) and compute ``measure`` over its rows (see above)."""
    return _compute(measure, open_source(source, session))


def compute_over(measure: MetricMeasure, dataset: Dataset) -> MeasuredValue:
    """``measure`` over an opened dataset (the per-customer summary of an orders file, say)."""
    return _compute(measure, dataset)


def _compute(measure: MetricMeasure, dataset: Dataset) -> MeasuredValue:
    if measure.weight:
        check_columns(dataset, [measure.weight])  # before the column is read: a located error
    weight = weight_column(dataset, measure.weight) if measure.weight else None
    if measure.name == "difference":
        first, second = measure.between
        inner = replace(measure, name=measure.of or "", between=())
        a = _compute(inner, _filtered(dataset, first))
        b = _compute(inner, _filtered(dataset, second))
        return _difference(a, b)
    if measure.where and measure.name != "share":
        dataset = _filtered(dataset, measure.where)
    if measure.name in GENERIC:
        return _generic(measure, dataset, weight)
    spec = MeasureSpec(MeasureKind(measure.name), measure.column or "", measure.unit)
    options = MeasureOptions(weight=measure.weight)
    result = measure_dataset(dataset, [spec], options=options).results[0]
    if result.value is None:
        raise InputError(dataset.issue(f"no valid answer in '{spec.column}' for {measure.name}"))
    return MeasuredValue(
        result.value, result.n, result.ci_low, result.ci_high, result.n_effective, estimate=result.estimate
    )


def _difference(a: MeasuredValue, b: MeasuredValue) -> MeasuredValue:
    """``a − b`` with the 95% interval and test of :func:`stats.compare` (Newcombe for shares, Welch
    for means, the sum of variances for NPS and ratios); significant when its p-value is below 5%."""
    if a.estimate is None or b.estimate is None:
        return MeasuredValue(a.value - b.value, a.n + b.n)
    comparison = stats.compare(b.estimate, a.estimate)
    p_value = comparison.p_value
    return MeasuredValue(
        comparison.difference,
        a.n + b.n,
        comparison.ci_low,
        comparison.ci_high,
        (a.n_effective or a.n) + (b.n_effective or b.n),
        p_value,
        None if p_value is None else p_value < 0.05,
    )


def _generic(measure: MetricMeasure, dataset: Dataset, weight: Any) -> MeasuredValue:
    """A share (Wilson), mean (t), net box (adjusted Wald) or ratio of sums (delta method), weighted
    when ``weight`` is given.

    Rows whose weight is invalid are left out. A mean's variance and a ratio's residuals are summed
    in a second pass once the mean or ratio is known (no cancellation of large sums).
    """
    table = dataset.table
    name = "__cx_w"
    while name in table.columns:  # never hide a data column of that name from a condition
        name += "_"
    table = table.mutate(**{name: weight if weight is not None else ibis.literal(1.0, dt.float64)})
    if weight is not None:
        table = table.filter(table[name].notnull())
    w = table[name]
    if measure.name == "share":
        _condition(dataset, measure.where or "")  # its errors name the data's own columns
        hit = _condition(replace(dataset, table=table), measure.where or "")
        aggregates = _weights(table, w, None)
        aggregates["hits"] = w.sum(where=hit)
        row = fetch(dataset, table.aggregate(**aggregates))[0]
        rows = int(row["n"] or 0)
        if not rows or not row["w"]:
            raise InputError(dataset.issue(f"no rows to compute the {measure.name} from"))
        n_eff, scale = _effective(row)
        estimate = stats.share(min(n_eff, float(row["hits"] or 0.0) * scale), n_eff)
        return _valued(estimate, rows, dataset, measure)
    if measure.name == "mean":
        check_columns(dataset, [measure.column or ""])
        x = _number(replace(dataset, table=table), measure.column or "")
        aggregates = _weights(table, w, x.notnull())
        aggregates["total"] = (w * x).sum()
        row = fetch(dataset, table.aggregate(**aggregates))[0]
        n = int(row["n"] or 0)
        if n == 0 or not row["w"]:
            raise InputError(dataset.issue(f"no number in '{measure.column}' to average"))
        n_eff, _ = _effective(row)
        mean = float(row["total"]) / float(row["w"])
        spread = fetch(dataset, table.aggregate(s=(w * (x - mean) * (x - mean)).sum()))[0]["s"]
        variance = float(spread or 0.0) / float(row["w"]) * n_eff / (n_eff - 1) if n_eff > 1 else 0.0
        return _valued(stats.mean_estimate(mean, variance, n_eff), n, dataset, measure)
    if measure.name == "net_box":
        check_columns(dataset, [measure.column or ""])
        number = _number(replace(dataset, table=table), measure.column or "")
        # An answer outside the span of the top and bottom values (an 11 on a 7-point item) is no answer.
        answers = (*measure.top, *measure.bottom)
        number = ibis.ifelse(number.between(min(answers), max(answers)), number, ibis.null(dt.float64))
        aggregates = _weights(table, w, number.notnull())
        aggregates["top"] = w.sum(where=number.isin([float(v) for v in measure.top]))
        aggregates["bottom"] = w.sum(where=number.isin([float(v) for v in measure.bottom]))
        row = fetch(dataset, table.aggregate(**aggregates))[0]
        n = int(row["n"] or 0)
        if n == 0 or not row["w"]:
            raise InputError(
                dataset.issue(f"no answer in '{measure.column}' between its bottom and top values")
            )
        n_eff, scale = _effective(row)
        top, bottom = (min(n_eff, float(row[key] or 0.0) * scale) for key in ("top", "bottom"))
        return _valued(stats.nps(top, bottom, n_eff), n, dataset, measure)
    # ratio: rows where both numerator and denominator are valid numbers (the others are invalid)
    check_columns(dataset, [measure.numerator or "", measure.denominator or ""])
    scoped = replace(dataset, table=table)
    y, x = _number(scoped, measure.numerator or ""), _number(scoped, measure.denominator or "")
    both = y.notnull() & x.notnull()
    aggregates = _weights(table, w, both)
    aggregates["top"], aggregates["bottom"] = (w * y).sum(where=both), (w * x).sum(where=both)
    aggregates["rows"] = table.count()
    row = fetch(dataset, table.aggregate(**aggregates))[0]
    n, rows = int(row["n"] or 0), int(row["rows"] or 0)
    if rows == 0:
        raise InputError(dataset.issue(f"no rows to compute the {measure.name} from"))
    if n < rows:
        notice(
            dataset.issue(
                f"{rows - n} of {rows} rows lack a number in '{measure.numerator}' or "
                f"'{measure.denominator}'; the ratio uses the {n} rows that have both"
            )
        )
    bottom = float(row["bottom"] or 0.0)
    if bottom == 0:
        raise InputError(dataset.issue(f"the sum of '{measure.denominator}' is 0: the ratio is undefined"))
    ratio = float(row["top"] or 0.0) / bottom
    residual = y - ratio * x
    squares = fetch(dataset, table.aggregate(s=(w * w * residual * residual).sum(where=both)))[0]["s"]
    estimate = stats.ratio_estimate(ratio, float(squares or 0.0), bottom, n)
    n_eff, _ = _effective(row)
    return _valued(replace(estimate, n=n_eff), n, dataset, measure)


def _weights(table: Any, w: Any, valid: Any) -> dict[str, Any]:
    """Counts and weight sums of the rows where ``valid`` holds (all rows when ``None``)."""
    return {
        "n": table.count(where=valid) if valid is not None else table.count(),
        "w": w.sum(where=valid),
        "w2": (w * w).sum(where=valid),
    }


def _effective(row: dict[str, Any]) -> tuple[float, float]:
    """Kish's effective n from Σw and Σw², and the factor turning weighted sums into effective counts."""
    total = float(row["w"] or 0.0)
    n_eff = stats.kish(total, float(row["w2"] or 0.0))
    return n_eff, (n_eff / total if total else 0.0)


def _valued(estimate: stats.Estimate, n: int, dataset: Dataset, measure: MetricMeasure) -> MeasuredValue:
    """The estimate as a measured value; a value too large to be a number (sums overflow) is refused."""
    if not math.isfinite(estimate.value) or estimate.n <= 0:
        raise InputError(dataset.issue(f"the {measure.name} is not a finite number: its sums overflow"))
    return MeasuredValue(estimate.value, n, estimate.ci_low, estimate.ci_high, estimate.n, estimate=estimate)


def _filtered(dataset: Dataset, condition: str) -> Dataset:
    return replace(dataset, table=dataset.table.filter(_condition(dataset, condition)))


def _number(dataset: Dataset, column: str) -> Any:
    """The column as float64, NULL where a cell is not a finite number.

    "nan" and "inf" cast to floats (TRY_CAST accepts them) but are no numbers to average or sum: a
    single one would make the mean NaN. The bounds test drops them on every engine (NaN sorts above
    every number on DuckDB and Postgres; SQLite has no NaN).
    """
    value = dataset.table[column]
    kind = value.type()
    if kind.is_numeric():
        number = value.cast(dt.float64)
    else:
        number = text_to_number(dataset.backend, value.cast(dt.string), dataset.decimal_comma)
    finite = (number >= -sys.float_info.max) & (number <= sys.float_info.max)
    return ibis.ifelse(finite, number, ibis.null(dt.float64))


def _condition(dataset: Dataset, condition: str) -> Any:
    """``COLUMN = VALUE`` or ``COLUMN != VALUE`` as an Ibis boolean; blank cells never match."""
    parsed = _CONDITION.match(condition)
    if parsed is None:
        message = f"condition '{condition}' is not COLUMN = VALUE or COLUMN != VALUE"
        raise InputError(dataset.issue(message))
    column, operator, wanted = parsed.group(1), parsed.group(2), parsed.group(3).strip().strip("'\"")
    check_columns(dataset, [column])
    value = dataset.table[column]
    word = wanted.lower()
    if word in ("true", "yes", "false", "no"):
        matches = yes_no(value) == (word in ("true", "yes"))
    elif re.match(NUMBER_PATTERN, wanted):
        matches = _number(dataset, column) == float(wanted)
    else:
        matches = value.cast(dt.string).strip() == wanted
    # Negate before filling: a blank cell matches neither `= x` nor `!= x`.
    return (~matches if operator == "!=" else matches).fill_null(False)
