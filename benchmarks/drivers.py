"""Key drivers: ``cxscore drivers`` against DuckDB's own correlation matrix, and the bootstrap's growth.

The input is a seeded survey of 10,000,000 rows at full size (an outcome and six correlated 1–5
drivers, about 1% of outcomes blank), written by DuckDB with ``COPY (SELECT ... FROM range(N))``.

* Point estimates (``--replicates 0``): every driver's relative weight, Shapley value, beta, VIF and
  mean, against the floor a DuckDB user would write by hand: ``corr`` of every pair of the seven
  columns in one query on the same file. Target: at most 3x.
* The bootstrap (1,000 replicates) at two sizes, the larger against the smaller as its floor: a
  linear cost reads as a ratio of about 2 (the target is 3). 1,000 replicates weight every row a
  thousand times, so these sizes are smaller than the point estimates' (200,000 and 100,000 rows).
"""

from __future__ import annotations

import sys
from pathlib import Path

from benchmarks.harness import Case

FULL_ROWS = 10_000_000
SMOKE_ROWS = 5_000
BOOTSTRAP_ROWS = (200_000, 100_000)
SMOKE_BOOTSTRAP_ROWS = (2_000, 1_000)
DRIVERS = [f"d{k}" for k in range(1, 7)]

GENERATE = """
COPY (
  SELECT
    CASE WHEN hash(i, 'blank') % 100 = 0 THEN NULL
         ELSE least(10, greatest(0, (d1 + d2 + d3 + d4 + d5 + d6 + d1 + d2) // 3 - 1 + hash(i, 'e') % 3))
    END AS ltr,
    d1, d2, d3, d4, d5, d6
  FROM (
    SELECT i,
      1 + (g + hash(i, 'd1') % 3) % 5 AS d1, 1 + (g + hash(i, 'd2') % 3) % 5 AS d2,
      1 + (g + hash(i, 'd3') % 4) % 5 AS d3, 1 + (g + hash(i, 'd4') % 4) % 5 AS d4,
      1 + (g + hash(i, 'd5') % 5) % 5 AS d5, 1 + (hash(i, 'd6') % 5) AS d6
    FROM (SELECT i, hash(i, 'general') % 3 AS g FROM range({rows}) AS r(i))
  )
) TO '{path}' (HEADER, DELIMITER ',')
"""

FLOOR_SCRIPT = """
import itertools, sys, duckdb
columns = ["ltr", "d1", "d2", "d3", "d4", "d5", "d6"]
pairs = ", ".join(f"corr({a}, {b})" for a, b in itertools.combinations(columns, 2))
print(duckdb.sql(f"SELECT count(*), {pairs} FROM read_csv($path)", params={"path": sys.argv[1]}).fetchall())
"""


def generate(workdir: Path, rows: int) -> Path:
    """Write the seeded survey CSV of ``rows`` rows (reused when already there)."""
    import duckdb

    path = workdir / f"drivers-{rows}.csv"
    if path.exists():
        return path
    partial = path.with_suffix(".csv.partial")
    target = str(partial).replace("'", "''")  # a path inside a SQL string literal: quotes doubled
    duckdb.connect().execute(GENERATE.format(rows=rows, path=target))
    partial.replace(path)
    return path


def command(survey: Path, replicates: int) -> list[str]:
    drivers = [arg for name in DRIVERS for arg in ("--driver", name)]
    return [
        sys.executable, "-m", "cxscore", "drivers", str(survey), "--outcome", "ltr", *drivers,
        "--scale", "1..5", "--replicates", str(replicates), "--format", "json",
    ]  # fmt: skip


def cases(smoke: bool, workdir: Path) -> list[Case]:
    """The point estimates against DuckDB's corr matrix; the bootstrap at two sizes."""
    rows = SMOKE_ROWS if smoke else FULL_ROWS
    survey = generate(workdir, rows)
    large, small = SMOKE_BOOTSTRAP_ROWS if smoke else BOOTSTRAP_ROWS
    replicates = 50 if smoke else 1000
    return [
        Case(
            f"drivers point estimates {rows:,} rows x 6 drivers vs DuckDB corr matrix",
            command(survey, 0),
            [sys.executable, "-c", FLOOR_SCRIPT, str(survey)],
            3.0,
            3 if smoke else 5,
        ),
        Case(
            f"drivers bootstrap {replicates} replicates: {large:,} rows vs {small:,} rows",
            command(generate(workdir, large), replicates),
            command(generate(workdir, small), replicates),
            3.0,
            2 if smoke else 3,
        ),
    ]
