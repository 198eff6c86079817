"""Brands over time: each brand's assessments ordered by date, with the change since the one before.

``cxscore history`` groups scored files by brand name and orders each group by its ``assessed`` date,
so every file needs a date of its own. A :class:`History` follows the metrics every period shares
(by metric id, as ``compare`` does) and the overall; each point carries its score and its change
against the previous period: the difference of the two unrounded percentages, in points, or None
when either period left the metric unrated (a gap, never a 0).

The caveats ``compare`` states hold between periods too, and a History states them the same way:
periods on different frameworks are followed on their shared metrics only (each overall stays on its
own framework), and a metric rated in some periods only means the overalls rest on different
denominators.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from cxscore.compare import framework_signature
from cxscore.errors import CxScoreError, InputError, Issue
from cxscore.scorecard import score_files
from cxscore.scoring import SCHEMA_VERSION, ScoreResult
from cxscore.yamlsafe import load_yaml, locate

OVERALL_ID = "overall"


class Point(NamedTuple):
    """One metric (or the overall) in one period: its score, None when unrated, and its change."""

    score_percent: float | None
    change: float | None


class Line(NamedTuple):
    """One metric followed through the periods (or the overall): a point per period, oldest first."""

    id: str
    name: str
    points: tuple[Point, ...]

    @property
    def scores(self) -> tuple[float | None, ...]:
        """The score in each period (None where the metric was unrated)."""
        return tuple(point.score_percent for point in self.points)

    @property
    def rated_in_some_only(self) -> bool:
        """Whether the metric is rated in at least one period and unrated in another."""
        scores = self.scores
        return any(score is None for score in scores) and any(score is not None for score in scores)


class Period(NamedTuple):
    """One assessment in a history: the date it was assessed and its scorecard."""

    assessed: datetime.date
    result: ScoreResult


class History(NamedTuple):
    """One brand's assessments by date: the shared metrics and the overall followed through them."""

    brand: str
    periods: tuple[Period, ...]
    lines: tuple[Line, ...]
    overall: Line

    @property
    def frameworks(self) -> tuple[str, ...]:
        """The distinct framework ids, in the order the periods first use them."""
        return tuple(dict.fromkeys(period.result.framework_id for period in self.periods))

    @property
    def framework(self) -> str:
        """The framework id of the latest period (the one the shared metrics are named after)."""
        return self.periods[-1].result.framework_id

    @property
    def same_framework(self) -> bool:
        """Whether every period was scored on the same framework: same id *and* same content."""
        return len({framework_signature(period.result) for period in self.periods}) == 1

    @property
    def uneven(self) -> tuple[Line, ...]:
        """The shared metrics rated in some periods and unrated in others."""
        return tuple(line for line in self.lines if line.rated_in_some_only)

    @property
    def weights_differ(self) -> tuple[Line, ...]:
        """The shared metrics whose weight is not the same in every period."""
        weights = [{metric.id: metric.weight for metric in p.result.metrics} for p in self.periods]
        return tuple(line for line in self.lines if len({w[line.id] for w in weights}) > 1)

    def to_dict(self) -> dict[str, Any]:
        """This history as its JSON object: brand, the latest period's framework, the periods by date
        (each with its file, framework, overall, band, change and the followed metrics) and the notes.
        """
        periods = []
        for index, period in enumerate(self.periods):
            overall = self.overall.points[index]
            metrics = [
                {
                    "id": line.id,
                    "name": line.name,
                    "score_percent": line.points[index].score_percent,
                    "change": line.points[index].change,
                }
                for line in self.lines
            ]
            periods.append(
                {
                    "assessed": period.assessed.isoformat(),
                    "file": period.result.path,
                    "framework": period.result.framework_id,
                    "overall_percent": overall.score_percent,
                    "band": period.result.band,
                    "change": overall.change,
                    "metrics": metrics,
                }
            )
        return {"brand": self.brand, "framework": self.framework, "periods": periods, "notes": self.notes()}

    def notes(self) -> list[str]:
        """Plain-language caveats a reader must see next to the numbers (may be empty)."""
        notes: list[str] = []
        if not self.same_framework:
            count = len(self.lines)
            names = ", ".join(line.name for line in self.lines) or "none"
            ids = ", ".join(self.frameworks)
            if len(self.frameworks) == 1:
                ids = f"two versions of a framework called {ids}"
            notes.append(
                f"Different frameworks over time ({ids}): followed on the {count} "
                f"metric{'' if count == 1 else 's'} every period shares ({names}); each overall is on "
                "its period's own framework."
            )
        uneven = self.uneven
        if uneven:
            names = ", ".join(line.name for line in uneven)
            notes.append(
                f"Rated sets differ between periods ({names} unrated in some): the overall percentages "
                "rest on different denominators."
            )
        weights_differ = self.weights_differ
        if weights_differ:
            names = ", ".join(line.name for line in weights_differ)
            notes.append(f"Weights differ between periods for: {names}.")
        return notes


class HistoryReport(NamedTuple):
    """Every brand's history, sorted by brand name."""

    histories: tuple[History, ...]

    def to_dict(self) -> dict[str, Any]:
        """``{"schema_version", "histories": [...]}`` (``history --format json``): histories by brand,
        periods by date; every ``change`` the unrounded difference in points from the period before,
        None for the first period and across a gap."""
        return {"schema_version": SCHEMA_VERSION, "histories": [h.to_dict() for h in self.histories]}


class DateProblem(NamedTuple):
    """A file history cannot place: no ``assessed`` date, or the date of another file of its brand."""

    result: ScoreResult
    message: str


def changes(scores: Sequence[float | None]) -> tuple[Point, ...]:
    """Each score with its change since the one before: ``s[i] - s[i-1]`` in points, None for the
    first and wherever either score is missing. Nothing is rounded."""
    points = []
    previous: float | None = None
    for index, score in enumerate(scores):
        change = None if index == 0 or score is None or previous is None else score - previous
        points.append(Point(score, change))
        previous = score
    return tuple(points)


def follow(results: Sequence[ScoreResult]) -> History:
    """One brand's history: its dated results ordered by date, the shared metrics and the overall
    followed through them.

    The metrics are those of the latest period (its order and names) that every period has.
    """
    dated = sorted(
        (Period(result.assessed, result) for result in results if result.assessed is not None),
        key=lambda period: period.assessed,
    )
    if len(dated) != len(results) or not dated:
        raise ValueError("follow() needs one or more results, each with an assessed date")
    by_id = [{metric.id: metric for metric in period.result.metrics} for period in dated]
    latest = dated[-1].result
    lines = tuple(
        Line(metric.id, metric.name, changes([ids[metric.id].score_percent for ids in by_id]))
        for metric in latest.metrics
        if all(metric.id in ids for ids in by_id)
    )
    overall = Line(OVERALL_ID, "Overall", changes([period.result.overall_percent for period in dated]))
    return History(latest.brand, tuple(dated), lines, overall)


def date_problems(results: Iterable[ScoreResult]) -> list[DateProblem]:
    """The results a history cannot place, in the order given: each without an ``assessed`` date,
    and each whose brand already has an assessment of that date among the results before it."""
    problems = []
    seen: dict[tuple[str, datetime.date], ScoreResult] = {}
    for result in results:
        if result.assessed is None:
            problems.append(
                DateProblem(
                    result,
                    f"{result.brand} has no 'assessed' date: a brand's assessments are ordered by date, "
                    "so each needs one (e.g. assessed: 2024-12-17)",
                )
            )
            continue
        key = (result.brand, result.assessed)
        first = seen.setdefault(key, result)
        if first is not result:
            problems.append(
                DateProblem(
                    result,
                    f"{result.brand} is assessed {result.assessed.isoformat()} in {first.path} too: "
                    "a brand's assessments need dates of their own",
                )
            )
    return problems


def follow_brands(results: Iterable[ScoreResult]) -> HistoryReport:
    """Group dated results by brand name and follow each group; histories sorted by brand name."""
    groups: dict[str, list[ScoreResult]] = {}
    for result in results:
        groups.setdefault(result.brand, []).append(result)
    brands = sorted(groups, key=lambda brand: (brand.casefold(), brand))
    return HistoryReport(tuple(follow(groups[brand]) for brand in brands))


def located(path: str, key: str, message: str) -> Issue:
    """An issue at the value of a top-level ``key`` of a brand file (at its first key if it has none).

    Only a problem needs the place, so the file is read again here rather than kept for every file.
    """
    try:
        node = locate(load_yaml(Path(path), path).root, (key,))
    except CxScoreError:  # gone or changed since it was scored: the problem still stands, unplaced
        return Issue(path, message)
    return Issue(path, message, node.line, node.col)


def build_history(
    arguments: Iterable[str], allow_outside: Sequence[Path] = (), *, engine: str | None = None
) -> HistoryReport:
    """Load and score every file named (directories expand to their YAML files) and follow each brand
    through its assessments; a file without a date, or with a date its brand already has, is an error."""
    results = score_files(arguments, allow_outside, engine=engine)
    problems = date_problems(results)
    if problems:
        raise InputError([located(p.result.path, "assessed", p.message) for p in problems])
    return follow_brands(results)


def latest_before(current: ScoreResult, candidates: Iterable[ScoreResult]) -> ScoreResult | None:
    """The latest of ``candidates`` of ``current``'s brand dated before ``current`` (None if none is).

    Candidates of other brands, or without a date, are passed over; ``current`` needs a date.
    """
    if current.assessed is None:
        raise ValueError("latest_before() needs a dated assessment")
    earlier = [
        (candidate.assessed, index, candidate)
        for index, candidate in enumerate(candidates)
        if candidate.brand == current.brand
        and candidate.assessed is not None
        and candidate.assessed < current.assessed
    ]
    return max(earlier)[2] if earlier else None
