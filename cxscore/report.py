"""What ``cxscore rate`` reports: scorecards, optional what-if scenarios and a change since a baseline.

A what-if rescoring goes through the one scoring function on a copy of the brand with some ratings
replaced, so the hypothetical overall can never drift from the real formula.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from cxscore.compare import Comparison, compare_results
from cxscore.errors import Issue, UsageError
from cxscore.loader import LoadedBrand, did_you_mean
from cxscore.models import RatingEntry
from cxscore.render.numbers import format_rating
from cxscore.scorecard import is_single_file, load_brands, score_files
from cxscore.scoring import ScoreResult, score_brand


@dataclass(frozen=True, slots=True)
class RatingChange:
    """One rating a what-if replaces: the metric, its current rating (None if unrated) and the new one."""

    id: str
    name: str
    before: float | None
    after: float


@dataclass(frozen=True, slots=True)
class WhatIf:
    """A brand rescored with some ratings changed, next to its current scorecard."""

    current: ScoreResult
    hypothetical: ScoreResult
    changes: tuple[RatingChange, ...]

    @property
    def overall_delta(self) -> float:
        """Hypothetical minus current overall, in percentage points."""
        return self.hypothetical.overall_percent - self.current.overall_percent


@dataclass(frozen=True, slots=True)
class RateReport:
    """Everything one ``rate`` run shows; ``what_ifs`` has one entry per result when given."""

    results: tuple[ScoreResult, ...]
    what_ifs: tuple[WhatIf, ...] = ()
    change: Comparison | None = None
    single: bool = False
    details: bool = False

    def what_if(self, index: int) -> WhatIf | None:
        """The what-if scenario of the result at ``index``, if one was asked for."""
        return self.what_ifs[index] if self.what_ifs else None

    def sections(self) -> Iterator[tuple[ScoreResult, WhatIf | None, Comparison | None]]:
        """Each brand in order, with its what-if scenario and its change since the baseline (or None)."""
        for index, result in enumerate(self.results):
            yield result, self.what_if(index), self.change if index == 0 else None


def parse_what_if(texts: Sequence[str]) -> dict[str, float]:
    """``METRIC=RATING`` options as a mapping; malformed, non-finite or repeated ones are errors."""
    assignments: dict[str, float] = {}
    for text in texts:
        metric_id, sep, value = (part.strip() for part in text.partition("="))
        if not sep or not metric_id or not value:
            raise UsageError(Issue("--what-if", f"expected METRIC=RATING (e.g. empathy=5), got {text!r}"))
        try:
            rating = float(value)
        except ValueError:
            rating = math.nan
        if not math.isfinite(rating):
            raise UsageError(Issue("--what-if", f"{metric_id}: expected a number, got {value!r}"))
        if metric_id in assignments:
            raise UsageError(Issue("--what-if", f"{metric_id} is given twice"))
        assignments[metric_id] = rating
    return assignments


def apply_what_if(loaded: LoadedBrand, assignments: dict[str, float]) -> WhatIf:
    """Rescore a brand with ratings replaced, after checking each id and rating against its framework."""
    framework, brand = loaded.framework, loaded.brand
    ids = [metric.id for metric in framework.metrics]
    low, high = framework.scale.min, framework.scale.max
    ratings = dict(brand.ratings)
    changes = []
    for metric_id, rating in assignments.items():
        metric = framework.metric(metric_id)
        where = f"--what-if {metric_id}={format_rating(rating)}"
        if metric is None:
            message = f"{where}: unknown metric '{metric_id}' in {framework.id}{did_you_mean(metric_id, ids)}"
            raise UsageError(Issue(loaded.path, message))
        if not low <= rating <= high:
            message = f"{where}: outside the {framework.id} scale {low:g}–{high:g}"
            raise UsageError(Issue(loaded.path, message))
        entry = ratings.get(metric_id)
        ratings[metric_id] = RatingEntry(rating=rating, note=None if entry is None else entry.note)
        changes.append(RatingChange(metric_id, metric.name, None if entry is None else entry.rating, rating))
    current = score_brand(brand, framework, loaded.path)
    hypothetical = score_brand(brand.model_copy(update={"ratings": ratings}), framework, loaded.path)
    return WhatIf(current, hypothetical, tuple(changes))


def build_rate_report(
    paths: list[str],
    what_if: Sequence[str] = (),
    baseline: Path | None = None,
    details: bool = False,
    fail_on_regression: bool = False,
) -> RateReport:
    """Score the files, and add what-if scenarios and a baseline change when asked for."""
    assignments = parse_what_if(what_if)
    if fail_on_regression and baseline is None:
        raise UsageError(Issue("--fail-on-regression", "needs --baseline LAST.yaml to compare against"))
    if baseline is not None and not (len(paths) == 1 and is_single_file(paths)):
        raise UsageError(
            Issue("--baseline", f"compares one brand file with its baseline; got {len(paths)} paths")
        )
    if baseline is not None and baseline.is_dir():
        raise UsageError(Issue(str(baseline), "--baseline needs one brand file, not a directory"))
    what_ifs: tuple[WhatIf, ...] = ()
    if assignments:
        what_ifs = tuple(apply_what_if(loaded, assignments) for loaded in load_brands(paths))
        results = tuple(scenario.current for scenario in what_ifs)
    else:
        results = tuple(score_files(paths))
    change = None
    if baseline is not None:
        change = compare_results((score_files([str(baseline)])[0], results[0]))
    return RateReport(results, what_ifs, change, single=is_single_file(paths), details=details)
