"""CI gates: turn score thresholds and regressions into failures, so a report can fail a build.

The commands print their report first and then exit 1 when any gate fails; a gate failure is not a
user error (exit 2), so it is returned as a :class:`GateFailure` record, not raised. Records carry
numbers, not text: how many decimals a figure needs to show why it failed is the renderer's business
(``cxscore.render.gates``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, NamedTuple, Protocol

from cxscore.errors import Issue, UsageError
from cxscore.scoring import ScoreResult

if TYPE_CHECKING:
    from cxscore.compare import Comparison


class Gated(Protocol):
    """Anything the threshold gates can look at: a brand's overall and its rated metrics' scores."""

    @property
    def path(self) -> str: ...
    @property
    def brand(self) -> str: ...
    @property
    def overall_percent(self) -> float: ...
    @property
    def coverage_percent(self) -> float: ...
    @property
    def metric_scores(self) -> tuple[tuple[str, float], ...]: ...
    @property
    def overall_ci_low(self) -> float | None: ...


class GateSubject(NamedTuple):
    """The gate view of a scored brand (a leaderboard entry is one already)."""

    path: str
    brand: str
    overall_percent: float
    coverage_percent: float
    metric_scores: tuple[tuple[str, float], ...]
    overall_ci_low: float | None = None

    @classmethod
    def of(cls, result: ScoreResult) -> GateSubject:
        """The gate view of a scored brand."""
        scores = tuple(
            (metric.name, metric.score_percent)
            for metric in result.metrics
            if metric.score_percent is not None
        )
        return cls(
            result.path,
            result.brand,
            result.overall_percent,
            result.coverage_percent,
            scores,
            result.overall_ci_low,
        )


def _percent_option(option: str, value: float | None) -> float | None:
    if value is not None and not (math.isfinite(value) and 0 <= value <= 100):
        raise UsageError(Issue(option, f"expected a percentage from 0 to 100, got {value:g}"))
    return value


class GateFailure(NamedTuple):
    """One failed gate: what fell short of which limit, set by which option.

    ``kind`` is ``below`` (a score under ``--fail-under``/``--fail-under-metric``; ``limit`` is that
    percentage) or ``regression`` (a fall since the baseline beyond ``--tolerance``; ``value`` is the
    fall in points, ``limit`` the tolerance). ``what`` is ``overall`` or the metric's name.
    """

    path: str
    brand: str
    what: str
    value: float
    limit: float
    option: str
    kind: str = "below"


class Gates:
    """The gate options of a command, validated on creation (so a bad value fails before output)."""

    __slots__ = (
        "fail_under",
        "fail_under_metric",
        "min_coverage",
        "fail_on_regression",
        "tolerance",
        "confident",
    )

    def __init__(
        self,
        fail_under: float | None = None,
        fail_under_metric: float | None = None,
        fail_on_regression: bool = False,
        tolerance: float | None = None,
        min_coverage: float | None = None,
        confident: bool = False,
    ) -> None:
        self.fail_under = _percent_option("--fail-under", fail_under)
        if confident and fail_under is None:
            raise UsageError(Issue("--confident", "only applies together with --fail-under"))
        # --confident: the overall must be above the limit with 95% confidence, so its interval's lower
        # end is gated (the overall itself where it carries no interval).
        self.confident = confident
        self.fail_under_metric = _percent_option("--fail-under-metric", fail_under_metric)
        self.min_coverage = _percent_option("--min-coverage", min_coverage)
        self.fail_on_regression = fail_on_regression
        if tolerance is not None:
            if not fail_on_regression:
                raise UsageError(Issue("--tolerance", "only applies together with --fail-on-regression"))
            if not (math.isfinite(tolerance) and tolerance >= 0):
                message = f"expected a non-negative number of points, got {tolerance:g}"
                raise UsageError(Issue("--tolerance", message))
        self.tolerance = tolerance

    @property
    def checks_brands(self) -> bool:
        """Whether a gate on each brand (its overall, coverage or metrics) was asked for."""
        limits = (self.fail_under, self.min_coverage, self.fail_under_metric)
        return any(limit is not None for limit in limits)

    def watch(self, results: Iterable[ScoreResult], failures: list[GateFailure]) -> Iterator[ScoreResult]:
        """Each result as it passes (to a report written while brands are scored), its failed gates
        added to ``failures``: what :meth:`check` would find once they are all through."""
        if not self.checks_brands:
            yield from results  # no gate asked for: nothing to check as they pass
            return
        for result in results:
            failures.extend(self.check((result,)))
            yield result

    def check(
        self, subjects: Iterable[Gated | ScoreResult], change: Comparison | None = None
    ) -> list[GateFailure]:
        """Every failed gate (empty when all pass)."""
        failures: list[GateFailure] = []
        # No gate asked for: a leaderboard read back from disk is not read once more for nothing.
        for item in subjects if self.checks_brands else ():
            subject = GateSubject.of(item) if isinstance(item, ScoreResult) else item
            if self.fail_under is not None:
                low = subject.overall_ci_low if self.confident else None
                what, value = (
                    ("overall", subject.overall_percent) if low is None else ("overall's 95% low", low)
                )
                option = "--fail-under --confident" if self.confident else "--fail-under"
                if value < self.fail_under:
                    failures.append(_below(subject, what, value, option, self.fail_under))
            if self.min_coverage is not None and subject.coverage_percent < self.min_coverage:
                failures.append(
                    _below(subject, "coverage", subject.coverage_percent, "--min-coverage", self.min_coverage)
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
            current = change.results[-1]
            failures.extend(
                GateFailure(
                    current.path,
                    current.brand,
                    "overall" if row.id == "overall" else row.name,
                    -(row.delta or 0.0),
                    tolerance,
                    "--fail-on-regression",
                    "regression",
                )
                for row in regressions(change, tolerance)
            )
        return failures


def _below(subject: Gated, what: str, value: float, option: str, limit: float) -> GateFailure:
    return GateFailure(subject.path, subject.brand, what, value, limit, option)
