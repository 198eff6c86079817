"""Exports from European spreadsheets, and globs of files that do not match, on the real engines.

Semicolons and decimal commas (``9,94``) are detected or asked for with ``--decimal-comma`` and parsed
by the engine; ``--encoding`` reads Latin-1, Windows-1252 and UTF-16 files; a glob whose files have
other columns is an error that names the files and the columns, never a merge into blank rows.
"""

from __future__ import annotations

import gzip
import json
import sqlite3
import statistics
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import Result

from cxscore.data import DataSource, MeasureKind, MeasureSpec, MetricMeasure, compute_measures
from cxscore.data import compute_metric_value as metric_value

HOURS = [9.94, 1.5, 12.25, 3.0, 0.75, 4.5, 7.125, 2.0]
REGIONS = ["Île-de-France", "Köln", "Île-de-France", "Köln", "Wien", "Wien", "Köln", "Wien"]


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.output
    return result


def failed(result: Result) -> str:
    """The one line of a run that failed as a user error (exit 2, nothing on stdout)."""
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1, result.stderr
    return result.stderr.rstrip("\n")


def european(delimiter: str = ";", note: str = "", quote_hours: bool = False) -> str:
    """A survey as European spreadsheets save it: the delimiter given, decimal commas, accents."""
    lines = [delimiter.join(["région", "ltr", "hours", "note"])]
    for i, (hours, region) in enumerate(zip(HOURS, REGIONS, strict=True)):
        text = str(hours).replace(".", ",")
        cell = f'"{text}"' if quote_hours else text
        lines.append(delimiter.join([region, str(i % 11), cell, note or "ok"]))
    return "\n".join(lines) + "\n"


def measured(result: Result) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = json.loads(result.stdout)["measures"]
    return entries


# Decimal commas ---------------------------------------------------------------------------------------


def test_a_semicolon_file_reads_its_decimal_commas(
    cli: Callable[..., Result], write: Callable[..., Path]
) -> None:
    path = write(european(";"), "export.csv")
    result = ok(cli("measure", path, "--response-time", "hours", "--nps", "ltr", "-f", "json"))
    times = next(entry for entry in measured(result) if entry["measure"] == "response_time")
    assert (times["n"], times["invalid"]) == (len(HOURS), 0)
    assert times["median"] == pytest.approx(statistics.median(HOURS))
    assert "no valid" not in result.stderr


def test_excels_separator_line_counts_as_semicolons(
    cli: Callable[..., Result], write: Callable[..., Path]
) -> None:
    path = write("sep=;\n" + european(";"), "excel.csv")
    result = ok(cli("measure", path, "--response-time", "hours", "-f", "json"))
    assert measured(result)[0]["median"] == pytest.approx(statistics.median(HOURS))


def test_decimal_comma_reads_other_delimiters(cli: Callable[..., Result], write: Callable[..., Path]) -> None:
    tabs = write(european("\t"), "export.tsv")
    line = failed(cli("measure", tabs, "--response-time", "hours"))
    assert line == (
        f"{tabs}:1:12: column 'hours' has no valid response time answer (non-negative numbers): e.g. "
        "'0,75'; its numbers have a decimal comma: give --decimal-comma"
    )
    result = ok(cli("measure", tabs, "--response-time", "hours", "--decimal-comma", "-f", "json"))
    assert measured(result)[0]["median"] == pytest.approx(statistics.median(HOURS))
    # Quoted in a comma-separated file, the same numbers.
    quoted = write(european(",", quote_hours=True), "quoted.csv")
    result = ok(cli("measure", quoted, "--response-time", "hours", "--decimal-comma", "-f", "json"))
    assert measured(result)[0]["median"] == pytest.approx(statistics.median(HOURS))


def test_some_decimal_commas_are_a_warning_with_the_hint(
    cli: Callable[..., Result], write: Callable[..., Path]
) -> None:
    lines = ["id,hours"] + [f"{i},{i}.5" for i in range(6)] + ['6,"9,94"', '7,"1,25"', "8,n/a"]
    path = write("\n".join(lines) + "\n", "mixed.csv")
    result = ok(cli("measure", path, "--response-time", "hours", "-f", "json"))
    assert result.stderr.splitlines()[0] == (
        f"{path}: warning: 3 of 9 rows have no valid response time answer in 'hours' (blank, unparseable "
        "or not non-negative numbers, e.g. 'n/a'); they are left out of n; some are numbers with a decimal "
        "comma (e.g. '1,25'): give --decimal-comma"
    )


def test_decimal_point_overrides_the_detection(
    cli: Callable[..., Result], write: Callable[..., Path]
) -> None:
    path = write(european(";"), "export.csv")
    line = failed(cli("measure", path, "--response-time", "hours", "--decimal-point"))
    assert line == (
        f"{path}:1:12: column 'hours' has no valid response time answer (non-negative numbers): e.g. "
        "'0,75'; its numbers have a decimal comma: give --decimal-comma"
    )


def test_a_brand_files_semicolon_data_reads_decimal_commas(write: Callable[..., Path]) -> None:
    path = write(european(";"), "export.csv")
    source = DataSource(paths=(path.name,), base=str(path.parent), root=str(path.parent))
    mean = metric_value(MetricMeasure("mean", column="hours"), source)
    assert (mean.value, mean.n) == (pytest.approx(statistics.mean(HOURS)), len(HOURS))


def test_decimal_commas_are_parsed_by_the_engine(tmp_path: Path) -> None:
    """On SQLite too: the comma is replaced in the engine's SQL, not in rows brought to Python."""
    import ibis

    from cxscore.data.compute import text_to_number

    database = tmp_path / "survey.db"
    with sqlite3.connect(database) as connection:
        connection.execute("CREATE TABLE answers (hours TEXT)")
        connection.executemany("INSERT INTO answers VALUES (?)", [(str(h).replace(".", ","),) for h in HOURS])
    connection.close()
    source = DataSource(table="answers", engine=f"sqlite:///{database}", decimal_comma=True)
    report = compute_measures(source, [MeasureSpec(MeasureKind.response_time, "hours")])
    assert report.results[0].median == pytest.approx(statistics.median(HOURS))
    backend = ibis.duckdb.connect()
    table = ibis.table({"hours": "string"}, name="answers")
    sql = str(ibis.to_sql(table.select(x=text_to_number(backend, table.hours, True)), dialect="duckdb"))
    assert "REPLACE(" in sql.upper()


# Encodings --------------------------------------------------------------------------------------------


def test_latin_1(cli: Callable[..., Result], write: Callable[..., Path]) -> None:
    path = write(european(";").encode("latin-1"), "latin.csv")
    line = failed(cli("measure", path, "--response-time", "hours"))
    assert line == (
        f"{path}:1:1: not a readable CSV file: the text is not UTF-8 (save it as UTF-8, or give --encoding "
        "latin-1 or cp1252)"
    )
    for name in ("latin-1", "ISO-8859-1", "latin1"):
        result = ok(
            cli(
                "measure",
                path,
                "--response-time",
                "hours",
                "--by",
                "région",
                "--encoding",
                name,
                "-f",
                "json",
            )
        )
        groups = [entry["group"] for entry in measured(result)[1:]]
        assert groups == [{"région": "Köln"}, {"région": "Wien"}, {"région": "Île-de-France"}]
    # Messages read the header in the file's encoding: the column is named, with a suggestion.
    line = failed(cli("measure", path, "--nps", "region", "--encoding", "latin-1"))
    assert (
        line == f"{path}:1:1: no column 'region'; did you mean 'région'? (columns: région, ltr, hours, note)"
    )


def test_windows_1252(
    cli: Callable[..., Result], write: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    text = european(";", note="Preis 5 € – „gut“")
    path = write(text.encode("cp1252"), "windows.csv")
    # Latin-1 has no € and no curly quotes: DuckDB refuses the bytes Windows-1252 uses for them.
    line = failed(cli("measure", path, "--response-time", "hours", "--encoding", "latin-1"))
    assert line == (
        f"{path}: not a readable CSV file: the text is not Latin-1: it holds bytes 0x80-0x9F, which "
        "Windows-1252 uses for characters such as € and curly quotes (give --encoding cp1252)"
    )
    for name in ("cp1252", "windows-1252"):
        result = ok(
            cli("measure", path, "--response-time", "hours", "--by", "note", "--encoding", name, "-f", "json")
        )
        entries = measured(result)
        assert entries[0]["median"] == pytest.approx(statistics.median(HOURS))
        assert entries[1]["group"] == {"note": "Preis 5 € – „gut“"}
    compressed = write(gzip.compress(text.encode("cp1252")), "windows.csv.gz")
    result = ok(cli("measure", compressed, "--response-time", "hours", "--encoding", "cp1252", "-f", "json"))
    assert measured(result)[0]["n"] == len(HOURS)
    assert list(scratch.iterdir()) == []  # the UTF-8 copies are gone with the run


def test_windows_1252_undefined_bytes_are_located(
    cli: Callable[..., Result], write: Callable[..., Path]
) -> None:
    path = write(b"id;hours\n1;2,5\n2;3\x81\n", "odd.csv")
    line = failed(cli("measure", path, "--response-time", "hours", "--encoding", "cp1252"))
    assert line == f"{path}:3:1: not a readable CSV file: byte 0x81 is not a Windows-1252 (cp1252) character"


def test_utf_16(cli: Callable[..., Result], write: Callable[..., Path]) -> None:
    path = write(european(";").encode("utf-16"), "unicode.csv")
    result = ok(
        cli(
            "measure",
            path,
            "--response-time",
            "hours",
            "--by",
            "région",
            "--encoding",
            "utf-16",
            "-f",
            "json",
        )
    )
    assert measured(result)[0]["median"] == pytest.approx(statistics.median(HOURS))
    assert measured(result)[3]["group"] == {"région": "Île-de-France"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--encoding", "utf8x"],
            "--encoding: cannot read text encoded as 'utf8x'; did you mean 'utf-8'? (known: utf-8, utf-16, "
            "latin-1, cp1252)",
        ),
        (
            ["--encoding", "koi8-r"],
            "--encoding: cannot read text encoded as 'koi8-r' (known: utf-8, utf-16, latin-1, cp1252)",
        ),
        (
            ["--table", "t", "--encoding", "latin-1"],
            "--encoding: applies to data files: a table is decoded by its engine",
        ),
    ],
)
def test_encoding_usage_errors(
    cli: Callable[..., Result], write: Callable[..., Path], args: list[str], message: str
) -> None:
    path = write(european(";"), "export.csv")
    data = [] if "--table" in args else [path]
    assert failed(cli("measure", *data, "--nps", "ltr", *args)) == message


def test_encoding_applies_to_csv_only(cli: Callable[..., Result], tmp_path: Path) -> None:
    path = tmp_path / "survey.ndjson"
    path.write_text('{"ltr": 9}\n{"ltr": 3}\n', encoding="utf-8")
    line = failed(cli("measure", path, "--nps", "ltr", "--encoding", "latin-1"))
    assert line == "--encoding: applies to CSV files: newline-delimited JSON text is UTF-8 by definition"
    ok(cli("measure", path, "--nps", "ltr", "--encoding", "utf-8"))


# Globs of files with other columns ----------------------------------------------------------------------


def test_a_glob_of_files_with_other_columns_is_an_error(
    cli: Callable[..., Result], write: Callable[..., Path]
) -> None:
    first = write("id,ltr,region\n1,9,EU\n2,3,US\n", "exports/2024-q1.csv")
    write("id,ltr,region\n3,10,EU\n", "exports/2024-q2.csv")
    renamed = write("id,likelihood,region,channel\n4,9,EU,web\n", "exports/2024-q3.csv")
    write("id,likelihood,region,channel\n5,7,US,phone\n", "exports/2024-q4.csv")
    extra = write("id,ltr,region,wave\n6,8,EU,1\n", "exports/2025-q1.csv")
    result = cli("measure", str(first.parent / "*.csv"), "--nps", "ltr")
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines() == [
        f"{renamed}: its columns differ from those of {first}: it lacks 'ltr' and has 'likelihood' and "
        f"'channel' besides (and so does {renamed.parent / '2024-q4.csv'}); files read together must have "
        "the same columns (in any order)",
        f"{extra}: its columns differ from those of {first}: it has 'wave' besides; files read together "
        "must have the same columns (in any order)",
    ]


def test_the_same_columns_in_another_order_are_matched_by_name(
    cli: Callable[..., Result], write: Callable[..., Path]
) -> None:
    first = write("id,ltr,region\n1,9,EU\n2,3,US\n", "exports/a.csv")
    write("region,ltr,id\nEU,10,3\nUS,0,4\n", "exports/b.csv")
    result = ok(cli("measure", str(first.parent / "*.csv"), "--nps", "ltr", "--by", "region", "-f", "json"))
    entries = measured(result)
    assert [(entry["group"], entry["n"], entry["value"]) for entry in entries] == [
        (None, 4, pytest.approx(0.0)),
        ({"region": "EU"}, 2, pytest.approx(100.0)),
        ({"region": "US"}, 2, pytest.approx(-100.0)),
    ]


def test_parquet_files_with_other_columns_are_an_error(cli: Callable[..., Result], tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"ltr": [9, 3], "region": ["EU", "US"]}), tmp_path / "a.parquet")
    pq.write_table(pa.table({"region": ["EU"], "ltr": [10]}), tmp_path / "b.parquet")
    ok(cli("measure", str(tmp_path / "*.parquet"), "--nps", "ltr", "-f", "json"))
    pq.write_table(pa.table({"nps": [9], "region": ["EU"]}), tmp_path / "c.parquet")
    line = failed(cli("measure", str(tmp_path / "*.parquet"), "--nps", "ltr"))
    assert line == (
        f"{tmp_path / 'c.parquet'}: its columns differ from those of {tmp_path / 'a.parquet'}: it lacks "
        "'ltr' and has 'nps' besides; files read together must have the same columns (in any order)"
    )


def test_a_text_file_in_a_glob_is_not_quoted(cli: Callable[..., Result], write: Callable[..., Path]) -> None:
    first = write("id,ltr\n1,9\n2,3\n", "exports/a.csv")
    write("id,ltr\n3,10\n", "exports/b.csv")
    secret = write("DB_PASSWORD=hunter2\n", "exports/c.csv")
    line = failed(cli("measure", str(first.parent / "*.csv"), "--nps", "ltr"))
    assert "hunter2" not in line
    assert line == (
        f"{secret}: its columns differ from those of {first}: it does not look like a table with the same "
        "columns (its content is not shown); files read together must have the same columns (in any order)"
    )


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
@pytest.mark.parametrize("columns", [1, 2])
def test_an_excel_sep_line_works_with_few_columns(
    cli: Callable[..., Result], tmp_path: Path, newline: str, columns: int
) -> None:
    header = ["first_response_hours", "id"][:columns]
    rows = [["9,94", "1"][:columns], ["1,5", "2"][:columns]]
    lines = ["sep=;", ";".join(header), *(";".join(row) for row in rows)]
    path = tmp_path / "euro.csv"
    path.write_text(newline.join(lines) + newline)
    result = cli("measure", path, "--response-time", "first_response_hours", "--format", "json")
    assert result.exit_code == 0, result.output
    measure = json.loads(result.stdout)["measures"][0]
    assert (measure["n"], measure["median"]) == (2, pytest.approx((9.94 + 1.5) / 2))
