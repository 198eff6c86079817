"""Measured CX metrics (NPS, CSAT, CES, FCR, response time) computed from raw data on an Ibis engine.

Importing this package is cheap: the models and statistics are plain Python, and Ibis (with DuckDB)
is imported only when a measure is actually computed, so a scorecard that holds only hand-entered
ratings never pays for the engine.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cxscore.data.model import (
    NO_MEASURE,
    DataSource,
    MeasuredValue,
    MeasureKind,
    MeasureOptions,
    MeasureReport,
    MeasureResult,
    MeasureSpec,
    MetricMeasure,
)
from cxscore.data.session import DataSession

if TYPE_CHECKING:
    from cxscore.data.customer_report import CustomersReport, CustomersSpec
    from cxscore.data.driver_model import DriversReport, DriversRequest

__all__ = [
    "DataSession",
    "DataSource",
    "MeasuredValue",
    "MeasureKind",
    "MeasureOptions",
    "MeasureReport",
    "MeasureResult",
    "MeasureSpec",
    "MetricMeasure",
    "compute_drivers",
    "compute_customers",
    "compute_measure",
    "compute_metric_value",
    "compute_measures",
    "specs_from_options",
]


def compute_measures(
    source: DataSource,
    specs: Sequence[MeasureSpec],
    by: Sequence[str] = (),
    trend: str | None = None,
    session: DataSession | None = None,
    options: MeasureOptions | None = None,
) -> MeasureReport:
    """Open ``source`` and compute ``specs`` overall, per ``by`` segment and per ``trend`` period.

    ``options``: survey weights, segment-vs-rest tests, the n floor and the p-value adjustment.
    Without a ``session``, the engine opened for this call is closed before it returns.
    """
    from cxscore.errors import Issue, UsageError

    if not specs:
        # Checked before the engine starts: asking for nothing should not cost a scan.
        raise UsageError(Issue("measure", NO_MEASURE))
    _require_engine(source)
    from cxscore.data.compute import measure_dataset
    from cxscore.data.sources import open_source

    with _within(session) as active:
        return measure_dataset(open_source(source, active), specs, by, trend, options)


def compute_metric_value(
    measure: MetricMeasure,
    source: DataSource,
    session: DataSession | None = None,
    customers: CustomersSpec | None = None,
) -> MeasuredValue:
    """A framework's measured metric (a CX measure or share, mean, ratio, difference) from ``source``.

    With ``customers``, ``source`` is an orders export and the measure runs over its per-customer
    summary (one row per customer, as ``cxscore customers --list all`` writes it, plus
    ``vip_spend``), computed once per session for each source and spec.
    Give every call of one run the same ``session``, so a file several metrics share is opened and
    read once; without one, the engine opened for this call is closed before it returns.
    """
    if customers is None:
        _require_engine(source)
        from cxscore.data.generic import compute_metric_value as compute

        with _within(session) as active:
            return compute(measure, source, active)
    _require_engine(source, "cxscore.data.customers")
    from cxscore.data.customers import check_spec, customers_table
    from cxscore.data.generic import compute_over
    from cxscore.data.sources import open_source

    check_spec(customers)
    with _within(session) as active:
        key = ("customers", source, customers)
        summary = active.remember(key, lambda: customers_table(open_source(source, active), customers))
        return compute_over(measure, summary)


def compute_customers(
    source: DataSource,
    spec: CustomersSpec,
    output: Path | None = None,
    file_format: str | None = None,
    session: DataSession | None = None,
) -> CustomersReport:
    """The ``customers`` report (value, VIPs, RFM, delight list, BG/NBD and Gamma-Gamma) of an orders
    export. With ``file_format`` ``csv`` or ``parquet``, the engine also writes every listed customer's
    row to ``output`` (``None`` or ``-``: standard output, CSV only) under the rules of
    :func:`cxscore.output.write_produced`."""
    from cxscore.errors import Issue, UsageError
    from cxscore.output import is_stdout

    if file_format == "parquet" and is_stdout(output):
        raise UsageError(Issue("--format", "parquet is written to a file: give -o FILE.parquet"))
    _require_engine(source, "cxscore.data.customers")
    from cxscore.data.customers import check_spec, customers_dataset, write_listed
    from cxscore.data.sources import open_source
    from cxscore.output import write_produced

    check_spec(spec)  # before the engine starts: a bad option should not cost a scan
    export = None
    if file_format in ("csv", "parquet"):
        chosen = file_format

        def export(table: Any) -> None:
            write_produced(output, lambda path: write_listed(table, path, chosen))

    with _within(session) as active:
        return customers_dataset(open_source(source, active), spec, export)


@contextmanager
def _within(session: DataSession | None) -> Iterator[DataSession]:
    """``session`` as it is, or a session of its own for one call, closed at its end."""
    if session is not None:
        yield session
        return
    with DataSession() as own:
        yield own


def compute_drivers(
    source: DataSource, request: DriversRequest, session: DataSession | None = None
) -> DriversReport:
    """The key-driver analysis of ``request`` (``cxscore drivers``) over the rows of ``source``."""
    _require_engine(source, "cxscore.data.drivers")
    from cxscore.data.drivers import analyse_drivers
    from cxscore.data.sources import open_source

    with _within(session) as active:
        return analyse_drivers(open_source(source, active), request)


def _require_engine(source: DataSource, module: str = "cxscore.data.compute") -> None:
    """Import the engine (and ``module``) now, turning a missing data extra into a one-line set-up message."""
    import importlib

    from cxscore.errors import Issue, UsageError

    try:
        importlib.import_module(module)
    except ImportError as missing:
        if (missing.name or "").split(".")[0] not in ENGINE_PACKAGES:
            raise
        where = source.paths[0] if source.paths else (source.table or "measure")
        message = (
            f"computing measures from data needs the data extra ({missing.name} is not installed): "
            "pip install 'cxscore[data]' (in a source checkout: pip install '.[data]')"
        )
        raise UsageError(Issue(where, message)) from None


# What the data extra installs; a missing one is a set-up problem to explain, not a bug.
ENGINE_PACKAGES = frozenset({"ibis", "duckdb", "pyarrow", "pandas", "numpy", "scipy", "sqlglot"})


def compute_measure(spec: MeasureSpec, source: DataSource) -> MeasureResult:
    """One measure over all rows of ``source`` (what a scorecard's measured metric needs).

    Raises :class:`cxscore.errors.InputError` for unreadable data, a missing column or a column with
    no valid answer; the result's ``n`` and ``insufficient_n`` tell how far to trust the value.
    """
    return compute_measures(source, [spec]).results[0]


def specs_from_options(
    nps: Sequence[str] = (),
    csat: Sequence[str] = (),
    ces: Sequence[str] = (),
    fcr: Sequence[str] = (),
    response_time: Sequence[str] = (),
    unit: str | None = None,
) -> list[MeasureSpec]:
    """The measures asked on the command line, in a fixed order (NPS, CSAT, CES, FCR, response time)."""
    from cxscore.errors import Issue, UsageError

    if unit is not None and not response_time:
        raise UsageError(Issue("--unit", "--unit labels --response-time: give --response-time COL"))
    asked = [
        (MeasureKind.nps, nps),
        (MeasureKind.csat, csat),
        (MeasureKind.ces, ces),
        (MeasureKind.fcr, fcr),
        (MeasureKind.response_time, response_time),
    ]
    specs = []
    for kind, columns in asked:
        for column in dict.fromkeys(columns):
            if not column.strip():
                option = "--" + kind.value.replace("_", "-")
                raise UsageError(Issue(option, "needs a column name"))
            specs.append(
                MeasureSpec(
                    kind=kind, column=column, unit=unit if kind is MeasureKind.response_time else None
                )
            )
    return specs
