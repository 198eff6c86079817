"""Every private API of a dependency that cxscore relies on, wrapped once and nowhere else.

A release of typer or Ibis may change any of these without notice. Keeping them here, each behind a
function with its own test in ``tests/test_compat.py``, means such a change fails one named test
instead of breaking a command in the field. Dependencies are imported inside the functions: this
module sits below both the command line and the data layer, and must load nothing for either.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path

    import typer


# --- typer -------------------------------------------------------------------------------------------


def usage_error_message(error: BaseException) -> str | None:
    """The message of an error typer raises for a command line it cannot parse, else None.

    Private: typer vendors click as ``typer._click`` and exports no common base for its usage errors
    (0.28 adds ``typer.TyperException``, 0.27 has none); ``ClickException`` is the base in both, and
    its ``format_message`` is the text click itself would print.
    """
    from typer._click.exceptions import ClickException

    if not isinstance(error, ClickException):
        return None
    message: str = error.format_message()
    return message


def help_requested_context(error: BaseException) -> Any | None:
    """The click context of a "no arguments, so show help" signal, or None for any other error.

    Private: in non-standalone mode typer raises ``typer._click.exceptions.NoArgsIsHelpError`` when a
    group is called with no arguments; its ``ctx`` prints the help.
    """
    from typer._click.exceptions import NoArgsIsHelpError

    if isinstance(error, NoArgsIsHelpError):
        return getattr(error, "ctx", None)
    return None


def app_with_only(app: typer.Typer, name: str, settings: dict[str, Any]) -> typer.Typer | None:
    """A copy of ``app`` that registers only the command or group called ``name``, or None if none is.

    Private: typer keeps its registrations in the undocumented lists ``registered_commands`` and
    ``registered_groups`` (and ``registered_callback``), read when the click command is built.
    """
    import typer

    commands = [info for info in app.registered_commands if _command_name(info) == name]
    groups = [info for info in app.registered_groups if info.name == name]
    if not commands and not groups:
        return None
    single = typer.Typer(**settings)
    single.registered_callback = app.registered_callback
    single.registered_commands = commands
    single.registered_groups = groups
    return single


def _command_name(info: Any) -> str:
    """A registered command's name as typed: its own, or its function's with dashes for underscores."""
    name: str = info.name or info.callback.__name__.replace("_", "-")
    return name


# --- Ibis --------------------------------------------------------------------------------------------
# The data layer's Ibis calls that are not in Ibis's documented API. Each takes and returns Ibis or
# driver objects as Any: Ibis ships no type information.


def ibis_duckdb_temp_view(backend: Any, name: str, columns: list[str], engine_types: list[str]) -> Any:
    """An Ibis table over the DuckDB temporary view ``temp.main.<name>``, whose columns are known.

    Private: Ibis's public ``backend.table(name)`` asks DuckDB for the schema as an Arrow table
    (importing pyarrow, 0.15-0.3 s); the operation ``ops.DatabaseTable`` with an ``ops.Namespace``,
    and ``backend.compiler.type_mapper.from_string`` (DuckDB type text to an Ibis type), build the
    same expression from the names and types the reader relation already holds.
    """
    import ibis
    import ibis.expr.operations as ops

    types = backend.compiler.type_mapper
    schema = ibis.schema(
        {column: types.from_string(kind) for column, kind in zip(columns, engine_types, strict=True)}
    )
    namespace = ops.Namespace(catalog="temp", database="main")
    return ops.DatabaseTable(name, schema=schema, source=backend, namespace=namespace).to_expr()


def ibis_cursor_rows(backend: Any, expression: Any) -> list[dict[str, Any]]:
    """The rows of ``expression`` as dicts, through the driver's own DB-API cursor.

    Undocumented: ``backend.raw_sql(backend.compile(expression))`` returns the driver's cursor on
    DuckDB and SQLite (DuckDB's connection, a ``sqlite3.Cursor``). For a few aggregated rows this
    skips Ibis's Arrow and pandas result conversion, which costs more start-up time than the query.
    The SQL text is Ibis's own compilation of the expression; no name or value is formatted into it.
    """
    cursor = backend.raw_sql(backend.compile(expression))
    try:
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    finally:
        if backend.name != "duckdb":  # DuckDB's "cursor" is the connection itself
            cursor.close()


def ibis_spark_rows(backend: Any, expression: Any) -> list[dict[str, Any]]:
    """The rows of ``expression`` as dicts, collected from the Spark DataFrame of its compiled SQL.

    Undocumented: Ibis's PySpark ``raw_sql`` returns the ``DataFrame`` of ``session.sql``. Ibis's own
    ``to_pyarrow`` goes through ``DataFrame.toPandas``, which warns on pandas 3; for a few aggregated
    rows, ``collect`` is all that is needed. The SQL text is Ibis's compilation of the expression.
    """
    return [row.asDict() for row in backend.raw_sql(backend.compile(expression)).collect()]


def ibis_spark_session(backend: Any) -> Any:
    """The ``SparkSession`` under an Ibis PySpark backend.

    Undocumented: Ibis keeps it in the attribute ``_session``. cxscore reads files through the
    session's own reader, because Ibis's ``read_parquet`` takes one path, not a list of files.
    """
    return backend._session


def ibis_driver_connection(backend: Any) -> Any:
    """The DB-API connection under an Ibis backend (a ``duckdb.DuckDBPyConnection`` for DuckDB).

    Undocumented: Ibis keeps it in the attribute ``con`` of its SQL backends.
    """
    return backend.con


def ibis_sqlite_read_only(path: Path) -> Any:
    """An Ibis SQLite backend on the existing database file ``path``, opened read-only.

    Experimental in Ibis: ``ibis.sqlite.from_connection``. ``ibis.sqlite.connect`` opens files
    read-write and creates a missing one; a ``mode=ro`` URI connection does neither.
    """
    import sqlite3

    import ibis

    connection = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True)
    return ibis.sqlite.from_connection(connection)


def ibis_supports(backend: Any, operation: str) -> bool:
    """Whether ``backend`` can compile the Ibis operation named ``operation`` (``TryCast``, ``Quantile``).

    Internal: the operation classes live in ``ibis.expr.operations``; ``has_operation`` is public.
    """
    import ibis.expr.operations as ops

    supported: bool = backend.has_operation(getattr(ops, operation))
    return supported
