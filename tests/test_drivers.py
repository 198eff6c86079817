"""Key-driver analysis checked against independent computations written here, on DuckDB and SQLite.

The references use numpy directly on the rows (which cxscore never sees): correlations by
``np.corrcoef``, relative weights by an eigen-decomposition written out, Shapley values by averaging
over every *ordering* of the drivers (not the subset formula cxscore uses), betas and VIFs by least
squares on the rows, weighted moments by explicit weighted sums.
"""

from __future__ import annotations

import csv
import itertools
import math
import sqlite3
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from cxscore import compat
from cxscore.data import DataSource, compute_drivers
from cxscore.data.driver_model import DriverSpec, DriversRequest, Quadrant
from cxscore.errors import CxScoreError

DRIVERS = ["speed", "care", "clarity", "price"]


# Independent references --------------------------------------------------------------------------------


def reference_relative_weights(corr: np.ndarray) -> np.ndarray:
    """Johnson (2000) step by step: Λ* from the eigenvectors, β* of y on Z, ε_j = Σ_k Λ*_jk² β*_k²."""
    rxx, rxy = corr[1:, 1:], corr[1:, 0]
    values, vectors = np.linalg.eig(rxx)  # not eigh: another routine than cxscore's
    values, vectors = values.real, vectors.real
    lam = vectors @ np.diag(np.sqrt(values)) @ vectors.T
    beta_star = np.linalg.solve(lam, rxy)
    return (lam**2) @ (beta_star**2)


def r_squared_rows(y: np.ndarray, x: np.ndarray) -> float:
    """R² of y on the columns of x (with an intercept), by least squares on the rows."""
    if x.shape[1] == 0:
        return 0.0
    design = np.column_stack([np.ones(len(y)), x])
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    residual = y - design @ coef
    return 1.0 - residual @ residual / ((y - y.mean()) @ (y - y.mean()))


def reference_shapley(y: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Each driver's R² gain averaged over every order in which drivers can enter (p! orders)."""
    p = x.shape[1]
    cache: dict[tuple[int, ...], float] = {}

    def r2(columns: tuple[int, ...]) -> float:
        key = tuple(sorted(columns))
        if key not in cache:
            cache[key] = r_squared_rows(y, x[:, list(key)])
        return cache[key]

    totals = np.zeros(p)
    orders = list(itertools.permutations(range(p)))
    for order in orders:
        for position, j in enumerate(order):
            totals[j] += r2(order[: position + 1]) - r2(order[:position])
    return totals / len(orders)


def reference_vif(x: np.ndarray) -> np.ndarray:
    return np.array(
        [1.0 / (1.0 - r_squared_rows(x[:, j], np.delete(x, j, axis=1))) for j in range(x.shape[1])]
    )


def survey(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Correlated 1–5 ratings and a 0–10 outcome, as real survey answers look."""
    rng = np.random.default_rng(seed)
    impression = rng.normal(0, 0.7, n)
    x = np.clip(np.round(3 + impression[:, None] + rng.normal(0, 0.9, (n, 4))), 1, 5)
    y = np.clip(np.round(2 + x @ np.array([0.6, 0.4, 0.25, 0.05]) + rng.normal(0, 1.2, n)), 0, 10)
    return y, x


def write_csv(path: Path, header: list[str], rows: list[list[Any]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_sqlite(path: Path, header: list[str], rows: list[list[Any]]) -> Path:
    connection = sqlite3.connect(path)
    columns = ", ".join(f'"{name}"' for name in header)
    connection.execute(f"CREATE TABLE answers ({columns})")
    connection.executemany(f"INSERT INTO answers VALUES ({', '.join('?' * len(header))})", rows)
    connection.commit()
    connection.close()
    return path


def source_for(engine: str, folder: Path, header: list[str], rows: list[list[Any]]) -> DataSource:
    if engine == "duckdb":
        return DataSource(paths=(str(write_csv(folder / "answers.csv", header, rows)),))
    database = write_sqlite(folder / "answers.db", header, rows)
    return DataSource(table="answers", engine=f"sqlite:///{database}")


def request(**options: Any) -> DriversRequest:
    return DriversRequest("ltr", tuple(DriverSpec(name) for name in DRIVERS), **options)


@pytest.fixture(scope="module")
def rows() -> tuple[np.ndarray, np.ndarray, list[list[Any]]]:
    y, x = survey(400, seed=11)
    table: list[list[Any]] = [[float(a), *map(float, b)] for a, b in zip(y, x, strict=True)]
    # Rows the analysis must leave out (listwise): blank, text, non-finite.
    table += [["", 3, 3, 3, 3], [7, "n/a", 2, 2, 2], [5, 3, 3, 3, "inf"], [6, 3, None, 3, 3]]
    return y, x, table


# Point estimates ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("engine", ["duckdb", "sqlite"])
def test_point_estimates_match_independent_computations(
    engine: str, rows: tuple[np.ndarray, np.ndarray, list[list[Any]]], tmp_path: Path
) -> None:
    y, x, table = rows
    source = source_for(engine, tmp_path, ["ltr", *DRIVERS], table)
    model = compute_drivers(source, request(replicates=0)).models[0]
    corr = np.corrcoef(np.column_stack([y, x]), rowvar=False)
    weights = reference_relative_weights(corr)
    shapley = reference_shapley(y, x)
    r2 = r_squared_rows(y, x)
    standardized = (x - x.mean(0)) / x.std(0)
    beta, *_ = np.linalg.lstsq(
        np.column_stack([np.ones(len(y)), standardized]), (y - y.mean()) / y.std(), rcond=None
    )
    vif = reference_vif(x)
    assert model.n == 400
    assert model.invalid == 4
    assert model.r_squared == pytest.approx(r2, rel=1e-9)
    assert model.adjusted_r_squared == pytest.approx(1 - (1 - r2) * 399 / 395, rel=1e-9)
    found = {d.driver: d for d in model.drivers}
    for j, name in enumerate(DRIVERS):
        driver = found[name]
        assert driver.relative_weight == pytest.approx(weights[j], rel=1e-7, abs=1e-12)
        assert driver.share_percent == pytest.approx(100 * weights[j] / r2, rel=1e-7)
        assert driver.shapley == pytest.approx(shapley[j], rel=1e-7, abs=1e-12)
        assert driver.beta == pytest.approx(beta[j + 1], rel=1e-7)
        assert driver.r == pytest.approx(corr[0, j + 1], rel=1e-9)
        assert driver.vif == pytest.approx(vif[j], rel=1e-7)
        assert driver.mean == pytest.approx(x[:, j].mean(), rel=1e-12)
        assert driver.ci_low is None
        assert driver.ci_high is None
    # Both decompositions are of R², and the drivers come largest share first.
    assert sum(d.relative_weight for d in model.drivers) == pytest.approx(r2, rel=1e-9)
    assert sum(d.shapley or 0 for d in model.drivers) == pytest.approx(r2, rel=1e-9)
    shares = [d.share_percent for d in model.drivers]
    assert shares == sorted(shares, reverse=True)


def test_weighted_results_match_an_independent_weighted_computation(tmp_path: Path) -> None:
    y, x = survey(300, seed=5)
    w = np.random.default_rng(9).uniform(0.2, 3.0, len(y))
    table = [[float(a), *map(float, b), float(c)] for a, b, c in zip(y, x, w, strict=True)]
    table.append([5, 3, 3, 3, 3, -1])  # a negative weight is invalid: the row is left out
    source = source_for("duckdb", tmp_path, ["ltr", *DRIVERS, "weight"], table)
    model = compute_drivers(source, request(weight="weight", replicates=0)).models[0]
    data = np.column_stack([y, x])
    mean = (w[:, None] * data).sum(0) / w.sum()
    centred = data - mean
    covariance = (w[:, None, None] * np.einsum("ni,nj->nij", centred, centred)).sum(0) / w.sum()
    scale = np.sqrt(np.diag(covariance))
    corr = covariance / np.outer(scale, scale)
    weights = reference_relative_weights(corr)
    # Weighted least squares R² by rows, as an independent check of the correlation route.
    design = np.column_stack([np.ones(len(y)), x]) * np.sqrt(w)[:, None]
    coef, *_ = np.linalg.lstsq(design, y * np.sqrt(w), rcond=None)
    residual = y - np.column_stack([np.ones(len(y)), x]) @ coef
    r2 = 1 - (w * residual**2).sum() / (w * (y - mean[0]) ** 2).sum()
    assert model.n == 300
    assert model.invalid == 1
    assert model.weighted
    assert model.r_squared == pytest.approx(r2, rel=1e-9)
    found = {d.driver: d for d in model.drivers}
    for j, name in enumerate(DRIVERS):
        assert found[name].relative_weight == pytest.approx(weights[j], rel=1e-7)
        assert found[name].mean == pytest.approx(mean[j + 1], rel=1e-12)


def test_integer_weights_equal_repeated_rows(tmp_path: Path) -> None:
    y, x = survey(120, seed=3)
    counts = np.random.default_rng(4).integers(1, 4, len(y))
    weighted = [[float(a), *map(float, b), int(c)] for a, b, c in zip(y, x, counts, strict=True)]
    repeated = [[float(a), *map(float, b)] for a, b, c in zip(y, x, counts, strict=True) for _ in range(c)]
    (tmp_path / "w").mkdir()
    (tmp_path / "r").mkdir()
    one = compute_drivers(
        source_for("duckdb", tmp_path / "w", ["ltr", *DRIVERS, "count"], weighted),
        request(weight="count", replicates=0),
    ).models[0]
    other = compute_drivers(
        source_for("duckdb", tmp_path / "r", ["ltr", *DRIVERS], repeated), request(replicates=0)
    ).models[0]
    for a, b in zip(one.drivers, other.drivers, strict=True):
        assert (a.driver, a.quadrant) == (b.driver, b.quadrant)
        assert a.relative_weight == pytest.approx(b.relative_weight, rel=1e-9)
        assert a.beta == pytest.approx(b.beta, rel=1e-9)


# The Poisson bootstrap ---------------------------------------------------------------------------------


def test_engine_hash_is_lowbias32_and_counts_are_poisson_on_both_engines(tmp_path: Path) -> None:
    import ibis

    from cxscore.data.drivers import POISSON_THRESHOLDS, lowbias32, with_poisson_counts, with_row_keys

    n = 20_000
    write_sqlite(tmp_path / "rows.db", ["position"], [[i] for i in range(n)])
    counts = {}
    for name, backend in (
        ("duckdb", ibis.duckdb.connect()),
        ("sqlite", ibis.sqlite.connect(str(tmp_path / "rows.db"))),
    ):
        if name == "duckdb":
            backend.con.execute("CREATE TABLE answers AS SELECT range AS position FROM range(20000)")
        table = backend.table("answers")
        native = name == "duckdb"
        keyed = with_row_keys(table, "position", seed=7, native=native)
        a = with_poisson_counts(keyed, keyed["__cx_key"], 12345, native).rename(a="__cx_count")
        b = with_poisson_counts(a, a["__cx_key"], 67890, native).rename(b="__cx_count")
        rows = compat.ibis_cursor_rows(
            backend, b.select("position", "__cx_key", "a", "b").order_by("position")
        )
        frame = {name: [row[name] for row in rows] for name in ("__cx_key", "a", "b")}
        expected = [lowbias32(i ^ lowbias32(7)) for i in range(n)]
        assert frame["__cx_key"] == expected, name
        counts[name] = (np.array(frame["a"]), np.array(frame["b"]))
    assert all(np.array_equal(x, y) for x, y in zip(counts["duckdb"], counts["sqlite"], strict=True))
    a, b = counts["duckdb"]
    assert a.mean() == pytest.approx(1.0, abs=0.03)
    assert a.var() == pytest.approx(1.0, abs=0.05)
    pmf = [math.exp(-1) / math.factorial(k) for k in range(5)]
    observed = [float(np.mean(a == k)) for k in range(5)]
    assert observed == pytest.approx(pmf, abs=0.012)
    assert abs(np.corrcoef(a, b)[0, 1]) < 0.03  # replicates draw independently
    assert len(POISSON_THRESHOLDS) == 10


def test_bootstrap_is_seeded_and_the_same_on_duckdb_and_sqlite(
    rows: tuple[np.ndarray, np.ndarray, list[list[Any]]], tmp_path: Path
) -> None:
    _, _, table = rows
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    duck = source_for("duckdb", tmp_path / "a", ["ltr", *DRIVERS], table)
    lite = source_for("sqlite", tmp_path / "b", ["ltr", *DRIVERS], table)

    def intervals(source: DataSource, seed: int) -> list[float | None]:
        model = compute_drivers(source, request(replicates=60, seed=seed)).models[0]
        return [bound for d in model.drivers for bound in (d.ci_low, d.ci_high)]

    first = intervals(duck, 1)
    assert first == intervals(duck, 1)
    assert first != intervals(duck, 2)
    assert intervals(lite, 1) == pytest.approx(first, rel=1e-9)
    model = compute_drivers(duck, request(replicates=60, seed=1)).models[0]
    for driver in model.drivers:
        assert driver.ci_low is not None
        assert driver.ci_high is not None
        assert driver.ci_low < driver.share_percent < driver.ci_high


def test_bootstrap_interval_covers_the_true_share(tmp_path: Path) -> None:
    """A seeded simulation: many small samples of a known population, one engine run (--by sample)."""
    rng = np.random.default_rng(2024)
    population = np.array(
        [[1.0, 0.5, 0.4, 0.3], [0.5, 1.0, 0.3, 0.2], [0.4, 0.3, 1.0, 0.25], [0.3, 0.2, 0.25, 1.0]]
    )
    truth = reference_relative_weights(population)
    truth = 100 * truth / truth.sum()
    samples, n = 120, 150
    factor = np.linalg.cholesky(population)
    table = []
    for sample in range(samples):
        values = rng.standard_normal((n, 4)) @ factor.T
        table += [[sample, *map(float, row)] for row in values]
    source = source_for("duckdb", tmp_path, ["sample", "y", "a", "b", "c"], table)
    specs = tuple(DriverSpec(name) for name in ("a", "b", "c"))
    report = compute_drivers(source, DriversRequest("y", specs, by=("sample",), replicates=150, seed=3))
    assert len(report.models) == samples
    covered = []
    for model in report.models:
        for driver in model.drivers:
            j = "abc".index(driver.driver)
            assert driver.ci_low is not None
            assert driver.ci_high is not None
            covered.append(driver.ci_low <= truth[j] <= driver.ci_high)
    coverage = float(np.mean(covered))
    assert 0.88 <= coverage <= 0.99, coverage


# Quadrants and scales ----------------------------------------------------------------------------------


def test_quadrants_split_at_the_mean_share_and_performance(tmp_path: Path) -> None:
    y, x = survey(300, seed=8)
    x[:, 0] = np.clip(x[:, 0] - 1, 1, 5)  # the most important driver performs worst: fix first
    table = [[float(a), *map(float, b)] for a, b in zip(y, x, strict=True)]
    source = source_for("duckdb", tmp_path, ["ltr", *DRIVERS], table)
    specs = tuple(DriverSpec(name, None, (1.0, 5.0)) for name in DRIVERS)
    model = compute_drivers(source, DriversRequest("ltr", specs, replicates=0)).models[0]
    mean_share = sum(d.share_percent for d in model.drivers) / 4
    mean_performance = sum(d.performance_percent or 0 for d in model.drivers) / 4
    for driver in model.drivers:
        assert driver.performance_percent == pytest.approx(100 * (driver.mean - 1) / 4)
        important = driver.share_percent >= mean_share
        performing = (driver.performance_percent or 0) >= mean_performance
        expected = {
            (True, False): Quadrant.fix_first,
            (True, True): Quadrant.keep_up,
            (False, True): Quadrant.possible_overkill,
            (False, False): Quadrant.low_priority,
        }[important, performing]
        assert driver.quadrant is expected
    assert {d.driver: d.quadrant for d in model.drivers}["speed"] is Quadrant.fix_first


# Bad input ---------------------------------------------------------------------------------------------


def analyse_rows(tmp_path: Path, header: list[str], table: list[list[Any]], **options: Any) -> Any:
    source = source_for("duckdb", tmp_path, header, table)
    specs = tuple(DriverSpec(name) for name in header[1:])
    return compute_drivers(source, DriversRequest(header[0], specs, replicates=0, **options))


def test_a_constant_driver_is_a_located_error(tmp_path: Path) -> None:
    y, x = survey(50, seed=1)
    table = [[float(a), float(b[0]), 3] for a, b in zip(y, x, strict=True)]
    with pytest.raises(CxScoreError) as raised:
        analyse_rows(tmp_path, ["ltr", "speed", "flat"], table)
    [issue] = raised.value.issues
    assert (issue.line, issue.col) == (1, 11)
    assert "column 'flat' has the same value (3) in every complete row" in issue.message


def test_collinear_drivers_are_named(tmp_path: Path) -> None:
    y, x = survey(60, seed=2)
    table = [
        [float(a), float(b[0]), float(b[1]), float(b[0] + b[1]), float(b[2])]
        for a, b in zip(y, x, strict=True)
    ]
    with pytest.raises(CxScoreError) as raised:
        analyse_rows(tmp_path, ["ltr", "speed", "care", "total", "clarity"], table)
    [issue] = raised.value.issues
    assert "drivers 'speed', 'care', 'total' are perfectly collinear" in issue.message


def test_a_column_without_numbers_is_an_error_and_few_rows_a_warning(tmp_path: Path) -> None:
    y, x = survey(30, seed=4)
    table = [[float(a), float(b[0]), "good"] for a, b in zip(y, x, strict=True)]
    with pytest.raises(CxScoreError) as raised:
        analyse_rows(tmp_path, ["ltr", "speed", "comment"], table)
    assert "column 'comment' has no numeric value, e.g. 'good'" in raised.value.issues[0].message
    table = [[float(a), *map(float, b)] for a, b in zip(y, x, strict=True)]
    (tmp_path / "few").mkdir()
    report = analyse_rows(tmp_path / "few", ["ltr", *DRIVERS], table)
    assert any("fewer than 10 per driver (40 for 4)" in warning for warning in report.warnings)
    assert report.models[0].n == 30


def test_the_outcome_cannot_be_a_driver(tmp_path: Path) -> None:
    source = source_for("duckdb", tmp_path, ["ltr", "speed"], [[1, 2], [3, 4]])
    specs = (DriverSpec("speed"), DriverSpec("ltr"))
    with pytest.raises(CxScoreError, match="'ltr' is the --outcome: a driver must be another column"):
        compute_drivers(source, DriversRequest("ltr", specs))


def test_a_degenerate_segment_is_left_out_with_a_warning(tmp_path: Path) -> None:
    y, x = survey(200, seed=6)
    table = [["a", float(v), *map(float, row)] for v, row in zip(y, x, strict=True)]
    table += [["b", float(i % 11), 3.0, float(i % 5), float(i % 4), float(i % 3)] for i in range(40)]
    source = source_for("duckdb", tmp_path, ["segment", "ltr", *DRIVERS], table)
    report = compute_drivers(source, request(by=("segment",), replicates=10))
    assert [model.group for model in report.models] == [{"segment": "a"}]
    assert any(
        "segment segment=b is left out: column 'speed' has the same value (3)" in w for w in report.warnings
    )


def test_shapley_is_left_out_beyond_twelve_drivers(tmp_path: Path) -> None:
    rng = np.random.default_rng(12)
    x = rng.normal(size=(80, 13))
    y = x.sum(axis=1) + rng.normal(size=80)
    names = [f"x{j}" for j in range(13)]
    source = source_for(
        "duckdb", tmp_path, ["y", *names], [[a, *b] for a, b in zip(y, x.tolist(), strict=True)]
    )
    model = compute_drivers(
        source, DriversRequest("y", tuple(DriverSpec(n) for n in names), replicates=0)
    ).models[0]
    assert all(driver.shapley is None for driver in model.drivers)
    assert sum(d.relative_weight for d in model.drivers) == pytest.approx(model.r_squared)
