"""BG/NBD and Gamma-Gamma: the papers' estimates on their data, and each formula against an
independent computation written here."""

from __future__ import annotations

import csv
import importlib.metadata
import math
from pathlib import Path

import numpy as np
import pytest

from cxscore.data import clv


def cdnow() -> dict[str, np.ndarray]:
    """The CDNOW sample (2,357 customers, 39 weeks) as Fader and Hardie distribute it, with the mean
    repeat-order value ``zbar``: read from the data file the ``Lifetimes`` distribution ships (the
    package itself is never imported)."""
    name = "lifetimes/datasets/cdnow_customers_summary_with_transactions.csv"
    path = Path(str(importlib.metadata.distribution("Lifetimes").locate_file(name)))
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    return {key: np.array([float(row[key]) for row in rows]) for key in ("x", "t_x", "T", "zbar")}


def test_bg_nbd_reproduces_the_published_cdnow_estimates() -> None:
    # Fader, Hardie & Lee (2005), Marketing Science 24(2), p. 280: r = 0.243, α = 4.414, a = 0.793,
    # b = 2.426, log-likelihood -9582.4, on 2,357 CDNOW customers.
    data = cdnow()
    assert len(data["x"]) == 2357
    fit = clv.fit_bg_nbd(data["x"], data["t_x"], data["T"])
    assert round(fit.r.value, 3) == 0.243
    assert round(fit.alpha.value, 3) == 4.414
    assert round(fit.a.value, 3) == 0.793
    assert round(fit.b.value, 3) == 2.426
    assert round(fit.log_likelihood, 1) == -9582.4
    assert fit.customers == 2357
    assert all(e.se is not None and 0 < e.se < e.value for e in (fit.r, fit.alpha, fit.a, fit.b))


def test_gamma_gamma_reproduces_the_published_cdnow_estimates() -> None:
    # Fader & Hardie (2013), "The Gamma-Gamma model of monetary value": p = 6.25, q = 3.74,
    # γ = 15.44 on the 946 CDNOW customers with a repeat purchase.
    data = cdnow()
    fit = clv.fit_gamma_gamma(data["x"], data["zbar"])
    assert fit.customers == 946
    assert round(fit.p.value, 2) == 6.25
    assert round(fit.q.value, 2) == 3.74
    # The maximum is at γ = 15.4477 on this file (its zbar is rounded to cents): 0.002 standard
    # errors from the published 15.44, which agrees to the two decimals the note prints, truncated.
    assert abs(fit.gamma.value - 15.44) < 0.01
    assert fit.frequency_value_correlation is not None
    assert abs(fit.frequency_value_correlation) < 0.2


def _bg_nbd_brute(r: float, alpha: float, a: float, b: float, x: float, t_x: float, big_t: float) -> float:
    """FHL (2005) eq. 6 for one customer with math.lgamma (no scipy, no vectorisation)."""

    def log_beta(u: float, v: float) -> float:
        return math.lgamma(u) + math.lgamma(v) - math.lgamma(u + v)

    common = math.lgamma(r + x) - math.lgamma(r) + r * math.log(alpha)
    first = math.exp(log_beta(a, b + x) - log_beta(a, b) + common - (r + x) * math.log(alpha + big_t))
    second = 0.0
    if x > 0:
        second = math.exp(
            log_beta(a + 1, b + x - 1) - log_beta(a, b) + common - (r + x) * math.log(alpha + t_x)
        )
    return math.log(first + second)


def test_bg_nbd_likelihood_and_gradient_match_a_direct_computation() -> None:
    x = np.array([0.0, 1.0, 4.0, 2.0])
    t_x = np.array([0.0, 3.5, 20.0, 30.0])
    big_t = np.array([10.0, 12.0, 40.0, 31.0])
    weights = np.array([3.0, 1.0, 2.0, 1.0])
    params = np.array([0.4, 3.0, 0.9, 2.5])
    value, gradient = clv.bg_nbd_log_likelihood(params, x, t_x, big_t, weights)
    expected = sum(w * _bg_nbd_brute(*params, *row) for w, *row in zip(weights, x, t_x, big_t, strict=True))
    assert value == pytest.approx(expected, rel=1e-12)
    for i in range(4):
        step = np.zeros(4)
        step[i] = 1e-6 * params[i]
        up = clv.bg_nbd_log_likelihood(params + step, x, t_x, big_t, weights)[0]
        down = clv.bg_nbd_log_likelihood(params - step, x, t_x, big_t, weights)[0]
        assert gradient[i] == pytest.approx((up - down) / (2 * step[i]), rel=1e-6)


def test_gamma_gamma_likelihood_and_gradient_match_a_direct_computation() -> None:
    x = np.array([1.0, 3.0, 7.0])
    m = np.array([20.0, 35.5, 12.0])
    weights = np.array([1.0, 2.0, 1.0])
    p, q, gamma = 5.0, 3.0, 14.0
    value, gradient = clv.gamma_gamma_log_likelihood(np.array([p, q, gamma]), x, m, weights)
    expected = 0.0
    for w, xi, mi in zip(weights, x, m, strict=True):
        expected += w * (
            math.lgamma(p * xi + q) - math.lgamma(p * xi) - math.lgamma(q) + q * math.log(gamma)
            + (p * xi - 1) * math.log(mi) + p * xi * math.log(xi) - (p * xi + q) * math.log(gamma + mi * xi)
        )  # fmt: skip
    assert value == pytest.approx(expected, rel=1e-12)
    params = np.array([p, q, gamma])
    for i in range(3):
        step = np.zeros(3)
        step[i] = 1e-6 * params[i]
        up = clv.gamma_gamma_log_likelihood(params + step, x, m, weights)[0]
        down = clv.gamma_gamma_log_likelihood(params - step, x, m, weights)[0]
        assert gradient[i] == pytest.approx((up - down) / (2 * step[i]), rel=1e-6)


def _hyp2f1_series(a: float, b: float, c: float, z: float) -> float:
    """Gauss's series, summed until its terms vanish (|z| < 1)."""
    total, term, n = 1.0, 1.0, 0
    while abs(term) > 1e-16 * abs(total):
        term *= (a + n) * (b + n) / ((c + n) * (n + 1)) * z
        total += term
        n += 1
    return total


def test_predictions_match_the_papers_formulas_computed_directly() -> None:
    model = clv.BgNbd(*(clv.Estimate(v, None) for v in (0.243, 4.414, 0.793, 2.426)), -1.0, 1)
    r, alpha, a, b = 0.243, 4.414, 0.793, 2.426
    x = np.array([0.0, 2.0, 7.0])
    t_x = np.array([0.0, 30.43, 29.43])
    big_t = np.array([38.86, 38.86, 38.86])
    alive = clv.p_alive(model, x, t_x, big_t)
    expected_orders = clv.expected_purchases(model, 39.0, x, t_x, big_t)
    for i in range(3):
        xi, txi, ti = x[i], t_x[i], big_t[i]
        odds = a / (b + xi - 1) * ((alpha + ti) / (alpha + txi)) ** (r + xi) if xi > 0 else 0.0
        assert alive[i] == pytest.approx(1 / (1 + odds), rel=1e-12)
        z = 39.0 / (alpha + ti + 39.0)
        hyper = _hyp2f1_series(r + xi, b + xi, a + b + xi - 1, z)
        inner = 1 - ((alpha + ti) / (alpha + ti + 39.0)) ** (r + xi) * hyper
        assert expected_orders[i] == pytest.approx((a + b + xi - 1) / (a - 1) * inner / (1 + odds), rel=1e-9)
    spend = clv.GammaGamma(*(clv.Estimate(v, None) for v in (6.25, 3.74, 15.44)), -1.0, 1, None)
    values = clv.expected_order_value(spend, np.array([0.0, 2.0]), np.array([0.0, 22.35]))
    assert values[0] == pytest.approx(6.25 * 15.44 / 2.74)
    assert values[1] == pytest.approx(6.25 * (15.44 + 2 * 22.35) / (6.25 * 2 + 3.74 - 1))


def _simulate(rng: np.random.Generator, customers: int, big_t: float) -> tuple[np.ndarray, ...]:
    """BG/NBD customers observed for ``big_t`` weeks, simulated purchase by purchase (vectorised)."""
    r, alpha, a, b = 0.6, 5.0, 0.8, 3.0
    rate = rng.gamma(r, 1 / alpha, customers)
    dropout = rng.beta(a, b, customers)
    x, t_x = np.zeros(customers), np.zeros(customers)
    now, alive = np.zeros(customers), np.ones(customers, dtype=bool)
    while alive.any():
        now = now + rng.exponential(1 / np.maximum(rate, 1e-12))
        bought = alive & (now <= big_t)
        x[bought] += 1
        t_x[bought] = now[bought]
        alive = bought & (rng.random(customers) >= dropout)
    return x, t_x, np.full(customers, big_t)


def test_the_fit_recovers_the_parameters_of_simulated_customers() -> None:
    x, t_x, big_t = _simulate(np.random.default_rng(7), 8000, 52.0)
    fit = clv.fit_bg_nbd(x, t_x, big_t)
    for estimate, truth in ((fit.r, 0.6), (fit.alpha, 5.0), (fit.a, 0.8), (fit.b, 3.0)):
        assert estimate.se is not None
        assert abs(estimate.value - truth) < 4 * estimate.se, (estimate, truth)


def test_fits_refuse_data_that_cannot_identify_them() -> None:
    one = np.array([1.0])
    with pytest.raises(clv.ModelError, match="one customer"):
        clv.fit_bg_nbd(one, one, one * 2)
    zeros = np.zeros(3)
    with pytest.raises(clv.ModelError, match="more than one day"):
        clv.fit_bg_nbd(zeros, zeros, np.array([5.0, 6.0, 7.0]))
    with pytest.raises(clv.ModelError, match="fewer than two"):
        clv.fit_gamma_gamma(np.array([1.0, 0.0]), np.array([10.0, 0.0]))
