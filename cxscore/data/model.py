"""What a measurement asks for and what it returns: plain dataclasses, no engine imports.

A scorecard loader can build a :class:`MeasureSpec` and a :class:`DataSource` from a brand file and
call :func:`cxscore.data.compute_measure` without knowing anything about Ibis.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from cxscore.data.stats import MIN_N


class MeasureKind(StrEnum):
    """The CX measures cxscore computes from raw answers."""

    nps = "nps"
    csat = "csat"
    ces = "ces"
    fcr = "fcr"
    response_time = "response_time"


#: How each measure is named to users and which answers are valid.
LABELS: dict[MeasureKind, str] = {
    MeasureKind.nps: "NPS",
    MeasureKind.csat: "CSAT",
    MeasureKind.ces: "CES",
    MeasureKind.fcr: "FCR",
    MeasureKind.response_time: "response time",
}
VALID_ANSWERS: dict[MeasureKind, str] = {
    MeasureKind.nps: "integers 0–10",
    MeasureKind.csat: "integers 1–5",
    MeasureKind.ces: "integers 1–7",
    MeasureKind.fcr: "true/false, yes/no or 1/0",
    MeasureKind.response_time: "non-negative numbers",
}
NO_MEASURE = "no measure asked: give --nps, --csat, --ces, --fcr or --response-time"


@dataclass(frozen=True, slots=True)
class MeasureSpec:
    """One measure to compute: its kind, the column holding the answers and, for times, the unit."""

    kind: MeasureKind
    column: str
    unit: str | None = None

    def __post_init__(self) -> None:
        if not self.column:
            raise ValueError("a measure needs a column name")


@dataclass(frozen=True, slots=True)
class DataSource:
    """Where the rows live: files (paths or glob patterns) read by the engine, or a table on it.

    ``engine`` is an Ibis connection URL (``duckdb://``, ``sqlite:///survey.db``, ``postgres://...``);
    ``None`` means an in-memory DuckDB. ``base`` resolves relative file paths (a brand file's folder).
    ``root`` confines them: every path and glob match must resolve (links followed) inside that
    folder, and globs are walked only inside it. The brand-file side sets it to the brand file's
    folder; ``None`` (paths the user typed on the command line) confines nothing.
    ``encoding`` is the text encoding of CSV files (``None``: UTF-8). ``decimal_comma`` says whether a
    comma in a number is its decimal mark (``9,94``); ``None`` detects it: yes for semicolon-separated
    files, no otherwise.
    Plain dataclasses, not pydantic: the command line builds them from parsed options, and pydantic's
    import would be paid on every ``measure`` run.
    """

    paths: tuple[str, ...] = ()
    table: str | None = None
    engine: str | None = None
    base: str | None = None
    root: str | None = None
    encoding: str | None = None
    decimal_comma: bool | None = None


def plain_value(value: Any) -> Any:
    """A group value as JSON can hold it: dates as ISO text, other non-JSON types as text."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime.date | datetime.datetime | datetime.time):
        return value.isoformat()
    return str(value)


@dataclass(frozen=True, slots=True)
class MeasureOptions:
    """How ``measure`` weighs, compares and tests: survey weights, segment-vs-rest tests, the n floor
    below which a result is never tested, and the multiple-comparison adjustment of all its tests."""

    weight: str | None = None
    vs_rest: bool = False
    min_n: int = MIN_N
    adjust: str = "holm"


@dataclass(frozen=True, slots=True)
class MeasureResult:
    """One measure over one group of rows (``group`` is ``None`` for all rows).

    ``value`` is the NPS in points, CSAT and FCR in percent, CES as a mean on 1–7, and the median for
    response time; it is ``None`` when no answer was valid. ``invalid`` counts the rows left out of
    ``n`` (blank, unparseable or out of scale, or an invalid weight). ``n_effective`` is Kish's
    effective n under survey weights (``n`` without). For response times ``ci_low``..``ci_high`` is
    the median's distribution-free interval and ``p90_ci_low``..``p90_ci_high`` the p90's.
    Trend fields (``change`` against the ``base`` period) are set only under ``--trend``; ``vs_rest``
    (this segment minus the other rows) only under ``--vs-rest``. A tested result has ``p_value``,
    ``p_adjusted`` (over all tests of the run) and ``significant`` (on the adjusted value); an untested
    one says why in ``test_note``. ``estimate`` is what the tests need, not part of any output.
    """

    kind: MeasureKind
    column: str
    group: dict[str, Any] | None
    value: float | None
    n: int
    invalid: int
    ci_low: float | None = None
    ci_high: float | None = None
    se: float | None = None
    median: float | None = None
    p90: float | None = None
    unit: str | None = None
    change: float | None = None
    p_value: float | None = None
    significant: bool | None = None
    n_effective: float | None = None
    p90_ci_low: float | None = None
    p90_ci_high: float | None = None
    base: Any = None
    vs_rest: float | None = None
    p_adjusted: float | None = None
    test_note: str | None = None
    min_n: int = MIN_N
    estimate: Any = field(default=None, compare=False, repr=False)

    def to_dict(self, trend: bool = False, vs_rest: bool = False) -> dict[str, Any]:
        """One result as the JSON contract's object; the test fields only for a trend or --vs-rest."""
        entry: dict[str, Any] = {
            "measure": self.kind.value,
            "column": self.column,
            "group": None if self.group is None else {k: plain_value(v) for k, v in self.group.items()},
            "value": finite(self.value),
            "n": self.n,
            "n_effective": finite(self.n_effective),
            "invalid": self.invalid,
            "ci_low": finite(self.ci_low),
            "ci_high": finite(self.ci_high),
        }
        if self.kind is MeasureKind.response_time:
            entry["median"] = finite(self.median)
            entry["p90"] = finite(self.p90)
            entry["p90_ci_low"] = finite(self.p90_ci_low)
            entry["p90_ci_high"] = finite(self.p90_ci_high)
        if trend:
            entry["change"] = finite(self.change)
            entry["base"] = plain_value(self.base)
        if vs_rest:
            entry["vs_rest"] = finite(self.vs_rest)
        if trend or vs_rest:
            entry["p_value"] = finite(self.p_value)
            entry["p_adjusted"] = finite(self.p_adjusted)
            entry["significant"] = self.significant
            entry["test_note"] = self.test_note
        return entry

    @property
    def insufficient_n(self) -> bool:
        """Whether fewer valid answers than the floor (``--min-n``, 100 by default) back this value."""
        return self.n < self.min_n


def finite(value: float | None) -> float | None:
    """``value``, or ``None`` when it is not a finite number (JSON has no NaN or infinity)."""
    if value is None or math.isfinite(value):
        return value
    return None


@dataclass(frozen=True, slots=True)
class MeasureReport:
    """Every result of one ``measure`` run, overall first, plus the warnings to show the user.

    ``tests`` counts the tests of the run (trend changes and segment-vs-rest comparisons with a
    p-value) and ``adjustment`` names how their p-values were adjusted (``holm``, ``bh``, ``none``).
    """

    source: str
    results: tuple[MeasureResult, ...]
    by: tuple[str, ...] = ()
    trend: str | None = None
    warnings: tuple[str, ...] = field(default=())
    weight: str | None = None
    vs_rest: bool = False
    tests: int = 0
    adjustment: str = "holm"
    min_n: int = MIN_N

    @property
    def has_response_time(self) -> bool:
        """Whether any result carries a median and p90."""
        return any(r.kind is MeasureKind.response_time for r in self.results)

    @property
    def tested(self) -> bool:
        """Whether the run compares anything (a trend or segments against the rest)."""
        return self.trend is not None or self.vs_rest

    def to_dict(self) -> dict[str, Any]:
        """``{"measures": [...], "weight", "min_n", "tests", "adjustment"}`` (``measure --format json``),
        unrounded, overall results first."""
        trend = self.trend is not None
        return {
            "measures": [result.to_dict(trend, self.vs_rest) for result in self.results],
            "weight": self.weight,
            "min_n": self.min_n,
            "tests": self.tests,
            "adjustment": self.adjustment,
        }


@dataclass(frozen=True, slots=True)
class MetricMeasure:
    """What a framework's measured metric asks of the data (the fields of its ``measure:``)."""

    name: str
    column: str | None = None
    where: str | None = None
    numerator: str | None = None
    denominator: str | None = None
    of: str | None = None
    between: tuple[str, ...] = ()
    unit: str | None = None
    top: tuple[float, ...] = ()
    bottom: tuple[float, ...] = ()
    weight: str | None = None


@dataclass(frozen=True, slots=True)
class MeasuredValue:
    """A computed value with the rows behind it and its 95% interval.

    A ``difference`` also says whether it is ``significant`` (its interval excludes 0) with its
    ``p_value``; ``n_effective`` is Kish's effective n under survey weights. ``estimate`` is what a
    comparison needs, not part of any output.
    """

    value: float
    n: int
    ci_low: float | None = None
    ci_high: float | None = None
    n_effective: float | None = None
    p_value: float | None = None
    significant: bool | None = None
    estimate: Any = field(default=None, compare=False, repr=False)
