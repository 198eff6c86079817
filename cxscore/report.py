"""What ``cxscore rate`` reports: scorecards, optional what-if scenarios and a change since a baseline.

A what-if rescoring goes through the one scoring function on a copy of the brand with some ratings
replaced, so the hypothetical overall can never drift from the real formula.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from cxscore.errors import InputError, Issue, UsageError, did_you_mean, notice
from cxscore.loader import LoadedBrand
from cxscore.models import MEASURE_RANGES, Metric, RatingEntry
from cxscore.scorecard import (
    is_single_file,
    iter_scored,
    load_brands,
    load_weights,
    score_files,
    with_weights,
)
from cxscore.scoring import SCHEMA_VERSION, ScoreResult, score_brand

if TYPE_CHECKING:
    from cxscore.compare import Comparison


class RatingChange(NamedTuple):
    """One rating (or measured value) a what-if replaces: the current one (None if unrated) and the new."""

    id: str
    name: str
    before: float | None
    after: float
    measured: bool = False


class WhatIf(NamedTuple):
    """A brand rescored with some ratings changed, next to its current scorecard."""

    current: ScoreResult
    hypothetical: ScoreResult
    changes: tuple[RatingChange, ...]

    @property
    def overall_delta(self) -> float:
        """Hypothetical minus current overall, in percentage points."""
        return self.hypothetical.overall_percent - self.current.overall_percent

    def to_dict(self) -> dict[str, Any]:
        """The scenario as JSON: the changed ratings and the overall they would give."""
        hypothetical = self.hypothetical
        return {
            "changes": [
                {"id": change.id, "rating_before": change.before, "rating": change.after}
                for change in self.changes
            ],
            "overall_percent": hypothetical.overall_percent,
            "band": hypothetical.band,
            "coverage_percent": hypothetical.coverage_percent,
            "overall_change": self.overall_delta,
        }


class RateReport(NamedTuple):
    """Everything one ``rate`` run shows; ``what_ifs`` has one entry per result when given."""

    results: tuple[ScoreResult, ...]
    what_ifs: tuple[WhatIf, ...] = ()
    change: Comparison | None = None
    single: bool = False
    details: bool = False

    def to_dict(self) -> dict[str, Any]:
        """What ``rate --format json`` prints: one brand's object for a single file, else
        ``{"brands": [...]}``; with ``what_if`` per brand and ``baseline`` when they were asked for."""
        brands = []
        for result, what_if, change in self.sections():
            brand = result.to_dict()
            if what_if is not None:
                brand["what_if"] = what_if.to_dict()
            if change is not None:
                brand["baseline"] = change.baseline_dict()
            brands.append(brand)
        if self.single:
            return {"schema_version": SCHEMA_VERSION, **brands[0]}
        return {"schema_version": SCHEMA_VERSION, "brands": brands}

    def what_if(self, index: int) -> WhatIf | None:
        """The what-if scenario of the result at ``index``, if one was asked for."""
        return self.what_ifs[index] if self.what_ifs else None

    def sections(self) -> Iterator[tuple[ScoreResult, WhatIf | None, Comparison | None]]:
        """Each brand in order, with its what-if scenario and its change since the baseline (or None)."""
        for index, result in enumerate(self.results):
            yield result, self.what_if(index), self.change if index == 0 else None


#: The formats whose ``rate`` report lists brands one after another (the renderers' ``rate_stream``).
STREAMED_FORMATS = ("json", "csv", "total")


class RateStream(NamedTuple):
    """A portfolio's ``rate`` report made a brand at a time while it is written (json, csv, total):
    each result is scored when the renderer asks for it and dropped after, so 100,000 brands cost no
    more memory than one. ``results`` can be read once. It is :class:`RateReport` with several brand
    files, no what-if and no baseline, for the formats that list brands one after another."""

    results: Iterable[ScoreResult]


def stream_rate_report(
    paths: list[str],
    allow_outside: Sequence[Path] = (),
    *,
    engine: str | None = None,
    framework_weights: Path | None = None,
) -> RateStream:
    """:func:`build_rate_report` for a portfolio, scored as it is read (a problem in a file still stops
    the report, which is then not written: every file's problems are raised after the last)."""
    weights = None if framework_weights is None else load_weights(framework_weights)
    return RateStream(iter_scored(paths, allow_outside, engine=engine, weights=weights))


def streams(output_format: str, paths: list[str], what_if: Sequence[str], baseline: Path | None) -> bool:
    """Whether ``rate`` writes this report a brand at a time (:class:`RateStream`)."""
    portfolio = not is_single_file(paths) and not what_if and baseline is None
    return portfolio and output_format in STREAMED_FORMATS


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
        where = f"--what-if {metric_id}={rating:g}"
        if metric is None:
            message = f"{where}: unknown metric '{metric_id}' in {framework.id}{did_you_mean(metric_id, ids)}"
            raise UsageError(Issue(loaded.path, message))
        problem = _out_of_range(metric, rating, low, high)
        if problem:
            raise UsageError(Issue(loaded.path, f"{where}: {problem}"))
        entry = ratings.get(metric_id)
        note = None if entry is None else entry.note
        if metric.measure is not None:
            # A measured metric takes a value on its measure's range, not a rating on the scale.
            before = None if entry is None else entry.measured_value
            ratings[metric_id] = RatingEntry(value=rating, note=note)
        else:
            before = None if entry is None else entry.rating
            ratings[metric_id] = RatingEntry(rating=rating, note=note)
        changes.append(RatingChange(metric_id, metric.name, before, rating, metric.measure is not None))
    current = score_brand(brand, framework, loaded.path)
    hypothetical = score_brand(brand.model_copy(update={"ratings": ratings}), framework, loaded.path)
    return WhatIf(current, hypothetical, tuple(changes))


def _out_of_range(metric: Metric, value: float, low: float, high: float) -> str:
    """Why a what-if value is impossible for this metric (empty when it is fine)."""
    if metric.measure is None:
        return "" if low <= value <= high else f"outside the scale {low:g}–{high:g}"
    lowest, highest = MEASURE_RANGES[metric.measure.name]
    if (lowest is not None and value < lowest) or (highest is not None and value > highest):
        span = f"{'' if lowest is None else f'{lowest:g}'}–{'' if highest is None else f'{highest:g}'}"
        return f"outside the range of {metric.measure.label} ({span})"
    return ""


def build_rate_report(
    paths: list[str],
    what_if: Sequence[str] = (),
    baseline: Path | None = None,
    details: bool = False,
    fail_on_regression: bool = False,
    allow_outside: Sequence[Path] = (),
    *,
    engine: str | None = None,
    framework_weights: Path | None = None,
) -> RateReport:
    """Score the files, and add what-if scenarios and a baseline change when asked for; with
    ``framework_weights``, on the weights of that framework file's metrics (``drivers --write-framework``)."""
    assignments = parse_what_if(what_if)
    weights = None if framework_weights is None else load_weights(framework_weights)
    if fail_on_regression and baseline is None:
        raise UsageError(Issue("--fail-on-regression", "needs --baseline LAST.yaml to compare against"))
    if baseline is not None and not (len(paths) == 1 and is_single_file(paths)):
        raise UsageError(Issue("--baseline", "compares one brand file with its baseline; give exactly one"))
    what_ifs: tuple[WhatIf, ...] = ()
    if assignments:
        loaded_brands = load_brands(paths, allow_outside, engine=engine)
        if weights is not None:
            loaded_brands = [with_weights(loaded, weights) for loaded in loaded_brands]
        what_ifs = tuple(apply_what_if(loaded, assignments) for loaded in loaded_brands)
        results = tuple(scenario.current for scenario in what_ifs)
    else:
        results = tuple(score_files(paths, allow_outside, engine=engine, weights=weights))
    change = None
    if baseline is not None:
        from cxscore.compare import compare_results  # only a baseline needs it: keep `rate` start-up lean

        before = baseline_for(results[0], baseline, allow_outside, engine=engine)
        change = compare_results((before, results[0]))
    return RateReport(results, what_ifs, change, single=is_single_file(paths), details=details)


def baseline_for(
    current: ScoreResult, baseline: Path, allow_outside: Sequence[Path] = (), *, engine: str | None = None
) -> ScoreResult:
    """The earlier assessment to compare ``current`` with: the file given, or the latest assessment of
    the same brand dated before ``current`` in a directory of them.

    A baseline file of another brand is allowed, with a warning. In a directory, files of other brands
    are passed over; those of the brand need dates of their own, as ``cxscore history`` asks.
    """
    from cxscore.history import date_problems, latest_before, located

    if not baseline.is_dir():
        before = score_files([str(baseline)], allow_outside, engine=engine)[0]
        if before.brand != current.brand:
            message = (
                f"the baseline assesses {before.brand}, not {current.brand} ({current.path}): "
                "the changes compare two brands"
            )
            notice(located(before.path, "brand", message))
        return before
    if current.assessed is None:
        message = (
            f"{current.brand} has no 'assessed' date: --baseline {baseline} picks the latest assessment "
            "dated before this one"
        )
        raise InputError(located(current.path, "assessed", message))
    assessments = score_files([str(baseline)], allow_outside, engine=engine)
    mine = [result for result in assessments if result.brand == current.brand]
    problems = date_problems(mine)
    if problems:
        raise InputError([located(p.result.path, "assessed", p.message) for p in problems])
    latest = latest_before(current, mine)
    if latest is None:
        date = current.assessed.isoformat()
        message = f"--baseline: no assessment of {current.brand} here is dated before {date} ({current.path})"
        raise UsageError(Issue(str(baseline), message))
    return latest
