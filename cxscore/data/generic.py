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

import re
import sys
from dataclasses import replace
from typing import Any

import ibis
import ibis.expr.datatypes as dt

from cxscore.data import stats
from cxscore.data.compute import NUMBER_PATTERN, check_columns, fetch, measure_dataset, text_to_number, yes_no
from cxscore.data.model import DataSource, MeasuredValue, MeasureKind, MeasureSpec, MetricMeasure
from cxscore.data.session import DataSession
from cxscore.data.sources import Dataset, open_source
from cxscore.errors import InputError

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
    if measure.name == "difference":
        first, second = measure.between
        inner = replace(measure, name=measure.of or "", between=())
        a = _compute(inner, _filtered(dataset, first))
        b = _compute(inner, _filtered(dataset, second))
        return MeasuredValue(a.value - b.value, a.n + b.n)
    if measure.where and measure.name != "share":
        dataset = _filtered(dataset, measure.where)
    if measure.name in GENERIC:
        return _generic(measure, dataset)
    spec = MeasureSpec(MeasureKind(measure.name), measure.column or "", measure.unit)
    result = measure_dataset(dataset, [spec]).results[0]
    if result.value is None:
        raise InputError(dataset.issue(f"no valid answer in '{spec.column}' for {measure.name}"))
    return MeasuredValue(result.value, result.n, result.ci_low, result.ci_high)


def _generic(measure: MetricMeasure, dataset: Dataset) -> MeasuredValue:
    table = dataset.table
    aggregates: dict[str, Any] = {"rows": table.count()}
    if measure.name == "share":
        aggregates["hits"] = table.count(where=_condition(dataset, measure.where or ""))
    elif measure.name == "mean":
        check_columns(dataset, [measure.column or ""])
        number = _number(dataset, measure.column or "")
        aggregates["total"], aggregates["n"] = number.sum(), number.count()
    elif measure.name == "net_box":
        check_columns(dataset, [measure.column or ""])
        number = _number(dataset, measure.column or "")
        # An answer outside the span of the top and bottom values (an 11 on a 7-point item) is no answer.
        answers = (*measure.top, *measure.bottom)
        number = ibis.ifelse(number.between(min(answers), max(answers)), number, ibis.null(dt.float64))
        aggregates["n"] = number.count()
        aggregates["top"] = table.count(where=number.isin([float(v) for v in measure.top]))
        aggregates["bottom"] = table.count(where=number.isin([float(v) for v in measure.bottom]))
    else:  # ratio
        check_columns(dataset, [measure.numerator or "", measure.denominator or ""])
        aggregates["top"] = _number(dataset, measure.numerator or "").sum()
        aggregates["bottom"] = _number(dataset, measure.denominator or "").sum()
    row = fetch(dataset, table.aggregate(**aggregates))[0]
    rows = int(row["rows"] or 0)
    if rows == 0:
        raise InputError(dataset.issue(f"no rows to compute the {measure.name} from"))
    if measure.name == "share":
        return MeasuredValue(100.0 * int(row["hits"] or 0) / rows, rows)
    if measure.name == "net_box":
        n = int(row["n"] or 0)
        if n == 0:
            raise InputError(
                dataset.issue(f"no answer in '{measure.column}' between its bottom and top values")
            )
        net = stats.nps(int(row["top"] or 0), int(row["bottom"] or 0), n)
        return MeasuredValue(net.value, n, net.ci_low, net.ci_high)
    if measure.name == "mean":
        n = int(row["n"] or 0)
        if n == 0:
            raise InputError(dataset.issue(f"no number in '{measure.column}' to average"))
        return MeasuredValue(float(row["total"]) / n, n)
    bottom = float(row["bottom"] or 0.0)
    if bottom == 0:
        raise InputError(dataset.issue(f"the sum of '{measure.denominator}' is 0: the ratio is undefined"))
    return MeasuredValue(float(row["top"] or 0.0) / bottom, rows)


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
