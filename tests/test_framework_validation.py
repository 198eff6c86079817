"""Frameworks the scoring cannot handle are refused where they stand; every accepted one scores 0..100.

Each refusal below once gave a silently wrong score (a mid-scale rating at 100%, an overall of 200%)
or a traceback (ZeroDivisionError, OverflowError, a math domain error).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from typer.testing import Result

from cxscore.errors import InputError
from cxscore.loader import FrameworkCatalog, load_brand
from cxscore.models import MAX_WEIGHT, MIN_WEIGHT, BrandFile, Framework
from cxscore.scoring import score_brand

BIG = "1" + "0" * 400  # a 401-digit integer: YAML reads it exactly, no float holds it


def framework_yaml(scale: str = "{min: 1, max: 5}", scoring: str = "points", metric: str = "") -> str:
    return (
        "id: t\nname: T\n"
        f"scale: {scale}\n"
        f"scoring: {scoring}\n"
        "bands: [{name: All, min: 0}]\n"
        "metrics:\n"
        "  - {id: a, name: A}\n" + metric
    )


def measured(curve: str) -> str:
    return f"  - {{id: m, name: M, measure: {{name: mean}}, curve: {curve[:-1]}, source: s}}}}\n"


def issues_of(load: Callable[[], object]) -> list[str]:
    with pytest.raises(InputError) as caught:
        load()
    return [issue.format() for issue in caught.value.issues]


AT_SCALE = "framework.yaml:3:8: scale: "
AT_CURVE = "framework.yaml:8:52: metrics.1.curve: "
POINTS_BELOW_ZERO = (
    "points scoring counts a rating as points out of max, so the scale must not go below 0 "
    "(min is {min}): use scoring: minmax to score the position on the scale"
)

FRAMEWORKS: list[tuple[str, str, str]] = [
    (
        "points scale below zero",
        framework_yaml("{min: -5, max: 5}"),
        AT_SCALE + POINTS_BELOW_ZERO.format(min=-5),
    ),
    (
        "points scale all negative",
        framework_yaml("{min: -10, max: -1}"),
        AT_SCALE + POINTS_BELOW_ZERO.format(min=-10),
    ),
    (
        "points scale whose maximum is 0",
        framework_yaml("{min: -5, max: 0}"),
        AT_SCALE + POINTS_BELOW_ZERO.format(min=-5),
    ),
    (
        "empty scale",
        framework_yaml("{min: 0, max: 0}"),
        AT_SCALE + "scale min (0) must be below max (0)",
    ),
    (
        "scale span overflows",
        framework_yaml("{min: -1.7e308, max: 1.7e308}", "minmax"),
        AT_SCALE + "min (-1.7e+308) and max (1.7e+308) are too far apart: max - min must be a finite number",
    ),
    (
        "scale bound too large for a float",
        framework_yaml(f"{{min: 1, max: {BIG}}}"),
        "framework.yaml:3:22: scale.max: too large: a 401-digit number (at most about 1.8e308)",
    ),
    (
        "linear curve with worst equal to best",
        framework_yaml(metric=measured("{type: linear, worst: 3, best: 3}")),
        AT_CURVE + "worst and best must differ, both are 3",
    ),
    (
        "linear curve span overflows",
        framework_yaml(metric=measured("{type: linear, worst: 1.7e308, best: -1.7e308}")),
        AT_CURVE + "worst (1.7e+308) and best (-1.7e+308) are too far apart: "
        "best - worst must be a finite number",
    ),
    (
        "lognormal curve with p10 equal to median",
        framework_yaml(metric=measured("{type: lognormal, p10: 5, median: 5}")),
        AT_CURVE + "a lognormal curve needs 0 < p10 < median, got p10 5 and median 5",
    ),
    (
        "lognormal curve with p10 above median",
        framework_yaml(metric=measured("{type: lognormal, p10: 12, median: 1}")),
        AT_CURVE + "a lognormal curve needs 0 < p10 < median, got p10 12 and median 1",
    ),
    (
        "lognormal curve at zero",
        framework_yaml(metric=measured("{type: lognormal, p10: 0, median: 1}")),
        AT_CURVE + "a lognormal curve needs 0 < p10 < median, got p10 0 and median 1",
    ),
    (
        "lognormal curve below zero",
        framework_yaml(metric=measured("{type: lognormal, p10: -2, median: -1}")),
        AT_CURVE + "a lognormal curve needs 0 < p10 < median, got p10 -2 and median -1",
    ),
    (
        "lognormal curve without width",
        framework_yaml(metric=measured("{type: lognormal, p10: 1e300, median: 1.0000000000000002e300}")),
        AT_CURVE + "p10 (1e+300) and median (1.0000000000000002e+300) are too close: "
        "their logarithms are equal, so the curve has no width",
    ),
    (
        "weight whose sum would overflow",
        framework_yaml(metric="  - {id: b, name: B, weight: 1.7e308}\n"),
        "framework.yaml:8:30: metrics.1.weight: must be at most 1e+06, got the number 1.7e+308",
    ),
    (
        "weight too large for a float",
        framework_yaml(metric=f"  - {{id: b, name: B, weight: {BIG}}}\n"),
        "framework.yaml:8:30: metrics.1.weight: too large: a 401-digit number (at most about 1.8e308)",
    ),
    (
        "weight too small to compute with",
        framework_yaml(metric="  - {id: b, name: B, weight: 5e-324}\n"),
        "framework.yaml:8:30: metrics.1.weight: must be 0 or at least 1e-06, got the number 5e-324",
    ),
    (
        "band min too large for a float",
        framework_yaml().replace("min: 0}]", f"min: 0}}, {{name: Top, min: {BIG}}}]"),
        "framework.yaml:5:47: bands.1.min: too large: a 401-digit number (at most about 1.8e308)",
    ),
]


@pytest.mark.parametrize(
    ("content", "expected"), [case[1:] for case in FRAMEWORKS], ids=[case[0] for case in FRAMEWORKS]
)
def test_framework_the_scoring_cannot_handle_is_refused_where_it_stands(
    content: str, expected: str, write: Callable[..., Path]
) -> None:
    path = write(content, "framework.yaml")
    assert issues_of(lambda: FrameworkCatalog().load_path(path, "framework.yaml")) == [expected]


@pytest.mark.parametrize(
    ("scale", "scoring"),
    [("{min: 0, max: 5}", "points"), ("{min: -5, max: 5}", "minmax"), ("{min: -10, max: -1}", "minmax")],
)
def test_scales_the_scoring_handles_are_accepted(
    write: Callable[..., Path], scale: str, scoring: str
) -> None:
    path = write(framework_yaml(scale, scoring), "framework.yaml")
    assert FrameworkCatalog().load_path(path).scoring == scoring


BRANDS: list[tuple[str, str, str]] = [
    (
        "value outside its interval",
        "nps: {value: 50, ci_low: 60, ci_high: 70}",
        "brand.yaml:4:8: ratings.nps: value 50 lies outside its own interval: "
        "ci_low 60 to ci_high 70 must contain it",
    ),
    (
        "value above its interval",
        "nps: {value: 71, ci_low: 60, ci_high: 70}",
        "brand.yaml:4:8: ratings.nps: value 71 lies outside its own interval: "
        "ci_low 60 to ci_high 70 must contain it",
    ),
    (
        "interval upside down",
        "nps: {value: 65, ci_low: 70, ci_high: 60}",
        "brand.yaml:4:8: ratings.nps: ci_low (70) must not be above ci_high (60)",
    ),
    (
        "count of zero",
        "nps: {value: 50, n: 0}",
        "brand.yaml:4:23: ratings.nps.n: must be more than 0, got the number 0",
    ),
    (
        "negative count",
        "nps: {value: 50, n: -3}",
        "brand.yaml:4:23: ratings.nps.n: must be more than 0, got the number -3",
    ),
    (
        "fractional count",
        "nps: {value: 50, n: 2.5}",
        "brand.yaml:4:23: ratings.nps.n: must be a whole number, got 2.5",
    ),
    (
        "count too large",
        f"nps: {{value: 50, n: {BIG}}}",
        "brand.yaml:4:23: ratings.nps.n: too large: a 401-digit count (at most 1e+15)",
    ),
    (
        "value too large for a float",
        f"nps: {{value: {BIG}}}",
        "brand.yaml:4:16: ratings.nps.value: too large: a 401-digit number (at most about 1.8e308)",
    ),
    (
        "bare value too large for a float",
        f"nps: {BIG}",
        "brand.yaml:4:8: ratings.nps: too large: a 401-digit number (at most about 1.8e308)",
    ),
    (
        "interval bound too large for a float",
        f"nps: {{value: 50, ci_low: 1, ci_high: {BIG}}}",
        "brand.yaml:4:40: ratings.nps.ci_high: too large: a 401-digit number (at most about 1.8e308)",
    ),
]


@pytest.mark.parametrize(("ratings", "expected"), [case[1:] for case in BRANDS], ids=[c[0] for c in BRANDS])
def test_impossible_measured_entry_is_refused_where_it_stands(
    ratings: str, expected: str, write: Callable[..., Path]
) -> None:
    path = write(f"brand: A\nframework: cx-kpis\nratings:\n  {ratings}\n")
    assert issues_of(lambda: load_brand(path, FrameworkCatalog(), "brand.yaml")) == [expected]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            f"brand: A\nratings:\n  empathy: {BIG}\n",
            "brand.yaml:3:12: ratings.empathy: too large: a 401-digit number (at most about 1.8e308)",
        ),
        (
            f"brand: A\nratings:\n  empathy: -{BIG}\n",
            "brand.yaml:3:12: ratings.empathy: too large: a 401-digit number (at most about 1.8e308)",
        ),
        (
            f"brand: A\nratings:\n  empathy: {{rating: {BIG}}}\n",
            "brand.yaml:3:21: ratings.empathy.rating: too large: a 401-digit number (at most about 1.8e308)",
        ),
        (
            f"brand: A\nweights:\n  empathy: {BIG}\nratings:\n  empathy: 3\n",
            "brand.yaml:3:12: weights.empathy: too large: a 401-digit number (at most about 1.8e308)",
        ),
        (
            "brand: A\nweights:\n  empathy: 1" + "0" * 300 + "\nratings:\n  empathy: 3\n",
            "brand.yaml:3:12: weights.empathy: must be at most 1e+06, got the number 1e+300",
        ),
    ],
    ids=["bare rating", "negative rating", "rating", "weight", "weight of 301 digits"],
)
def test_huge_numbers_are_too_large_not_a_traceback(
    content: str, expected: str, write: Callable[..., Path], cli: Callable[..., Result]
) -> None:
    path = write(content)
    assert issues_of(lambda: load_brand(path, FrameworkCatalog(), "brand.yaml")) == [expected]
    result = cli("rate", path)
    assert result.exit_code == 2, result.output
    assert result.stderr.endswith(expected.split(":", 1)[1] + "\n"), result.stderr


def test_huge_points_scale_scores_exactly_as_its_small_twin() -> None:
    """Ratings and spans are scaled by a power of two before weighting: no bit of a score changes."""

    def score(factor: float) -> tuple[float | None, ...]:
        framework = Framework.model_validate(
            {
                "id": "t",
                "name": "T",
                "scale": {"min": 1 * factor, "max": 5 * factor},
                "bands": [{"name": "All", "min": 0}],
                "metrics": [{"id": i, "name": i, "weight": MAX_WEIGHT} for i in "abcde"],
            }
        )
        ratings = {i: rating * factor for i, rating in zip("abcde", (5, 4, 3, 2, 3), strict=True)}
        result = score_brand(BrandFile.model_validate({"brand": "B", "ratings": ratings}), framework)
        scores = [m.score_percent for m in result.metrics]
        lost = [m.points_lost for m in result.metrics]
        return (result.overall_percent, *scores, *lost)

    assert score(1.0) == (68.0, 100.0, 80.0, 60.0, 40.0, 60.0, 0.0, 4.0, 8.0, 12.0, 8.0)
    assert score(2.0**1020) == score(1.0)
    assert score(2.0**-1000) == score(1.0)


# Property: every framework the models accept scores every brand the models accept within 0..100. ----

IDS = ["a", "b", "c", "d"]
#: Any finite float, the extremes and the subnormals included, and any integer.
numbers = st.floats(allow_nan=False, allow_infinity=False) | st.integers()
weights = st.sampled_from([0, MIN_WEIGHT, 1, MAX_WEIGHT]) | st.floats(MIN_WEIGHT, MAX_WEIGHT)


@st.composite
def curves(draw: st.DrawFn) -> dict[str, Any]:
    if draw(st.booleans()):
        return {"type": "linear", "worst": draw(numbers), "best": draw(numbers), "source": "s"}
    p10, median = sorted([abs(draw(numbers)), abs(draw(numbers))])
    return {"type": "lognormal", "p10": p10, "median": median, "source": "s"}


@st.composite
def frameworks(draw: st.DrawFn) -> Framework:
    scoring = draw(st.sampled_from(["points", "minmax"]))
    low, high = sorted([draw(numbers), draw(numbers)])
    if scoring == "points":
        low, high = sorted([abs(low), abs(high)])
    metrics = []
    for metric_id in IDS[: draw(st.integers(1, len(IDS)))]:
        metric: dict[str, Any] = {"id": metric_id, "name": metric_id, "weight": draw(weights)}
        if draw(st.booleans()):
            metric |= {"measure": {"name": "mean"}, "curve": draw(curves())}
        metrics.append(metric)
    data = {
        "id": "prop",
        "name": "Prop",
        "scale": {"min": low, "max": high},
        "scoring": scoring,
        "bands": [
            {"name": "All", "min": 0},
            {"name": "Top", "min": draw(st.floats(0, 100, exclude_min=True))},
        ],
        "metrics": metrics,
    }
    try:
        return Framework.model_validate(data)
    except ValidationError:
        assume(False)
        raise


@st.composite
def brands(draw: st.DrawFn, framework: Framework) -> BrandFile:
    ratings: dict[str, Any] = {}
    for metric in framework.metrics:
        kind = draw(st.sampled_from(["unrated", "number", "interval"]))
        if kind == "number":
            ratings[metric.id] = draw(numbers)
        elif kind == "interval":
            low, value, high = sorted([draw(numbers), draw(numbers), draw(numbers)])
            key = "value" if metric.measured else "rating"
            ratings[metric.id] = {key: value} | ({"ci_low": low, "ci_high": high} if metric.measured else {})
    overrides = draw(st.dictionaries(st.sampled_from([m.id for m in framework.metrics]), weights))
    try:
        brand = BrandFile.model_validate({"brand": "B", "ratings": ratings, "weights": overrides})
    except ValidationError:
        assume(False)
        raise
    # The loader refuses a brand with nothing to score: no rated metric with a positive weight.
    assume(any(brand.weights.get(m.id, m.weight) > 0 for m in framework.metrics if m.id in brand.ratings))
    return brand


def within_0_100(percent: float | None) -> bool:
    return percent is not None and math.isfinite(percent) and 0 <= percent <= 100


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_every_accepted_framework_scores_within_0_to_100(data: st.DataObject) -> None:
    framework = data.draw(frameworks())
    brand = data.draw(brands(framework))
    result = score_brand(brand, framework)
    assert within_0_100(result.overall_percent)
    assert within_0_100(result.coverage_percent)
    for metric in result.rated:
        assert within_0_100(metric.score_percent), metric
        assert within_0_100(metric.points_lost), metric
    # The lost points add up to what the overall misses, so no lift can make it more than 100%.
    lost = math.fsum(metric.points_lost or 0 for metric in result.metrics)
    assert math.isclose(lost, 100 - result.overall_percent, abs_tol=1e-6)
    for lift in result.lifts:
        assert result.overall_percent + lift.points <= 100 + 1e-6
