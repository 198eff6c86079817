"""Customer value from an orders export, on the engine: the summary, RFM, VIPs and the delight list.

Definitions (``--as-of`` defaults to the latest valid order date):

* Customer ids are compared as written. A row is **invalid** when its customer is blank (or only
  whitespace), its date is not a date (ISO ``YYYY-MM-DD``, optionally with a time) or its amount is
  not a finite number; invalid rows are counted and left out. Rows dated after the as-of date are
  counted and left out.
* Rows of one customer on one calendar day are **one order** whose amount is their sum, refunds
  (negative amounts) included. A day whose net amount is not positive (a refund on its own) is no
  order, but its amount still nets into the customer's spend. A customer with no order is left out
  (and counted).
* Per customer: ``first_order`` and ``last_order`` (dates of orders), ``orders`` (order days),
  ``spend`` (net sum over all days), ``tenure_days`` = as-of − first order, ``recency_days`` = as-of
  − last order, ``ltv`` = spend × margin, ``active`` = recency_days ≤ active-within.
* **VIP**: active and ``ltv`` greater than the mean ``ltv`` of all customers (with ``--vip-by clv``,
  the model's ``clv`` against the mean ``clv``).
* **Delight list**: the top N active customers by ``(cume_dist(spend) + cume_dist(tenure_days)) / 2``,
  both cume_dists over the active customers; ties by spend (higher first), then customer id.
* **RFM**: R, F and M are ``ntile(5)`` over all customers ordered by recency (descending: 5 = most
  recent), order days and spend (ascending), ties split by customer id so every engine agrees;
  ``FM = ⌈(F + M) / 2⌉`` and the segment is ``SEGMENT_MAP[R][FM]``
  (:data:`cxscore.data.customer_report.SEGMENT_MAP`).
* **Model**: BG/NBD on x = orders − 1, t_x = weeks from first to last order, T = weeks from first
  order to as-of; Gamma-Gamma on the mean net amount of the repeat orders of customers with x > 0
  (:mod:`cxscore.data.clv`). Per customer ``p_alive``, ``expected_orders`` over the horizon,
  ``expected_order_value`` and ``clv`` = expected_orders × expected_order_value × margin.

The rows never come to Python. One scan of the source builds the day table (orders merged per
customer and day, with counts of all and of valid rows) as a temporary table; the per-customer
summary is one grouped query over it, and the scores (window functions) one more temporary table.
To Python come the counts, the listed rows, the segment counts, and for the fit the distinct
``(x, t_x, T)`` triples with their counts and the distinct ``(x, m̄)`` pairs. Many customers share a
triple, so a million customers fit in seconds; fitting in Python on compact numbers, rather than
evaluating the likelihood in SQL, keeps the gradient, the Hessian and the Gauss hypergeometric
function (which no engine has) in one place. The model's predictions go back to the engine as a
small table of the distinct triples, joined there, so ``--output`` writes every customer's row
through the engine (DuckDB's ``COPY``), never through Python.
"""

from __future__ import annotations

import datetime
import math
import os
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, NamedTuple

import ibis
import ibis.expr.datatypes as dt
from ibis.expr.types import Column, Table

from cxscore.customer_lists import CustomerList, VipBy
from cxscore.data import clv
from cxscore.data.compute import check_columns, fetch, text_to_number
from cxscore.data.customer_report import (
    EXPORT_COLUMNS,
    SEGMENT_MAP,
    SEGMENTS,
    CustomerRow,
    CustomersReport,
    CustomersSpec,
    ModelFit,
    Parameter,
    TenureBand,
)
from cxscore.data.sources import Dataset, engine_errors
from cxscore.data.spark import upload_to_spark
from cxscore.errors import InputError, Issue, UsageError, notice

_EPOCH = datetime.date(1970, 1, 1)
_ISO_DATE = r"^\s*[0-9]{4}-[0-9]{2}-[0-9]{2}"
_FORMULA = r"^\s*[=+@-]|^[\t\r]"
_TENURE_BANDS = 8
_FINITE = 1.7976931348623157e308


def check_spec(spec: CustomersSpec) -> None:
    """The settings make sense; else one usage issue per bad option."""
    issues = []
    for option, value in (("--customer", spec.customer), ("--date", spec.date), ("--amount", spec.amount)):
        if not value.strip():
            issues.append(Issue(option, "needs a column name"))
    if spec.top < 1:
        issues.append(Issue("--top", "must be at least 1"))
    if spec.active_within < 0:
        issues.append(Issue("--active-within", "must be 0 or more days"))
    if not (0 < spec.margin <= 1) or not math.isfinite(spec.margin):
        issues.append(Issue("--margin", "must be a fraction in (0, 1]: the share of revenue that is margin"))
    if not (0 < spec.horizon <= 520) or not math.isfinite(spec.horizon):
        issues.append(Issue("--horizon", "must be more than 0 and at most 520 weeks"))
    if spec.vip_by is VipBy.clv and not spec.fit_model:
        issues.append(Issue("--vip-by", "clv is the model's prediction: drop --no-model"))
    if issues:
        raise UsageError(issues)


class _Scored(NamedTuple):
    """The scored per-customer table on the engine and what was counted on the way to it."""

    table: Table
    as_of: datetime.date
    rows: int
    valid: int
    after: int
    model: ModelFit | None
    model_error: str | None
    warnings: list[str]


def customers_dataset(
    dataset: Dataset, spec: CustomersSpec, export: Callable[[Table], None] | None = None
) -> CustomersReport:
    """The customers report over ``dataset`` (definitions above); ``export``, when given, is handed
    the engine table of every listed customer's row (for ``--output``) before the report returns."""
    try:
        scored = _score(dataset, spec)
        report = _report(dataset, scored, spec)
        if export is not None:
            export(_export_table(scored.table, spec))
        return report
    except engine_errors(dataset.backend) as error:
        raise InputError(dataset.engine_issue(error)) from None


def customers_table(dataset: Dataset, spec: CustomersSpec) -> Dataset:
    """The per-customer summary of ``dataset`` as a dataset of its own, for a framework's generic
    measures: one row per customer with the columns of the ``--list all`` export and ``vip_spend``
    (spend if VIP, else 0; ``ratio`` of ``vip_spend`` over ``spend`` is the VIPs' revenue share).
    The warnings (invalid rows, ...) become notices."""
    try:
        scored = _score(dataset, spec)
    except engine_errors(dataset.backend) as error:
        raise InputError(dataset.engine_issue(error)) from None
    for warning in scored.warnings:
        notice(Issue(dataset.label, warning.split(": warning: ", 1)[-1]))
    table = scored.table
    table = table.mutate(vip_spend=ibis.ifelse(table.vip, table.spend, 0.0))
    return replace(dataset, table=table, files=(), file_format=None)


def _score(dataset: Dataset, spec: CustomersSpec) -> _Scored:
    check_spec(spec)
    check_columns(dataset, [spec.customer, spec.date, spec.amount])
    summary = _temporary(dataset, _summary(dataset, spec))
    counts = fetch(dataset, _counts(summary))[0]
    rows, valid = int(counts["rows"] or 0), int(counts["valid"] or 0)
    if rows == 0:
        raise InputError(dataset.issue("no data rows: the source has a header but no rows"))
    if valid == 0:
        raise InputError(
            dataset.issue(
                f"no valid order: none of the {rows} rows has a customer in '{spec.customer}', a YYYY-MM-DD "
                f"date in '{spec.date}' and a number in '{spec.amount}'"
            )
        )
    as_of = spec.as_of or _as_date(counts["last_valid"])
    after = int(counts["after"] or 0)
    warnings = _warnings(dataset, spec, rows, valid, after, as_of)
    refund_only = int(counts["refund_only"] or 0)
    if refund_only:
        warnings.append(
            f"{dataset.label}: warning: {refund_only} customers have refunds but no order up to {as_of}; "
            "they are left out"
        )
    if int(counts["customers"] or 0) == 0:
        raise InputError(dataset.issue(f"no customer has an order with a positive amount up to {as_of}"))
    customers = _per_customer(dataset, summary, spec, as_of)
    model, model_error, predictions = (
        _fit_model(dataset, customers, spec) if spec.fit_model else (None, "not asked for (--no-model)", None)
    )
    if model is not None:
        loose = [name for name, value in model.parameters().items() if value is not None and value.se is None]
        if loose:
            warnings.append(
                f"{dataset.label}: warning: the data barely identify the model's {', '.join(loose)} (no "
                "standard error: the likelihood is flat there); read its predictions with care"
            )
    if spec.vip_by is VipBy.clv and model_error is not None and model is None:
        raise UsageError(Issue("--vip-by", f"clv needs the model, which could not be fitted: {model_error}"))
    if spec.vip_by is VipBy.clv and model is not None and model.spend_error is not None:
        message = f"clv needs the spend model, which could not be fitted: {model.spend_error}"
        raise UsageError(Issue("--vip-by", message))
    scored = _temporary(dataset, _scored(dataset, customers, spec, model, predictions))
    return _Scored(scored, as_of, rows, valid, after, model, model_error, warnings)


# The summary ----------------------------------------------------------------------------------------


def _summary(dataset: Dataset, spec: CustomersSpec) -> Table:
    """One row per customer id (NULL for rows without one), in one scan of the source.

    Rows of a customer and day are merged first, then the days of each customer: order days (net
    amount above 0) up to as-of give the first and last order, the number of orders and the value of
    the first; all valid days up to as-of give the net spend. Each row also carries its rows, valid
    rows, valid rows after as-of and latest valid date, so the file's counts and the default as-of
    come from this table and the source is scanned once.
    """
    table = dataset.table
    # Ids as written: whitespace-only ids are found blank per customer in _counts, on a million rows
    # rather than ten million (stripping every row cost a fifth of the scan).
    customer = table[spec.customer].cast(dt.string)
    parsed = table.select(
        cx_customer=customer,
        cx_day=_day(dataset, table[spec.date]),
        cx_amount=_amount(dataset, table[spec.amount]),
    )
    valid = parsed.cx_customer.notnull() & parsed.cx_day.notnull() & parsed.cx_amount.notnull()
    late = ibis.literal(False) if spec.as_of is None else parsed.cx_day > spec.as_of
    days = parsed.group_by(["cx_customer", "cx_day"]).aggregate(
        cx_net=parsed.cx_amount.sum(where=valid & ~late),
        cx_rows=parsed.count(),
        cx_valid=parsed.count(where=valid),
        cx_after=parsed.count(where=valid & late),
    )
    kept = days.cx_net.notnull()  # a day with valid rows up to as-of
    order = kept & (days.cx_net > 0)
    first_value: Any
    if dataset.backend.name == "duckdb":
        first_value = days.cx_net.argmin(days.cx_day, where=order)
    else:
        # The first order day's amount through a window: Ibis writes SQLite's arg_min as a bare column
        # beside MIN(...) FILTER (...), and SQLite then takes the bare column from another row.
        order_day = ibis.ifelse(order, days.cx_day, ibis.null(days.cx_day.type()))
        days = days.mutate(cx_first=order_day.min().over(ibis.window(group_by=days.cx_customer)))
        kept = days.cx_net.notnull()
        order = kept & (days.cx_net > 0)
        first_value = days.cx_net.sum(where=order & (days.cx_day == days.cx_first))
    return days.group_by(days.cx_customer.name("customer")).aggregate(
        first_order=days.cx_day.min(where=order),
        last_order=days.cx_day.max(where=order),
        orders=days.count(where=order),
        spend=days.cx_net.sum(where=kept),
        order_spend=days.cx_net.sum(where=order),
        first_value=first_value,
        cx_rows=days.cx_rows.sum(),
        cx_valid=days.cx_valid.sum(),
        cx_after=days.cx_after.sum(),
        cx_last_valid=days.cx_day.max(where=days.cx_valid > 0),
    )


def _counts(summary: Table) -> Table:
    """The file's counts, the latest valid date, customers with orders and with refunds only.

    Rows of a blank id (NULL, or only whitespace) are invalid, whatever their date and amount."""
    named = _named(summary)
    return summary.aggregate(
        rows=summary.cx_rows.sum(),
        valid=summary.cx_valid.sum(where=named),
        after=summary.cx_after.sum(where=named),
        last_valid=summary.cx_last_valid.max(where=named),
        customers=summary.count(where=named & (summary.orders > 0)),
        refund_only=summary.count(where=named & (summary.orders == 0) & summary.spend.notnull()),
    )


def _named(summary: Table) -> Any:
    """Whether a summary row's customer id is given (not NULL, not only whitespace)."""
    return summary.customer.notnull() & (summary.customer.strip().length() > 0)


def _per_customer(dataset: Dataset, summary: Table, spec: CustomersSpec, as_of: datetime.date) -> Table:
    """The customers with an order, with the day counts, LTV, activity and the model's inputs."""
    table = summary.filter(_named(summary) & (summary.orders > 0))
    as_of_n = _number_of(as_of)
    first_n = _day_number(dataset, table.first_order)
    last_n = _day_number(dataset, table.last_order)
    x = (table.orders - 1).cast(dt.int64)
    return table.select(
        "customer",
        "first_order",
        "last_order",
        "orders",
        "spend",
        tenure_days=(as_of_n - first_n).cast(dt.int64),
        recency_days=(as_of_n - last_n).cast(dt.int64),
        ltv=table.spend * spec.margin,
        active=(as_of_n - last_n) <= spec.active_within,
        x=x,
        span_days=(last_n - first_n).cast(dt.int64),
        mean_repeat=ibis.ifelse(
            x > 0, (table.order_spend - table.first_value) / x.cast(dt.float64), ibis.null(dt.float64)
        ),
    )


# Parsing --------------------------------------------------------------------------------------------


def _day(dataset: Dataset, column: Column) -> Column:
    """The column as a date: dates as they are, timestamps' dates, ISO text parsed; NULL otherwise."""
    kind = column.type()
    if kind.is_date():
        return column
    if kind.is_timestamp():
        return column.date()
    text = column.cast(dt.string)
    if dataset.backend.name == "duckdb":
        # DuckDB's TRY_CAST reads ISO dates (with or without a time) and NULLs anything else.
        return text.try_cast(dt.date)
    stripped = text.strip()
    return ibis.ifelse(stripped.re_search(_ISO_DATE), stripped.cast(dt.date), ibis.null(dt.date))


def _day_number(dataset: Dataset, day: Column) -> Column:
    """Days since 1970-01-01: DuckDB's own; elsewhere from year, month and day (Hinnant's
    days_from_civil, integer arithmetic that any engine does, for years 1 and later)."""
    if dataset.backend.name == "duckdb":
        return day.epoch_days().cast(dt.int64)
    month = day.month().cast(dt.int64)
    year = day.year().cast(dt.int64) - ibis.ifelse(month <= 2, 1, 0)
    era = year // 400
    year_of_era = year - era * 400
    shifted = ibis.ifelse(month > 2, month - 3, month + 9)
    day_of_year = (153 * shifted + 2) // 5 + day.day().cast(dt.int64) - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    return (era * 146097 + day_of_era - 719468).cast(dt.int64)


def _amount(dataset: Dataset, column: Column) -> Column:
    """The amount as float64; NULL when it is not a finite number (``nan``/``inf`` parse but are not)."""
    kind = column.type()
    number = (
        column.cast(dt.float64)
        if kind.is_numeric()
        else text_to_number(dataset.backend, column.cast(dt.string), dataset.decimal_comma)
    )
    finite = (number >= -_FINITE) & (number <= _FINITE)
    return ibis.ifelse(finite, number, ibis.null(dt.float64))


def _number_of(day: datetime.date) -> int:
    return (day - _EPOCH).days


def _warnings(
    dataset: Dataset, spec: CustomersSpec, rows: int, valid: int, after: int, as_of: datetime.date
) -> list[str]:
    warnings = []
    if rows > valid:
        warnings.append(
            f"{dataset.label}: warning: {rows - valid} of {rows} rows are invalid (no customer in "
            f"'{spec.customer}', no YYYY-MM-DD date in '{spec.date}' or no number in '{spec.amount}'); "
            "they are left out"
        )
    if after:
        warnings.append(f"{dataset.label}: warning: {after} rows dated after {as_of} are left out")
    return warnings


def _uploaded(dataset: Dataset, table: Any) -> Table:
    """A small Arrow table (the model's predictions per distinct triple) as a table on the engine."""
    name = f"cxscore_predictions_{os.urandom(6).hex()}"
    if dataset.backend.name == "pyspark":
        return upload_to_spark(dataset.backend, table, name)
    return dataset.backend.create_table(name, ibis.memtable(table), temp=True)


def _temporary(dataset: Dataset, expression: Table) -> Table:
    """``expression`` computed once into a temporary table on the engine (gone when it disconnects)."""
    if dataset.backend.name == "pyspark":
        # Spark has no temporary tables: a cached view is computed once and kept in memory.
        return expression.cache()
    name = f"cxscore_customers_{os.urandom(6).hex()}"
    return dataset.backend.create_table(name, expression, temp=True)


# The model ------------------------------------------------------------------------------------------


def _fit_model(
    dataset: Dataset, summary: Table, spec: CustomersSpec
) -> tuple[ModelFit | None, str | None, Table | None]:
    """Fit BG/NBD (and Gamma-Gamma) on compact numbers; predictions per distinct triple as an engine
    table. Returns (fit, why not, predictions)."""
    import numpy as np
    import pyarrow as pa

    # Sorted, so that the same orders give the same sums in the same order, and the same estimates to
    # the last digit (a hash aggregate returns its groups in any order).
    keys = ["x", "span_days", "tenure_days"]
    triples = summary.group_by(keys).aggregate(n=summary.count()).order_by(keys)
    found = _numbers(dataset, triples)
    x, span, tenure, counts = found["x"], found["span_days"], found["tenure_days"], found["n"]
    t_x, big_t = span / 7.0, tenure / 7.0
    try:
        bg = clv.fit_bg_nbd(x, t_x, big_t, counts)
    except clv.ModelError as error:
        return None, f"BG/NBD: {error}", None
    repeat = summary.filter(summary.x > 0)
    pairs = repeat.group_by(["x", "mean_repeat"]).aggregate(n=repeat.count()).order_by(["x", "mean_repeat"])
    pairs = _numbers(dataset, pairs)
    spend_model: clv.GammaGamma | None = None
    spend_error = None
    try:
        spend_model = clv.fit_gamma_gamma(pairs["x"], pairs["mean_repeat"], pairs["n"])
    except clv.ModelError as error:
        spend_error = f"Gamma-Gamma: {error}"
    if spend_model is not None and spend_model.q.value <= 1:
        spend_error = "Gamma-Gamma: q ≤ 1, so the mean order value is infinite"
        spend_model = None

    def parameter(estimate: clv.Estimate) -> Parameter:
        return Parameter(estimate.value, estimate.se)

    fit = ModelFit(
        r=parameter(bg.r),
        alpha=parameter(bg.alpha),
        a=parameter(bg.a),
        b=parameter(bg.b),
        customers=bg.customers,
        log_likelihood=bg.log_likelihood,
        p=None if spend_model is None else parameter(spend_model.p),
        q=None if spend_model is None else parameter(spend_model.q),
        gamma=None if spend_model is None else parameter(spend_model.gamma),
        repeat_customers=0 if spend_model is None else spend_model.customers,
        frequency_value_correlation=None if spend_model is None else spend_model.frequency_value_correlation,
        spend_error=spend_error,
    )
    alive = clv.p_alive(bg, x, t_x, big_t)
    expected = clv.expected_purchases(bg, spec.horizon, x, t_x, big_t)
    table = pa.table(
        {
            "px": pa.array(x.astype(np.int64)),
            "pspan": pa.array(span.astype(np.int64)),
            "ptenure": pa.array(tenure.astype(np.int64)),
            "p_alive": pa.array(alive),
            "expected_orders": pa.array(expected),
        }
    )
    predictions = _uploaded(dataset, table)
    return fit, spend_error, predictions


def _numbers(dataset: Dataset, expression: Table) -> dict[str, Any]:
    """The numeric columns of a compact result as float64 arrays: through Arrow on DuckDB (no Python
    objects per value), through the driver's cursor elsewhere (Ibis's SQLite results go via pandas)."""
    import numpy as np

    if dataset.backend.name == "duckdb":
        found = expression.to_pyarrow()
        return {
            name: np.asarray(found[name].to_numpy(zero_copy_only=False), dtype=np.float64)
            for name in expression.columns
        }
    rows = fetch(dataset, expression)
    return {name: np.array([row[name] for row in rows], dtype=np.float64) for name in expression.columns}


# Scores ---------------------------------------------------------------------------------------------


def _scored(
    dataset: Dataset, summary: Table, spec: CustomersSpec, model: ModelFit | None, predictions: Table | None
) -> Table:
    """The summary with the model's predictions, RFM scores and segment, delight score and VIP flag."""
    table = summary
    if predictions is not None:
        joined = table.left_join(
            predictions,
            [
                table.x == predictions.px,
                table.span_days == predictions.pspan,
                table.tenure_days == predictions.ptenure,
            ],
        )
        table = joined.select(
            *[joined[name] for name in summary.columns], joined.p_alive, joined.expected_orders
        )
    else:
        table = table.mutate(p_alive=ibis.null(dt.float64), expected_orders=ibis.null(dt.float64))
    if model is not None and model.p is not None and model.q is not None and model.gamma is not None:
        p, q, gamma = model.p.value, model.q.value, model.gamma.value
        repeat = table.x > 0
        own = p * (gamma + table.mean_repeat * table.x) / (p * table.x + q - 1)
        value = ibis.ifelse(repeat & (table.mean_repeat > 0), own, p * gamma / (q - 1))
        table = table.mutate(expected_order_value=value)
        table = table.mutate(clv=table.expected_orders * table.expected_order_value * spec.margin)
    else:
        table = table.mutate(expected_order_value=ibis.null(dt.float64), clv=ibis.null(dt.float64))
    worth = table.clv if spec.vip_by is VipBy.clv else table.ltv
    everyone = ibis.window()
    by_activity = ibis.window(group_by=table.active, order_by=table.spend)
    by_tenure = ibis.window(group_by=table.active, order_by=table.tenure_days)
    table = table.mutate(
        r=ibis.ntile(5).over(ibis.window(order_by=[ibis.desc(table.recency_days), table.customer])) + 1,
        f=ibis.ntile(5).over(ibis.window(order_by=[table.orders, table.customer])) + 1,
        m=ibis.ntile(5).over(ibis.window(order_by=[table.spend, table.customer])) + 1,
        cx_spend_rank=ibis.cume_dist().over(by_activity),
        cx_tenure_rank=ibis.cume_dist().over(by_tenure),
        vip=table.active & (worth > worth.mean().over(everyone)).fill_null(False),
    )
    fm = (table.f + table.m + 1) // 2
    cases = [
        ((table.r == r + 1) & (fm == j + 1), name)
        for r, row in enumerate(SEGMENT_MAP)
        for j, name in enumerate(row)
    ]
    return table.mutate(
        segment=ibis.cases(*cases, else_=ibis.null(dt.string)),
        delight_score=ibis.ifelse(
            table.active, (table.cx_spend_rank + table.cx_tenure_rank) / 2, ibis.null(dt.float64)
        ),
    )


def _listed(scored: Table, spec: CustomersSpec) -> Table:
    """The customers of ``--list``, in report order (all of them; the report shows the top N)."""
    worth = scored.clv if spec.vip_by is VipBy.clv else scored.ltv
    if spec.listing is CustomerList.delight:
        chosen = scored.filter(scored.active)
        order = [ibis.desc(chosen.delight_score), ibis.desc(chosen.spend), chosen.customer]
        return chosen.order_by(order).limit(spec.top)
    chosen = scored.filter(scored.vip) if spec.listing is CustomerList.vip else scored
    worth = chosen.clv if spec.vip_by is VipBy.clv else chosen.ltv
    return chosen.order_by([ibis.desc(worth), ibis.desc(chosen.spend), chosen.customer])


def _export_table(scored: Table, spec: CustomersSpec) -> Table:
    """Every listed customer's row, ranked, with the export's columns (still an engine expression)."""
    listed = _listed(scored, spec)
    ranked = listed.mutate(rank=ibis.row_number().over(ibis.window(order_by=_order_of(listed, spec))) + 1)
    return ranked.select(*EXPORT_COLUMNS).order_by("rank")


def _order_of(table: Table, spec: CustomersSpec) -> list[Any]:
    if spec.listing is CustomerList.delight:
        return [ibis.desc(table.delight_score), ibis.desc(table.spend), table.customer]
    worth = table.clv if spec.vip_by is VipBy.clv else table.ltv
    return [ibis.desc(worth), ibis.desc(table.spend), table.customer]


def escaped_customers(table: Table) -> Table:
    """``table`` with customer ids that a spreadsheet would run as a formula prefixed with ``'``."""
    customer = table.customer
    return table.mutate(customer=ibis.ifelse(customer.re_search(_FORMULA), "'" + customer, customer))


# The report -----------------------------------------------------------------------------------------


def _report(dataset: Dataset, found: _Scored, spec: CustomersSpec) -> CustomersReport:
    scored, as_of, rows, valid, after = found.table, found.as_of, found.rows, found.valid, found.after
    model, model_error, warnings = found.model, found.model_error, found.warnings
    totals = fetch(
        dataset,
        scored.aggregate(
            customers=scored.count(),
            active=scored.count(where=scored.active),
            vip=scored.count(where=scored.vip),
            revenue=scored.spend.sum(),
            vip_revenue=scored.spend.sum(where=scored.vip),
            mean_ltv=scored.ltv.mean(),
            vip_alive=scored.p_alive.mean(where=scored.vip),
            max_tenure=scored.tenure_days.max(),
            listed=_listed_count(scored, spec),
        ),
    )[0]
    segment_rows = fetch(dataset, scored.group_by("segment").aggregate(n=scored.count()))
    counted = {str(row["segment"]): int(row["n"]) for row in segment_rows}
    segments = {name: counted.get(name, 0) for name in SEGMENTS}
    listed = fetch(dataset, _listed(scored, spec).limit(spec.top))
    customer_rows = tuple(_row(rank, row) for rank, row in enumerate(listed, start=1))
    return CustomersReport(
        source=dataset.label,
        spec=spec,
        as_of=as_of,
        rows=rows,
        invalid=rows - valid,
        after_as_of=after,
        customers=int(totals["customers"]),
        active=int(totals["active"] or 0),
        vip=int(totals["vip"] or 0),
        revenue=float(totals["revenue"] or 0.0),
        vip_revenue=float(totals["vip_revenue"] or 0.0),
        mean_ltv=float(totals["mean_ltv"]),
        vip_alive=None if totals["vip_alive"] is None else float(totals["vip_alive"]),
        segments=segments,
        listed=customer_rows,
        listed_total=int(totals["listed"] or 0),
        model=model,
        model_error=model_error or (None if model is None else model.spend_error),
        tenure_bands=_tenure_bands(dataset, scored, int(totals["max_tenure"] or 0)),
        warnings=tuple(warnings),
    )


def _listed_count(scored: Table, spec: CustomersSpec) -> Any:
    if spec.listing is CustomerList.delight:
        return scored.count(where=scored.active)
    if spec.listing is CustomerList.vip:
        return scored.count(where=scored.vip)
    return scored.count()


def _tenure_bands(dataset: Dataset, scored: Table, max_tenure: int) -> tuple[TenureBand, ...]:
    """Customers in equal tenure bands: count, mean and top spend (the HTML's spend-vs-tenure chart)."""
    width = max(1, math.ceil((max_tenure + 1) / _TENURE_BANDS))
    band = (scored.tenure_days // width).cast(dt.int64)
    rows = fetch(
        dataset,
        scored.group_by(band.name("band")).aggregate(
            n=scored.count(), mean_spend=scored.spend.mean(), max_spend=scored.spend.max()
        ),
    )
    return tuple(
        TenureBand(int(row["band"]) * width, (int(row["band"]) + 1) * width, int(row["n"]),
                   float(row["mean_spend"]), float(row["max_spend"]))
        for row in sorted(rows, key=lambda row: int(row["band"]))
    )  # fmt: skip


def _as_date(value: Any) -> datetime.date:
    """A date as the engine returned it (DuckDB: a date; SQLite: ISO text)."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value)[:10])


def _optional(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _row(rank: int, row: dict[str, Any]) -> CustomerRow:
    return CustomerRow(
        rank=rank,
        customer=str(row["customer"]),
        first_order=_as_date(row["first_order"]),
        last_order=_as_date(row["last_order"]),
        orders=int(row["orders"]),
        spend=float(row["spend"]),
        tenure_days=int(row["tenure_days"]),
        recency_days=int(row["recency_days"]),
        ltv=float(row["ltv"]),
        active=bool(row["active"]),
        vip=bool(row["vip"]),
        r=int(row["r"]),
        f=int(row["f"]),
        m=int(row["m"]),
        segment=str(row["segment"]),
        delight_score=_optional(row["delight_score"]),
        p_alive=_optional(row["p_alive"]),
        expected_orders=_optional(row["expected_orders"]),
        expected_order_value=_optional(row["expected_order_value"]),
        clv=_optional(row["clv"]),
    )


def write_listed(table: Table, path: Path, file_format: str) -> None:
    """Write the engine table to ``path`` as CSV (customer ids escaped against formulas) or Parquet."""
    if file_format == "csv":
        escaped_customers(table).to_csv(path)
    else:
        table.to_parquet(path)
