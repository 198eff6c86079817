"""Properties of the weighted aggregator, checked with hypothesis."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from cxscore.models import BrandFile, Framework
from cxscore.scoring import score_brand

IDS = [f"m{i}" for i in range(6)]
ratings_st = st.dictionaries(
    st.sampled_from(IDS),
    st.floats(min_value=1, max_value=5, allow_nan=False) | st.integers(min_value=1, max_value=5),
    min_size=1,
)
weights_st = st.dictionaries(st.sampled_from(IDS), st.floats(min_value=0.01, max_value=1000))


def make(ratings: dict[str, float], weights: dict[str, float], order: list[str] | None = None):
    ids = order or IDS
    framework = Framework.model_validate(
        {
            "id": "prop",
            "name": "Prop",
            "bands": [{"name": "All", "min": 0}],
            "metrics": [{"id": i, "name": i} for i in ids],
        }
    )
    brand = BrandFile.model_validate({"brand": "B", "ratings": ratings, "weights": weights})
    return score_brand(brand, framework)


@given(ratings_st, weights_st)
def test_score_within_bounds(ratings: dict[str, float], weights: dict[str, float]) -> None:
    result = make(ratings, weights)
    assert 0 <= result.overall_percent <= 100
    assert 0 < result.coverage_percent <= 100
    lost = math.fsum(m.points_lost or 0 for m in result.metrics)
    assert math.isclose(lost, 100 - result.overall_percent, abs_tol=1e-9)


@given(ratings_st, weights_st, st.permutations(IDS))
def test_invariant_to_metric_order(
    ratings: dict[str, float], weights: dict[str, float], order: list[str]
) -> None:
    assert make(ratings, weights).overall_percent == make(ratings, weights, order).overall_percent


@given(ratings_st, weights_st, st.floats(min_value=1e-3, max_value=1e3))
def test_invariant_to_scaling_all_weights(
    ratings: dict[str, float], weights: dict[str, float], factor: float
) -> None:
    full = {i: weights.get(i, 1.0) for i in IDS}
    scaled = {i: w * factor for i, w in full.items()}
    assert math.isclose(
        make(ratings, full).overall_percent, make(ratings, scaled).overall_percent, rel_tol=1e-12
    )


@given(ratings_st, weights_st, st.sampled_from(IDS), st.integers(min_value=1, max_value=5))
def test_weight_zero_metric_changes_nothing(
    ratings: dict[str, float], weights: dict[str, float], extra: str, rating: int
) -> None:
    base_ratings = {k: v for k, v in ratings.items() if k != extra}
    if not base_ratings:
        return
    base = make(base_ratings, {**weights, extra: 0})
    with_extra = make({**base_ratings, extra: rating}, {**weights, extra: 0})
    assert base.overall_percent == with_extra.overall_percent


def test_all_maximum_is_exactly_100() -> None:
    assert make(dict.fromkeys(IDS, 5), {}).overall_percent == 100.0
