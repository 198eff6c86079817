"""Engines side by side: the same data commands on DuckDB (embedded) and on Spark (``local[2]``).

Each case runs a command on a local Spark session against the same command on the default DuckDB, on
the same seeded 10,000,000-row file (the measure suite's survey export), so the ratio says what moving
to Spark costs on one machine: a JVM's start-up and Spark's scheduling, paid back only when the
data no longer fits one machine. No target: these figures say when to move, not whether cxscore is
fast. Skipped (with the reason) where PySpark or a Java runtime is missing.
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

from benchmarks import measure
from benchmarks.harness import Case

SPARK = "pyspark://local[2]"


def missing() -> str | None:
    """Why Spark cannot run here, or None."""
    if importlib.util.find_spec("pyspark") is None:
        return "PySpark is not installed (pip install 'cxscore[spark]')"
    if shutil.which("java") is None:
        return "no Java runtime"
    return None


def cases(smoke: bool, workdir: Path) -> list[Case]:
    """NPS of the survey on Spark local[2] against DuckDB."""
    reason = missing()
    if reason:
        print(f"engines: skipped: {reason}", file=sys.stderr)
        return []
    rows = measure.SMOKE_ROWS if smoke else measure.FULL_ROWS
    survey = str(measure.generate(workdir, rows))
    size = f"{rows:,} rows"
    nps = [sys.executable, "-m", "cxscore", "measure", survey, "--nps", measure.COLUMN, "--format", "json"]
    repeats = 1 if smoke else 3
    return [Case(f"spark vs duckdb: nps {size}", [*nps, "--engine", SPARK], nps, None, repeats)]
