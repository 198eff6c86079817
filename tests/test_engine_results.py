"""Only aggregates come back from an engine: every place that takes a query's result into Python is
known, and the tests count what each brings back (see test_spark.py and test_measure.py).

A data command that called ``.execute()`` or ``.to_pyarrow()`` on an un-aggregated table would pull a
ten-million-row export into Python and still give the right numbers, so no test of numbers would
notice. This check reads the package's code (ast) and fails on any call that materialises a result
outside the functions listed here, each of which is given only aggregated expressions.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "cxscore"

#: Methods that bring a query's rows into Python (Ibis, DB-API cursors, DuckDB relations, Spark).
MATERIALISING = frozenset(
    {
        "execute",
        "to_pyarrow",
        "to_pyarrow_batches",
        "to_pandas",
        "to_pylist",
        "to_polars",
        "fetchall",
        "fetchone",
        "fetchmany",
        "fetchdf",
        "fetchnumpy",
        "fetch_arrow_table",
        "collect",
        "toPandas",
        "toLocalIterator",
        "take",
        "head",
    }
)

#: The functions allowed to take results, by module and function: each receives an aggregation.
ALLOWED = {
    ("cxscore/compat.py", "ibis_cursor_rows"),
    ("cxscore/compat.py", "ibis_spark_rows"),
    ("cxscore/data/compute.py", "fetch"),
    # customers: the model's compact inputs, grouped by (x, t_x, T) and by (x, mean repeat value).
    ("cxscore/data/customers.py", "_numbers"),
}
#: SQL statements that return no table rows (settings, the CSV reader macro, the bootstrap's table
#: of replicates).
STATEMENTS = {("cxscore/data/sources.py", "_read_csv"), ("cxscore/data/drivers.py", "_replicate_table")}
#: Functions that call such a method on data already in Python (an Arrow table cxscore built itself).
LOCAL = {("cxscore/data/spark.py", "upload_to_spark")}


def materialising_calls(root: Path) -> list[str]:
    """``path:line: function calls .method()`` for every materialising call outside ALLOWED."""
    found = []
    for path in sorted(root.rglob("*.py")):
        relative = f"cxscore/{path.relative_to(root).as_posix()}"
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            if (relative, function.name) in ALLOWED | STATEMENTS | LOCAL:
                continue
            for node in ast.walk(function):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr in MATERIALISING
                ):
                    found.append(f"{relative}:{node.lineno}: {function.name} calls .{node.func.attr}()")
    return found


def test_only_the_known_functions_take_results_from_an_engine() -> None:
    assert materialising_calls(PACKAGE) == []


@pytest.mark.parametrize("method", ["execute", "to_pyarrow", "fetchall", "collect"])
def test_the_check_catches_a_result_taken_elsewhere(tmp_path: Path, method: str) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "drivers.py").write_text(f"def sums(table):\n    return table.{method}()\n")
    assert materialising_calls(tmp_path) == [f"cxscore/data/drivers.py:2: sums calls .{method}()"]
