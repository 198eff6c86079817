"""One test per private API of a dependency that cxscore relies on (all wrapped in cxscore.compat).

When a release of typer or Ibis changes one of them, the test named after it fails, not a command in
the field.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from cxscore import compat


def _app() -> typer.Typer:
    app = typer.Typer(no_args_is_help=True)

    @app.callback()
    def root() -> None:
        """A group, as cxscore's app is (a callback keeps a single command a subcommand)."""

    @app.command()
    def first(count: int) -> None:
        """The first command."""

    @app.command("second-one")
    def second() -> None:
        """The second command."""

    return app


def test_app_with_only_keeps_just_the_named_command() -> None:
    app = _app()
    single = compat.app_with_only(app, "first", {"no_args_is_help": True})
    assert single is not None
    result = CliRunner().invoke(single, ["first", "--help"])
    assert result.exit_code == 0, result.output
    assert "second-one" not in CliRunner().invoke(single, ["--help"]).output
    # A function name with underscores is typed with dashes; an explicit name is typed as given.
    assert compat.app_with_only(app, "second-one", {}) is not None
    assert compat.app_with_only(app, "missing", {}) is None


def test_usage_error_message_recognises_typers_parsing_errors() -> None:
    app = _app()
    single = compat.app_with_only(app, "first", {})
    assert single is not None
    caught: list[BaseException] = []
    for argv in (["first", "not-a-number"], ["first", "--bogus", "1"], ["first"]):
        try:
            single(argv, standalone_mode=False)
        except Exception as error:
            caught.append(error)
    assert len(caught) == 3
    messages = [compat.usage_error_message(error) for error in caught]
    assert all(message for message in messages), messages
    assert "not-a-number" in str(messages[0])
    assert "--bogus" in str(messages[1])
    assert compat.usage_error_message(ValueError("not a usage error")) is None


def test_help_requested_context_recognises_no_arguments(capsys: pytest.CaptureFixture[str]) -> None:
    app = _app()
    try:
        app([], standalone_mode=False)
    except Exception as error:
        context = compat.help_requested_context(error)
    else:  # pragma: no cover - the shim's premise is that typer raises here
        raise AssertionError("typer no longer raises when a no_args_is_help group gets no arguments")
    assert context is not None
    # typer's rich help prints itself and returns what is left to print; plain click returns it all.
    shown = context.get_help() + capsys.readouterr().out
    assert "first" in shown
    assert compat.help_requested_context(ValueError("x")) is None


# --- Ibis (the data layer's undocumented calls) -----------------------------------------------------


def test_ibis_driver_connection_is_the_db_api_connection() -> None:
    import duckdb
    import ibis

    backend = ibis.duckdb.connect()
    assert isinstance(compat.ibis_driver_connection(backend), duckdb.DuckDBPyConnection)
    assert compat.ibis_driver_connection(ibis.sqlite.connect()).execute("SELECT 1").fetchall() == [(1,)]


def test_ibis_duckdb_temp_view_describes_a_registered_relation(tmp_path: Path) -> None:
    import ibis

    backend = ibis.duckdb.connect()
    connection = compat.ibis_driver_connection(backend)
    path = tmp_path / "t.csv"
    path.write_text('a,"b c",select,"it\'s ""x"""\n1,x,2.5,\n3,y,,z\n', encoding="utf-8")
    relation = connection.read_csv([str(path)], header=True, all_varchar=True)
    connection.register("cx_view", relation)
    table = compat.ibis_duckdb_temp_view(
        backend, "cx_view", relation.columns, [str(t) for t in relation.types]
    )
    assert table.schema() == ibis.schema(dict.fromkeys(["a", "b c", "select", 'it\'s "x"'], "string"))
    assert '"temp"."main"."cx_view"' in str(backend.compile(table))
    expression = table.aggregate(
        n=table["a"].count(), top=table["select"].max(), odd=table['it\'s "x"'].max()
    )
    assert compat.ibis_cursor_rows(backend, expression) == [{"n": 2, "top": "2.5", "odd": "z"}]


@pytest.mark.parametrize(
    ("engine_type", "ibis_type"),
    [
        ("VARCHAR", "string"),
        ("BIGINT", "int64"),
        ("DOUBLE", "float64"),
        ("BOOLEAN", "boolean"),
        ("DATE", "date"),
        ("JSON", "json"),
        ("VARCHAR[]", "array<string>"),
        ('STRUCT("a b" BIGINT)', "struct<a b: int64>"),
        ("DECIMAL(10,2)", "decimal(10, 2)"),
    ],
)
def test_ibis_duckdb_temp_view_maps_duckdb_types(engine_type: str, ibis_type: str) -> None:
    import ibis

    backend = ibis.duckdb.connect()
    table = compat.ibis_duckdb_temp_view(backend, "v", ["x"], [engine_type])
    assert str(table.schema()["x"]) == ibis_type


def test_ibis_cursor_rows_on_sqlite(tmp_path: Path) -> None:
    import sqlite3

    import ibis

    database = tmp_path / "t.db"
    with sqlite3.connect(database) as connection:
        connection.execute("CREATE TABLE t (x TEXT)")
        connection.executemany("INSERT INTO t VALUES (?)", [("a",), ("b",), (None,)])
    connection.close()
    backend = ibis.sqlite.connect(database)
    table = backend.table("t")
    rows = compat.ibis_cursor_rows(backend, table.aggregate(n=table["x"].count(), last=table["x"].max()))
    assert rows == [{"n": 2, "last": "b"}]


def test_ibis_sqlite_read_only_neither_writes_nor_creates(tmp_path: Path) -> None:
    import sqlite3

    database = tmp_path / "odd name?#%.db"
    with sqlite3.connect(database) as connection:
        connection.execute("CREATE TABLE t (x TEXT)")
    connection.close()
    before = database.read_bytes()
    backend = compat.ibis_sqlite_read_only(database)
    assert backend.name == "sqlite"
    assert backend.list_tables() == ["t"]
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        compat.ibis_driver_connection(backend).execute("CREATE TABLE u (y TEXT)")
    backend.disconnect()
    assert database.read_bytes() == before
    with pytest.raises(sqlite3.OperationalError):
        compat.ibis_sqlite_read_only(tmp_path / "missing.db")
    assert not (tmp_path / "missing.db").exists()


def test_ibis_supports_names_operations() -> None:
    import ibis

    duck, lite = ibis.duckdb.connect(), ibis.sqlite.connect()
    assert compat.ibis_supports(duck, "TryCast")
    assert compat.ibis_supports(duck, "Quantile")
    # The SQLite paths (a regular expression instead of TRY_CAST, ranked rows instead of quantiles)
    # exist because of these two answers.
    assert not compat.ibis_supports(lite, "TryCast")
    assert not compat.ibis_supports(lite, "Quantile")
    with pytest.raises(AttributeError):
        compat.ibis_supports(duck, "NoSuchOperation")
