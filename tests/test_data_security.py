"""The data layer against hostile input: SQL in names, engine URLs, secrets, paths, disclosure, size.

Every test runs the real engines (DuckDB over files, Ibis's SQLite backend over a table); nothing is
mocked. A user error is one located line and exit code 2, never a traceback: the ``cli`` fixture
lets any other exception propagate.
"""

from __future__ import annotations

import ast
import csv
import json
import sqlite3
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import Result

from cxscore.data import (
    DataSession,
    DataSource,
    MeasureKind,
    MeasureSpec,
    MetricMeasure,
    compute_measures,
    compute_metric_value,
)
from cxscore.data import paths as data_paths
from cxscore.data.compute import NUMBER_PATTERN
from cxscore.data.urls import parse_engine
from cxscore.errors import CxScoreError, InputError

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "cxscore"


def one_error_line(result: Result) -> str:
    """The single stderr line of a run that failed as a user error (exit 2, nothing on stdout)."""
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1, result.stderr
    return result.stderr.rstrip("\n")


def write_rows(path: Path, header: list[str], rows: list[list[Any]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def quoted(name: str) -> str:
    """A SQLite identifier for the test's own table (test code, not the package)."""
    return '"' + name.replace('"', '""') + '"'


# 1. SQL injection through names ---------------------------------------------------------------------

INJECTION = "a'); COPY (SELECT 1) TO '{target}' --"


@pytest.mark.parametrize("file_format", ["csv", "json", "parquet"])
def test_a_column_name_cannot_run_sql(
    cli: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, file_format: str
) -> None:
    target = tmp_path / "pwned.csv"
    name = INJECTION.format(target=target)
    rows = [{name: str(i % 3), "ltr": str(v)} for i, v in enumerate([9, 10, 0, 7, 8])]
    path = tmp_path / f"survey.{file_format}"
    if file_format == "csv":
        write_rows(path, list(rows[0]), [list(row.values()) for row in rows])
    elif file_format == "json":
        path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    else:
        import pyarrow as pa
        import pyarrow.parquet as pq

        pq.write_table(pa.Table.from_pylist(rows), path)
    monkeypatch.chdir(tmp_path)
    result = cli("measure", path, "--nps", "ltr", "--by", name, "-f", "json")
    assert not target.exists()
    assert result.exit_code == 0, result.output
    entries = json.loads(result.stdout)["measures"]
    assert entries[0]["n"] == 5
    assert [entry["group"] for entry in entries[1:]] == [{name: "0"}, {name: "1"}, {name: "2"}]
    # The hostile column measured itself.
    measured = cli("measure", path, "--csat", name, "-f", "json")
    assert not target.exists()
    assert measured.exit_code == 0, measured.output


def test_the_injection_header_in_a_brand_files_data_creates_nothing(
    write: Callable[..., Path], tmp_path: Path
) -> None:
    from cxscore.loader import FrameworkCatalog, load_brand

    target = tmp_path / "pwned.csv"
    write_rows(tmp_path / "survey.csv", [INJECTION.format(target=target), "ltr"], [[1, 9], [2, 10], [3, 0]])
    brand = write("brand: A\nframework: cx-kpis\nratings:\n  nps: {from: survey.csv, column: ltr}\n")
    loaded = load_brand(brand, FrameworkCatalog(), "brand.yaml")
    assert not target.exists()
    assert loaded.brand.ratings["nps"].n == 3


HOSTILE = [
    "it's",
    'say "hi"',
    "select",
    "from",
    "a b",
    "ünï 名前",
    "x'); DROP TABLE t; --",
    "back\\slash",
    "$1",
    "?",
    "__cx_rows",
    "__cx_k0",
    "%s",
    "group",
]


def hostile_rows() -> list[list[Any]]:
    rows = []
    for i in range(60):
        rows.append(
            [(i * (k + 3)) % 11 for k in range(len(HOSTILE) - 2)] + [f"Q{i % 2}", ["x", "y", "z"][i % 3]]
        )
    return rows


@pytest.fixture(params=["duckdb", "sqlite"])
def hostile_source(request: pytest.FixtureRequest, tmp_path: Path) -> DataSource:
    """The hostile header and rows as a CSV read by DuckDB, or a SQLite table of text columns."""
    rows = hostile_rows()
    if request.param == "duckdb":
        return DataSource(paths=(str(write_rows(tmp_path / "hostile.csv", HOSTILE, rows)),))
    database = tmp_path / "hostile.db"
    with sqlite3.connect(database) as connection:
        columns = ", ".join(f"{quoted(name)} TEXT" for name in HOSTILE)
        connection.execute(f"CREATE TABLE survey ({columns})")
        marks = ", ".join("?" for _ in HOSTILE)
        connection.executemany(f"INSERT INTO survey VALUES ({marks})", [[str(v) for v in r] for r in rows])
    connection.close()
    return DataSource(table="survey", engine=f"sqlite:///{database}")


def test_columns_with_any_legal_name_measure_correctly(hostile_source: DataSource) -> None:
    rows = hostile_rows()
    measured = HOSTILE[:-2]
    specs = [MeasureSpec(MeasureKind.nps, name) for name in measured]
    specs.append(MeasureSpec(MeasureKind.response_time, "select"))
    report = compute_measures(hostile_source, specs, by=[HOSTILE[-1]], trend=HOSTILE[-2])
    for k, name in enumerate(measured):
        answers = [row[k] for row in rows]
        overall = next(r for r in report.results if r.group is None and r.column == name and r.kind == "nps")
        expected = 100 * (sum(a >= 9 for a in answers) - sum(a <= 6 for a in answers)) / len(answers)
        assert (overall.value, overall.n) == (pytest.approx(expected), 60), name
        segment = next(
            r for r in report.results if r.group == {"group": "y"} and r.column == name and r.kind == "nps"
        )
        inside = [row[k] for row in rows if row[-1] == "y"]
        assert segment.n == len(inside)
    periods = [r for r in report.results if r.group == {"%s": "Q1"}]
    assert len(periods) == len(specs)
    column = HOSTILE.index("select")
    times = next(r for r in report.results if r.kind == "response_time" and r.group == {"group": "x"})
    assert times.median == pytest.approx(statistics.median(row[column] for row in rows if row[-1] == "x"))


def test_conditions_on_hostile_names_and_values(hostile_source: DataSource, tmp_path: Path) -> None:
    rows = hostile_rows()
    column = HOSTILE.index("it's")
    wanted = sum(1 for row in rows if row[column] == 3)
    share = compute_metric_value(MetricMeasure("share", where="it's = 3"), hostile_source)
    assert share.value == pytest.approx(100 * wanted / len(rows))
    # A value with quotes and a backslash compares as the text it is.
    path = write_rows(tmp_path / "values.csv", ['q"x', "n"], [["it's\\ok", 1], ["other", 2], ["it's\\ok", 3]])
    text = compute_metric_value(
        MetricMeasure("share", where="q\"x = it's\\ok"), DataSource(paths=(str(path),))
    )
    assert text.value == pytest.approx(200 / 3)


@pytest.mark.parametrize("engine", ["duckdb", "sqlite"])
def test_nan_and_inf_are_not_numbers_to_average(tmp_path: Path, engine: str) -> None:
    rows = [["1", "1"], ["nan", "1"], ["inf", "1"], ["3", "-inf"], ["abc", "1"]]
    if engine == "duckdb":
        source = DataSource(paths=(str(write_rows(tmp_path / "n.csv", ["v", "w"], rows)),))
    else:
        with sqlite3.connect(tmp_path / "n.db") as connection:
            connection.execute("CREATE TABLE t (v TEXT, w TEXT)")
            connection.executemany("INSERT INTO t VALUES (?, ?)", rows)
        connection.close()
        source = DataSource(table="t", engine=f"sqlite:///{tmp_path / 'n.db'}")
    mean = compute_metric_value(MetricMeasure("mean", column="v"), source)
    assert (mean.value, mean.n) == (2.0, 2)
    ratio = compute_metric_value(MetricMeasure("ratio", numerator="v", denominator="w"), source)
    assert (ratio.value, ratio.n) == (pytest.approx(1 / 1), 1)  # row 1 alone has two numbers
    # Like any text that is no number, "nan" matches neither `= 1` nor `!= 1`.
    assert compute_metric_value(MetricMeasure("share", where="v != 1"), source).value == pytest.approx(20.0)


# The static guarantee: no SQL text built from strings anywhere in the package.

SQL_CALLS = {"execute", "executemany", "executescript", "sql", "raw_sql", "sql_query", "query"}


def built_sql(source: str, filename: str = "<test>") -> list[str]:
    """Calls that pass SQL text built by f-string, %, .format, + or .join to an execute-like method."""
    tree = ast.parse(source, filename)
    assigned: dict[str, list[ast.expr]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    assigned.setdefault(target.id, []).append(node.value)
        elif (
            isinstance(node, ast.AnnAssign | ast.AugAssign)
            and isinstance(node.target, ast.Name)
            and node.value is not None
        ):
            assigned.setdefault(node.target.id, []).append(node.value)

    def built(node: ast.expr, depth: int = 0) -> bool:
        if depth > 10:
            return False
        if isinstance(node, ast.JoinedStr):
            return any(isinstance(part, ast.FormattedValue) for part in node.values)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod | ast.Add):
            return True
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            return node.func.attr in ("format", "join", "replace", "format_map")
        if isinstance(node, ast.IfExp):
            return built(node.body, depth + 1) or built(node.orelse, depth + 1)
        if isinstance(node, ast.Name):
            return any(built(value, depth + 1) for value in assigned.get(node.id, []))
        return False

    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        if name not in SQL_CALLS:
            continue
        texts = node.args[:1] + [kw.value for kw in node.keywords if kw.arg in ("query", "sql", "sql_query")]
        if any(built(text) for text in texts):
            found.append(f"{filename}:{node.lineno}: {ast.unparse(node)[:80]}")
    return found


def test_no_sql_text_is_built_from_strings_in_the_package() -> None:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        found += built_sql(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    assert found == []


@pytest.mark.parametrize(
    ("source", "flagged"),
    [
        ('con.execute(f"SELECT {x}")', True),
        ('con.execute("SELECT " + x)', True),
        ('q = "SELECT %s" % x\ncon.execute(q)', True),
        ('con.sql("SELECT {}".format(x))', True),
        ('backend.raw_sql(query=f"CREATE VIEW {v} AS {r.sql_query()}")', True),
        ('text = ", ".join(names)\nsql = f"SELECT {text}"\ncon.execute(sql)', True),
        ('con.execute("SET enable_progress_bar = false")', False),
        ('con.execute("SELECT * FROM read_csv(?)", [path])', False),
        ('con.execute(f"SELECT 1")', False),
        ("backend.raw_sql(backend.compile(expression))", False),
    ],
)
def test_the_sql_scan_catches_built_text(source: str, flagged: bool) -> None:
    assert bool(built_sql(source)) is flagged


# 2. Engine URLs never create files -------------------------------------------------------------------


@pytest.fixture
def survey(tmp_path: Path) -> Path:
    return write_rows(tmp_path / "survey.csv", ["id", "ltr"], [[i, (9, 10, 3)[i % 3]] for i in range(30)])


@pytest.mark.parametrize(
    ("engine", "missing", "hint"),
    [
        ("duckdb:///{tmp}/typo.duckdb", "{tmp}/typo.duckdb", False),
        ("sqlite:///{tmp}/x.db", "{tmp}/x.db", False),
        ("duckdb://typo.duckdb", "typo.duckdb", False),
        ("sqlite://x.db", "x.db", False),
        ("x.duckdb", "x.duckdb", False),
        ("sqlite:///x.db", "/x.db", True),
    ],
)
def test_a_missing_database_file_is_an_error_and_not_created(
    cli: Callable[..., Result],
    survey: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    engine: str,
    missing: str,
    hint: bool,
) -> None:
    monkeypatch.chdir(tmp_path)
    before = sorted(tmp_path.iterdir())
    engine = engine.format(tmp=tmp_path)
    for args in (["--table", "answers"], [str(survey)]):
        line = one_error_line(cli("measure", *args, "--nps", "ltr", "--engine", engine))
        expected = f"--engine: no database file {missing.format(tmp=tmp_path)}"
        if hint:
            expected += " (three slashes make the path absolute; sqlite://x.db is in the current folder)"
        assert line == expected
    assert sorted(tmp_path.iterdir()) == before
    assert not Path(missing.format(tmp=tmp_path)).exists()


def test_database_files_are_opened_read_only(
    cli: Callable[..., Result], survey: Path, tmp_path: Path
) -> None:
    import duckdb

    duck = tmp_path / "survey.duckdb"
    with duckdb.connect(str(duck)) as connection:
        connection.execute("CREATE TABLE answers AS SELECT * FROM read_csv(?)", [str(survey)])
    lite = tmp_path / "survey.db"
    with sqlite3.connect(lite) as connection:
        connection.execute("CREATE TABLE answers (id TEXT, ltr TEXT)")
        connection.executemany("INSERT INTO answers VALUES (?, ?)", [(str(i), "9") for i in range(5)])
    connection.close()
    snapshot = {path: (path.read_bytes(), path.stat().st_mtime_ns) for path in (duck, lite)}
    for engine, n in ((f"duckdb:///{duck}", 30), (f"sqlite:///{lite}", 5)):
        result = cli("measure", "--engine", engine, "--table", "answers", "--nps", "ltr", "-f", "json")
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["measures"][0]["n"] == n
    # Files read on a DuckDB database opened read-only: the view is temporary.
    result = cli(
        "measure", survey, "--engine", f"duckdb:///{duck}?read_only=false", "--nps", "ltr", "-f", "json"
    )
    assert result.exit_code == 0, result.output
    assert {path: (path.read_bytes(), path.stat().st_mtime_ns) for path in (duck, lite)} == snapshot
    assert sorted(p.name for p in tmp_path.iterdir()) == ["survey.csv", "survey.db", "survey.duckdb"]


def test_in_memory_engines_are_unchanged(cli: Callable[..., Result], survey: Path) -> None:
    for engine in ("duckdb://", "duckdb://:memory:"):
        result = cli("measure", survey, "--engine", engine, "--nps", "ltr", "-f", "json")
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["measures"][0]["n"] == 30


# 3. Secrets in engine URLs ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "shown", "secrets"),
    [
        ("postgres://alice:p@ss:w0rd@host/db", "postgres://alice:***@host/db", {"p@ss:w0rd"}),
        (
            "postgres://bob@host/db?password=s3cret&sslmode=require",
            "postgres://bob@host/db?password=***&sslmode=require",
            {"s3cret"},
        ),
        (
            "postgres://a:p%40ss@h/d?api_key=k%2F1&Token=t&pwd=x&client_secret=y&keyfile=z",
            "postgres://a:***@h/d?api_key=***&Token=***&pwd=***&client_secret=***&keyfile=***",
            {"p%40ss", "p@ss", "k%2F1", "k/1", "t", "x", "y", "z"},
        ),
        ("mysql://user:pa/ss?w@host:3306/db", "mysql://user:***@host:3306/db", {"pa/ss?w"}),
        ("postgres://host:5432/db", "postgres://host:5432/db", set()),
        ("duckdb:///data/x@y.duckdb", "duckdb:///data/x@y.duckdb", set()),
    ],
)
def test_every_secret_of_a_url_is_masked(url: str, shown: str, secrets: set[str]) -> None:
    parsed = parse_engine(url)
    assert parsed.shown == shown
    assert set(parsed.secrets) == secrets


def test_scrubbing_replaces_whole_secrets_and_withholds_leaks() -> None:
    short = parse_engine("postgres://alice:on@host/db")
    assert short.scrub("connection to host failed: password on rejected") == (
        "connection to host failed: password *** rejected"
    )
    long = parse_engine("postgres://alice:hunter2@host/db")
    assert long.scrub("user alice:hunter2@host") == "user alice:***@host"
    assert long.scrub("token hunter2x is wrong") is None  # inside a word: cannot be cut out safely


@pytest.mark.parametrize(
    ("engine", "shown", "secret"),
    [
        ("nosuch://alice:p@ss:w0rd@host/db", "nosuch://alice:***@host/db", "p@ss:w0rd"),
        ("nosuch://bob@host/db?password=s3cret", "nosuch://bob@host/db?password=***", "s3cret"),
        ("nosuch://bob:on@connection/db", "nosuch://bob:***@connection/db", "bob:on"),
    ],
)
def test_passwords_never_reach_the_message(
    cli: Callable[..., Result], survey: Path, engine: str, shown: str, secret: str
) -> None:
    line = one_error_line(cli("measure", survey, "--nps", "ltr", "--engine", engine))
    # The driver's own text after cxscore's prefix is Ibis's wording, which releases may change: what
    # is cxscore's is the prefix with the masked URL, and that no secret survives anywhere.
    assert line.startswith(f"--engine: cannot connect to {shown}: ")
    assert secret not in line


# 4. Engines that cannot do what was asked -------------------------------------------------------------


def test_files_on_an_engine_that_cannot_read_them(
    cli: Callable[..., Result], survey: Path, tmp_path: Path
) -> None:
    lite = tmp_path / "empty.db"
    sqlite3.connect(lite).close()
    for engine in ("sqlite://", f"sqlite:///{lite}"):
        line = one_error_line(cli("measure", survey, "--nps", "ltr", "--engine", engine))
        assert line == "--engine: the sqlite engine cannot read files: load them into it, then use --table"


@pytest.mark.parametrize(
    ("engine", "expected"),
    [
        (
            "sqlite:///{tmp}/empty.db?timeout=3",
            "--engine: a sqlite URL takes no parameters: sqlite:///{tmp}/empty.db?timeout=3",
        ),
        ("duckdb:///{tmp}", "--engine: {tmp} is not a database file"),
        ("{tmp}/survey.csv", "--engine: {tmp}/survey.csv is not a connection URL: give one such as "),
        ("sqlite:///{tmp}/survey.csv", "--engine: cannot open sqlite:///{tmp}/survey.csv: "),
        ("duckdb:///{tmp}/survey.csv", "--engine: cannot open duckdb:///{tmp}/survey.csv: "),
        ("duckdb:///{tmp}/empty.duckdb?no_such_option=1", "--engine: cannot open duckdb:///"),
    ],
)
def test_engine_refusals_are_one_line(
    cli: Callable[..., Result], survey: Path, tmp_path: Path, engine: str, expected: str
) -> None:
    import duckdb

    sqlite3.connect(tmp_path / "empty.db").close()
    duckdb.connect(str(tmp_path / "empty.duckdb")).close()
    line = one_error_line(
        cli("measure", "--table", "t", "--nps", "ltr", "--engine", engine.format(tmp=tmp_path))
    )
    assert line.startswith(expected.format(tmp=tmp_path))


def test_unusual_column_types_never_escape_as_tracebacks(cli: Callable[..., Result], tmp_path: Path) -> None:
    import datetime
    import decimal

    import pyarrow as pa
    import pyarrow.parquet as pq

    columns = {
        "ltr": pa.array([9, 10, 3]),
        "when": pa.array([datetime.date(2024, 1, d) for d in (1, 2, 3)]),
        "at": pa.array([datetime.datetime(2024, 1, 1, h, tzinfo=datetime.UTC) for h in (1, 2, 3)]),
        "money": pa.array([decimal.Decimal("1.50"), decimal.Decimal("2.00"), None], pa.decimal128(10, 2)),
        "tags": pa.array([["a"], ["b", "c"], []]),
        "nested": pa.array([{"x": 1}, {"x": 2}, {"x": None}]),
        "bytes": pa.array([b"\x00\xff", b"", None]),
        "map": pa.array([[("k", 1)], [], None], pa.map_(pa.string(), pa.int64())),
        "nothing": pa.array([None, None, None], pa.null()),
    }
    path = tmp_path / "types.parquet"
    pq.write_table(pa.table(columns), path)
    source = DataSource(paths=(str(path),))
    outcomes: list[list[str]] = []

    def attempt(compute: Callable[..., object], *args: Any, **kwargs: Any) -> None:
        try:
            compute(*args, **kwargs)
        except CxScoreError as error:  # anything else is a bug, and propagates
            outcomes.append([issue.format() for issue in error.issues])

    with DataSession() as session:
        for column in columns:
            for kind in (MeasureKind.nps, MeasureKind.fcr, MeasureKind.response_time):
                attempt(compute_measures, source, [MeasureSpec(kind, column)], session=session)
            attempt(compute_measures, source, [NPS], by=[column], session=session)
            for name in ("share", "mean"):
                attempt(
                    compute_metric_value,
                    MetricMeasure(name, column=column, where=f"{column} = 1"),
                    source,
                    session,
                )
    assert all(len(lines) == 1 and lines[0].startswith(str(path)) for lines in outcomes), outcomes
    # The command line turns the same refusals into one line and exit code 2.
    assert one_error_line(cli("measure", path, "--nps", "tags")).startswith(f"{path}: column 'tags' holds")


# 5. Paths stay inside the brand file's folder, globs are bounded ---------------------------------------


@pytest.fixture
def brand_dir(tmp_path: Path) -> Path:
    """A brand file's folder with data, and a secret beside it (outside the folder)."""
    folder = tmp_path / "brand"
    (folder / "exports").mkdir(parents=True)
    write_rows(folder / "survey.csv", ["ltr"], [[9], [10], [0]])
    write_rows(folder / "exports" / "a.csv", ["ltr"], [[9]])
    write_rows(folder / "exports" / "b.csv", ["ltr"], [[0]])
    write_rows(tmp_path / "secret.csv", ["password", "ltr"], [["hunter2", 9]])
    return folder


def confined(folder: Path, *paths: str) -> DataSource:
    return DataSource(paths=paths, base=str(folder), root=str(folder))


NPS = MeasureSpec(MeasureKind.nps, "ltr")
OUTSIDE = (
    "outside the folders a brand file may read from, its own and the current directory's trees "
    "(--allow-outside lifts this)"
)


def messages(source: DataSource) -> list[str]:
    with pytest.raises(InputError) as caught:
        compute_measures(source, [NPS])
    return [issue.format() for issue in caught.value.issues]


def test_paths_inside_the_folder_are_read(brand_dir: Path) -> None:
    for paths in (
        ("survey.csv",),
        ("exports/*.csv",),
        (str(brand_dir / "survey.csv"),),
        ("./exports/../survey.csv",),
    ):
        assert compute_measures(confined(brand_dir, *paths), [NPS]).results[0].n in (2, 3)


@pytest.mark.parametrize(
    "path",
    [
        "../secret.csv",
        "{tmp}/secret.csv",
        "../*.csv",
        "/**/secret*.csv",
        "exports/../../secret.csv",
        "../brand*/../secret.csv",
    ],
)
def test_paths_outside_the_folder_are_refused(brand_dir: Path, tmp_path: Path, path: str) -> None:
    path = path.format(tmp=tmp_path)
    started = time.monotonic()
    assert messages(confined(brand_dir, path)) == [f"{path}: is {OUTSIDE}"]
    assert time.monotonic() - started < 2  # refused before any walk


def test_links_out_of_the_folder_are_refused(brand_dir: Path, tmp_path: Path) -> None:
    (brand_dir / "linked.csv").symlink_to(tmp_path / "secret.csv")
    assert messages(confined(brand_dir, "linked.csv")) == [f"linked.csv: is {OUTSIDE}"]
    (brand_dir / "exports" / "c.csv").symlink_to(tmp_path / "secret.csv")
    shown = brand_dir / "exports" / "c.csv"
    assert messages(confined(brand_dir, "exports/*.csv")) == [
        f"exports/*.csv: matches {shown}, which is {OUTSIDE}"
    ]
    (brand_dir / "up").symlink_to(tmp_path)
    assert messages(confined(brand_dir, "up/*.csv")) == [f"up/*.csv: is {OUTSIDE}"]
    # Without a root (paths typed on the command line), the same link is followed.
    assert compute_measures(DataSource(paths=(str(brand_dir / "linked.csv"),)), [NPS]).results[0].n == 1


def test_a_folder_named_like_a_pattern_is_taken_literally(tmp_path: Path) -> None:
    folder = tmp_path / "[2024] *brand*"
    (folder / "exports").mkdir(parents=True)
    write_rows(folder / "exports" / "a.csv", ["ltr"], [[9], [10]])
    write_rows(tmp_path / "2.csv", ["ltr"], [[0]])  # what "[2024]" would match as a pattern
    assert compute_measures(confined(folder, "exports/*.csv"), [NPS]).results[0].n == 2


def test_recursive_globs_do_not_follow_links_in_loops(brand_dir: Path) -> None:
    (brand_dir / "exports" / "loop").symlink_to(brand_dir)
    (brand_dir / ".hidden").mkdir()
    write_rows(brand_dir / ".hidden" / "h.csv", ["ltr"], [[5]])
    report = compute_measures(confined(brand_dir, "**/*.csv"), [NPS])
    assert report.results[0].n == 3 + 1 + 1  # survey, a, b once each; nothing hidden, no loop


def test_globs_are_bounded_in_matches_and_time(brand_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(data_paths, "MAX_GLOB_MATCHES", 1)
    assert messages(DataSource(paths=(str(brand_dir / "**" / "*.csv"),))) == [
        f"{brand_dir / '**' / '*.csv'}: matches more than 1 files: narrow the pattern"
    ]
    monkeypatch.setattr(data_paths, "MAX_GLOB_MATCHES", 10_000)
    monkeypatch.setattr(data_paths, "GLOB_SECONDS", 0.0)
    assert messages(confined(brand_dir, "exports/*.csv")) == [
        "exports/*.csv: listing files took more than 0 s in all this run: narrow the pattern"
    ]


def test_a_run_walks_each_glob_once_within_one_budget(
    cli: Callable[..., Result], brand_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Three brand files with five metrics each over one glob: one walk, one time budget for the run."""
    walks: list[float] = []
    real_run = data_paths._Walk.run

    def counting(self: Any, start: Path) -> None:
        walks.append(self.deadline)
        real_run(self, start)

    monkeypatch.setattr(data_paths._Walk, "run", counting)
    entry = '{from: "exports/*.csv", column: ltr}'
    metrics = "".join(f"  {metric}: {entry}\n" for metric in ("nps", "csat", "ces", "fcr"))
    for name in ("a", "b", "c"):
        (brand_dir / f"{name}.yaml").write_text(f"brand: {name}\nframework: cx-kpis\nratings:\n{metrics}")
    cli("rank", *(brand_dir / f"{name}.yaml" for name in "abc"))
    assert len(walks) == 1
    budget = data_paths.ListingBudget(5.0)
    budget.spend(3.5)
    budget.spend(3.5)
    assert budget.left == 0.0  # a later walk of the run gets no time at all


# 6. Errors quote nothing from files that are not what was expected -----------------------------------

NONE_OF_1 = "none of its 1 rows holds one"
PASSWD = "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon,,,:/usr/sbin:/usr/sbin/nologin\n"


@pytest.mark.parametrize(
    ("name", "content", "secret"),
    [
        ("passwd.csv", PASSWD, "/bin/bash"),
        ("token.txt", "ghp_SECRETTOKEN1234567890\n", "ghp_"),
        ("settings.csv", "DB_PASSWORD=hunter2,API_KEY=abc\nOTHER=1,MORE=2\n", "hunter2"),
        ("single.csv", "hunter2\n", "hunter2"),
        ("notes.txt", "Dear team, the vault code is 4711\nRegards, Bob\n", "4711"),
    ],
)
def test_text_files_are_never_quoted(
    cli: Callable[..., Result], write: Callable[..., Path], name: str, content: str, secret: str
) -> None:
    path = write(content, name)
    for option in ("--nps", "--csat"):
        result = cli("measure", path, option, "x")
        line = one_error_line(result)
        assert secret not in line
        assert line.startswith(
            f"{path}:1:1: no column 'x': expected a CSV file whose first line names its columns"
        )


def test_a_column_of_a_text_file_gives_no_example(
    cli: Callable[..., Result], write: Callable[..., Path]
) -> None:
    path = write("hunter2\nswordfish\n", "pass.txt")
    line = one_error_line(cli("measure", path, "--nps", "hunter2"))
    assert line == f"{path}:1:1: column 'hunter2' has no valid NPS answer (integers 0–10): {NONE_OF_1}"


LATE_CSV = "id,ltr\n" + "".join(f"{i},{i % 11}\n" for i in range(30_000)) + "hunter2,x,y\n"
LATE_JSON = (
    "".join(f'{{"ltr": {i % 11}}}\n' for i in range(30_000)) + '{"ltr": "hunter2 is a long secret value"}\n'
)


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("late.csv", LATE_CSV, "{path}:30002:1: not a readable CSV file: expected 2 columns, found 3"),
        (
            "broken.json",
            '{"ltr": 9}\n{"ltr": hunter2}\n',
            "{path}: not a readable newline-delimited JSON file: a line is not a JSON object",
        ),
        (
            "fake.parquet",
            "hunter2 is not parquet\n",
            "{path}: not a readable Parquet file: it does not end with Parquet's footer",
        ),
    ],
    ids=["csv-row-past-the-sample", "json-not-json", "parquet-not-parquet"],
)
def test_unreadable_files_are_not_quoted(
    cli: Callable[..., Result], write: Callable[..., Path], name: str, content: str, expected: str
) -> None:
    path = write(content, name)
    line = one_error_line(cli("measure", path, "--nps", "ltr"))
    assert line == expected.format(path=path)
    assert "hunter2" not in line


def test_a_json_field_changing_type_is_not_quoted(
    cli: Callable[..., Result], write: Callable[..., Path]
) -> None:
    # DuckDB 1.3 reads such a field as JSON (the text is an invalid answer, described by its length);
    # later releases type it from the first lines and refuse the file: either way, no value shown.
    path = write(LATE_JSON, "late.ndjson")
    result = cli("measure", path, "--nps", "ltr", "-f", "json")
    assert "hunter2" not in result.output
    if result.exit_code == 0:
        assert "e.g. a text of 30 characters" in result.stderr
    else:
        assert one_error_line(result) == (
            f"{path}: not a readable newline-delimited JSON file: a field holds values of another type "
            "than in the lines sampled before it"
        )


def test_examples_are_short_and_printable(cli: Callable[..., Result], write: Callable[..., Path]) -> None:
    long = "correct horse battery staple and more"
    path = write(f"id,ltr\n1,{long}\n2,\x1b[2J\n3,9\n", "answers.csv")
    result = cli("measure", path, "--nps", "ltr", "-f", "json")
    assert result.exit_code == 0, result.output
    assert "warning: 2 of 3 rows have no valid NPS answer in 'ltr'" in result.stderr
    assert long not in result.stderr
    assert "\x1b" not in result.stderr
    only_long = write(f"id,ltr\n1,{long}\n", "long.csv")
    line = one_error_line(cli("measure", only_long, "--nps", "ltr"))
    no_answer = "column 'ltr' has no valid NPS answer (integers 0–10)"
    assert line == f"{only_long}:1:4: {no_answer}: e.g. a text of 37 characters"


def test_many_columns_are_listed_in_part(cli: Callable[..., Result], write: Callable[..., Path]) -> None:
    header = [f"c{i}" for i in range(100)]
    path = write(",".join(header) + "\n" + ",".join("1" for _ in header) + "\n", "wide.csv")
    line = one_error_line(cli("measure", path, "--nps", "c1000"))
    assert line.endswith("(columns: " + ", ".join(header[:30]) + ", and 70 more)")


# 7. No quadratic work on hostile data -------------------------------------------------------------------


def test_by_a_column_of_100000_values_takes_seconds(tmp_path: Path) -> None:
    path = tmp_path / "groups.csv"
    with path.open("w", encoding="utf-8") as handle:
        handle.write("segment,wave,ltr\n")
        handle.writelines(f"s{i},{i % 4},{i % 11}\n" for i in range(100_000))
    started = time.monotonic()
    report = compute_measures(DataSource(paths=(str(path),)), [NPS], by=["segment"])
    elapsed = time.monotonic() - started
    assert len(report.results) == 1 + 100_000
    assert [r.group for r in report.results[1:4]] == [
        {"segment": "s0"},
        {"segment": "s1"},
        {"segment": "s10"},
    ]
    assert elapsed < 10, elapsed


def test_text_patterns_are_linear() -> None:
    import re

    from cxscore.data.generic import _CONDITION

    started = time.monotonic()
    assert re.match(NUMBER_PATTERN, "1" * 200_000 + "x") is None
    assert re.match(NUMBER_PATTERN, "1" * 200_000 + "." + "1" * 200_000) is not None
    parsed = _CONDITION.match("a = x" + " " * 200_000 + "y")
    assert parsed is not None
    assert time.monotonic() - started < 1


# 8. A data file is opened once per run ------------------------------------------------------------------

SURVEY_METRICS = [
    MetricMeasure("nps", column="likelihood_to_recommend"),
    MetricMeasure("csat", column="satisfaction"),
    MetricMeasure("ces", column="effort"),
    MetricMeasure("fcr", column="resolved_first_contact"),
    MetricMeasure("response_time", column="first_response_hours", unit="hours"),
    MetricMeasure("share", where="resolved_first_contact = yes"),
]


@pytest.fixture
def connections(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every DuckDB connection opened while the test runs (``duckdb.connect`` wrapped, not replaced)."""
    import duckdb

    opened: list[str] = []
    real = duckdb.connect

    def counting(*args: Any, **kwargs: Any) -> Any:
        opened.append(str(args[0]) if args else ":memory:")
        return real(*args, **kwargs)

    monkeypatch.setattr(duckdb, "connect", counting)
    return opened


def test_one_connection_and_one_read_per_session(connections: list[str]) -> None:
    data = ROOT / "examples" / "data"
    source = DataSource(paths=("survey.csv",), base=str(data), root=str(data))
    alone = [compute_metric_value(measure, source) for measure in SURVEY_METRICS]
    assert len(connections) == len(SURVEY_METRICS)
    connections.clear()
    with DataSession() as session:
        shared = [compute_metric_value(measure, source, session) for measure in SURVEY_METRICS]
        # The same file named another way is the same read.
        again = DataSource(paths=(str(data / "survey.csv"),))
        assert compute_metric_value(SURVEY_METRICS[0], again, session) == shared[0]
        engine = session.remember(("engine", None), lambda: pytest.fail("the engine was not kept"))
        views = engine.backend.con.execute(
            "SELECT count(*) FROM duckdb_views() WHERE temporary AND NOT internal"
        ).fetchall()
    assert shared == alone
    assert len(connections) == 1
    opened = dict(session.opened)
    # One engine, one read; the paths resolved once per way of naming them, in one listing budget.
    assert opened == {"engine": 1, "files": 1, "resolved": 2, "listing budget": 1}
    assert views == [(1,)]


def test_a_session_closes_its_engines(tmp_path: Path) -> None:
    path = write_rows(tmp_path / "s.csv", ["ltr"], [[9], [10]])
    with DataSession() as session:
        compute_measures(DataSource(paths=(str(path),)), [NPS], session=session)
        engine = session.remember(("engine", None), lambda: pytest.fail("the engine was not kept"))
    import duckdb

    with pytest.raises(duckdb.ConnectionException):
        engine.backend.con.execute("SELECT 1")


def test_a_file_named_like_a_pattern_is_read_alone(cli: Callable[..., Result], tmp_path: Path) -> None:
    """DuckDB globs every name it is given: a real folder called '*' must not let '*/s.csv' also
    read 'l/s.csv' through a link out of the brand file's tree."""
    brand_dir, outside = tmp_path / "brand", tmp_path / "outside"
    (brand_dir / "*").mkdir(parents=True)
    outside.mkdir()
    (brand_dir / "*" / "s.csv").write_text("id,ltr\n1,0\n2,0\n")
    (outside / "s.csv").write_text("id,ltr\n1,10\n2,10\n3,10\n4,10\n")
    (brand_dir / "l").symlink_to(outside)
    brand = brand_dir / "b.yaml"
    brand.write_text('brand: Glob\nframework: cx-kpis\nratings:\n  nps: {from: "*/s.csv", column: ltr}\n')
    result = cli("rate", brand, "--format", "json")
    assert result.exit_code == 0, result.output
    nps = next(metric for metric in json.loads(result.stdout)["metrics"] if metric["id"] == "nps")
    assert (nps["n"], nps["value"]) == (2, -100.0)  # the two detractors of '*/s.csv', nothing else


def test_a_ragged_csv_is_said_to_be_ragged(cli: Callable[..., Result], tmp_path: Path) -> None:
    path = tmp_path / "ragged.csv"
    path.write_text("a,b,c\n1,2,3\n4,5\n6,7,8,9\n")
    result = cli("measure", path, "--nps", "a")
    assert result.exit_code == 2
    assert result.stderr == (
        f"{path}:1:1: no column 'a': the file's rows have different numbers of fields, so its columns "
        "could not be read from its first line (the reader found 4 columns elsewhere); give every row "
        "as many fields as the header\n"
    )


def test_a_nul_in_a_data_path_is_a_located_error(cli: Callable[..., Result], tmp_path: Path) -> None:
    brand = tmp_path / "b.yaml"
    brand.write_text('brand: A\nframework: cx-kpis\nratings:\n  nps: {from: "a\\0b.csv", column: ltr}\n')
    result = cli("validate", brand)
    assert result.exit_code == 2, result.output
    assert "holds a NUL character" in result.stderr or "outside" in result.stderr


def test_a_csv_with_bare_cr_line_ends_is_read(cli: Callable[..., Result], tmp_path: Path) -> None:
    path = tmp_path / "cr.csv"
    path.write_bytes(b"id,ltr\r1,9\r2,10\r")
    result = cli("measure", path, "--nps", "wrong")
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"{path}:1:")
    assert result.stderr.count("\n") == 1
