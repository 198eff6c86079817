"""Scoring against hand computations."""

from __future__ import annotations

from pathlib import Path

import pytest

from cxscore.loader import FrameworkCatalog, load_brand
from cxscore.models import BrandFile, Framework
from cxscore.render.numbers import format_number, format_percent
from cxscore.scoring import band_for, metric_fraction, score_brand

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def framework(scoring: str = "points", weights: dict[str, float] | None = None) -> Framework:
    weights = weights or {}
    return Framework.model_validate(
        {
            "id": "test",
            "name": "Test",
            "scale": {"min": 1, "max": 5},
            "scoring": scoring,
            "bands": [{"name": "High", "min": 70}, {"name": "Mid", "min": 40}, {"name": "Low", "min": 0}],
            "metrics": [
                {"id": name, "name": name.title(), "weight": weights.get(name, 1)}
                for name in ("a", "b", "c", "d")
            ],
        }
    )


def brand(ratings: dict[str, float | None], weights: dict[str, float] | None = None) -> BrandFile:
    return BrandFile.model_validate({"brand": "B", "ratings": ratings, "weights": weights or {}})


def test_santa_scores_exactly_68_percent() -> None:
    loaded = load_brand(EXAMPLES / "santa.yaml", FrameworkCatalog())
    result = score_brand(loaded.brand, loaded.framework)
    # 5 + 4 + 3 + 2 + 3 = 17 points of 5 x 5 = 25: 17 / 25 = 0.68.
    assert result.overall_percent == 68.0
    assert result.band == "OK"
    assert result.coverage_percent == pytest.approx(500 / 6)
    assert [m.points_lost for m in result.rated] == [0.0, 4.0, 8.0, 12.0, 8.0]
    assert sum(m.points_lost or 0 for m in result.rated) == pytest.approx(100 - 68)
    assert [m.id for m in result.unrated] == ["personalization"]
    assert [(lift.metric.id, lift.points) for lift in result.lifts] == [
        ("feedback_capture", 12.0),
        ("responsiveness", 8.0),
    ]


def test_weighted_points_by_hand() -> None:
    # weights a=3, b=1, c=2 (d unrated, weight 4); ratings 4, 2, 5 on a 1-5 scale, points mode.
    # earned = 3*4 + 1*2 + 2*5 = 24 of (3+1+2)*5 = 30 -> 80%.
    result = score_brand(brand({"a": 4, "b": 2, "c": 5}, {"a": 3, "c": 2, "d": 4}), framework())
    assert result.overall_percent == pytest.approx(80.0)
    assert result.coverage_percent == pytest.approx(100 * 6 / 10)
    lost = {m.id: m.points_lost for m in result.metrics}
    # a: 3*(5-4)/30 = 10 points; b: 1*(5-2)/30 = 10; c: 0.
    assert lost == pytest.approx({"a": 10.0, "b": 10.0, "c": 0.0, "d": None})


def test_minmax_mode_by_hand() -> None:
    # minmax: s = (r - 1) / 4. Ratings 1, 3, 5 -> 0, 0.5, 1 -> mean 50%.
    result = score_brand(brand({"a": 1, "b": 3, "c": 5}), framework("minmax"))
    assert result.overall_percent == pytest.approx(50.0)
    assert [m.score_percent for m in result.rated] == pytest.approx([0.0, 50.0, 100.0])
    assert result.band == "Mid"


def test_points_mode_lowest_rating_is_not_zero() -> None:
    assert metric_fraction(1, framework()) == pytest.approx(0.2)
    assert metric_fraction(1, framework("minmax")) == 0.0


def test_fractional_ratings_and_weights() -> None:
    # weights 0.5 and 1.5; ratings 4.5 and 2.5 (points): (0.5*4.5 + 1.5*2.5) / (2 * 5) = 6 / 10.
    result = score_brand(brand({"a": 4.5, "b": 2.5}, {"a": 0.5, "b": 1.5}), framework())
    assert result.overall_percent == pytest.approx(60.0)


def test_weight_zero_metric_is_rated_but_does_not_count() -> None:
    with_zero = score_brand(brand({"a": 5, "b": 1}, {"b": 0}), framework())
    without = score_brand(brand({"a": 5}), framework())
    assert with_zero.overall_percent == without.overall_percent == 100.0


@pytest.mark.parametrize(
    ("percent", "band"), [(100, "High"), (70, "High"), (69.999, "Mid"), (40, "Mid"), (0, "Low")]
)
def test_band_boundaries(percent: float, band: str) -> None:
    assert band_for(percent, framework().bands) == band


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (68.0, "68.0"),
        (66.65, "66.7"),  # half-up on the decimal the user sees, not banker's rounding
        (66.75, "66.8"),
        (99.97, "99.9"),  # never 100 unless exactly 100
        (100.0, "100.0"),
        (0.02, "0.1"),  # never 0 unless exactly 0
        (0.0, "0.0"),
        (83.33333333333333, "83.3"),
    ],
)
def test_display_rounding(value: float, shown: str) -> None:
    assert format_number(value) == shown


def test_format_percent() -> None:
    assert format_percent(68.0) == "68.0%"


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (42, "42"),
        (5.39, "5.4"),
        (2.25, "2.3"),
        (1234.56, "1,234.6"),
        (0.423, "0.42"),
        (-0.004, "0"),
        (40.0, "40"),
    ],
)
def test_measured_value_display(value: float, shown: str) -> None:
    from cxscore.render.numbers import format_value

    assert format_value(value) == shown
