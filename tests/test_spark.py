"""Every data command on Spark (a local session) gives the numbers it gives on DuckDB.

The session is started once for the module, the way cxscore starts one (``local[2]``, quiet, UTC);
cxscore then finds it running, uses it and leaves it running, as it does a notebook's session. The
tests need PySpark (the ``spark`` extra) and a Java runtime, and are skipped with the reason where
either is missing. They run on one test worker (the ``spark`` xdist group): one JVM, not one per core.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
from typer.testing import Result

from cxscore.data import compute
from cxscore.data.spark import SparkTarget, close_spark, connect_spark, spark_target
from tests.conftest import EXAMPLES

pytestmark = [
    pytest.mark.spark,
    pytest.mark.xdist_group("spark"),
    # Py4J, PySpark's bridge to the JVM, leaves its sockets for the garbage collector to close.
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]

SURVEY = EXAMPLES / "data" / "survey.csv"
MEASURES = (
    "--nps",
    "likelihood_to_recommend",
    "--csat",
    "satisfaction",
    "--ces",
    "effort",
    "--fcr",
    "resolved_first_contact",
    "--response-time",
    "first_response_hours",
)
RELATIVE = 1e-9


def _missing() -> str | None:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "PySpark is not installed (pip install 'cxscore[spark]')"
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        return "no Java runtime to run Spark (install default-jre-headless)"
    return None


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    reason = _missing()
    if reason:
        pytest.skip(reason)
    backend, started = connect_spark(SparkTarget(master="local[2]"))
    assert started  # the first session of this worker: later connections find it running
    from pyspark.sql import SparkSession

    yield SparkSession.getActiveSession()
    close_spark(backend, started)


def _same(duck: Any, spark: Any, where: str = "") -> None:
    """Equal JSON values, numbers to a relative 1e-9 (sums may be added in another order)."""
    if isinstance(duck, dict):
        assert isinstance(spark, dict), where
        assert duck.keys() == spark.keys(), where
        for key in duck:
            _same(duck[key], spark[key], f"{where}.{key}")
    elif isinstance(duck, list):
        assert isinstance(spark, list), where
        assert len(duck) == len(spark), where
        for i, (a, b) in enumerate(zip(duck, spark, strict=True)):
            _same(a, b, f"{where}[{i}]")
    elif isinstance(duck, float) and isinstance(spark, int | float):
        assert math.isclose(duck, spark, rel_tol=RELATIVE, abs_tol=1e-12), (where, duck, spark)
    else:
        assert duck == spark, (where, duck, spark)


def _json(result: Result) -> Any:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def survey_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The example survey as CSV, Parquet and newline-delimited JSON (all text, as exported)."""
    folder = tmp_path_factory.mktemp("survey")
    shutil.copy(SURVEY, folder / "survey.csv")
    with duckdb.connect() as connection:
        relation = connection.read_csv(str(SURVEY), all_varchar=True, header=True)
        relation.write_parquet(str(folder / "survey.parquet"))
        connection.execute("COPY (SELECT * FROM relation) TO ? (FORMAT json)", [str(folder / "survey.json")])
    return {
        "csv": folder / "survey.csv",
        "parquet": folder / "survey.parquet",
        "json": folder / "survey.json",
    }


@pytest.mark.parametrize("kind", ["csv", "parquet", "json"])
def test_measure_gives_duckdb_numbers_on_spark(
    spark: Any, cli: Callable[..., Result], survey_files: dict[str, Path], kind: str
) -> None:
    data = survey_files[kind]
    args = ("measure", data, *MEASURES, "--by", "channel", "-f", "json")
    duck = _json(cli(*args))
    on_spark = _json(cli(*args, "--engine", "pyspark"))
    _same(duck, on_spark)
    assert len(duck["measures"]) > 5  # overall and per channel: the comparison is not vacuous


def test_measure_a_spark_table_gives_the_numbers_of_the_same_duckdb_table(
    spark: Any, cli: Callable[..., Result], tmp_path: Path
) -> None:
    spark.read.csv(str(SURVEY), header=True).createOrReplaceTempView("survey_answers")
    database = tmp_path / "survey.duckdb"
    with duckdb.connect(str(database)) as connection:
        connection.execute(
            "CREATE TABLE survey_answers AS SELECT * FROM read_csv(?, all_varchar = true)", [str(SURVEY)]
        )
    args = ("measure", "--table", "survey_answers", *MEASURES, "-f", "json")
    duck = _json(cli(*args, "--engine", f"duckdb:///{database}"))
    on_spark = _json(cli(*args, "--engine", "pyspark"))
    _same(duck, on_spark)


@pytest.mark.parametrize("brand", ["acme-survey.yaml", "acme-loyalty.yaml", "acme-cx-index.yaml"])
def test_rate_computes_data_sourced_metrics_on_spark(
    spark: Any, cli: Callable[..., Result], brand: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(EXAMPLES / "data")
    duck = _json(cli("rate", brand, "-f", "json"))
    on_spark = _json(cli("rate", brand, "-f", "json", "--engine", "pyspark"))
    _same(duck, on_spark)
    assert any(metric.get("n") for metric in duck["metrics"])  # computed from data, not hand-rated


def test_a_missing_column_on_spark_is_a_located_error(spark: Any, cli: Callable[..., Result]) -> None:
    result = cli("measure", SURVEY, "--nps", "no_such_column", "--engine", "pyspark")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{SURVEY}:1:1: no column 'no_such_column'")
    assert "Traceback" not in result.output


def test_a_file_spark_cannot_read_is_one_line_and_exit_2(
    spark: Any, cli: Callable[..., Result], tmp_path: Path
) -> None:
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(b"PAR1 this is not a parquet file")
    result = cli("measure", broken, "--nps", "a", "--engine", "pyspark")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"{broken}: ")
    lines = tmp_path / "lines.json"
    lines.write_text('{"a": 9}\nnot json\n')
    result = cli("measure", lines, "--nps", "a", "--engine", "pyspark")
    assert result.exit_code == 2, "a malformed line is an error, as on DuckDB, not a row of blanks"


def test_only_aggregates_come_back_from_spark(
    spark: Any, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every result row cxscore takes from the engine passes through ``compute.fetch``: count them."""
    returned: list[int] = []
    real_fetch = compute.fetch

    def counting_fetch(dataset: Any, expression: Any) -> Any:
        rows = real_fetch(dataset, expression)
        returned.append(len(rows))
        return rows

    monkeypatch.setattr(compute, "fetch", counting_fetch)
    result = cli("measure", SURVEY, *MEASURES, "--by", "channel", "--engine", "pyspark", "-f", "json")
    assert result.exit_code == 0, result.output
    measures = json.loads(result.stdout)["measures"]
    channels = {row["group"]["channel"] for row in measures if row["group"]}
    # One row overall and one per channel: never the survey's 400 rows.
    assert returned == [1, len(channels)]
    returned.clear()
    result = cli("rate", EXAMPLES / "data" / "acme-survey.yaml", "--engine", "pyspark", "-f", "json")
    assert result.exit_code == 0, result.output
    computed = [metric for metric in json.loads(result.stdout)["metrics"] if metric.get("n")]
    assert returned == [1] * len(computed)  # one aggregate row per data-sourced metric


@pytest.mark.parametrize(
    ("engine", "target"),
    [
        ("pyspark", SparkTarget(master="local[*]")),
        ("pyspark://local[2]", SparkTarget(master="local[2]")),
        ("spark://cluster.example:7077", SparkTarget(master="spark://cluster.example:7077")),
        ("sc://connect.example:15002", SparkTarget(remote="sc://connect.example:15002")),
        ("duckdb://", None),
        ("sqlite:///x.db", None),
    ],
)
def test_engine_urls_that_name_spark(engine: str, target: SparkTarget | None) -> None:
    assert spark_target(engine) == target


def test_without_java_the_error_says_what_to_install(tmp_path: Path) -> None:
    """A real run in a child process whose PATH has no java (and no JAVA_HOME)."""
    if _missing() and "PySpark" in (_missing() or ""):
        pytest.skip("PySpark is not installed: the missing-PySpark message is tested instead")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    environment = {key: value for key, value in os.environ.items() if key != "JAVA_HOME"}
    environment["PATH"] = str(bin_dir)
    script = "from cxscore.cli import main; main()"
    args = ["measure", str(SURVEY), "--nps", "likelihood_to_recommend", "--engine", "pyspark"]
    result = subprocess.run(
        [sys.executable, "-c", script, *args], capture_output=True, text=True, env=environment, timeout=60
    )
    assert result.returncode == 2
    assert result.stderr.startswith("--engine: Spark needs a Java runtime")
    assert result.stdout == ""


def test_without_pyspark_the_error_says_what_to_install(cli: Callable[..., Result]) -> None:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        pass
    else:
        pytest.skip("PySpark is installed here: the missing-Java message is tested instead")
    result = cli("measure", SURVEY, "--nps", "likelihood_to_recommend", "--engine", "pyspark")
    assert result.exit_code == 2
    assert (
        result.stderr
        == "--engine: the Spark engine needs PySpark: install the spark extra: pip install 'cxscore[spark]'\n"
    )


# cxscore.compat's uses of Ibis's PySpark internals (the others are tested in test_compat.py) -------


def test_compat_ibis_spark_session_is_the_running_session(spark: Any) -> None:
    from cxscore import compat
    from cxscore.data.sources import connect

    engine = connect("pyspark")
    assert compat.ibis_spark_session(engine.backend) is spark
    engine.close()  # not cxscore's session: it keeps running
    assert spark.range(3).count() == 3


def test_compat_ibis_spark_rows_collects_an_aggregate(spark: Any) -> None:
    from cxscore import compat
    from cxscore.data.sources import connect

    engine = connect("pyspark")
    spark.createDataFrame(
        [("a", 1.5), ("b", 2.5), ("b", None)], "k string, x double"
    ).createOrReplaceTempView("compat_rows")
    table = engine.backend.table("compat_rows")
    rows = compat.ibis_spark_rows(
        engine.backend, table.group_by("k").aggregate(n=table.x.count(), s=table.x.sum())
    )
    assert sorted(rows, key=lambda row: row["k"]) == [
        {"k": "a", "n": 1, "s": 1.5},
        {"k": "b", "n": 1, "s": 2.5},
    ]


def test_customers_gives_duckdb_numbers_on_spark(spark: Any, cli: Callable[..., Result]) -> None:
    """The summary, lists, segments and model; the model's standard errors to 1e-6 (see below)."""
    orders = EXAMPLES / "data" / "orders.csv"
    args = ("customers", orders, "--customer", "customer_id", "--date", "order_date", "--amount", "amount")
    duck = _json(cli(*args, "-f", "json"))
    on_spark = _json(cli(*args, "-f", "json", "--engine", "pyspark"))
    # Standard errors come from the curvature of the likelihood at the optimum, which the optimiser
    # reaches from sums the engines add in different orders: they agree to about 1e-9 relative, not
    # always within it. Every other number is held to the common 1e-9.
    for name, error in duck.pop("model_se").items():
        assert math.isclose(error, on_spark["model_se"][name], rel_tol=1e-6), name
    on_spark.pop("model_se")
    _same(duck, on_spark)
    assert duck["delight"]  # the list is compared, not two empty ones


def test_drivers_gives_duckdb_numbers_on_spark(spark: Any, cli: Callable[..., Result]) -> None:
    """Point estimates and, on one file read in order, the seeded bootstrap interval too."""
    survey = EXAMPLES / "data" / "drivers-survey.csv"
    mapped = ("first_contact_resolution", "empathy", "responsiveness", "consistency")
    drivers = [part for name in mapped for part in ("--driver", f"{name}={name}")]
    args = ("drivers", survey, "--outcome", "likelihood_to_recommend", *drivers, "--seed", "7", "-f", "json")
    duck = _json(cli(*args))
    on_spark = _json(cli(*args, "--engine", "pyspark"))
    _same(duck, on_spark)
    assert all(driver["ci_low"] is not None for driver in duck["drivers"])
