"""Spark as an engine: ``--engine pyspark`` and Spark master URLs, turned into an Ibis backend.

Ibis's PySpark backend takes a ``SparkSession``; this module builds one from what ``--engine``
says, the way a CX analyst's laptop or a cluster needs it:

- ``pyspark`` is a local session on every core (``local[*]``); ``pyspark://local[2]`` is a local
  session on two;
- ``spark://HOST:PORT`` is a standalone cluster's master;
- ``sc://HOST:PORT`` is a Spark Connect server.

The session is quiet (log level ERROR, no console progress bars, which would land in the middle of a
report, no web UI), in UTC, and bound to the loopback address when local. The JVM's own start-up
chatter goes to a private log file rather than the terminal cxscore writes its report to. A session
that was already running in the process (a notebook's, or a test suite's) is used as it is and left
running: cxscore stops only a session it started.

Importing this module is cheap: PySpark is imported only when a session is built.
"""

from __future__ import annotations

import importlib.util
import itertools
import logging
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cxscore.errors import Issue, UsageError

#: What to install, said when PySpark is missing.
INSTALL_SPARK = "install the spark extra: pip install 'cxscore[spark]'"
#: What to install, said when no Java runtime is found.
INSTALL_JAVA = (
    "Spark needs a Java runtime (17 or newer): install one (e.g. apt install default-jre-headless) "
    "or set JAVA_HOME"
)
_LOCAL_DEFAULT = "local[*]"
_APP_NAME = "cxscore"
# Settings every session cxscore starts gets. Timestamps are compared in UTC, as on DuckDB.
_SETTINGS = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.session.timeZone": "UTC",
    # Small aggregations: the default of 200 shuffle partitions costs seconds on a laptop.
    "spark.sql.shuffle.partitions": "8",
}
_LOCAL_SETTINGS = {"spark.driver.host": "127.0.0.1", "spark.driver.bindAddress": "127.0.0.1"}


@dataclass(frozen=True, slots=True)
class SparkTarget:
    """Where a Spark session runs: a master URL (``local[2]``, ``spark://h:7077``) or a Connect URL."""

    master: str | None = None
    remote: str | None = None

    @property
    def local(self) -> bool:
        """Whether the session runs in this process's own JVM on this machine."""
        return self.master is not None and self.master.startswith("local")


def spark_target(engine: str) -> SparkTarget | None:
    """The Spark session ``--engine`` asks for, or None when it names another engine.

    ``pyspark`` → ``local[*]``; ``pyspark://local[N]`` → ``local[N]``; ``spark://HOST:PORT`` → that
    master; ``sc://HOST:PORT`` → Spark Connect.
    """
    lowered = engine.lower()
    if lowered in ("pyspark", "pyspark://"):
        return SparkTarget(master=_LOCAL_DEFAULT)
    if lowered.startswith("pyspark://"):
        master = engine[len("pyspark://") :]
        if not (master == "local" or (master.startswith("local[") and master.endswith("]"))):
            message = f"pyspark://{master}: give pyspark://local[N] for a local session, or spark://HOST:PORT"
            raise UsageError(Issue("--engine", message))
        return SparkTarget(master=master)
    if lowered.startswith("spark://"):
        return SparkTarget(master=engine)
    if lowered.startswith("sc://"):
        return SparkTarget(remote=engine)
    return None


def connect_spark(target: SparkTarget) -> tuple[Any, bool]:
    """An Ibis PySpark backend on the session ``target`` names, and whether cxscore started it.

    Raises a :class:`UsageError` saying what to install when PySpark or Java is missing.
    """
    if importlib.util.find_spec("pyspark") is None:
        raise UsageError(Issue("--engine", f"the Spark engine needs PySpark: {INSTALL_SPARK}"))
    if target.remote is None and not _java_found():
        raise UsageError(Issue("--engine", INSTALL_JAVA))
    import ibis
    from pyspark.sql import SparkSession

    running = SparkSession.getActiveSession()
    if running is not None:
        return ibis.pyspark.connect(running), False
    builder = SparkSession.builder.appName(_APP_NAME)
    if target.remote is not None:
        builder = builder.remote(target.remote)
    else:
        builder = builder.master(target.master or _LOCAL_DEFAULT)
    settings = _SETTINGS | (_LOCAL_SETTINGS if target.local else {})
    for name, value in settings.items():
        builder = builder.config(name, value)
    with _jvm_output_aside(), _local_address(target.local):
        session = builder.getOrCreate()
    if target.remote is None:
        session.sparkContext.setLogLevel("ERROR")
    _quiet_python_loggers()
    return ibis.pyspark.connect(session), True


def _quiet_python_loggers() -> None:
    """Keep PySpark's own Python loggers off the report's terminal.

    PySpark 4 logs every refused query with its whole plan and the JVM's stack (one JSON line of tens
    of kilobytes) before raising the error, which cxscore then reports in one line of its own.
    """
    try:
        from pyspark.logger import PySparkLogger
    except ImportError:  # PySpark 3 has no such loggers
        return
    for name in ("SQLQueryContextLogger", "DataFrameQueryContextLogger"):
        PySparkLogger.getLogger(name).setLevel(logging.CRITICAL)


def close_spark(backend: Any, started: bool) -> None:
    """Stop the session if cxscore started it; a session that was running before stays running."""
    if started:
        backend.disconnect()


#: How Spark's readers are told to read as DuckDB does: every CSV cell as text, parsed by cxscore's
#: own rules (Spark would otherwise guess a column's type from its values, and read "NaN" as a number),
#: and a malformed line an error (Spark's default turns it into a row of blanks, silently).
_READER_OPTIONS = {
    "csv": {"header": "true", "inferSchema": "false", "mode": "FAILFAST"},
    "json": {"mode": "FAILFAST"},
    "parquet": {},
}
#: Characters Hadoop's file system reads as a pattern or URI syntax in a path: a file whose path holds
#: one is read through a link with a plain name (see ``cxscore.data.sources``).
PATH_SPECIAL = frozenset("*?[]{}\\:,^")
_views = itertools.count(1)


def read_spark_files(backend: Any, paths: list[str], file_format: str) -> Any:
    """The files (all of one format) as one Ibis table, through the Spark session's own reader.

    Registered as a temporary view, which lives as long as the session; nothing is written.
    """
    from cxscore import compat

    session = compat.ibis_spark_session(backend)
    frame = session.read.format(file_format).options(**_READER_OPTIONS[file_format]).load(paths)
    name = f"cxscore_files_{os.getpid()}_{next(_views)}"
    frame.createOrReplaceTempView(name)
    return backend.table(name)


def upload_to_spark(backend: Any, table: Any, name: str) -> Any:
    """A small Arrow table of integer and float columns as a temporary view ``name``; its Ibis table.

    Built from Python rows with an explicit schema, which every PySpark release takes (Ibis's
    in-memory tables go through pandas, and ``createDataFrame`` takes Arrow only from PySpark 4).
    """
    from cxscore import compat

    session = compat.ibis_spark_session(backend)
    types = {"int64": "bigint", "double": "double"}
    schema = ", ".join(f"{field.name} {types[str(field.type)]}" for field in table.schema)
    rows = list(zip(*(column.to_pylist() for column in table.columns), strict=True))
    session.createDataFrame(rows, schema).createOrReplaceTempView(name)
    return backend.table(name)


def spark_errors() -> tuple[type[BaseException], ...]:
    """The exceptions by which Spark refuses a query or a file: its own, and the JVM's through Py4J."""
    from py4j.protocol import Py4JJavaError
    from pyspark.errors import PySparkException

    return (PySparkException, Py4JJavaError)


def _java_found() -> bool:
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").exists():
        return True
    return shutil.which("java") is not None


@contextmanager
def _local_address(local: bool) -> Iterator[None]:
    """Bind a local session to loopback (no warning about the host name, no listening on the network)."""
    if not local or "SPARK_LOCAL_IP" in os.environ:
        yield
        return
    os.environ["SPARK_LOCAL_IP"] = "127.0.0.1"
    try:
        yield
    finally:
        os.environ.pop("SPARK_LOCAL_IP", None)


@contextmanager
def _jvm_output_aside() -> Iterator[None]:
    """Start the JVM with its standard error in a private log file, not on the report's terminal.

    The JVM inherits file descriptor 2 when PySpark launches it and keeps it for its life; Python's
    own standard error is put back as soon as the session exists. The log is removed at exit.
    """
    sys.stderr.flush()
    log = tempfile.NamedTemporaryFile(prefix="cxscore-spark-", suffix=".log", delete=False)  # noqa: SIM115
    kept = os.dup(2)
    try:
        os.dup2(log.fileno(), 2)
        yield
    finally:
        os.dup2(kept, 2)
        os.close(kept)
        log.close()
        _remove_at_exit(Path(log.name))


def _remove_at_exit(path: Path) -> None:
    import atexit

    atexit.register(path.unlink, missing_ok=True)
