"""Measure: ``cxscore measure survey.csv --nps COL --format json`` against DuckDB's own SQL.

The input is a seeded survey export (10,000,000 rows at full size) written by DuckDB itself with
``COPY (SELECT ... FROM range(N)) TO ...``; answers come from ``hash(i, salt)``, so the file is the
same on every run, and about 1% of the NPS answers are blank and 0.1% read "n/a". The floor is the
aggregate a DuckDB user would write by hand on the same file: promoters, detractors, valid and
invalid answers, in one ``python -c`` with the duckdb module. It is the fastest form we found
(``TRY_CAST`` to INTEGER with ``BETWEEN``, no ``trim``: the cast ignores surrounding whitespace);
``IN`` lists or a cast to DOUBLE made the floor up to twice as slow, and a slow floor would
flatter the ratio.
"""

from __future__ import annotations

import sys
from pathlib import Path

from benchmarks.harness import Case

FULL_ROWS = 10_000_000
SMOKE_ROWS = 5_000
COLUMN = "likelihood_to_recommend"

GENERATE = """
COPY (
  SELECT
    i + 1 AS respondent_id,
    ['EU', 'NA', 'APAC', 'LATAM'][1 + (hash(i, 'region') % 4)::BIGINT] AS region,
    '2024-Q' || (1 + hash(i, 'quarter') % 4) AS quarter,
    CASE WHEN hash(i, 'blank') % 100 = 0 THEN NULL
         WHEN hash(i, 'bad') % 1000 = 0 THEN 'n/a'
         ELSE CAST(hash(i, 'ltr') % 11 AS VARCHAR) END AS likelihood_to_recommend,
    1 + hash(i, 'csat') % 5 AS csat,
    1 + hash(i, 'ces') % 7 AS ces,
    CASE WHEN hash(i, 'fcr') % 10 < 7 THEN 'yes' ELSE 'no' END AS resolved_first_contact,
    round((hash(i, 'rt') % 100000) / 1000.0, 2) AS first_response_hours
  FROM range({rows}) AS r(i)
) TO '{path}' (HEADER, DELIMITER ',')
"""

FLOOR_SCRIPT = """
import sys, duckdb
print(duckdb.sql('''
  SELECT count(*) FILTER (WHERE v BETWEEN 9 AND 10) AS promoters,
         count(*) FILTER (WHERE v BETWEEN 0 AND 6) AS detractors,
         count(*) FILTER (WHERE v BETWEEN 0 AND 10) AS valid,
         count(*) - count(*) FILTER (WHERE v BETWEEN 0 AND 10) AS invalid
  FROM (SELECT TRY_CAST(likelihood_to_recommend AS INTEGER) AS v FROM read_csv($path))
''', params={"path": sys.argv[1]}).fetchall())
"""


# Everything `measure` imports before it scans: the command line, the data layer, Ibis and DuckDB.
IMPORTS = "import cxscore.cli, cxscore.data.compute, cxscore.data.sources, cxscore.render.json_report"


def generate(workdir: Path, rows: int) -> Path:
    """Write the seeded survey CSV of ``rows`` rows (reused when already there)."""
    import duckdb

    path = workdir / f"survey-{rows}.csv"
    if path.exists():
        return path
    partial = path.with_suffix(".csv.partial")
    # A path inside a SQL string literal: double any quote so the statement stays intact.
    target = str(partial).replace("'", "''")
    duckdb.connect().execute(GENERATE.format(rows=rows, path=target))
    partial.replace(path)
    return path


#: The median and p90 of response times as a DuckDB user would write them: what `--response-time`
#: adds to them is the distribution-free interval of each (a window that ranks the values).
QUANTILE_SCRIPT = """
import sys, duckdb
print(duckdb.sql('''
  SELECT quantile_cont(v, 0.5), quantile_cont(v, 0.9), count(v)
  FROM (SELECT TRY_CAST(first_response_hours AS DOUBLE) AS v FROM read_csv($path))
''', params={"path": sys.argv[1]}).fetchall())
"""


def cases(smoke: bool, workdir: Path) -> list[Case]:
    """NPS of the survey CSV as JSON against the same aggregate in DuckDB SQL; the imports' share; and
    response times with their intervals against DuckDB's bare median and p90 (reported only)."""
    rows = SMOKE_ROWS if smoke else FULL_ROWS
    survey = str(generate(workdir, rows))
    target = [sys.executable, "-m", "cxscore", "measure", survey, "--nps", COLUMN, "--format", "json"]
    floor = [sys.executable, "-c", FLOOR_SCRIPT, survey]
    label = "measure --nps 10M rows" if not smoke else f"measure --nps {rows} rows"
    # What the command pays before it reads a row: its imports (Ibis with DuckDB), as a share of the run.
    imports = [sys.executable, "-c", IMPORTS]
    timed = [sys.executable, "-m", "cxscore", "measure", survey, "--response-time", "first_response_hours"]
    quantiles = [sys.executable, "-c", QUANTILE_SCRIPT, survey]
    return [
        Case(label, target, floor, 1.3, 3 if smoke else 7),
        Case("measure: its imports alone", imports, target, None, 3 if smoke else 7),
        # Reported, no target: what the intervals cost against the bare quantiles.
        Case(label.replace("--nps", "--response-time"), [*timed, "--format", "json"], quantiles, None, 3),
    ]
