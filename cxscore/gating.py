"""CI gates: turn score thresholds and regressions into failures, so a report can fail a build.

The commands print their report first and then exit 1 when any gate fails; a gate failure is not a
user error (exit 2), so it is returned as :class:`~cxscore.errors.Issue` records to print, not raised.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, NamedTuple

from cxscore.errors import Issue, UsageError
from cxscore.render.numbers import format_number
from cxscore.scoring import ScoreResult

if TYPE_CHECKING:
    from cxscore.compare import Comparison


class GateSubject(NamedTuple):
    """What the threshold gates look at for one brand: its overall and its rated metrics' scores."""

    path: str
    brand: str
    overall_percent: float
    metric_scores: tuple[tuple[str, float], ...]

    @classmethod
    def of(cls, result: ScoreResult) -> GateSubject:
        """The gate view of a scored brand."""
        scores = tuple(
            (metric.name, metric.score_percent)
            for metric in result.metrics
            if metric.score_percent is not None
        )
        return cls(result.path, result.brand, result.overall_percent, scores)


def _percent_option(option: str, value: float | None) -> float | None:
    if value is not None and not (math.isfinite(value) and 0 <= value <= 100):
        raise UsageError(Issue(option, f"expected a percentage from 0 to 100, got {value:g}"))
    return value


class Gates:
    """The gate options of a command, validated on creation (so a bad value fails before output)."""

    __slots__ = ("fail_under", "fail_under_metric", "fail_on_regression", "tolerance")

    def __init__(
        self,
        fail_under: float | None = None,
        fail_under_metric: float | None = None,
        fail_on_regression: bool = False,
        tolerance: float | None = None,
    ) -> None:
        self.fail_under = _percent_option("--fail-under", fail_under)
        self.fail_under_metric = _percent_option("--fail-under-metric", fail_under_metric)
        self.fail_on_regression = fail_on_regression
        if tolerance is not None:
            if not fail_on_regression:
                raise UsageError(Issue("--tolerance", "only applies together with --fail-on-regression"))
            if not (math.isfinite(tolerance) and tolerance >= 0):
                message = f"expected a non-negative number of points, got {tolerance:g}"
                raise UsageError(Issue("--tolerance", message))
        self.tolerance = tolerance

    def check(
        self, subjects: Iterable[GateSubject | ScoreResult], change: Comparison | None = None
    ) -> list[Issue]:
        """Every failed gate as one printable record (empty when all pass)."""
        failures: list[Issue] = []
        for item in subjects:
            subject = item if isinstance(item, GateSubject) else GateSubject.of(item)
            if self.fail_under is not None and subject.overall_percent < self.fail_under:
                failures.append(
                    _below(subject, "overall", subject.overall_percent, "--fail-under", self.fail_under)
                )
            if self.fail_under_metric is not None:
                failures.extend(
                    _below(subject, name, score, "--fail-under-metric", self.fail_under_metric)
                    for name, score in subject.metric_scores
                    if score < self.fail_under_metric
                )
        if self.fail_on_regression and change is not None:
            from cxscore.compare import regressions  # only with a baseline: keep `rate` start-up lean

            tolerance = self.tolerance or 0.0
            for row in regressions(change, tolerance):
                current = change.results[-1]
                drop = _shown(-(row.delta or 0.0), lambda shown: shown > tolerance)
                message = (
                    f"{current.brand}: {row.name.lower() if row.id == 'overall' else row.name} fell "
                    f"{drop} points since the baseline (tolerance {tolerance:g}) [--fail-on-regression]"
                )
                failures.append(Issue(current.path, message))
        return failures


def _below(subject: GateSubject, what: str, value: float, option: str, limit: float) -> Issue:
    shown = _shown(value, lambda text: text < limit)
    return Issue(subject.path, f"{subject.brand}: {what} {shown}% is below {limit:g}% [{option}]")


def _shown(value: float, keeps: Callable[[float], bool]) -> str:
    """The value with enough decimals that the shown figure keeps the relation that failed the gate.

    49.96 below a limit of 50 must not print as "50.0", nor a fall of 2.04 beyond a tolerance of 2 as
    "2.0".
    """
    for decimals in range(1, 7):
        text = format_number(value, decimals)
        if keeps(float(text)):
            return text
    return repr(value)
