"""cxscore from Python: the commands' core, returning the records the command line renders.

For notebooks and scripts::

    import cxscore

    santa = cxscore.score("examples/santa.yaml")[0]
    santa.overall_percent                 # 68.0
    santa.to_dict()                       # what `cxscore rate --format json` prints for it
    board = cxscore.rank_brands("examples/")  # a Leaderboard; to_dict() is `rank --format json`

(``compare_brands``, ``rank_brands`` and ``brand_history`` are so named because ``cxscore.compare``,
``cxscore.rank`` and ``cxscore.history`` are the modules behind them.) Every function takes files or
directories (of ``*.yaml``/``*.yml``) as ``str`` or ``Path``, reads them with the same bounds and
confinement as the command line, and raises :class:`cxscore.errors.CxScoreError` for a problem in
the input: its ``issues`` are the located ``path:line:col: message`` records the command line
prints. Nothing here prints or exits.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cxscore.compare import Comparison
    from cxscore.data.customer_report import CustomersReport
    from cxscore.data.driver_model import DriversReport
    from cxscore.data.model import MeasureReport
    from cxscore.data.plan import PlanReport
    from cxscore.history import HistoryReport
    from cxscore.models import Framework
    from cxscore.rank import Leaderboard
    from cxscore.report import RateReport
    from cxscore.scoring import ScoreResult

PathArg = str | PathLike[str]


def _names(paths: Iterable[PathArg]) -> list[str]:
    return [str(path) for path in paths]


def _dirs(allow_outside: Iterable[PathArg]) -> list[Path]:
    return [Path(directory) for directory in allow_outside]


def score(
    *paths: PathArg, allow_outside: Iterable[PathArg] = (), engine: str | None = None
) -> list[ScoreResult]:
    """Load and score brand files (directories: every YAML file inside, sorted), in the order given.

    ``engine`` (an Ibis URL, ``pyspark`` or a Spark master URL) computes data-sourced metrics; the
    default is an in-memory DuckDB. The other functions take it with the same meaning.
    """
    from cxscore.scorecard import score_files

    return score_files(_names(paths), _dirs(allow_outside), engine=engine)


def rate(
    *paths: PathArg,
    what_if: Mapping[str, float] | Sequence[str] = (),
    baseline: PathArg | None = None,
    allow_outside: Iterable[PathArg] = (),
    engine: str | None = None,
) -> RateReport:
    """What ``cxscore rate`` shows: scorecards, what-if scenarios (``{"empathy": 5}`` or
    ``["empathy=5"]``) and the change since a baseline file (or the latest in a directory)."""
    from cxscore.report import build_rate_report

    assignments = (
        [f"{key}={value!r}" for key, value in what_if.items()] if isinstance(what_if, Mapping) else what_if
    )
    return build_rate_report(
        _names(paths),
        list(assignments),
        None if baseline is None else Path(baseline),
        allow_outside=_dirs(allow_outside),
        engine=engine,
    )


def compare_brands(
    *paths: PathArg, allow_outside: Iterable[PathArg] = (), engine: str | None = None
) -> Comparison:
    """Brands side by side on the metrics their frameworks share (two or more)."""
    from cxscore.compare import compare_results
    from cxscore.scorecard import score_files

    return compare_results(score_files(_names(paths), _dirs(allow_outside), engine=engine))


def rank_brands(
    *paths: PathArg,
    top: int | None = None,
    allow_outside: Iterable[PathArg] = (),
    engine: str | None = None,
) -> Leaderboard:
    """A leaderboard of the brands, best first (``top`` limits what it shows, not what it ranks)."""
    from cxscore.rank import rank_files

    return rank_files(_names(paths), top, _dirs(allow_outside), engine=engine)


def brand_history(
    *paths: PathArg, allow_outside: Iterable[PathArg] = (), engine: str | None = None
) -> HistoryReport:
    """Each brand's assessments over time, ordered by their ``assessed`` dates."""
    from cxscore.history import build_history

    return build_history(_names(paths), _dirs(allow_outside), engine=engine)


def measure(
    *data: PathArg,
    nps: Sequence[str] = (),
    csat: Sequence[str] = (),
    ces: Sequence[str] = (),
    fcr: Sequence[str] = (),
    response_time: Sequence[str] = (),
    unit: str | None = None,
    by: Sequence[str] = (),
    trend: str | None = None,
    table: str | None = None,
    engine: str | None = None,
    weight: str | None = None,
    vs_rest: bool = False,
    min_n: int = 100,
    adjust: str = "holm",
) -> MeasureReport:
    """What ``cxscore measure`` computes: CX measures with 95% intervals from exports or a table.

    Each measure names its columns (``nps=["likelihood_to_recommend"]``); needs the ``data`` extra.
    ``weight`` names a survey-weight column; ``vs_rest`` tests each ``by`` segment against the rest;
    results with fewer than ``min_n`` answers are never tested; ``adjust`` is ``holm``, ``bh`` or
    ``none``, applied to all the run's p-values together.
    """
    from cxscore.data import DataSource, MeasureOptions, compute_measures, specs_from_options

    specs = specs_from_options(list(nps), list(csat), list(ces), list(fcr), list(response_time), unit)
    source = DataSource(paths=tuple(_names(data)), table=table, engine=engine)
    options = MeasureOptions(weight=weight, vs_rest=vs_rest, min_n=min_n, adjust=adjust)
    return compute_measures(source, specs, list(by), trend, options=options)


def plan(
    measure: str,
    moe: Sequence[float] = (),
    change: Sequence[float] = (),
    power: float = 0.8,
    expect: Sequence[float] | None = None,
    expect_sd: float | None = None,
) -> PlanReport:
    """What ``cxscore plan`` computes: answers needed for each 95% margin of error in ``moe`` and, per
    period, to detect each ``change`` with ``power``; ``measure`` is nps, csat, fcr or ces."""
    from cxscore.data.plan import make_plan

    expected = None if expect is None else tuple(expect)
    return make_plan(measure, tuple(moe), tuple(change), power, expected, expect_sd)


def customers(
    *data: PathArg,
    customer: str,
    date: str,
    amount: str,
    as_of: datetime.date | None = None,
    active_within: int = 365,
    top: int = 400,
    margin: float = 1.0,
    horizon: float = 52.0,
    listing: str = "delight",
    vip_by: str = "ltv",
    table: str | None = None,
    engine: str | None = None,
    output: PathArg | None = None,
) -> CustomersReport:
    """What ``cxscore customers`` computes: customer value, VIPs, RFM segments, the delight list and the
    BG/NBD + Gamma-Gamma model from an orders export or table. With ``output`` (``.csv`` or
    ``.parquet``) the engine also writes every listed customer's row there; needs the ``data`` extra."""
    from cxscore.customer_lists import CustomerList, VipBy
    from cxscore.data import DataSource, compute_customers
    from cxscore.data.customer_report import CustomersSpec

    spec = CustomersSpec(
        customer,
        date,
        amount,
        as_of,
        active_within,
        top,
        margin,
        horizon,
        CustomerList(listing),
        VipBy(vip_by),
    )
    source = DataSource(paths=tuple(_names(data)), table=table, engine=engine)
    path = None if output is None else Path(output)
    file_format = None if path is None else ("parquet" if path.suffix.lower() == ".parquet" else "csv")
    return compute_customers(source, spec, path, file_format)


def drivers(
    *data: PathArg,
    outcome: str,
    drivers: Sequence[str],
    by: Sequence[str] = (),
    weight: str | None = None,
    framework: str | None = None,
    scale: str | None = None,
    replicates: int = 1000,
    seed: int = 0,
    table: str | None = None,
    engine: str | None = None,
) -> DriversReport:
    """What ``cxscore drivers`` computes: each driver's share of R² (Johnson's relative weights) with
    a bootstrap interval, Shapley values, betas, VIFs and the importance–performance quadrant.

    ``drivers`` are column names, or ``"COL=METRIC_ID"`` to map a column to ``framework``'s metric
    (default cx-six); needs the ``data`` extra.
    """
    from cxscore.data import DataSource
    from cxscore.keydrivers import analyse

    source = DataSource(paths=tuple(_names(data)), table=table, engine=engine)
    report, _ = analyse(source, outcome, list(drivers), framework, scale, list(by), weight, replicates, seed)
    return report


def frameworks() -> list[Framework]:
    """The bundled frameworks, validated, in id order."""
    from cxscore.loader import load_bundled_frameworks

    return load_bundled_frameworks()
