"""The statistics of the measures, each against an independent computation written here."""

from __future__ import annotations

import math
import statistics

import pytest

from cxscore.data import stats

Z = 1.959963984540054


def test_nps_worked_example_from_domain_notes() -> None:
    # 200 promoters, 120 passives, 80 detractors of 400 (DOMAIN.md): NPS 30, adjusted Wald ≈ [22.2, 37.4].
    estimate = stats.nps(200, 80, 400)
    assert estimate.value == 30.0
    assert estimate.ci_low is not None
    assert estimate.ci_high is not None
    assert round(estimate.ci_low, 1) == 22.2
    assert round(estimate.ci_high, 1) == 37.4


@pytest.mark.parametrize(
    ("promoters", "detractors", "n"), [(200, 80, 400), (5, 40, 60), (0, 0, 1), (90, 3, 100)]
)
def test_nps_interval_is_rocks_adjusted_wald(promoters: int, detractors: int, n: int) -> None:
    # Rocks (2016): add 3/4 to each of P and D, 3 to n; variance of a difference of multinomial shares.
    pp = (promoters + 3 / 4) / (n + 3)
    pd = (detractors + 3 / 4) / (n + 3)
    half = Z * math.sqrt((pp * (1 - pp) + pd * (1 - pd) + 2 * pp * pd) / (n + 3))
    estimate = stats.nps(promoters, detractors, n)
    assert estimate.value == pytest.approx(100 * (promoters - detractors) / n)
    assert estimate.ci_low == pytest.approx(max(-100, 100 * (pp - pd - half)))
    assert estimate.ci_high == pytest.approx(min(100, 100 * (pp - pd + half)))


def test_wilson_worked_example() -> None:
    estimate = stats.share(160, 200)
    assert estimate.value == 80.0
    assert (round(estimate.ci_low or 0, 1), round(estimate.ci_high or 0, 1)) == (73.9, 85.0)


@pytest.mark.parametrize(("successes", "n"), [(160, 200), (0, 10), (10, 10), (1, 3), (437, 1000)])
def test_wilson_bounds_solve_the_score_equation(successes: int, n: int) -> None:
    # The Wilson bounds are the p where |p̂ − p| = z·√(p(1 − p)/n): roots of a quadratic in p.
    p_hat = successes / n
    a = 1 + Z * Z / n
    b = -(2 * p_hat + Z * Z / n)
    c = p_hat * p_hat
    root = math.sqrt(b * b - 4 * a * c)
    estimate = stats.share(successes, n)
    assert estimate.ci_low == pytest.approx(100 * (-b - root) / (2 * a), abs=1e-9)
    assert estimate.ci_high == pytest.approx(100 * (-b + root) / (2 * a), abs=1e-9)


@pytest.mark.parametrize(
    ("df", "expected"),
    [
        (3, 3.182446305284263),
        (5, 2.570581835636314),
        (10, 2.228138851986273),
        (30, 2.042272456301238),
        (100, 1.983971518523552),
        (1000, 1.962339080826415),
    ],
)
def test_t_quantile_matches_published_table(df: int, expected: float) -> None:
    assert stats.t_quantile_975(df) == pytest.approx(expected, abs=1e-9)


def test_t_quantile_closed_forms_and_limits() -> None:
    # df = 1 is the Cauchy distribution: tan(π(p − ½)); df = 2 has t = (2p − 1)/√(2p(1 − p)).
    assert stats.t_quantile_975(1) == pytest.approx(math.tan(math.pi * 0.475), rel=1e-10)
    assert stats.t_quantile_975(2) == pytest.approx(0.95 / math.sqrt(2 * 0.975 * 0.025), rel=1e-10)
    # The two methods agree where they meet, and the quantile falls towards the normal one.
    assert stats.t_quantile_975(1001) == pytest.approx(stats.t_quantile_975(1000) - 2.37e-6, abs=1e-7)
    assert stats.t_quantile_975(10**7) == pytest.approx(Z, abs=1e-6)
    with pytest.raises(ValueError, match="degree"):
        stats.t_quantile_975(0)


def test_mean_interval_uses_the_sample_standard_deviation() -> None:
    answers = [1, 2, 2, 3, 5, 7, 7, 4, 4, 6]
    estimate = stats.mean(sum(answers), sum(a * a for a in answers), len(answers))
    se = statistics.stdev(answers) / math.sqrt(len(answers))
    assert estimate.value == pytest.approx(statistics.fmean(answers))
    assert estimate.se == pytest.approx(se)
    # t(0.975, 9) from the published table.
    assert estimate.ci_low == pytest.approx(statistics.fmean(answers) - 2.262157162740992 * se)
    assert stats.mean(4, 16, 1).ci_low is None


@pytest.mark.parametrize("q", [0.5, 0.9])
@pytest.mark.parametrize("values", [[3.0], [1.0, 2.0], [5.0, 1.0, 4.0, 2.5, 8.0, 13.0, 0.5]])
def test_interpolated_quantile_is_type_7(values: list[float], q: float) -> None:
    ordered = sorted(values)
    low, high = stats.quantile_positions(q, len(values))
    got = stats.interpolated_quantile(ordered[low], ordered[high], q, len(values))
    if len(values) == 1:
        assert got == values[0]
    else:
        # statistics.quantiles(method="inclusive") is Hyndman & Fan's type 7.
        cuts = statistics.quantiles(values, n=10, method="inclusive")
        assert got == pytest.approx(cuts[4] if q == 0.5 else cuts[8])
