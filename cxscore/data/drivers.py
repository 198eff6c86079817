"""Key-driver analysis on the engine: sums of products in one pass, a Poisson bootstrap in one query.

Rows never come to Python. Each column is parsed to a float that is NULL when the cell is blank,
not a number or not finite; a row counts only when the outcome, every driver and the weight are all
valid (listwise deletion), and the rows left out are counted. Then:

1. a small aggregation over the first complete rows gives each column's mean there, ``c_i``: a
   constant near the mean to shift by, which keeps the sums of products well conditioned;
2. one aggregation per grouping (all rows, or the ``--by`` segments) counts the rows and each
   column's valid values and sums ``w``, ``w·d_i`` and ``w·d_i·d_j`` of the shifted values
   ``d_i = v_i − c_i`` of the complete rows, with each column's minimum and maximum;
3. the bootstrap: each complete row's weight in replicate ``b`` is ``w`` times a Poisson(1) count
   drawn from a hash of the row's position, ``b`` and the seed (see :func:`with_poisson_counts`),
   so every replicate's sums come from one query, grouped by replicate (Hanley & MacGibbon 2006,
   "Creating non-parametric bootstrap samples using Poisson frequencies"; Chamandy et al. 2012,
   "Estimating uncertainty for massive data streams").

:mod:`cxscore.data.relimp` turns the sums into relative weights, Shapley values, betas and VIFs.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence
from typing import Any, NamedTuple

import ibis
import ibis.expr.datatypes as dt
import numpy as np
from ibis.expr.types import Column, IntegerValue, Table

from cxscore import compat
from cxscore.data import relimp
from cxscore.data.compute import _ordering, check_columns, fetch, text_to_number
from cxscore.data.driver_model import (
    MAX_SHAPLEY_DRIVERS,
    MIN_ROWS_PER_DRIVER,
    VIF_WARNING,
    DriverModel,
    DriverResult,
    DriversReport,
    DriversRequest,
    Quadrant,
)
from cxscore.data.model import plain_value
from cxscore.data.sources import Dataset, engine_errors, shorten
from cxscore.errors import InputError, Issue, UsageError

Row = dict[str, Any]
_M32 = 0xFFFFFFFF
#: The shift of each column is its mean over this many complete rows (see :func:`_shift`).
SHIFT_ROWS = 1000
#: Poisson(1) cumulative probabilities P(X ≤ k), k = 0..9, as thresholds on a 32-bit uniform integer;
#: a draw is the number of thresholds at or below the uniform (P(X ≥ 10) ≈ 1.1e-7 is folded into 10).
POISSON_THRESHOLDS = tuple(
    min(_M32, round(2**32 * sum(math.exp(-1) / math.factorial(j) for j in range(k + 1)))) for k in range(10)
)


# The hash ---------------------------------------------------------------------------------------------


def lowbias32(x: int) -> int:
    """Chris Wellons' "lowbias32" integer hash (hash-prospector), a bijection on 32-bit integers."""
    x ^= x >> 16
    x = (x * 0x7FEB352D) & _M32
    x ^= x >> 15
    x = (x * 0x846CA68B) & _M32
    x ^= x >> 16
    return x


def _xor(a: IntegerValue, b: IntegerValue | int, native: bool) -> IntegerValue:
    """``a XOR b`` of non-negative integers: the engine's operator where it has one (DuckDB), else
    ``a + b − 2·(a AND b)`` (SQLite has no XOR operator; Ibis would call back into Python per row)."""
    return a ^ b if native else a + b - 2 * (a & b)


def _times(x: IntegerValue, constant: int) -> IntegerValue:
    """``x·constant mod 2**32`` for ``x`` below 2**32, in halves so no product leaves 64-bit integers
    (SQLite turns an overflowing integer product into an imprecise float)."""
    low, high = constant & 0xFFFF, constant >> 16
    return (x * low + (((x * high) & 0xFFFF) << 16)) & _M32


def fenced(table: Table, native: bool) -> Table:
    """``table`` as a subquery the engine computes once and reads by column name.

    Without a fence, Ibis (and SQLite's query flattener) substitute each column's expression wherever
    it is used, and a hash whose steps each use their input twice grows exponentially. A view is a
    fence for Ibis; SQLite flattens views but never a subquery with a LIMIT into one with a LIMIT
    (its flattening rule 13), so there every step gets the no-op ``LIMIT -1``.
    """
    return table.view() if native else table.limit(-1)


def hashed(table: Table, inputs: dict[str, IntegerValue], native: bool) -> Table:
    """``table`` with a column per entry of ``inputs`` (integers below 2**32) holding its
    :func:`lowbias32`, as Ibis steps every engine runs.

    Two of its steps sit behind a :func:`fenced` subquery (SQLite's parser refuses much deeper
    nesting); the others read their input at most eight times, which stays small.
    """
    step = table.mutate(**{name: _times(_xor(x, x >> 16, native), 0x7FEB352D) for name, x in inputs.items()})
    step = fenced(step, native)
    step = step.mutate(
        **{name: _times(_xor(step[name], step[name] >> 15, native), 0x846CA68B) for name in inputs}
    )
    step = fenced(step, native)
    return step.mutate(**{name: _xor(step[name], step[name] >> 16, native) for name in inputs})


def with_row_keys(table: Table, position: str, seed: int, native: bool) -> Table:
    """``table`` with ``__cx_key``: a row's 32-bit bootstrap key, the hash of its position and the seed."""
    key = _xor(table[position] & _M32, lowbias32(seed & _M32), native)
    return hashed(table, {"__cx_key": key}, native)


def replicate_key(replicate: int, seed: int) -> int:
    """The 32-bit constant that replicate ``replicate`` mixes into every row's key."""
    return lowbias32((lowbias32(replicate & _M32) + lowbias32((seed >> 32) & _M32) + 0x9E3779B9) & _M32)


def with_poisson_counts(
    table: Table, row_key: IntegerValue, replicate_key: IntegerValue, native: bool
) -> Table:
    """``table`` plus ``__cx_count``, a Poisson(1) draw per row and replicate: the inverse CDF at
    the hash of the row's key XOR the replicate's key, read as a uniform 32-bit integer."""
    uniform = hashed(table, {"__cx_u": _xor(row_key, replicate_key, native)}, native)
    value = uniform["__cx_u"]
    cases = [(value < threshold, k) for k, threshold in enumerate(POISSON_THRESHOLDS)]
    return uniform.mutate(__cx_count=ibis.cases(*cases, else_=len(POISSON_THRESHOLDS)))


# Parsing ----------------------------------------------------------------------------------------------


def _number(dataset: Dataset, column: str) -> Column:
    """The column as float64, NULL where a cell is blank, not a number or not finite."""
    value = dataset.table[column]
    kind = value.type()
    if kind.is_json():
        value = value.str.fill_null(value.cast(dt.string))
        kind = value.type()
    if kind.is_boolean():
        number = ibis.ifelse(value, 1.0, 0.0)
    elif kind.is_numeric():
        number = value.cast(dt.float64)
    elif kind.is_string():
        number = text_to_number(dataset.backend, value, dataset.decimal_comma)
    else:
        message = f"column '{column}' holds {shorten(str(kind), 80)}: key-driver analysis needs numbers"
        raise InputError(dataset.issue(message, column))
    # The bounds drop inf and (on DuckDB and Postgres, where NaN sorts above every number) NaN.
    finite = (number >= -sys.float_info.max) & (number <= sys.float_info.max)
    return ibis.ifelse(finite, number, ibis.null(dt.float64))


def _raw_text(dataset: Dataset, column: str) -> Column:
    value = dataset.table[column]
    return value if value.type().is_string() else value.cast(dt.string)


class _Layout(NamedTuple):
    """The internal column names of one analysis (user names never name a parsed column)."""

    values: tuple[str, ...]  # outcome first, then the drivers
    keys: tuple[str, ...]

    @property
    def pairs(self) -> list[tuple[int, int]]:
        k = len(self.values)
        return [(i, j) for i in range(k) for j in range(i, k)]


def _layout(request: DriversRequest) -> _Layout:
    values = tuple(f"__cx_v{i}" for i in range(len(request.drivers) + 1))
    return _Layout(values, tuple(f"__cx_k{i}" for i in range(len(request.by))))


# The analysis -----------------------------------------------------------------------------------------


def analyse_drivers(dataset: Dataset, request: DriversRequest) -> DriversReport:
    """The key-driver analysis of ``request`` over ``dataset``, overall or per ``by`` segment."""
    columns = [request.outcome, *(d.column for d in request.drivers)]
    _check_request(request)
    check_columns(dataset, columns + list(request.by) + ([request.weight] if request.weight else []))
    layout = _layout(request)
    # The point estimates read the rows without their positions: numbering rows is a window that
    # DuckDB runs on one thread, in order, so only the bootstrap, which needs it, pays for it.
    parsed = _parsed(dataset, request, layout, columns, positions=False)
    shift = _shift(dataset, parsed, layout)
    centred = _centred(parsed, layout, request, shift)
    groups = _sorted_groups(fetch(dataset, _sums(centred, layout, request.weight is not None)), layout.keys)
    overall = _overall(dataset, request, columns, groups)
    warnings: list[str] = []
    models = []
    analysable = []
    for row in groups:
        group = {by: plain_value(row[key]) for by, key in zip(request.by, layout.keys, strict=True)}
        try:
            prepared = _prepare(
                dataset, request, columns, row, np.array(shift), overall, group if request.by else None
            )
        except InputError as problem:
            if not request.by:
                raise
            warnings += [_as_warning(issue, group) for issue in problem.issues]
            continue
        analysable.append((row, prepared))
    if not analysable:
        raise InputError(dataset.issue("no segment of --by has data enough for a key-driver analysis"))
    numbered = _centred(_parsed(dataset, request, layout, columns, positions=True), layout, request, shift)
    bootstrap = _bootstrap(dataset, numbered, layout, request, [row for row, _ in analysable])
    for (_, prepared), shares in zip(analysable, bootstrap, strict=True):
        model, notes = _model(request, prepared, shares)
        models.append(model)
        warnings += [_warning(dataset, note, model.group) for note in notes]
    warnings = _invalid_warnings(dataset, request, columns, overall) + warnings
    return DriversReport(
        source=dataset.label, by=request.by, models=tuple(models), seed=request.seed, warnings=tuple(warnings)
    )


def _parsed(
    dataset: Dataset, request: DriversRequest, layout: _Layout, columns: list[str], positions: bool
) -> Table:
    """Every column parsed (and its raw text, for messages), with ``__cx_complete`` for listwise
    deletion; with ``positions``, each row's 0-based position too (its identity in the bootstrap)."""
    table = dataset.table
    values = {name: _number(dataset, column) for name, column in zip(layout.values, columns, strict=True)}
    # Without --weight there is no weight column: every sum is a plain sum, every total a count.
    extra: dict[str, Any] = {"__cx_position": ibis.row_number()} if positions else {}
    if request.weight:
        weight = _number(dataset, request.weight)
        extra["__cx_w"] = ibis.ifelse(weight >= 0, weight, ibis.null(dt.float64))
    parsed = table.select(
        **extra,
        **{key: table[column] for key, column in zip(layout.keys, request.by, strict=True)},
        **values,
        **{f"__cx_raw{i}": _raw_text(dataset, column) for i, column in enumerate(columns)},
    )
    complete = parsed["__cx_w"].notnull() if request.weight else ibis.literal(True)
    for name in layout.values:
        complete &= parsed[name].notnull()
    return parsed.mutate(__cx_complete=complete)


def _centred(parsed: Table, layout: _Layout, request: DriversRequest, shift: list[float]) -> Table:
    """The parsed values and raw text, plus copies for the complete rows only (NULL elsewhere): the
    values (``__cx_c{i}``), their shifted values ``d_i = v_i − c_i`` and the weight."""
    complete = parsed["__cx_complete"]
    nothing = ibis.null(dt.float64)
    kept = ["__cx_position"] if "__cx_position" in parsed.columns else []
    weights = {}
    if request.weight:
        weights = {"__cx_wv": parsed["__cx_w"], "__cx_w": ibis.ifelse(complete, parsed["__cx_w"], nothing)}
    return parsed.select(
        *kept,
        "__cx_complete",
        *layout.keys,
        *layout.values,
        *(f"__cx_raw{i}" for i in range(len(layout.values))),
        **weights,
        **{
            f"__cx_d{i}": ibis.ifelse(complete, parsed[name] - shift[i], nothing)
            for i, name in enumerate(layout.values)
        },
        **{
            f"__cx_c{i}": ibis.ifelse(complete, parsed[name], nothing) for i, name in enumerate(layout.values)
        },
    )


def _shift(dataset: Dataset, parsed: Table, layout: _Layout) -> list[float]:
    """Each column's mean over the first complete rows (at most :data:`SHIFT_ROWS`): a value near the
    mean to shift by, so the sums of products stay well conditioned in one pass over the rows (the
    "shifted data" method; any constant works, one near the mean loses the least precision). An
    aggregate over a LIMIT: the engine stops reading after those rows."""
    first = parsed.filter(parsed["__cx_complete"]).limit(SHIFT_ROWS)
    row = fetch(
        dataset, first.aggregate(**{f"__cx_c{i}": first[v].mean() for i, v in enumerate(layout.values)})
    )
    return [float(row[0][f"__cx_c{i}"] or 0.0) for i in range(len(layout.values))]


def _check_request(request: DriversRequest) -> None:
    issues = []
    columns = [driver.column for driver in request.drivers]
    if not columns:
        issues.append(Issue("--driver", "no driver: give --driver COL (or COL=METRIC_ID) for each"))
    if request.outcome in columns:
        issues.append(
            Issue("--driver", f"'{request.outcome}' is the --outcome: a driver must be another column")
        )
    repeated = sorted({column for column in columns if columns.count(column) > 1})
    if repeated:
        issues.append(Issue("--driver", f"'{repeated[0]}' is given twice"))
    if request.weight is not None and request.weight in (request.outcome, *columns):
        issues.append(Issue("--weight", f"'{request.weight}' is also the outcome or a driver"))
    for key in request.by:
        if key in (request.outcome, *columns):
            issues.append(Issue("--by", f"'{key}' is also the outcome or a driver"))
    if request.replicates < 0:
        issues.append(Issue("--replicates", "must be 0 (no intervals) or more"))
    if issues:
        raise UsageError(issues)


def _sums(centred: Table, layout: _Layout, weighted: bool) -> Table:
    """The one aggregation, per group: rows, valid values per column (with an invalid cell as an
    example), complete rows, the sums of weights, of shifted values and of their products, and the
    complete rows' minima and maxima."""
    complete = centred["__cx_complete"]
    weight = centred["__cx_w"] if weighted else None

    def total(value: Any) -> Any:
        return (value if weight is None else weight * value).sum()

    aggregates: dict[str, Any] = {
        "__cx_rows": centred.count(),
        "__cx_n": centred.count(where=complete),
        "__cx_weight": centred.count(where=complete) if weight is None else weight.sum(),
    }
    if weighted:
        aggregates["__cx_weight_valid"] = centred["__cx_wv"].count()
    for i, name in enumerate(layout.values):
        value, raw = centred[name], centred[f"__cx_raw{i}"]
        aggregates[f"__cx_valid{i}"] = value.count()
        aggregates[f"__cx_x{i}"] = raw.max(where=value.isnull() & raw.notnull())
        aggregates[f"__cx_s{i}"] = total(centred[f"__cx_d{i}"])
        aggregates[f"__cx_min{i}"] = centred[f"__cx_c{i}"].min()
        aggregates[f"__cx_max{i}"] = centred[f"__cx_c{i}"].max()
    for i, j in layout.pairs:
        aggregates[f"__cx_p{i}_{j}"] = total(centred[f"__cx_d{i}"] * centred[f"__cx_d{j}"])
    if layout.keys:
        return centred.group_by(list(layout.keys)).aggregate(**aggregates)
    return centred.aggregate(**aggregates)


def _overall(dataset: Dataset, request: DriversRequest, columns: list[str], groups: list[Row]) -> Row:
    """The counts over all rows (the groups' counts added up); an error for a column with no number,
    no valid weight, no complete row, or weights all 0."""
    counted = ["__cx_rows", "__cx_n", *(f"__cx_valid{i}" for i in range(len(columns)))]
    counted += ["__cx_weight_valid"] if request.weight else []
    row: Row = {name: sum(int(group[name]) for group in groups) for name in counted}
    row["__cx_weight"] = sum(float(group["__cx_weight"] or 0.0) for group in groups)
    for i in range(len(columns)):
        examples = [group[f"__cx_x{i}"] for group in groups if group[f"__cx_x{i}"] is not None]
        row[f"__cx_x{i}"] = max(examples, default=None)
    issues = []
    if row["__cx_rows"] == 0:
        raise InputError(dataset.issue("no data rows: the source has a header but no rows"))
    for i, column in enumerate(columns):
        if row[f"__cx_valid{i}"] == 0:
            example = dataset.example(row[f"__cx_x{i}"])
            detail = f", e.g. {example}" if example is not None else " (every cell is blank)"
            role = "the outcome" if i == 0 else "a driver"
            message = f"column '{column}' has no numeric value{detail}: {role} must be a number"
            issues.append(dataset.issue(message, column))
    if request.weight is not None and row["__cx_weight_valid"] == 0:
        message = f"column '{request.weight}' has no valid weight (a finite number, 0 or more)"
        issues.append(dataset.issue(message, request.weight))
    if not issues and row["__cx_n"] == 0:
        message = "no row has a valid outcome, every driver and the weight together: nothing to analyse"
        issues.append(dataset.issue(message))
    if not issues and not row["__cx_weight"] > 0:
        issues.append(dataset.issue(f"the weights in '{request.weight}' of the complete rows are all 0"))
    if issues:
        raise InputError(issues)
    return row


def _sorted_groups(rows: list[Row], keys: Sequence[str]) -> list[Row]:
    orderings = [(key, _ordering(row[key] for row in rows)) for key in keys]
    return sorted(rows, key=lambda row: tuple(order(row[key]) for key, order in orderings))


class _Prepared(NamedTuple):
    """One group's sums turned into moments and a fit, ready for its bootstrap."""

    group: dict[str, Any] | None
    n: int
    invalid: int
    moments: relimp.Moments
    corr: Any
    fit: relimp.Fit
    low: list[float]
    high: list[float]


def _matrix(row: Row, k: int, prefix: str = "__cx_p") -> Any:
    second = np.empty((k, k))
    for i in range(k):
        for j in range(i, k):
            second[i, j] = second[j, i] = row[f"{prefix}{i}_{j}"]
    return second


def _prepare(
    dataset: Dataset,
    request: DriversRequest,
    columns: list[str],
    row: Row,
    shift: Any,
    overall: Row,
    group: dict[str, Any] | None,
) -> _Prepared:
    """Check one group's data (constant columns, collinear drivers, rows enough) and fit its model."""
    k = len(columns)
    n = int(row["__cx_n"])
    p = k - 1
    if n <= p + 1:
        message = f"{n} complete rows cannot fit a model of {p} drivers: it needs at least {p + 2}"
        raise InputError(dataset.issue(message))
    low = [float(row[f"__cx_min{i}"]) for i in range(k)]
    high = [float(row[f"__cx_max{i}"]) for i in range(k)]
    constant = [column for i, column in enumerate(columns) if low[i] == high[i]]
    if constant:
        issues = [
            dataset.issue(
                f"column '{column}' has the same value ({low[columns.index(column)]:g}) in every complete "
                f"row: {'the outcome' if column == request.outcome else 'a driver'} that does not vary "
                "explains nothing",
                column,
            )
            for column in constant
        ]
        raise InputError(issues)
    first = np.array([row[f"__cx_s{i}"] for i in range(k)], dtype=float)
    moments = relimp.moments(float(row["__cx_weight"]), shift, first, _matrix(row, k))
    if not np.all(np.diag(moments.covariance) > 0):
        raise InputError(dataset.issue("a column has no variance left in the weighted rows"))
    corr = relimp.correlation(moments.covariance)
    collinear = relimp.collinear_sets(corr)
    if collinear:
        issues = []
        for members in collinear:
            names = ", ".join(f"'{request.drivers[j].column}'" for j in members)
            message = (
                f"drivers {names} are perfectly collinear (one is a linear combination of the others): "
                "leave one of them out"
            )
            issues.append(dataset.issue(message, request.drivers[members[0]].column))
        raise InputError(issues)
    invalid = int(row["__cx_rows"]) - n
    return _Prepared(group, n, invalid, moments, corr, relimp.fit(corr), low, high)


def _bootstrap(
    dataset: Dataset, centred: Table, layout: _Layout, request: DriversRequest, groups: list[Row]
) -> list[Any]:
    """Each group's replicate shares, ``(B, p)`` arrays (``(0, p)`` when no replicate is asked).

    One query: each complete row, with its products precomputed, meets every replicate's key (on
    DuckDB an array of the keys unnested beside the row, elsewhere a cross join with a table of the
    replicates); each pair's Poisson count weights the row, and the sums are grouped by replicate
    (and segment). The query has as many aggregates as one replicate needs, whatever the number of
    replicates.
    """
    k = len(layout.values)
    p = k - 1
    count = request.replicates
    if count == 0:
        return [np.empty((0, p)) for _ in groups]
    complete_rows = centred.filter(centred["__cx_complete"])
    # Engines with a bitwise XOR and UNNEST (DuckDB, Spark); SQLite gets the arithmetic forms.
    native = dataset.backend.name in ("duckdb", "pyspark")
    keyed = with_row_keys(complete_rows, "__cx_position", request.seed, native)
    keyed = keyed.select(
        "__cx_key",
        *(["__cx_w"] if request.weight else []),
        *layout.keys,
        *(f"__cx_d{i}" for i in range(k)),
        **{f"__cx_p{i}_{j}": keyed[f"__cx_d{i}"] * keyed[f"__cx_d{j}"] for i, j in layout.pairs},
    )
    keyed = fenced(keyed, native)
    if native:
        # DuckDB: the replicates' keys unnested beside each row as it streams past (a cross join made
        # DuckDB hold the rows and stream the small replicate table instead: a quarter more work).
        # The query still runs on one thread: numbering the rows is an order-keeping window.
        keys = [replicate_key(b, request.seed) for b in range(count)]
        crossed = keyed.mutate(__cx_rk=ibis.literal(keys, type=dt.Array(dt.int64)).unnest()).view()
        crossed = crossed.mutate(__cx_b=crossed["__cx_rk"])  # each replicate's key is its own: a bijection
        replicate_of = {key: b for b, key in enumerate(keys)}
    else:
        crossed = keyed.cross_join(_replicate_table(dataset, count, request.seed))
        replicate_of = None
    counted = with_poisson_counts(crossed, crossed["__cx_key"], crossed["__cx_rk"], native)
    weight = counted["__cx_count"].cast(dt.float64)
    if request.weight is not None:
        weight = counted["__cx_w"] * weight
    aggregates: dict[str, Any] = {"__cx_weight": weight.sum()}
    for i in range(k):
        aggregates[f"__cx_s{i}"] = (weight * counted[f"__cx_d{i}"]).sum()
    for i, j in layout.pairs:
        aggregates[f"__cx_p{i}_{j}"] = (weight * counted[f"__cx_p{i}_{j}"]).sum()
    expression = counted.group_by(["__cx_b", *layout.keys]).aggregate(**aggregates)
    wanted = [tuple(row[key] for key in layout.keys) for row in groups]
    found = {
        key: (np.full(count, np.nan), np.full((count, k), np.nan), np.full((count, k, k), np.nan))
        for key in wanted
    }
    for row in fetch(dataset, expression):
        arrays = found.get(tuple(row[key] for key in layout.keys))
        if arrays is None:
            continue
        b = int(row["__cx_b"]) if replicate_of is None else replicate_of[int(row["__cx_b"])]
        arrays[0][b] = row["__cx_weight"]
        arrays[1][b] = [row[f"__cx_s{i}"] for i in range(k)]
        arrays[2][b] = _matrix(row, k)
    return [relimp.replicate_shares(*found[key]) for key in wanted]


def _replicate_table(dataset: Dataset, count: int, seed: int) -> Table:
    """The replicates, ``__cx_b`` and its key ``__cx_rk``, as a table on the engine.

    For engines without arrays to unnest (DuckDB unnests the keys instead, see :func:`_bootstrap`).
    On SQLite a temporary table filled through the driver (constant statements, the values as
    parameters; it goes when the engine disconnects); elsewhere an Ibis in-memory table, which Ibis
    uploads when the query runs.
    """
    keys = [(b, replicate_key(b, seed)) for b in range(count)]
    backend = dataset.backend
    if backend.name not in ("duckdb", "sqlite"):
        # From Arrow, not a dict: Ibis would build a dict through pandas.
        import pyarrow

        columns = {"__cx_b": [b for b, _ in keys], "__cx_rk": [key for _, key in keys]}
        return ibis.memtable(pyarrow.table(columns))
    connection = compat.ibis_driver_connection(backend)
    try:
        # Constant statements (one table per engine connection, replaced by each analysis): no name or
        # value is ever formatted into them; the replicates' numbers go in as parameters.
        connection.execute("DROP TABLE IF EXISTS temp.__cx_replicates")
        connection.execute("CREATE TEMP TABLE __cx_replicates (__cx_b BIGINT, __cx_rk BIGINT)")
        connection.executemany("INSERT INTO __cx_replicates VALUES (?, ?)", keys)
    except engine_errors(backend) as error:
        reason = dataset.engine.describe(error)
        message = f"the bootstrap needs a temporary table of its replicates on the engine: {reason}"
        raise UsageError(Issue("--engine", message)) from None
    return backend.table("__cx_replicates")


def _model(request: DriversRequest, prepared: _Prepared, shares: Any) -> tuple[DriverModel, list[str]]:
    """One group's results: every driver's importance and performance, and what to warn about."""
    fit = prepared.fit
    p = len(request.drivers)
    r_squared = fit.r_squared
    shapley = relimp.shapley(prepared.corr) if p <= MAX_SHAPLEY_DRIVERS else None
    notes: list[str] = []
    rows: list[dict[str, Any]] = []
    for j, spec in enumerate(request.drivers):
        share = 100.0 * fit.relative_weight[j] / r_squared if r_squared > 0 else 0.0
        interval = relimp.percentile_interval(shares[:, j]) if len(shares) else None
        mean = float(prepared.moments.mean[j + 1])
        if spec.scale is not None:
            low, high = spec.scale
            source = "metric" if spec.metric is not None else "option"
        else:
            low, high, source = prepared.low[j + 1], prepared.high[j + 1], "observed"
        performance = 100.0 * (mean - low) / (high - low) if high > low else None
        rows.append(
            {
                "driver": spec.column,
                "metric": spec.metric,
                "relative_weight": float(fit.relative_weight[j]),
                "share_percent": share,
                "ci_low": None if interval is None else interval[0],
                "ci_high": None if interval is None else interval[1],
                "shapley": None if shapley is None else float(shapley[j]),
                "beta": float(fit.beta[j]),
                "r": float(fit.r[j]),
                "vif": float(fit.vif[j]),
                "mean": mean,
                "performance_percent": performance,
                "scale_low": low,
                "scale_high": high,
                "scale_source": source,
            }
        )
        if fit.vif[j] > VIF_WARNING:
            notes.append(
                f"driver '{spec.column}' has a VIF of {fit.vif[j]:.1f} (above {VIF_WARNING:g}): it overlaps "
                "the other drivers, so its beta is unstable (its relative weight is not)"
            )
        if spec.scale is not None and not (low <= prepared.low[j + 1] and prepared.high[j + 1] <= high):
            notes.append(
                f"driver '{spec.column}' has values outside its scale {low:g}..{high:g} "
                f"(observed {prepared.low[j + 1]:g}..{prepared.high[j + 1]:g})"
            )
    observed = [row["driver"] for row in rows if row["scale_source"] == "observed"]
    if observed:
        notes.append(
            "performance of "
            + ", ".join(f"'{name}'" for name in observed)
            + " is on the observed range of its "
            "values (no mapped metric or --scale gives its scale)"
        )
    if prepared.n < MIN_ROWS_PER_DRIVER * p:
        notes.append(
            f"the model rests on {prepared.n} complete rows, fewer than {MIN_ROWS_PER_DRIVER} per driver "
            f"({MIN_ROWS_PER_DRIVER * p} for {p}): its weights are unreliable"
        )
    _assign_quadrants(rows)
    rows.sort(key=lambda row: -row["share_percent"])
    model = DriverModel(
        group=prepared.group,
        outcome=request.outcome,
        n=prepared.n,
        invalid=prepared.invalid,
        r_squared=r_squared,
        adjusted_r_squared=relimp.adjusted_r_squared(r_squared, prepared.n, p),
        drivers=tuple(DriverResult(**row) for row in rows),
        replicates=request.replicates,
        weighted=request.weight is not None,
    )
    return model, notes


def _assign_quadrants(rows: list[dict[str, Any]]) -> None:
    """Importance–performance quadrants, split at the drivers' mean share and mean performance.

    Important means a share at or above the mean share; performing, a performance at or above the
    mean performance (Martilla & James 1977 split their grid at the means too). A driver without a
    performance (a scale of one value) counts as performing.
    """
    shares = [row["share_percent"] for row in rows]
    performances = [row["performance_percent"] for row in rows if row["performance_percent"] is not None]
    share_mean = sum(shares) / len(shares)
    performance_mean = sum(performances) / len(performances) if performances else 0.0
    for row in rows:
        important = row["share_percent"] >= share_mean
        performance = row["performance_percent"]
        performing = performance is None or performance >= performance_mean
        if important:
            row["quadrant"] = Quadrant.keep_up if performing else Quadrant.fix_first
        else:
            row["quadrant"] = Quadrant.possible_overkill if performing else Quadrant.low_priority


def _invalid_warnings(
    dataset: Dataset, request: DriversRequest, columns: list[str], overall: Row
) -> list[str]:
    """One warning per column with cells left out, and one for the rows left out in all."""
    rows = int(overall["__cx_rows"])
    warnings = []
    named = [*columns, *([request.weight] if request.weight else [])]
    counts = [int(overall[f"__cx_valid{i}"]) for i in range(len(columns))]
    if request.weight:
        counts.append(int(overall["__cx_weight_valid"]))
    for i, column in enumerate(named):
        bad = rows - counts[i]
        if bad:
            raw = overall.get(f"__cx_x{i}") if i < len(columns) else None
            example = dataset.example(raw)
            quoted = f", e.g. {example}" if example is not None else ""
            message = (
                f"{bad} of {rows} rows have no valid number in '{column}' (blank or not a finite "
                f"number{quoted})"
            )
            warnings.append(_warning_issue(dataset.issue(message, column)))
    left_out = rows - int(overall["__cx_n"])
    if left_out:
        message = (
            f"{left_out} of {rows} rows are left out (listwise): a value of the outcome, a driver or "
            "the weight is missing or invalid"
        )
        warnings.append(_warning_issue(dataset.issue(message)))
    return warnings


def _warning_issue(issue: Issue) -> str:
    return issue.with_message(f"warning: {issue.message}").format()


def _warning(dataset: Dataset, note: str, group: dict[str, Any] | None) -> str:
    where = "" if group is None else " (" + ", ".join(f"{k}={v}" for k, v in group.items()) + ")"
    return _warning_issue(dataset.issue(note + where))


def _as_warning(issue: Issue, group: dict[str, Any]) -> str:
    where = ", ".join(f"{k}={v}" for k, v in group.items())
    return issue.with_message(f"warning: segment {where} is left out: {issue.message}").format()
