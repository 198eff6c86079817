"""Many groups: ``cxscore measure --by`` a column with 100,000 distinct values, in every text format.

What matters here is that rendering stays linear in the number of groups (a scan of all results per
row once made 100,000 groups take more than five minutes). So each case's floor is the same command
on a tenth of the groups: linear growth reads as a ratio of about 10, quadratic as about 100; the
target is 15. The inputs are seeded CSVs written by DuckDB, two answers per group.
"""

from __future__ import annotations

import sys
from pathlib import Path

from benchmarks.harness import Case

FULL_GROUPS = 100_000
SMOKE_GROUPS = 1_000
FORMATS = ("table", "markdown", "csv", "json")

GENERATE = """
COPY (
  SELECT 'g' || (i % {groups}) AS segment, CAST(hash(i, 'ltr') % 11 AS VARCHAR) AS ltr
  FROM range({rows}) AS r(i)
) TO '{path}' (HEADER, DELIMITER ',')
"""


def generate(workdir: Path, groups: int) -> Path:
    """Write the seeded CSV with ``groups`` segments (reused when already there)."""
    import duckdb

    path = workdir / f"groups-{groups}.csv"
    if path.exists():
        return path
    partial = path.with_suffix(".csv.partial")
    target = str(partial).replace("'", "''")  # a path inside a SQL string literal: quotes doubled
    duckdb.connect().execute(GENERATE.format(groups=groups, rows=2 * groups, path=target))
    partial.replace(path)
    return path


def cases(smoke: bool, workdir: Path) -> list[Case]:
    """Per format: ``measure --by segment`` on N groups against the same on N/10 groups."""
    groups = SMOKE_GROUPS if smoke else FULL_GROUPS
    large, small = generate(workdir, groups), generate(workdir, groups // 10)

    def command(path: Path, output_format: str) -> list[str]:
        return [sys.executable, "-m", "cxscore", "measure", str(path), "--nps", "ltr", "--by", "segment"] + [
            "--format",
            output_format,
        ]

    return [
        Case(
            f"measure --by, {groups:,} vs {groups // 10:,} groups, {output_format}",
            command(large, output_format),
            command(small, output_format),
            15.0,
            3,
        )
        for output_format in (FORMATS[:2] if smoke else FORMATS)  # smoke: the two that were quadratic
    ]
