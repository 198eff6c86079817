"""Uncertainty carried into the scorecard, each number checked against an independent computation.

The independent side is written here with numpy (vectorised brute force), the maintained
``krippendorff`` package, published t quantiles and hand-computed examples; the product computes with
the standard library only.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import krippendorff
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from cxscore.cli import app
from cxscore.loader import FrameworkCatalog, load_brand
from cxscore.rank import CLEAR_ORDER, rank_entries, summarise
from cxscore.scoring import score_brand
from cxscore.uncertainty import (
    CLEAR_ORDER as SIMULATION_CLEAR_ORDER,
)
from cxscore.uncertainty import (
    RANK_REPLICATES,
    Part,
    Scored,
    krippendorff_alpha_interval,
    mean_interval,
    overall_interval,
    rank_ranges,
)

ROOT = Path(__file__).resolve().parent.parent
Z = 1.959963984540054
#: Student t 97.5% quantiles from published tables (NIST/SEMATECH e-Handbook, table 1.3.6.7.2).
T_975 = {1: 12.706204736, 2: 4.302652730, 3: 3.182446305, 4: 2.776445105, 9: 2.262157163}

runner = CliRunner()


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def scored(path: Path):  # type: ignore[no-untyped-def]
    loaded = load_brand(path, FrameworkCatalog())
    return score_brand(loaded.brand, loaded.framework, str(path))


# --- several assessors ------------------------------------------------------------------------------


@pytest.mark.parametrize("ratings", [[4, 3, 5], [2, 3], [1, 2, 2, 5], [3, 3, 4, 4, 5, 2, 3, 4, 4, 5]])
def test_the_assessors_interval_is_the_t_interval_of_their_mean(ratings: list[float]) -> None:
    values = np.array(ratings, dtype=float)
    half = T_975[len(ratings) - 1] * values.std(ddof=1) / math.sqrt(len(ratings))
    low, high = mean_interval(ratings) or (math.nan, math.nan)
    assert low == pytest.approx(values.mean() - half, abs=1e-8)
    assert high == pytest.approx(values.mean() + half, abs=1e-8)


def test_one_assessor_gives_no_interval() -> None:
    assert mean_interval([4.0]) is None


def test_the_rating_is_the_assessors_mean_and_the_report_shows_them(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "b.yaml",
        "brand: B\nratings:\n  empathy: [4, 3, 5]\n  consistency:\n"
        "    rating: [2, 3]\n    note: two views\n  responsiveness: 3\n",
    )
    result = scored(path)
    empathy = next(metric for metric in result.metrics if metric.id == "empathy")
    assert empathy.rating == 4.0
    assert empathy.assessments == (4.0, 3.0, 5.0)
    # The score's interval: the t interval of the mean on the 1–5 scale, cut to it, as points of 5.
    half = T_975[2] * 1.0 / math.sqrt(3)
    assert empathy.score_ci_low == pytest.approx(100 * max(1.0, 4 - half) / 5)
    assert empathy.score_ci_high == pytest.approx(100 * min(5.0, 4 + half) / 5)
    document = json.loads(runner.invoke(app, ["rate", str(path), "-f", "json"]).stdout)
    by_id = {metric["id"]: metric for metric in document["metrics"]}
    assert by_id["consistency"]["assessor_ratings"] == [2.0, 3.0]
    assert by_id["consistency"]["rating"] == 2.5
    assert by_id["responsiveness"]["assessor_ratings"] is None
    table = runner.invoke(app, ["rate", str(path)]).stdout
    assert "3–5" in table  # the spread of empathy's three assessors


def test_a_bad_assessor_rating_is_located_at_that_item(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "b.yaml",
        "brand: B\nratings:\n  empathy: [4, 'x', 5]\n  consistency:\n    rating: [2, 9]\n"
        "  responsiveness: []\n",
    )
    outcome = runner.invoke(app, ["validate", str(path)])
    assert outcome.exit_code == 2
    lines = outcome.stderr.splitlines()
    assert f"{path}:3:16: ratings.empathy.1: expected a number, got the text 'x'" in lines
    assert f"{path}:5:17: ratings.consistency: 9 is outside the cx-six scale 1–5" in lines
    assert any(
        line.startswith(f"{path}:6:19: ratings.responsiveness: expected at least one") for line in lines
    )


def test_a_measured_metric_takes_one_value_not_a_list(tmp_path: Path) -> None:
    path = write(tmp_path, "b.yaml", "brand: B\nframework: cx-kpis\nratings:\n  nps: [40, 42]\n")
    outcome = runner.invoke(app, ["validate", str(path)])
    assert outcome.exit_code == 2
    assert "a list of assessors' ratings is for rated metrics" in outcome.stderr


def test_the_rating_path_with_assessors_loads_no_numpy(tmp_path: Path) -> None:
    path = write(tmp_path, "b.yaml", "brand: B\nratings:\n  empathy: [4, 3, 5]\n  consistency: [2, 3]\n")
    code = (
        "import sys\nfrom cxscore.cli import main\n"
        "sys.argv = ['cxscore', 'rate', sys.argv[1], '-f', 'json']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "assert 'numpy' not in sys.modules, 'numpy was loaded'\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["krippendorff_alpha"] is not None


def test_santa_stays_exactly_68() -> None:
    result = scored(ROOT / "examples" / "santa.yaml")
    assert result.overall_percent == 68.0
    assert result.overall_ci_low is None
    assert result.overall_ci_high is None


# --- Krippendorff's alpha ---------------------------------------------------------------------------


def test_alpha_on_hand_computed_examples() -> None:
    # Values 1, 2 | 3, 4: D_o = (2 + 2)/4 = 1; D_e = 40/(4·3) = 10/3; alpha = 1 − 3/10.
    assert krippendorff_alpha_interval([[1, 2], [3, 4]]) == pytest.approx(0.7)
    # Perfect agreement within units, variation between them: alpha = 1.
    assert krippendorff_alpha_interval([[2, 2, 2], [4, 4]]) == pytest.approx(1.0)
    # 4,3,5 | 2,3 | 3,4: n = 7, Σv = 24, Σv² = 88, so Σ(v − v̄)² = 88 − 24²/7 = 40/7 and
    # D_e = 2·(40/7)/6 = 40/21; the units' Σ(v − mean)² are 2, 1/2, 1/2, so
    # D_o = (2·3·2/2 + 2·2·(1/2)/1 + 2·2·(1/2)/1)/7 = 10/7; alpha = 1 − (10/7)/(40/21) = 1/4.
    assert krippendorff_alpha_interval([[4, 3, 5], [2, 3], [3, 4]]) == pytest.approx(0.25, abs=1e-12)
    # A unit with one value is not pairable; all values equal: undefined.
    assert krippendorff_alpha_interval([[1, 2], [3, 4], [5]]) == pytest.approx(0.7)
    assert krippendorff_alpha_interval([[3, 3], [3, 3]]) is None


@pytest.mark.parametrize("seed", range(6))
def test_alpha_matches_the_krippendorff_package(seed: int) -> None:
    rng = np.random.default_rng(seed)
    coders, units = int(rng.integers(2, 6)), int(rng.integers(2, 9))
    data = rng.integers(1, 6, size=(coders, units)).astype(float)
    data[rng.random(size=data.shape) < 0.2] = np.nan  # assessors who skipped a metric
    columns = [[value for value in data[:, unit] if not np.isnan(value)] for unit in range(units)]
    if (
        sum(len(column) for column in columns if len(column) >= 2) < 2
        or len({value for column in columns if len(column) >= 2 for value in column}) < 2
    ):
        pytest.skip("this draw has nothing pairable that varies")
    expected = krippendorff.alpha(reliability_data=data, level_of_measurement="interval")
    assert krippendorff_alpha_interval(columns) == pytest.approx(expected, abs=1e-12)


def test_a_brand_with_assessors_on_two_metrics_reports_alpha(tmp_path: Path) -> None:
    two = write(tmp_path, "two.yaml", "brand: B\nratings:\n  empathy: [4, 3, 5]\n  consistency: [2, 3]\n")
    one = write(tmp_path, "one.yaml", "brand: B\nratings:\n  empathy: [4, 3, 5]\n  consistency: 2\n")
    data = np.array([[4, 2], [3, 3], [5, np.nan]])
    expected = krippendorff.alpha(reliability_data=data, level_of_measurement="interval")
    assert scored(two).krippendorff_alpha == pytest.approx(expected)
    assert scored(one).krippendorff_alpha is None


# --- the overall's interval -------------------------------------------------------------------------


def test_symmetric_intervals_combine_as_the_weighted_variance_sum() -> None:
    rng = np.random.default_rng(1)
    weights = rng.uniform(0.5, 3, size=5)
    scores = rng.uniform(0.2, 0.8, size=5)
    se = rng.uniform(0.01, 0.08, size=5)
    coefficients = weights / weights.sum()
    overall = 100 * float(coefficients @ scores)
    parts = [Part(c, s, s - Z * e, s + Z * e) for c, s, e in zip(coefficients, scores, se, strict=True)]
    low, high = overall_interval(overall, parts)
    half = 100 * Z * math.sqrt(float(np.sum(coefficients**2 * se**2)))
    assert (low, high) == pytest.approx((overall - half, overall + half), abs=1e-9)


def test_asymmetric_intervals_keep_each_side(tmp_path: Path) -> None:
    # Acme's typed-in NPS 42 (34.6–48.9) on the linear curve 6..66, and three rated metrics.
    path = write(
        tmp_path,
        "acme.yaml",
        "brand: Acme\nframework: cx-kpis\nratings:\n  nps: {value: 42, ci_low: 34.6, ci_high: 48.9}\n"
        "  csat: {value: 81, ci_low: 76.5, ci_high: 84.3}\n  ces: 5.2\n  fcr: 74\n",
    )
    result = scored(path)
    loaded = load_brand(path, FrameworkCatalog())
    framework = loaded.framework
    weights = np.array([metric.weight for metric in framework.metrics if metric.id in loaded.brand.ratings])
    coefficients = weights / weights.sum()
    below, above = [], []
    for metric, c in zip(
        [m for m in framework.metrics if m.id in loaded.brand.ratings], coefficients, strict=True
    ):
        entry = loaded.brand.ratings[metric.id]
        curve = metric.curve
        assert curve is not None
        assert curve.type == "linear"

        def line(value: float, curve=curve) -> float:  # type: ignore[no-untyped-def]
            return float(np.clip((value - curve.worst) / (curve.best - curve.worst), 0, 1))

        value = entry.measured_value
        assert value is not None
        if entry.ci_low is not None and entry.ci_high is not None:
            ends = sorted((line(entry.ci_low), line(entry.ci_high)))
            below.append(c * (line(value) - ends[0]))
            above.append(c * (ends[1] - line(value)))
    expected = (
        result.overall_percent - 100 * np.sqrt(np.sum(np.square(below))),
        result.overall_percent + 100 * np.sqrt(np.sum(np.square(above))),
    )
    assert (result.overall_ci_low, result.overall_ci_high) == pytest.approx(expected, abs=1e-9)


def test_the_overall_interval_covers_95_percent() -> None:
    """Coverage by simulation: three measured shares (Wald intervals, n = 400) on linear curves."""
    rng = np.random.default_rng(7)
    truth, n, replicates = np.array([0.55, 0.7, 0.4]), 400, 4000
    weights = np.array([2.0, 1.0, 1.0])
    coefficients = weights / weights.sum()
    worst, best = np.array([0.2, 0.4, 0.1]), np.array([0.9, 1.0, 0.8])
    true_overall = 100 * float(coefficients @ ((truth - worst) / (best - worst)))
    estimates = rng.binomial(n, truth, size=(replicates, 3)) / n
    se = np.sqrt(estimates * (1 - estimates) / n)
    covered = 0
    for row, errors in zip(estimates, se, strict=True):
        scores = (row - worst) / (best - worst)
        parts = [
            Part(c, s, (v - Z * e - lo) / (hi - lo), (v + Z * e - lo) / (hi - lo))
            for c, s, v, e, lo, hi in zip(coefficients, scores, row, errors, worst, best, strict=True)
        ]
        low, high = overall_interval(100 * float(coefficients @ scores), parts)
        covered += low <= true_overall <= high
    assert 0.935 <= covered / replicates <= 0.965


def test_nothing_varies_gives_null_intervals(tmp_path: Path) -> None:
    path = write(tmp_path, "b.yaml", "brand: B\nratings:\n  empathy: 4\n  consistency: 2\n")
    document = json.loads(runner.invoke(app, ["rate", str(path), "-f", "json"]).stdout)
    assert document["overall_ci_low"] is None
    assert document["overall_ci_high"] is None
    assert document["krippendorff_alpha"] is None


# --- ranks under uncertainty ------------------------------------------------------------------------


def numpy_rank_ranges(
    brands: list[Scored], replicates: int = 20000
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Split-normal draws, competition ranks, nearest-rank quantiles and P(above next), vectorised."""
    rng = np.random.default_rng(3)
    overall = np.array([b.overall for b in brands])
    low = np.array([b.overall if b.low is None else b.low for b in brands])
    high = np.array([b.overall if b.high is None else b.high for b in brands])
    z = rng.standard_normal(size=(replicates, len(brands)))
    draws = overall + np.where(z < 0, z * (overall - low) / Z, z * (high - overall) / Z)
    ranks = 1 + (draws[:, None, :] > draws[:, :, None]).sum(axis=2)
    ranks.sort(axis=0)
    lows = ranks[math.ceil(0.025 * replicates) - 1]
    highs = ranks[math.ceil(0.975 * replicates) - 1]
    above = (draws[:, :-1] > draws[:, 1:]).mean(axis=0)
    return lows, highs, above


def test_rank_ranges_match_an_independent_simulation() -> None:
    brands = [
        Scored(80.0, 74.0, 85.0),
        Scored(78.0, None, None),
        Scored(76.0, 70.0, 79.0),
        Scored(60.0, None, None),
        Scored(60.0, None, None),  # equal certain overalls share a rank
        Scored(59.0, 50.0, 63.0),
        Scored(40.0, 39.0, 41.0),
    ]
    found = rank_ranges(brands)
    assert found is not None
    lows, highs, above = numpy_rank_ranges(brands)
    for index, item in enumerate(found):
        assert abs(item.low - lows[index]) <= 1
        assert abs(item.high - highs[index]) <= 1
        if index < len(brands) - 1 and (brands[index].low, brands[index + 1].low) != (None, None):
            assert item.p_above_next == pytest.approx(above[index], abs=0.03)
    assert found[-1].p_above_next is None
    assert found[-1].low == found[-1].high == 7  # far below everyone: its place is certain
    assert found[3] == found[4]._replace(p_above_next=found[3].p_above_next)
    assert found[3].p_above_next is None  # two certain brands: nothing to doubt


def test_p_above_next_matches_the_normal_closed_form() -> None:
    # Symmetric intervals: P(X₁ > X₂) = Φ((μ₁ − μ₂)/√(σ₁² + σ₂²)).
    first, second = Scored(70.0, 62.0, 78.0), Scored(66.0, 60.0, 72.0)
    found = rank_ranges([first, second])
    assert found is not None
    sigma = math.hypot(8 / Z, 6 / Z)
    expected = 0.5 * (1 + math.erf(4 / sigma / math.sqrt(2)))
    error = math.sqrt(expected * (1 - expected) / RANK_REPLICATES)
    assert found[0].p_above_next == pytest.approx(expected, abs=4 * error)
    assert found[0].tied_with_next is (found[0].p_above_next < CLEAR_ORDER)
    assert CLEAR_ORDER == SIMULATION_CLEAR_ORDER


def test_ranks_without_intervals_are_left_alone() -> None:
    assert rank_ranges([Scored(70.0, None, None), Scored(60.0, None, None)]) is None


def test_the_simulation_is_seeded() -> None:
    brands = [Scored(70.0, 60.0, 75.0), Scored(68.0, 65.0, 72.0), Scored(67.0, None, None)]
    assert rank_ranges(brands) == rank_ranges(brands)


def test_rank_json_carries_the_ranges(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", "brand: A\nratings:\n  empathy: [4, 3, 5]\n  consistency: [2, 3, 4]\n")
    write(tmp_path, "b.yaml", "brand: B\nratings:\n  empathy: 4\n  consistency: 3\n")
    write(tmp_path, "c.yaml", "brand: C\nratings:\n  empathy: 1\n  consistency: 1\n")
    document = json.loads(runner.invoke(app, ["rank", str(tmp_path), "-f", "json"]).stdout)
    ranking = {entry["brand"]: entry for entry in document["ranking"]}
    assert ranking["A"]["overall_ci_low"] < ranking["A"]["overall_percent"] < ranking["A"]["overall_ci_high"]
    assert ranking["A"]["tied_with_next"] is True  # A (70%, wide) against B (70%)
    assert ranking["C"]["rank_low"] >= 2
    assert ranking["C"]["p_above_next"] is None
    for entry in ranking.values():
        assert entry["rank_low"] <= entry["rank"] <= entry["rank_high"] or entry["brand"] == "B"
    plain = json.loads(
        runner.invoke(app, ["rank", str(ROOT / "examples" / "santa.yaml"), "-f", "json"]).stdout
    )
    assert plain["ranking"][0]["rank_low"] is None
    assert plain["ranking"][0]["p_above_next"] is None


def test_compare_json_carries_the_standings(tmp_path: Path) -> None:
    a = write(tmp_path, "a.yaml", "brand: A\nratings:\n  empathy: [4, 3, 5]\n  consistency: [2, 3, 4]\n")
    c = write(tmp_path, "c.yaml", "brand: C\nratings:\n  empathy: 1\n  consistency: 1\n")
    document = json.loads(runner.invoke(app, ["compare", str(c), str(a), "-f", "json"]).stdout)
    ranks = document["comparison"]["ranks"]
    assert [standing["brand"] for standing in ranks] == [0, 1]
    assert ranks[1]["rank"] == 1
    assert ranks[1]["next"] == 0
    assert ranks[0]["next"] is None
    assert 0 < ranks[1]["p_above_next"] <= 1
    assert ranks[0]["p_above_next"] is None


def test_fail_under_confident_gates_the_lower_end(tmp_path: Path) -> None:
    path = write(tmp_path, "a.yaml", "brand: A\nratings:\n  empathy: [4, 3, 5]\n  consistency: [3, 4, 4]\n")
    result = scored(path)
    assert result.overall_ci_low is not None
    limit = (result.overall_ci_low + result.overall_percent) / 2
    plain = runner.invoke(app, ["rate", str(path), "--fail-under", f"{limit}"])
    assert plain.exit_code == 0
    confident = runner.invoke(app, ["rate", str(path), "--fail-under", f"{limit}", "--confident"])
    assert confident.exit_code == 1
    assert "95% low" in confident.stderr
    assert "[--fail-under --confident]" in confident.stderr
    alone = runner.invoke(app, ["rank", str(path), "--confident"])
    assert alone.exit_code == 2


def test_rank_entries_keep_point_order(tmp_path: Path) -> None:
    path = write(tmp_path, "a.yaml", "brand: A\nratings:\n  empathy: [4, 3, 5]\n  consistency: [2, 3, 4]\n")
    entry = summarise(scored(path))
    board = rank_entries([entry, entry._replace(brand="Z", overall_ci_low=None, overall_ci_high=None)])
    assert [item.rank for item in board.entries] == [1, 1]


# --- every format shows it --------------------------------------------------------------------------


@pytest.mark.parametrize("output_format", ["table", "markdown", "html", "csv"])
def test_every_format_shows_the_interval_spread_and_agreement(tmp_path: Path, output_format: str) -> None:
    path = write(tmp_path, "a.yaml", "brand: A\nratings:\n  empathy: [4, 3, 5]\n  consistency: [2, 3, 4]\n")
    result = scored(path)
    assert result.overall_ci_low is not None
    assert result.overall_ci_high is not None
    text = runner.invoke(app, ["rate", str(path), "-f", output_format]).stdout
    if output_format == "csv":
        assert repr(result.overall_ci_low) in text
        assert "4;3;5" in text
        return
    low, high = (f"{bound:.1f}" for bound in (result.overall_ci_low, result.overall_ci_high))
    assert f"95% CI {low}–{high}%" in text
    assert "3 assessors 3–5, sd 1.00" in text
    # alpha = 1 − D_o/D_e = 1 − 2/2.2 (D_o = (6 + 6)/6, D_e = 2·5.5/5): 0.09
    assert "α = 0.09" in text


@pytest.mark.parametrize("output_format", ["table", "markdown", "html", "csv"])
def test_every_format_shows_rank_ranges(tmp_path: Path, output_format: str) -> None:
    write(tmp_path, "a.yaml", "brand: A\nratings:\n  empathy: [4, 3, 5]\n  consistency: [2, 3, 4]\n")
    write(tmp_path, "b.yaml", "brand: B\nratings:\n  empathy: 4\n  consistency: 3\n")
    for command in ("rank", "compare"):
        arguments = (
            [str(tmp_path)] if command == "rank" else [str(tmp_path / "a.yaml"), str(tmp_path / "b.yaml")]
        )
        text = runner.invoke(app, [command, *arguments, "-f", output_format]).stdout
        if output_format == "csv":
            assert "rank_low" in text
            assert "p_above_next" in text
            assert ",true" in text
        else:
            assert "≈" in text  # A and B both score 70%: their order is not clear
            assert "1–2" in text


def test_ratings_near_the_largest_float_neither_overflow_nor_crash(tmp_path: Path) -> None:
    write(
        tmp_path,
        "huge.yaml",
        "id: huge\nname: Huge\nscale: {min: 0, max: 1.7e+308}\nbands: [{name: All, min: 0}]\n"
        "metrics:\n  - {id: a, name: A}\n  - {id: b, name: B}\n",
    )
    path = write(
        tmp_path,
        "brand.yaml",
        "brand: Huge\nframework: huge.yaml\nratings:\n"
        "  a: [1.0e+300, 1.7e+308, 0]\n  b: [1.0e+308, 1.5e+308]\n",
    )
    result = scored(path)
    a = next(metric for metric in result.metrics if metric.id == "a")
    assert a.rating == pytest.approx((1e300 + 1.7e308) / 3, rel=1e-12)
    # Alpha is scale-free: the same as on the ratings divided by 1e300.
    small = [[1e300 / 1e300, 1.7e308 / 1e300, 0.0], [1e308 / 1e300, 1.5e308 / 1e300]]
    assert result.krippendorff_alpha == pytest.approx(krippendorff_alpha_interval(small), rel=1e-9)
    assert result.overall_ci_low is not None
    assert 0 <= result.overall_ci_low <= result.overall_percent <= (result.overall_ci_high or 0) <= 100
    assert runner.invoke(app, ["rate", str(path), "-f", "json"]).exit_code == 0


def test_intervals_that_cannot_move_the_overall_give_none(tmp_path: Path) -> None:
    # NPS 90 (80–95) lies above the curve's best (66): its score is 100% whatever the interval;
    # the assessors agree on empathy: nothing behind the overall varies.
    path = write(
        tmp_path,
        "b.yaml",
        "brand: B\nframework: cx-kpis\nratings:\n  nps: {value: 90, ci_low: 80, ci_high: 95}\n  csat: 81\n",
    )
    result = scored(path)
    nps = next(metric for metric in result.metrics if metric.id == "nps")
    assert (nps.score_ci_low, nps.score_ci_high) == (100.0, 100.0)
    assert result.overall_ci_low is None
    agreed = write(tmp_path, "c.yaml", "brand: C\nratings:\n  empathy: [4, 4]\n  consistency: 3\n")
    assert scored(agreed).overall_ci_low is None


def test_a_bad_item_in_a_rating_mapping_is_located_too(tmp_path: Path) -> None:
    path = write(tmp_path, "b.yaml", "brand: B\nratings:\n  empathy:\n    rating: [4, true]\n    note: x\n")
    outcome = runner.invoke(app, ["validate", str(path)])
    assert outcome.exit_code == 2
    assert (
        outcome.stderr == f"{path}:4:17: ratings.empathy.rating.1: expected a number, got the boolean true\n"
    )


ratings_lists = st.lists(st.integers(min_value=1, max_value=5), min_size=1, max_size=6)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.none(), ratings_lists), min_size=6, max_size=6))
def test_the_overall_interval_holds_the_overall_within_0_and_100(lists: list[list[int] | None]) -> None:
    from cxscore.models import BrandFile

    framework = FrameworkCatalog().load_bundled("cx-six")
    ids = [metric.id for metric in framework.metrics]
    ratings = {metric_id: ratings for metric_id, ratings in zip(ids, lists, strict=True) if ratings}
    if not ratings:
        return
    result = score_brand(BrandFile.model_validate({"brand": "P", "ratings": ratings}), framework, "p")
    if result.overall_ci_low is None:
        assert all(len(set(r)) == 1 for r in ratings.values())  # nothing varies
        return
    assert result.overall_ci_high is not None
    assert 0 <= result.overall_ci_low <= result.overall_percent <= result.overall_ci_high <= 100


def test_a_measured_interval_goes_through_the_industrys_curve(tmp_path: Path) -> None:
    # cx-kpis's NPS curve for TV and Internet providers runs from -21 (0%) to 39 (100%).
    path = write(
        tmp_path,
        "b.yaml",
        "brand: B\nframework: cx-kpis\nindustry: tv_internet\n"
        "ratings:\n  nps: {value: 10, ci_low: 2, ci_high: 18}\n  csat: 81\n",
    )
    nps = next(metric for metric in scored(path).metrics if metric.id == "nps")
    assert nps.score_ci_low == pytest.approx(100 * (2 + 21) / 60)
    assert nps.score_ci_high == pytest.approx(100 * (18 + 21) / 60)
