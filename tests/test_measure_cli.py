"""``cxscore measure`` on the command line: formats, the JSON contract, exit codes and one-line errors."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import Result

ROOT = Path(__file__).resolve().parent.parent
CONTRACT = ["measure", "column", "group", "value", "n", "n_effective", "invalid", "ci_low", "ci_high"]
TESTED = ["change", "base", "p_value", "p_adjusted", "significant", "test_note"]


@pytest.fixture
def survey(write: Callable[..., Path]) -> Path:
    """120 answers in two regions and two quarters, plus a blank and an 'n/a'."""
    lines = ["id,region,quarter,ltr,csat,hours"]
    for i in range(120):
        region = "EU" if i % 2 else "US"
        lines.append(
            f"{i},{region},2024-Q{1 + i % 3 // 2},{(9, 10, 7, 3)[i % 4]},{(5, 4, 2)[i % 3]},{i % 7}.5"
        )
    lines += ["120,EU,2024-Q1,,5,1", "121,US,2024-Q2,n/a,4,2"]
    return write("\n".join(lines) + "\n", "survey.csv")


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.output
    return result


def test_json_contract(cli: Callable[..., Result], survey: Path) -> None:
    result = ok(cli("measure", survey, "--nps", "ltr", "--response-time", "hours", "--format", "json"))
    entries = json.loads(result.stdout)["measures"]
    assert list(entries[0]) == CONTRACT
    assert entries[0]["measure"] == "nps"
    assert entries[0]["group"] is None
    assert (entries[0]["n"], entries[0]["invalid"]) == (120, 2)
    assert entries[0]["value"] == pytest.approx(100 * (60 - 30) / 120)
    assert list(entries[1]) == [*CONTRACT, "median", "p90", "p90_ci_low", "p90_ci_high"]
    assert entries[1]["ci_low"] <= entries[1]["median"] <= entries[1]["ci_high"]
    assert "warning: 2 of 122 rows have no valid NPS answer in 'ltr'" in result.stderr


def test_json_with_by_and_trend(cli: Callable[..., Result], survey: Path) -> None:
    result = ok(
        cli(
            "measure",
            survey,
            "--csat",
            "csat",
            "--by",
            "region",
            "--trend",
            "quarter",
            "-f",
            "json",
            "--min-n",
            "20",
        )
    )
    document = json.loads(result.stdout)
    entries = document["measures"]
    assert all(list(e) == [*CONTRACT, *TESTED] for e in entries)
    assert (document["adjustment"], document["weight"]) == ("holm", None)
    assert document["tests"] == sum(1 for e in entries if e["p_value"] is not None)
    assert [e["group"] for e in entries] == [
        None,
        {"region": "EU"},
        {"region": "US"},
        {"quarter": "2024-Q1"},
        {"quarter": "2024-Q2"},
        {"region": "EU", "quarter": "2024-Q1"},
        {"region": "EU", "quarter": "2024-Q2"},
        {"region": "US", "quarter": "2024-Q1"},
        {"region": "US", "quarter": "2024-Q2"},
    ]
    second = entries[4]
    assert second["change"] == pytest.approx(second["value"] - entries[3]["value"])
    assert 0 <= second["p_value"] <= 1
    assert second["significant"] is (second["p_adjusted"] < 0.05)
    assert second["p_adjusted"] >= second["p_value"]
    assert "segment results rest on fewer than 20 valid answers (insufficient n" not in result.stderr


def test_csv_output_has_one_row_per_result(cli: Callable[..., Result], survey: Path) -> None:
    result = ok(cli("measure", survey, "--nps", "ltr", "--by", "region", "-f", "csv"))
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == [
        "measure",
        "column",
        "region",
        "value",
        "n",
        "n_effective",
        "invalid",
        "ci_low",
        "ci_high",
    ]
    assert [row[2] for row in rows[1:]] == ["", "EU", "US"]
    assert float(rows[1][3]) == pytest.approx(25.0)


def test_markdown_and_table_escape_user_text(cli: Callable[..., Result], write: Callable[..., Path]) -> None:
    lines = ["segment,csat"] + [f'"[bold]x|y\x1b[2J",{v}' for v in (5, 4, 1)]
    path = write("\n".join(lines) + "\n", "odd.csv")
    markdown = ok(cli("measure", path, "--csat", "csat", "--by", "segment", "-f", "markdown")).stdout
    assert "| \\[bold\\]x\\|y\\\\x1b\\[2J | 66.7% |" in markdown
    assert "\x1b" not in markdown
    table = ok(cli("measure", path, "--csat", "csat", "--by", "segment")).stdout
    assert "[bold]x|y\\x1b[2J  66.7%" in table
    assert "66.7%" in table
    assert "! insufficient n" in table


def test_output_file_is_written(cli: Callable[..., Result], survey: Path, tmp_path: Path) -> None:
    target = tmp_path / "nps.json"
    ok(cli("measure", survey, "--nps", "ltr", "-f", "json", "--output", target))
    assert json.loads(target.read_text(encoding="utf-8"))["measures"][0]["n"] == 120
    ok(cli("measure", survey, "--nps", "ltr", "--output", tmp_path / "nps.txt"))
    assert "NPS · ltr" in (tmp_path / "nps.txt").read_text(encoding="utf-8")


def test_engine_url_and_table(cli: Callable[..., Result], survey: Path, tmp_path: Path) -> None:
    import duckdb

    database = tmp_path / "survey.duckdb"
    with duckdb.connect(str(database)) as connection:
        connection.execute("CREATE TABLE answers AS SELECT * FROM read_csv(?)", [str(survey)])
    result = ok(
        cli(
            "measure", "--engine", f"duckdb:///{database}", "--table", "answers", "--nps", "ltr", "-f", "json"
        )
    )
    assert json.loads(result.stdout)["measures"][0]["n"] == 120


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.csv", "--nps", "ltr"], "missing.csv: no such file"),
        (["nothing-*.csv", "--nps", "ltr"], "nothing-*.csv: no file matches this pattern"),
        (["{survey}"], "measure: no measure asked: give --nps, --csat, --ces, --fcr or --response-time"),
        (["--nps", "ltr"], "measure: no data: give data files (or a glob) or --table NAME"),
        (["{survey}", "--table", "t", "--nps", "ltr"], "--table: give data files or --table, not both"),
        (
            ["{survey}", "--nps", "ltr", "--unit", "h"],
            "--unit: --unit labels --response-time: give --response-time COL",
        ),
        (
            ["{survey}", "--nps", "ltr", "--by", "quarter", "--trend", "quarter"],
            "--trend: 'quarter' is also a --by column: use it in one of them",
        ),
        (
            ["{survey}", "--nps", "score"],
            "{survey}:1:1: no column 'score' (columns: id, region, quarter, ltr, csat, hours)",
        ),
        (
            ["{survey}", "--csat", "region"],
            "{survey}:1:4: column 'region' has no valid CSAT answer (integers 1–5): e.g. 'US'",
        ),
    ],
)
def test_user_errors_are_one_located_line(
    cli: Callable[..., Result], survey: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], message: str
) -> None:
    monkeypatch.chdir(survey.parent)
    result = cli("measure", *[arg.format(survey=survey) for arg in args])
    assert result.exit_code == 2, result.output
    assert result.stderr == message.format(survey=survey) + "\n"
    assert result.stdout == ""


def test_an_unknown_engine_is_one_line(cli: Callable[..., Result], survey: Path) -> None:
    # After cxscore's prefix comes Ibis's own reason, whose wording is Ibis's to change.
    result = cli("measure", survey, "--nps", "ltr", "--engine", "nosuch://x")
    assert result.exit_code == 2
    assert result.stderr.startswith("--engine: cannot connect to nosuch://x: ")
    assert result.stderr.count("\n") == 1


def test_password_in_engine_url_is_not_shown(cli: Callable[..., Result], survey: Path) -> None:
    result = cli("measure", survey, "--nps", "ltr", "--engine", "nosuch://user:hunter2@host/db")
    assert result.exit_code == 2
    assert "hunter2" not in result.stderr
    assert "nosuch://user:***@host/db" in result.stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "the file is empty"),
        ("id,ltr\n", "no data rows: the source has a header but no rows"),
    ],
)
def test_empty_files(
    cli: Callable[..., Result], write: Callable[..., Path], content: str, message: str
) -> None:
    path = write(content, "empty.csv")
    result = cli("measure", path, "--nps", "ltr")
    assert result.exit_code == 2
    assert result.stderr == f"{path}: {message}\n"


def test_unknown_file_format(cli: Callable[..., Result], write: Callable[..., Path]) -> None:
    path = write("x", "survey.xlsx")
    result = cli("measure", path, "--nps", "ltr")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{path}: unknown data format: expected a file ending in .csv, ")


def test_unreadable_csv_is_a_located_error(cli: Callable[..., Result], write: Callable[..., Path]) -> None:
    path = write(b"ltr,region\n9,EU\n\xff\xfe,US\n", "latin.csv")
    result = cli("measure", path, "--nps", "ltr")
    assert result.exit_code == 2, result.output
    assert result.stderr == (
        f"{path}:3:1: not a readable CSV file: the text is not UTF-8 (save it as UTF-8, or give --encoding "
        "latin-1 or cp1252)\n"
    )


def test_measure_help_does_not_load_the_engine() -> None:
    probe = (
        "import sys\nfrom cxscore.cli import main\nsys.argv = ['cxscore', 'measure', '--help']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'ibis', 'duckdb', 'pyarrow', 'pandas'}))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_example_exports_are_reproducible(tmp_path: Path) -> None:
    import importlib.util
    import random

    spec = importlib.util.spec_from_file_location("make_data", ROOT / "examples" / "data" / "make_data.py")
    assert spec is not None
    assert spec.loader is not None
    make_data = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_data)
    rng = random.Random(make_data.SEED)
    make_data.write(tmp_path / "survey.csv", make_data.survey_rows(rng))
    make_data.write(tmp_path / "members.csv", make_data.member_rows(rng))
    for name, shipped in (("survey.csv", "survey-by-region.csv"), ("members.csv", "members.csv")):
        assert (tmp_path / name).read_bytes() == (ROOT / "examples" / "data" / shipped).read_bytes()


def test_example_survey_trend(cli: Callable[..., Result]) -> None:
    survey = ROOT / "examples" / "data" / "survey-by-region.csv"
    result = ok(
        cli("measure", survey, "--nps", "likelihood_to_recommend", "--trend", "quarter", "-f", "json")
    )
    entries = json.loads(result.stdout)["measures"]
    assert [e["group"] for e in entries[1:]] == [{"quarter": f"2024-Q{q}"} for q in range(1, 5)]
    assert entries[0]["n"] + entries[0]["invalid"] == 800
    assert "e.g. 'n/a'" in result.stderr


def test_glob_source_is_named_by_its_pattern(cli: Callable[..., Result], write: Callable[..., Path]) -> None:
    first = write("id,ltr\n1,9\n2,x\n", "a.csv")
    write("id,ltr\n3,10\n", "b.csv")
    pattern = str(first.parent / "*.csv")
    result = ok(cli("measure", pattern, "--nps", "ltr", "-f", "json"))
    assert result.stderr.startswith(f"{pattern}: warning: 1 of 3 rows have no valid NPS answer in 'ltr'")
    missing = cli("measure", pattern, "--nps", "score")
    assert missing.exit_code == 2
    assert missing.stderr == f"{first}:1:1: no column 'score' (columns: id, ltr)\n"


def test_markdown_marks_significant_changes(cli: Callable[..., Result], write: Callable[..., Path]) -> None:
    lines = ["wave,fcr"] + [f"1,{'yes' if i < 60 else 'no'}" for i in range(200)]
    lines += [f"2,{'yes' if i < 160 else 'no'}" for i in range(200)]
    markdown = ok(
        cli(
            "measure",
            write("\n".join(lines) + "\n", "waves.csv"),
            "--fcr",
            "fcr",
            "--trend",
            "wave",
            "-f",
            "markdown",
        )
    )
    # Periods are columns; a significant change is marked, and the legend says what the mark means.
    assert "| all | 55.0% ±4.9 n=400 | 30.0% ±6.3 n=200 | 80.0% ±5.5 n=200 ▲ |" in markdown.stdout
    assert "▲ rise: significant at 5% after adjustment." in markdown.stdout


def test_reading_files_on_a_duckdb_database_leaves_it_unchanged(
    cli: Callable[..., Result], survey: Path, tmp_path: Path
) -> None:
    import duckdb

    database = tmp_path / "kept.duckdb"
    with duckdb.connect(str(database)) as connection:
        connection.execute("CREATE TABLE notes (a INTEGER)")
    ok(cli("measure", survey, "--nps", "ltr", "--engine", f"duckdb:///{database}", "-f", "json"))
    with duckdb.connect(str(database)) as connection:
        views = "SELECT view_name, temporary FROM duckdb_views() WHERE NOT internal"
        assert connection.execute(views).fetchall() == []
        assert connection.execute("SHOW TABLES").fetchall() == [("notes",)]


@pytest.mark.parametrize("name", ["it's.csv", "wave[1].csv"])
def test_file_names_with_quotes_and_brackets(
    cli: Callable[..., Result], write: Callable[..., Path], name: str
) -> None:
    path = write("ltr\n9\n10\n0\n", name)
    result = ok(cli("measure", path, "--nps", "ltr", "-f", "json"))
    assert json.loads(result.stdout)["measures"][0]["n"] == 3


def test_a_value_column_of_several_measures_is_not_headed_median(cli: Callable[..., Result]) -> None:
    """NPS beside a response time: the column holds an NPS and a median, so it is "Value", and the
    response time's row says its value is the median."""
    survey = Path(__file__).resolve().parent.parent / "examples" / "data" / "survey.csv"
    args = ("measure", survey, "--nps", "likelihood_to_recommend", "--response-time", "first_response_hours")
    result = cli(*args, "--unit", "hours", "-f", "markdown")
    assert result.exit_code == 0, result.output
    header = next(line for line in result.stdout.splitlines() if line.startswith("| Measure"))
    assert "| Value |" in header.replace("  ", " ")
    assert "Median" not in header
    assert "| Median response time (hours) · first" in result.stdout
    only_times = cli("measure", survey, "--response-time", "first_response_hours", "-f", "markdown")
    assert "| Median |" in only_times.stdout
