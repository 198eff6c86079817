"""Relative importance of correlated drivers, from sums of products: pure numpy, no engine, no I/O.

The engine returns, for the outcome ``y`` (index 0) and the drivers ``x_1..x_p``, the weighted
count ``W = Σw``, the sums ``Σw·d_i`` and the sums of cross-products ``Σw·d_i·d_j`` of the values
``d_i = v_i − c_i`` shifted by constants ``c_i`` near their means (which keeps the sums well
conditioned). Every statistic here is a function of those sums alone:

* weighted means ``m_i = c_i + Σw·d_i / W`` and covariances
  ``S_ij = Σw·d_i·d_j / W − (Σw·d_i / W)(Σw·d_j / W)``; correlations ``R_ij = S_ij / √(S_ii·S_jj)``,
  partitioned into ``R_xx`` (drivers) and ``r_xy`` (each driver with the outcome);
* standardized betas ``β = R_xx⁻¹·r_xy`` and ``R² = r_xyᵀ·β`` (ordinary least squares on
  standardized variables); adjusted ``R² = 1 − (1 − R²)·(n − 1)/(n − p − 1)``;
* variance inflation factors ``VIF_j = (R_xx⁻¹)_jj`` (= 1/(1 − R²_j), R²_j of driver j on the others);
* Johnson's relative weights (Johnson 2000, "A heuristic method for estimating the relative weight
  of predictor variables in multiple regression", Multivariate Behavioral Research 35(1)): with
  ``R_xx = QΛQᵀ``, ``Λ* = QΛ^½Qᵀ`` relates the drivers to their closest orthogonal counterparts,
  ``β* = Λ*⁻¹·r_xy`` regresses the outcome on those, and ``ε_j = Σ_k (Λ*_jk)²·(β*_k)²``; the
  ``ε_j`` sum to R²;
* the Shapley decomposition of R² (Lindeman, Merenda & Gold 1980, "LMG"; Grömping 2006, "Relative
  importance for linear regression in R: the package relaimpo", Journal of Statistical Software
  17(1)): ``φ_j = Σ_{S ⊆ P∖{j}} |S|!·(p − |S| − 1)!/p! · (R²(S ∪ {j}) − R²(S))`` over every subset
  ``S`` of the other drivers, with ``R²(S) = r_Sᵀ·R_SS⁻¹·r_S``; the ``φ_j`` sum to R² as well.
"""

from __future__ import annotations

import math
from itertools import combinations
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]

#: An eigenvalue of the drivers' correlation matrix below this means they are (nearly) perfectly
#: collinear: no unique regression exists.
COLLINEAR_EIGENVALUE = 1e-10
#: A driver is named as part of a collinear set when its component in the null direction is this large.
COLLINEAR_LOADING = 0.05


class Moments(NamedTuple):
    """Weighted means and covariances of the outcome and drivers (index 0 is the outcome)."""

    weight: float
    mean: Array
    covariance: Array


class Fit(NamedTuple):
    """The regression of the outcome on the drivers, from their correlation matrix."""

    r_squared: float
    beta: Array
    r: Array
    vif: Array
    relative_weight: Array


def moments(weight: float, shift: Array, first: Array, second: Array) -> Moments:
    """Means and covariances from ``W``, the shifts ``c``, ``Σw·d`` and the matrix ``Σw·d·dᵀ``."""
    centred = first / weight
    covariance = second / weight - np.outer(centred, centred)
    return Moments(weight, shift + centred, (covariance + covariance.T) / 2)


def correlation(covariance: Array) -> Array:
    """The correlation matrix of a covariance matrix whose variances are all positive."""
    scale = 1.0 / np.sqrt(np.diag(covariance))
    corr = covariance * np.outer(scale, scale)
    np.fill_diagonal(corr, 1.0)
    return corr


def collinear_sets(corr: Array) -> list[list[int]]:
    """The drivers (0-based among drivers) tied by an exact linear relation, one list per relation."""
    values, vectors = np.linalg.eigh(corr[1:, 1:])
    found = []
    for k in np.flatnonzero(values < COLLINEAR_EIGENVALUE):
        loading = np.abs(vectors[:, k])
        found.append([int(j) for j in np.flatnonzero(loading >= COLLINEAR_LOADING)])
    return found


def fit(corr: Array) -> Fit:
    """Betas, R², zero-order correlations, VIFs and Johnson's relative weights of one model."""
    rxx, rxy = corr[1:, 1:], corr[1:, 0]
    inverse = np.linalg.inv(rxx)
    beta = inverse @ rxy
    r_squared = float(rxy @ beta)
    return Fit(r_squared, beta, rxy.copy(), np.diag(inverse).copy(), relative_weights(corr[None])[0])


def relative_weights(corrs: Array) -> Array:
    """Johnson's raw relative weights for a stack of correlation matrices, shape ``(B, p+1, p+1)``.

    Returns ``(B, p)``; each row sums to that model's R².
    """
    rxx, rxy = corrs[:, 1:, 1:], corrs[:, 1:, 0]
    values, vectors = np.linalg.eigh(rxx)
    roots = np.sqrt(np.clip(values, 0.0, None))
    # Λ* = Q·diag(√λ)·Qᵀ and Λ*⁻¹ = Q·diag(1/√λ)·Qᵀ, for each model of the stack.
    lam = np.einsum("bij,bj,bkj->bik", vectors, roots, vectors)
    lam_inverse = np.einsum("bij,bj,bkj->bik", vectors, 1.0 / roots, vectors)
    beta_star = np.einsum("bij,bj->bi", lam_inverse, rxy)
    weights: Array = np.einsum("bjk,bk->bj", lam**2, beta_star**2)
    return weights


def subset_r_squared(corr: Array) -> dict[frozenset[int], float]:
    """R² of the outcome on every subset of the drivers (0-based among drivers), the empty set's 0."""
    p = corr.shape[0] - 1
    found: dict[frozenset[int], float] = {frozenset(): 0.0}
    for size in range(1, p + 1):
        for subset in combinations(range(p), size):
            index = np.array(subset) + 1
            r = corr[index, 0]
            found[frozenset(subset)] = float(r @ np.linalg.solve(corr[np.ix_(index, index)], r))
    return found


def shapley(corr: Array) -> Array:
    """The exact Shapley (LMG) decomposition of R² over every subset of drivers (2**p regressions)."""
    p = corr.shape[0] - 1
    r2 = subset_r_squared(corr)
    factor = [math.factorial(s) * math.factorial(p - s - 1) / math.factorial(p) for s in range(p)]
    values = np.zeros(p)
    for subset, value in r2.items():
        for j in range(p):
            if j not in subset:
                values[j] += factor[len(subset)] * (r2[subset | {j}] - value)
    return values


def adjusted_r_squared(r_squared: float, n: int, p: int) -> float | None:
    """``1 − (1 − R²)(n − 1)/(n − p − 1)``; None when there are no residual degrees of freedom."""
    if n - p - 1 <= 0:
        return None
    return 1.0 - (1.0 - r_squared) * (n - 1) / (n - p - 1)


def replicate_shares(weight: Array, first: Array, second: Array) -> Array:
    """Each bootstrap replicate's relative weights as percentages of its R², shape ``(B, p)``.

    ``weight`` is ``(B,)``, ``first`` ``(B, k)`` and ``second`` ``(B, k, k)``; a replicate in which a
    variable has no variance (possible on very few rows) is left out: its row is all NaN.
    """
    with np.errstate(all="ignore"):  # a degenerate replicate is dropped below, not warned about
        return _replicate_shares(weight, first, second)


def _replicate_shares(weight: Array, first: Array, second: Array) -> Array:
    centred = first / weight[:, None]
    covariance = second / weight[:, None, None] - np.einsum("bi,bj->bij", centred, centred)
    variances = np.einsum("bii->bi", covariance)
    usable = np.all(variances > 0, axis=1) & (weight > 0)
    shares = np.full((len(weight), first.shape[1] - 1), np.nan)
    if not usable.any():
        return shares
    chosen = covariance[usable]
    scale = 1.0 / np.sqrt(np.einsum("bii->bi", chosen))
    corrs = chosen * scale[:, :, None] * scale[:, None, :]
    raw = relative_weights(corrs)
    shares[usable] = 100.0 * raw / raw.sum(axis=1, keepdims=True)
    return shares


def percentile_interval(values: Array) -> tuple[float, float] | None:
    """The 2.5th and 97.5th percentiles (linear interpolation) of the finite values, if any."""
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return None
    low, high = np.quantile(finite, [0.025, 0.975])
    return float(low), float(high)
