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

from benchmarks import customers, drivers, measure
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
    """NPS, drivers (point estimates) and the customers summary on Spark local[2] against DuckDB."""
    reason = missing()
    if reason:
        print(f"engines: skipped: {reason}", file=sys.stderr)
        return []
    survey_rows = measure.SMOKE_ROWS if smoke else measure.FULL_ROWS
    survey = str(measure.generate(workdir, survey_rows))
    nps = [sys.executable, "-m", "cxscore", "measure", survey, "--nps", measure.COLUMN, "--format", "json"]
    driver_rows = drivers.SMOKE_ROWS if smoke else drivers.FULL_ROWS
    key_drivers = drivers.command(drivers.generate(workdir, driver_rows), 0)
    order_rows = customers.SMOKE_ROWS if smoke else customers.FULL_ROWS
    buyers = customers.SMOKE_CUSTOMERS if smoke else customers.FULL_CUSTOMERS
    orders = str(customers.generate(workdir, order_rows, buyers))
    summary = [sys.executable, "-m", "cxscore", "customers", orders, "--customer", "customer_id", "--date",
               "order_date", "--amount", "amount", "--format", "json", "--no-model"]  # fmt: skip
    repeats = 1 if smoke else 3
    return [
        Case(f"spark vs duckdb: {name}", [*command, "--engine", SPARK], command, None, repeats)
        for name, command in (
            (f"nps, {survey_rows:,} rows", nps),
            (f"drivers, {driver_rows:,} rows", key_drivers),
            (f"customers, {order_rows:,} orders", summary),
        )
    ]
