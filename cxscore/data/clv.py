"""Customer lifetime value models: BG/NBD for repeat purchasing and Gamma-Gamma for order value.

Both are fitted by maximum likelihood on their closed-form log-likelihoods with scipy. No maintained
library served: ``lifetimes`` is unmaintained (last release 2020, broken on current pandas/scipy);
``btyd`` pins PyMC 4 and autograd; ``pymc-marketing`` fits through PyMC/PyTensor (hundreds of MB, a
C compiler at run time) and is not built to fit a million customers in seconds. The closed forms
below are short, and vectorised over the distinct ``(x, t_x, T)`` triples (many customers share
one) they fit 1,000,000 customers in seconds.

**BG/NBD** (Fader, Hardie & Lee 2005, "Counting your customers the easy way: an alternative to the
Pareto/NBD model", Marketing Science 24(2)). While alive a customer buys at Poisson rate λ,
λ ~ Gamma(r, α); after each purchase the customer drops out with probability p, p ~ Beta(a, b).
With x repeat purchases, the last at t_x, observed until T (weeks since the first purchase), the
likelihood (their eq. 6) is::

    L = B(a, b+x)/B(a, b) · Γ(r+x) α^r / (Γ(r) (α+T)^(r+x))
        + [x > 0] · B(a+1, b+x-1)/B(a, b) · Γ(r+x) α^r / (Γ(r) (α+t_x)^(r+x))

P(alive | x, t_x, T) = 1 / (1 + [x > 0] · a/(b+x-1) · ((α+T)/(α+t_x))^(r+x))  (Fader, Hardie &
Lee 2008, "Computing P(alive) using the BG/NBD model"), and the expected number of purchases in
the next t weeks (their eq. 10)::

    E[Y(t) | x, t_x, T] = (a+b+x-1)/(a-1) · (1 - ((α+T)/(α+T+t))^(r+x)
                          · 2F1(r+x, b+x; a+b+x-1; t/(α+T+t))) · P(alive | x, t_x, T)

**Gamma-Gamma** (Fader, Hardie & Lee 2005, "RFM and CLV: using iso-value curves for customer base
analysis", JMR 42(4); Fader & Hardie 2013, "The Gamma-Gamma model of monetary value"). A customer's
order values are Gamma(p, ν), ν ~ Gamma(q, γ); for a customer with x repeat orders of mean value
m̄ the likelihood is::

    f(m̄ | p, q, γ, x) = Γ(px+q) / (Γ(px) Γ(q)) · γ^q · m̄^(px-1) · x^(px) / (γ + m̄x)^(px+q)

and the expected value of the customer's next order is E(M | m̄, x) = p (γ + m̄x) / (px + q - 1)
(the population mean p γ/(q-1) for a customer with no repeat order). The model assumes that
order value does not depend on purchase frequency; :func:`fit_gamma_gamma` reports that
correlation so a user can judge.

The fit is on the log of each parameter (so every parameter stays positive), by L-BFGS-B with the
analytic gradient. Standard errors are the square roots of the diagonal of the inverse of the
Hessian of the negative log-likelihood in the natural parameters at the estimate, the Hessian taken
by central differences of the analytic gradient.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import optimize, special

Array = NDArray[np.float64]

#: A parameter this large or small means the data carry no information about it (the fit ran off).
_BOUND = 30.0


class ModelError(ValueError):
    """The model cannot be fitted to these customers; the message says why, for the report."""


@dataclass(frozen=True, slots=True)
class Estimate:
    """A fitted parameter and its standard error (``None`` when the Hessian is not invertible)."""

    value: float
    se: float | None


@dataclass(frozen=True, slots=True)
class BgNbd:
    """Fitted BG/NBD parameters (r, α, a, b) and the fit's log-likelihood over ``customers``."""

    r: Estimate
    alpha: Estimate
    a: Estimate
    b: Estimate
    log_likelihood: float
    customers: int


@dataclass(frozen=True, slots=True)
class GammaGamma:
    """Fitted Gamma-Gamma parameters (p, q, γ) over ``customers`` repeat buyers.

    ``frequency_value_correlation`` is Pearson's r between x and m̄ over those customers: the model
    assumes it is near 0.
    """

    p: Estimate
    q: Estimate
    gamma: Estimate
    log_likelihood: float
    customers: int
    frequency_value_correlation: float | None


Levels = tuple[Array, NDArray[np.intp]]


def levels_of(x: Array) -> Levels:
    """The distinct values of ``x`` and, for each customer, the index of its value.

    Every special function of the likelihoods takes x only through r + x, b + x, px, ...: evaluated
    once per distinct x (a few hundred values) and gathered, instead of once per customer, they stop
    dominating the fit of a million customers.
    """
    values, index = np.unique(x, return_inverse=True)
    return values, index.reshape(-1).astype(np.intp)


def bg_nbd_log_likelihood(
    params: Array, x: Array, t_x: Array, big_t: Array, weights: Array, levels: Levels | None = None
) -> tuple[float, Array]:
    """The BG/NBD log-likelihood (module docstring) summed with ``weights``, and its gradient in
    (r, α, a, b); ``levels`` is :func:`levels_of` ``x``, computed here when not given."""
    r, alpha, a, b = params
    values, index = levels if levels is not None else levels_of(x)
    repeat = x > 0

    def per_x(function: Any, shift: float) -> Array:
        gathered: Array = function(shift + values)[index]
        return gathered

    a1 = per_x(special.gammaln, r) - special.gammaln(r) + r * math.log(alpha)
    a2 = (
        special.gammaln(a + b)
        + per_x(special.gammaln, b)
        - special.gammaln(b)
        - per_x(special.gammaln, a + b)
    )
    log_t = np.log(alpha + big_t)
    log_tx = np.log(alpha + t_x)
    a3 = -(r + x) * log_t
    # The second term exists only for repeat buyers; log(b + x - 1) is taken where x > 0 only.
    safe = np.where(repeat, b + x - 1.0, 1.0)
    a4 = np.where(repeat, math.log(a) - np.log(safe) - (r + x) * log_tx, -np.inf)
    top = np.maximum(a3, a4)
    log_sum = top + np.log(np.exp(a3 - top) + np.exp(a4 - top))
    total = float(np.dot(weights, a1 + a2 + log_sum))
    w = np.exp(a4 - log_sum)  # the second term's share of L (0 without repeat purchases)
    digamma_r = per_x(special.digamma, r) - special.digamma(r)
    grad_r = digamma_r + math.log(alpha) - (1 - w) * log_t - w * log_tx
    grad_alpha = r / alpha - (r + x) * ((1 - w) / (alpha + big_t) + w / (alpha + t_x))
    common = special.digamma(a + b) - per_x(special.digamma, a + b)
    grad_a = common + w / a
    grad_b = common + per_x(special.digamma, b) - special.digamma(b) - w / safe
    gradient = np.array([np.dot(weights, g) for g in (grad_r, grad_alpha, grad_a, grad_b)])
    return total, gradient


def gamma_gamma_log_likelihood(
    params: Array, x: Array, m: Array, weights: Array, levels: Levels | None = None
) -> tuple[float, Array]:
    """The Gamma-Gamma log-likelihood (module docstring) summed with ``weights``, and its gradient in
    (p, q, γ); ``levels`` is :func:`levels_of` ``x``, computed here when not given."""
    p, q, gamma = params
    values, index = levels if levels is not None else levels_of(x)
    px = p * x
    log_gm = np.log(gamma + m * x)
    log_m, log_x = np.log(m), np.log(x)
    gammaln_all, gammaln_px = special.gammaln(p * values + q)[index], special.gammaln(p * values)[index]
    terms = (
        gammaln_all
        - gammaln_px
        - special.gammaln(q)
        + q * math.log(gamma)
        + (px - 1) * log_m
        + px * log_x
        - (px + q) * log_gm
    )
    digamma_all = special.digamma(p * values + q)[index]
    grad_p = x * (digamma_all - special.digamma(p * values)[index] + log_m + log_x - log_gm)
    grad_q = digamma_all - special.digamma(q) + math.log(gamma) - log_gm
    grad_gamma = q / gamma - (px + q) / (gamma + m * x)
    gradient = np.array([np.dot(weights, g) for g in (grad_p, grad_q, grad_gamma)])
    return float(np.dot(weights, terms)), gradient


def _fit(
    log_likelihood: Callable[[Array], tuple[float, Array]], start: Array, names: tuple[str, ...]
) -> tuple[Array, list[float | None], float]:
    """Maximise ``log_likelihood`` over log-parameters; the estimate, its standard errors and the
    maximum."""

    def negative(log_params: Array) -> tuple[float, Array]:
        params = np.exp(log_params)
        value, gradient = log_likelihood(params)
        if not math.isfinite(value):
            return math.inf, np.zeros_like(log_params)
        return -value, -gradient * params  # chain rule: d/d(log θ) = θ · d/dθ

    bounds = [(-_BOUND, _BOUND)] * len(start)
    result = optimize.minimize(
        negative,
        np.log(start),
        jac=True,
        method="L-BFGS-B",
        bounds=bounds,
        options={"maxiter": 1000, "ftol": 1e-12, "gtol": 1e-8},
    )
    log_params = np.asarray(result.x, dtype=np.float64)
    if not result.success and not np.all(np.isfinite(log_params)):
        raise ModelError(f"the maximum-likelihood fit did not converge ({result.message})")
    at_bound = [name for name, value in zip(names, log_params, strict=True) if abs(value) >= _BOUND - 1e-6]
    if at_bound:
        raise ModelError(
            f"the data do not identify {', '.join(at_bound)}: the fit ran to the edge of the parameter "
            "space (too few customers or too little repeat buying)"
        )
    params = np.exp(log_params)
    return params, _standard_errors(lambda theta: log_likelihood(theta)[1], params), -float(result.fun)


def _standard_errors(gradient: Callable[[Array], Array], params: Array) -> list[float | None]:
    """√diag(H⁻¹), H the Hessian of −log L in the natural parameters by central differences."""
    size = len(params)
    hessian = np.empty((size, size))
    for i in range(size):
        step = 1e-5 * params[i]
        up, down = params.copy(), params.copy()
        up[i] += step
        down[i] -= step
        hessian[:, i] = -(gradient(up) - gradient(down)) / (2 * step)
    hessian = (hessian + hessian.T) / 2
    try:
        covariance = np.linalg.inv(hessian)
    except np.linalg.LinAlgError:
        return [None] * size
    return [math.sqrt(v) if v > 0 and math.isfinite(v) else None for v in np.diag(covariance)]


def _distinct(*columns: Array) -> tuple[list[Array], Array]:
    """The distinct rows of ``columns`` and how many times each occurs (the likelihood's weights)."""
    stacked = np.column_stack(columns)
    unique, counts = np.unique(stacked, axis=0, return_counts=True)
    return [unique[:, j] for j in range(unique.shape[1])], counts.astype(np.float64)


def fit_bg_nbd(x: Array, t_x: Array, big_t: Array, weights: Array | None = None) -> BgNbd:
    """BG/NBD by maximum likelihood on per-customer repeat purchases ``x``, time of the last purchase
    ``t_x`` and age ``T`` (same time unit, weeks in cxscore), each customer weighted by ``weights``
    (default 1: pass counts of identical customers to fit a compressed summary)."""
    if weights is None:
        (x, t_x, big_t), weights = _distinct(x, t_x, big_t)
    customers = int(weights.sum())
    if customers < 2:
        raise ModelError("one customer is too few to fit the BG/NBD model")
    if not np.any((x > 0) & (weights > 0)):
        raise ModelError("no customer has ordered on more than one day: there is no repeat buying to model")
    if not np.any(big_t > 0):
        raise ModelError("every customer's first order is on the as-of date: no time has been observed")
    # Start from a rate of the observed repeat purchases per week of observation.
    rate = max(float(np.dot(weights, x)) / max(float(np.dot(weights, big_t)), 1e-9), 1e-6)
    start = np.array([1.0, 1.0 / rate, 1.0, 1.0])
    levels = levels_of(x)
    params, ses, maximum = _fit(
        lambda theta: bg_nbd_log_likelihood(theta, x, t_x, big_t, weights, levels),
        start,
        ("r", "α", "a", "b"),
    )
    r, alpha, a, b = (Estimate(float(v), se) for v, se in zip(params, ses, strict=True))
    return BgNbd(r, alpha, a, b, log_likelihood=maximum, customers=customers)


def fit_gamma_gamma(x: Array, m: Array, weights: Array | None = None) -> GammaGamma:
    """Gamma-Gamma by maximum likelihood on repeat buyers' repeat orders ``x`` (> 0) and the mean
    value ``m`` (> 0) of those orders."""
    keep = (x > 0) & (m > 0) & np.isfinite(m)
    x, m = x[keep], m[keep]
    weights = np.ones_like(x) if weights is None else weights[keep]
    customers = int(weights.sum())
    if customers < 2:
        raise ModelError("fewer than two customers with a repeat order of positive value: no spend model")
    correlation = _weighted_correlation(x, m, weights)
    if weights is None or np.all(weights == 1):
        (x, m), counts = _distinct(x, m)
    else:
        counts = weights
    mean = float(np.average(m, weights=counts))
    levels = levels_of(x)
    start = np.array([1.0, 2.0, mean])
    params, ses, maximum = _fit(
        lambda theta: gamma_gamma_log_likelihood(theta, x, m, counts, levels), start, ("p", "q", "γ")
    )
    p, q, gamma = (Estimate(float(v), se) for v, se in zip(params, ses, strict=True))
    return GammaGamma(p, q, gamma, maximum, customers, correlation)


def _weighted_correlation(x: Array, m: Array, weights: Array) -> float | None:
    """Pearson's r of ``x`` and ``m``, each row counted ``weights`` times; None if either is constant."""
    mx, mm = np.average(x, weights=weights), np.average(m, weights=weights)
    dx, dm = x - mx, m - mm
    sxx, smm = np.dot(weights, dx * dx), np.dot(weights, dm * dm)
    if sxx <= 0 or smm <= 0:
        return None
    return float(np.dot(weights, dx * dm) / math.sqrt(sxx * smm))


def p_alive(model: BgNbd, x: Array, t_x: Array, big_t: Array) -> Array:
    """P(alive | x, t_x, T) (Fader, Hardie & Lee 2008): 1 for a customer with no repeat purchase."""
    r, alpha, a, b = (model.r.value, model.alpha.value, model.a.value, model.b.value)
    repeat = x > 0
    ratio = np.where(repeat, a / np.where(repeat, b + x - 1, 1.0), 0.0)
    log_odds = np.log(np.where(repeat, ratio, 1.0)) + (r + x) * (np.log(alpha + big_t) - np.log(alpha + t_x))
    return np.where(repeat, 1.0 / (1.0 + np.exp(log_odds)), 1.0)


def expected_purchases(model: BgNbd, horizon: float, x: Array, t_x: Array, big_t: Array) -> Array:
    """E[Y(t) | x, t_x, T]: expected purchases in the ``horizon`` after T (BG/NBD eq. 10)."""
    r, alpha, a, b = (model.r.value, model.alpha.value, model.a.value, model.b.value)
    if horizon <= 0:
        return np.zeros_like(x)
    later = alpha + big_t + horizon
    hyper = special.hyp2f1(r + x, b + x, a + b + x - 1, horizon / later)
    inner = 1 - np.exp((r + x) * (np.log(alpha + big_t) - np.log(later))) * hyper
    expected: Array = (a + b + x - 1) / (a - 1) * inner * p_alive(model, x, t_x, big_t)
    return expected


def expected_order_value(model: GammaGamma, x: Array, m: Array) -> Array:
    """E(M | m̄, x) = p (γ + m̄x) / (px + q - 1); the population mean pγ/(q-1) when x = 0."""
    p, q, gamma = model.p.value, model.q.value, model.gamma.value
    repeat = (x > 0) & (m > 0)
    own = p * (gamma + np.where(repeat, m, 0.0) * x) / (p * x + q - 1)
    population = p * gamma / (q - 1) if q > 1 else math.nan
    return np.where(repeat, own, population)
