"""Customers: ``cxscore customers orders.csv ... --format json`` against DuckDB's own GROUP BY.

The input is a seeded orders export (10,000,000 rows of 1,000,000 customers at full size) written by
DuckDB with ``COPY (SELECT ... FROM range(N)) TO ...``: customer ``hash(i) % customers``, a date in
2023-2025 and an amount from ``hash``, so the file is the same on every run; about 0.1% of the
amounts read "n/a". The floor is the per-customer summary a DuckDB user would write by hand on the
same file, in one ``python -c``: rows of one customer and day merged, then per customer the first and
last order, order days, spend and repeat spend, written to a Parquet file (so the engine computes
every row, as the command's summary does).

Cases: the summary, segments, VIPs and delight list without the model (``--no-model``: target 2x the
floor); the same with the BG/NBD and Gamma-Gamma fit and predictions (reported, no target: the
difference is the fit's time). The uniform random orders do not follow the model, so a third case fits
BG/NBD to 1,000,000 customers simulated from it (seeded; r = 0.5, α = 30 days, a = 0.8, b = 3, first
orders over 900 days, whole days as the engine gives them), against the same simulation without the
fit: the difference is the fit's time on data the model describes.
"""

from __future__ import annotations

import sys
from pathlib import Path

from benchmarks.harness import Case

FULL_ROWS = 10_000_000
FULL_CUSTOMERS = 1_000_000
SMOKE_ROWS = 5_000
SMOKE_CUSTOMERS = 500

GENERATE = """
COPY (
  SELECT
    'C' || CAST(hash(i, 'customer') % {customers} AS VARCHAR) AS customer_id,
    DATE '2023-01-01' + CAST(hash(i, 'day') % 900 AS INTEGER) AS order_date,
    CASE WHEN hash(i, 'bad') % 1000 = 0 THEN 'n/a'
         ELSE CAST(round(5 + (hash(i, 'amount') % 20000) / 100.0, 2) AS VARCHAR) END AS amount
  FROM range({rows}) AS r(i)
) TO '{path}' (HEADER, DELIMITER ',')
"""

FLOOR_SCRIPT = """
import sys, duckdb
duckdb.sql('''
  COPY (
    WITH days AS (
      SELECT customer_id, TRY_CAST(order_date AS DATE) AS day, sum(TRY_CAST(amount AS DOUBLE)) AS net
      FROM read_csv($path, all_varchar = true)
      WHERE TRY_CAST(amount AS DOUBLE) IS NOT NULL AND TRY_CAST(order_date AS DATE) IS NOT NULL
      GROUP BY ALL
    )
    SELECT customer_id, min(day) AS first_order, max(day) AS last_order, count(*) AS orders,
           sum(net) AS spend, sum(net) - arg_min(net, day) AS repeat_spend
    FROM days WHERE net > 0 GROUP BY customer_id
  ) TO '/dev/null' (FORMAT parquet)
''', params={"path": sys.argv[1]})
"""


SIMULATE = """
import sys
import numpy as np
rng = np.random.default_rng(14)
n = int(sys.argv[1])
first = rng.integers(0, 900, n)
age = 900.0 - first
rate, dropout = rng.gamma(0.5, 1 / 30.0, n), rng.beta(0.8, 3.0, n)
x, last, now, alive = np.zeros(n), np.zeros(n), np.zeros(n), np.ones(n, dtype=bool)
while alive.any():
    now = now + rng.exponential(1 / np.maximum(rate, 1e-12))
    bought = alive & (now <= age)
    x[bought] += 1
    last[bought] = now[bought]
    alive = bought & (rng.random(n) >= dropout)
triples, counts = np.unique(np.column_stack([x, np.floor(last), age]), axis=0, return_counts=True)
"""
FIT = (
    SIMULATE
    + """
from cxscore.data import clv
fit = clv.fit_bg_nbd(triples[:, 0], triples[:, 1] / 7, triples[:, 2] / 7, counts.astype(float))
print(len(triples), fit.r.value, fit.alpha.value, fit.a.value, fit.b.value)
"""
)


def generate(workdir: Path, rows: int, customers: int) -> Path:
    """Write the seeded orders CSV (reused when already there)."""
    import duckdb

    path = workdir / f"orders-{rows}-{customers}.csv"
    if path.exists():
        return path
    partial = path.with_suffix(".csv.partial")
    target = str(partial).replace("'", "''")  # a path inside a SQL string literal
    duckdb.connect().execute(GENERATE.format(rows=rows, customers=customers, path=target))
    partial.replace(path)
    return path


def cases(smoke: bool, workdir: Path) -> list[Case]:
    """The summary and lists against the hand-written summary; the same with the model fit."""
    rows, customers = (SMOKE_ROWS, SMOKE_CUSTOMERS) if smoke else (FULL_ROWS, FULL_CUSTOMERS)
    orders = str(generate(workdir, rows, customers))
    command = [sys.executable, "-m", "cxscore", "customers", orders, "--customer", "customer_id", "--date",
               "order_date", "--amount", "amount", "--format", "json"]  # fmt: skip
    floor = [sys.executable, "-c", FLOOR_SCRIPT, orders]
    size = f"{rows:,} orders of {customers:,} customers"
    repeats = 3 if smoke else 3
    simulated = str(customers)
    return [
        Case(f"customers --no-model, {size}", [*command, "--no-model"], floor, 2.0, repeats),
        Case(f"customers with BG/NBD + Gamma-Gamma, {size}", command, floor, None, repeats),
        Case(
            f"BG/NBD fit, {customers:,} simulated customers",
            [sys.executable, "-c", FIT, simulated],
            [sys.executable, "-c", SIMULATE, simulated],
            None,
            repeats,
        ),
    ]
