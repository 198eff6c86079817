"""cxscore history, compare of one brand's assessments, and --baseline with a directory."""

from __future__ import annotations

import csv
import datetime
import io
import json
import random
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console
from test_export import (
    CHROMIUM,
    GOLDEN,
    check_golden,
    parse_page,
    parse_tables,
    png_pixels,
    run_chromium,
)
from typer.testing import Result

from cxscore.history import build_history, changes, follow
from cxscore.render import FORMATS, HistoryFormat, renderer
from cxscore.render.csv_report import HISTORY_COLUMNS
from cxscore.render.history import sparkline
from cxscore.scorecard import score_files

ROOT = Path(__file__).resolve().parent.parent
HISTORY = "examples/history"
SANTA = "examples/santa.yaml"
GRINCH = "examples/grinch.yaml"
SANTA_2023 = "examples/history/santa-2023.yaml"
ELF = [f"examples/history/elf-express-2024-q{quarter}.yaml" for quarter in (1, 2, 3, 4)]
ELF_DATES = ["2024-03-28", "2024-06-27", "2024-09-26", "2024-12-19"]

Cli = Callable[..., Result]
Write = Callable[..., Path]


@pytest.fixture
def in_root(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run from the repository root, so reports show the examples' relative paths."""
    monkeypatch.chdir(ROOT)


def history_json(cli: Cli, *args: str | Path) -> dict[str, object]:
    result = cli("history", *args, "--format", "json")
    assert result.exit_code == 0, result.output
    data: dict[str, object] = json.loads(result.stdout)
    return data


# Changes and sparklines: pure functions --------------------------------------------------------------


@pytest.mark.parametrize(
    ("scores", "expected"),
    [
        ([64.0, 68.0], [None, 4.0]),
        ([100 / 3 * 1.6, 60.0], [None, 60.0 - 100 / 3 * 1.6]),  # unrounded: 6.666..., not 6.7
        ([60.0, None, 60.0, 80.0], [None, None, None, 20.0]),  # no change across a gap
        ([None, 40.0], [None, None]),
        ([50.0], [None]),
    ],
)
def test_changes_are_differences_of_unrounded_scores(
    scores: list[float | None], expected: list[float | None]
) -> None:
    points = changes(scores)
    assert [point.score_percent for point in points] == scores
    assert [point.change for point in points] == expected


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([0.0, 100.0], "▁█"),
        ([53.3, 60.0, 66.7, 76.7], "▁▃▅█"),
        ([60.0, None, 60.0, 80.0], "▁ ▁█"),
        ([60.0, 60.0], "▅▅"),
        ([68.0, 68.1], "▄▅"),  # a tenth of a point is a level at most, not a collapse
        ([None, None], "  "),
        ([100.0], " "),  # one assessment is no trend
        ([None, 40.0, None], "   "),
        ([95.0, 100.0], "▅█"),  # widened within 0..100
    ],
)
def test_sparkline(values: list[float | None], expected: str) -> None:
    assert sparkline(values) == expected


@given(
    st.lists(
        st.tuples(
            st.dates(datetime.date(2000, 1, 1), datetime.date(2100, 1, 1)),
            st.floats(0, 100, allow_nan=False),
        ),
        min_size=1,
        max_size=12,
        unique_by=lambda pair: pair[0],
    ),
    st.randoms(use_true_random=False),
)
def test_follow_orders_by_date_and_changes_add_up(
    periods: list[tuple[datetime.date, float]], shuffle: random.Random
) -> None:
    [santa] = score_files([str(ROOT / SANTA)])
    results = [santa._replace(assessed=day, overall_percent=overall) for day, overall in periods]
    shuffle.shuffle(results)
    history = follow(results)
    assert [period.assessed for period in history.periods] == sorted(day for day, _ in periods)
    overall = history.overall.points
    assert overall[0].change is None
    total = sum(point.change or 0.0 for point in overall)
    assert total == pytest.approx(overall[-1].score_percent - overall[0].score_percent, abs=1e-9)  # type: ignore[operator]


# The command: grouping, ordering, dates --------------------------------------------------------------


def test_history_groups_by_brand_and_orders_by_date(cli: Cli, in_root: None) -> None:
    # Given in reverse, mixed with another brand: histories come sorted by brand, periods by date.
    data = history_json(cli, SANTA, *reversed(ELF), SANTA_2023)
    histories = data["histories"]
    assert isinstance(histories, list)
    assert [h["brand"] for h in histories] == ["Elf Express", "Santa Claus"]
    elf, santa = histories
    assert [p["assessed"] for p in elf["periods"]] == ELF_DATES
    assert [p["file"] for p in elf["periods"]] == ELF
    assert [p["assessed"] for p in santa["periods"]] == ["2023-12-15", "2024-12-17"]


def test_directories_expand_to_their_files(cli: Cli, in_root: None) -> None:
    assert history_json(cli, HISTORY, SANTA) == history_json(cli, SANTA_2023, *ELF, SANTA)


def test_json_contract(cli: Cli, in_root: None) -> None:
    data = history_json(cli, HISTORY)
    assert data["schema_version"] == 1
    elf = data["histories"][0]  # type: ignore[index]
    assert set(elf) >= {"brand", "framework", "periods"}
    assert (elf["brand"], elf["framework"]) == ("Elf Express", "cx-six")
    first, second, third, fourth = elf["periods"]
    assert set(first) >= {"assessed", "file", "overall_percent", "change", "metrics"}
    assert first["change"] is None
    assert first["overall_percent"] == pytest.approx(100 * 16 / 30)
    # The change is the difference of the unrounded overalls (53.33... to 60.0), not of 53.3 and 60.0.
    assert second["change"] == 60.0 - 100 * 16 / 30
    assert fourth["change"] == pytest.approx(10.0)
    metric = {m["id"]: m for m in second["metrics"]}
    assert set(metric["empathy"]) >= {"id", "score_percent", "change"}
    assert (metric["empathy"]["score_percent"], metric["empathy"]["change"]) == (80.0, 20.0)
    assert all(m["change"] is None for m in first["metrics"])


def test_a_metric_unrated_in_a_period_is_a_gap_not_zero(cli: Cli, in_root: None) -> None:
    elf = history_json(cli, *ELF)["histories"][0]  # type: ignore[index]
    personalization = [
        next(m for m in period["metrics"] if m["id"] == "personalization") for period in elf["periods"]
    ]
    assert [(m["score_percent"], m["change"]) for m in personalization] == [
        (60.0, None),
        (None, None),
        (60.0, None),
        (80.0, 20.0),
    ]
    rows = list(csv.DictReader(io.StringIO(cli("history", *ELF, "-f", "csv").stdout)))
    gap = next(r for r in rows if r["metric_id"] == "personalization" and r["assessed"] == ELF_DATES[1])
    assert (gap["rated"], gap["score_percent"], gap["change"]) == ("false", "", "")
    [table] = parse_tables(cli("history", *ELF, "-f", "markdown").stdout)
    assert next(row for row in table if row[0] == "Personalization") == [
        "Personalization",
        "60.0%",
        "—",
        "60.0%",
        "80.0% (+20.0)",
    ]
    line = next(line for line in cli("history", *ELF).stdout.splitlines() if line.startswith("Personaliz"))
    assert "—" in line
    assert "0.0%" not in line.replace("60.0%", "").replace("80.0%", "")
    assert (
        "Rated sets differ between periods (Personalization unrated in some)" in cli("history", *ELF).stdout
    )


@pytest.mark.parametrize("order", [0, 1])
def test_a_file_without_a_date_is_a_located_error(cli: Cli, write: Write, order: int) -> None:
    dated = write("brand: Acme\nassessed: 2024-01-05\nratings: {empathy: 3}\n", "dated.yaml")
    undated = write("# no date\nbrand: Acme\nratings: {empathy: 4}\n", "undated.yaml")
    result = cli("history", *([dated, undated] if order == 0 else [undated, dated]))
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr == (
        f"{undated}:2:1: Acme has no 'assessed' date: a brand's assessments are ordered by date, so each "
        "needs one (e.g. assessed: 2024-12-17)\n"
    )


def test_two_files_of_a_brand_with_one_date_are_an_error(cli: Cli, write: Write) -> None:
    first = write("brand: Acme\nassessed: 2024-01-05\nratings: {empathy: 3}\n", "a.yaml")
    second = write("brand: Acme\nratings: {empathy: 4}\nassessed: 2024-01-05\n", "b.yaml")
    other = write("brand: Other\nassessed: 2024-01-05\nratings: {empathy: 4}\n", "c.yaml")  # fine
    result = cli("history", first, second, other)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr == (
        f"{second}:3:11: Acme is assessed 2024-01-05 in {first} too: a brand's assessments need dates "
        "of their own\n"
    )


def test_every_date_problem_is_reported_at_once(cli: Cli, write: Write) -> None:
    write("brand: A\nassessed: 2024-01-05\nratings: {empathy: 3}\n", "d/a.yaml")
    write("brand: A\nassessed: 2024-01-05\nratings: {empathy: 3}\n", "d/b.yaml")
    directory = write("brand: B\nratings: {empathy: 3}\n", "d/c.yaml").parent
    result = cli("history", directory)
    assert result.exit_code == 2, result.output
    assert [line.split(": ", 1)[0].rsplit("/", 1)[-1] for line in result.stderr.splitlines()] == [
        "b.yaml:2:11",
        "c.yaml:1:1",
    ]


def test_periods_on_different_frameworks_follow_the_shared_metrics(cli: Cli, write: Write) -> None:
    old = write("brand: A\nassessed: 2024-01-05\nratings: {empathy: 3, consistency: 4}\n", "old.yaml")
    new = write(
        "brand: A\nframework: six-pillars\nassessed: 2024-04-05\nratings: {empathy: 5, integrity: 2}\n",
        "new.yaml",
    )
    note = (
        "Different frameworks over time (cx-six, six-pillars): followed on the 1 metric every period "
        "shares (Empathy); each overall is on its period's own framework."
    )
    [history] = history_json(cli, new, old)["histories"]  # type: ignore[misc]
    assert history["notes"] == [note]
    assert [p["framework"] for p in history["periods"]] == ["cx-six", "six-pillars"]
    assert history["framework"] == "six-pillars"
    assert [[m["id"] for m in p["metrics"]] for p in history["periods"]] == [["empathy"], ["empathy"]]
    assert [m["change"] for m in history["periods"][1]["metrics"]] == [100.0 - 60.0]
    table = cli("history", old, new)
    assert " ".join(note.split()) in " ".join(table.stdout.replace("⚠", "").split())
    lines = table.stdout.splitlines()
    header = next(index for index, line in enumerate(lines) if line.startswith("Metric"))
    assert [line.split()[0] for line in lines[header + 2 :] if line.strip()] == ["Empathy", "Overall"]
    markdown = cli("history", old, new, "-f", "markdown").stdout
    assert f"> **Note:** {note}" in markdown


# The table ---------------------------------------------------------------------------------------------


def test_table_has_metrics_as_rows_dates_as_columns_overall_last_and_a_sparkline(
    cli: Cli, in_root: None
) -> None:
    result = cli("history", HISTORY)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[2].startswith("Elf Express  cx-six · 4 assessments, 2024-03-28 to 2024-12-19")
    assert lines[3] == "Overall ▁▃▅█  53.3% → 76.7%  (+23.3 pts since 2024-03-28)"
    header = next(line for line in lines if line.startswith("Metric"))
    assert header.split() == ["Metric", *ELF_DATES, "Trend"]
    rows = lines[lines.index(header) + 2 :]
    assert rows[0].split()[-5:] == ["80.0%", "+20.0", "80.0%", "0.0", "▁▁██"]  # First-contact resolution
    overall = next(line for line in rows if line.startswith("Overall"))
    assert overall.split() == ["Overall", "53.3%", "60.0%", "+6.7", "66.7%", "+6.7", "76.7%", "+10.0", "▁▃▅█"]
    assert rows.index(overall) == 7  # six metrics, a blank line, then the overall


def test_a_narrow_terminal_leaves_out_the_oldest_periods(in_root: None) -> None:
    report = build_history([HISTORY])
    console = Console(width=60, color_system=None, markup=False, emoji=False, highlight=False)
    with console.capture() as captured:
        console.print(renderer("history", "table")(report))
    text = captured.get()
    assert max(len(line) for line in text.splitlines()) <= 60
    header = next(line for line in text.splitlines() if line.startswith("Metric"))
    assert header.split() == ["Metric", *ELF_DATES[1:], "Trend"]
    assert "Empathy " in text  # the names keep room to be read
    assert (
        "1 earlier period left out for the width (the first shown is 2024-06-27); the trend covers all"
        in (" ".join(text.split()))
    )


# Formats, -o, golden files ---------------------------------------------------------------------------


def test_history_formats_are_registered() -> None:
    assert set(FORMATS["history"]) == {"table", "json", "markdown", "csv", "html", "pdf"}
    assert {choice.value for choice in HistoryFormat} == set(FORMATS["history"])


def test_total_is_not_a_history_format(cli: Cli, in_root: None) -> None:
    result = cli("history", HISTORY, "--format", "total")
    assert result.exit_code == 2
    assert "total" in result.output


@pytest.mark.parametrize(
    ("name", "check"),
    [
        ("h.json", lambda text: json.loads(text)["schema_version"] == 1),
        ("h.md", lambda text: text.startswith("# CX history\n")),
        ("h.csv", lambda text: text.startswith(",".join(HISTORY_COLUMNS) + "\n")),
        ("h.html", lambda text: text.startswith("<!DOCTYPE html>")),
        ("h.txt", lambda text: text.startswith("CX history\n") and "\x1b" not in text),
    ],
)
def test_output_option_picks_the_format_from_the_extension(
    cli: Cli, in_root: None, tmp_path: Path, name: str, check: Callable[[str], bool]
) -> None:
    target = tmp_path / name
    result = cli("history", HISTORY, "-o", target)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert check(target.read_text(encoding="utf-8"))
    assert [path.name for path in tmp_path.iterdir()] == [name]


@pytest.mark.parametrize("extension", ["txt", "json", "md", "csv", "html"])
def test_golden(cli: Cli, in_root: None, update_golden: bool, tmp_path: Path, extension: str) -> None:
    output_format = {"txt": "table", "json": "json", "md": "markdown", "csv": "csv", "html": "html"}
    target = tmp_path / f"history.{extension}"  # a file: the table is laid out at 100 columns
    result = cli("history", HISTORY, SANTA, "--format", output_format[extension], "-o", target)
    assert result.exit_code == 0, result.output
    text = target.read_text(encoding="utf-8")
    if extension == "txt":  # where rich wraps a note it may leave a blank at the end of the line
        text = "\n".join(line.rstrip() for line in text.split("\n"))
    check_golden(f"history.{extension}", text, update_golden)
    assert str(ROOT) not in (GOLDEN / f"history.{extension}").read_text(encoding="utf-8")


def test_markdown_table(cli: Cli, in_root: None) -> None:
    text = cli("history", HISTORY, "-f", "markdown").stdout
    elf, santa = parse_tables(text)
    assert elf[0] == ["Metric", *ELF_DATES]
    assert elf[-1] == ["Overall", "53.3%", "60.0% (+6.7)", "66.7% (+6.7)", "76.7% (+10.0)"]
    assert santa == [
        ["Metric", "2023-12-15"],
        *santa[1:],
    ]
    assert "Overall ▁▃▅█ 53.3% → **76.7%** (+23.3 points since 2024-03-28)" in text


# HTML ---------------------------------------------------------------------------------------------------

HOSTILE_FRAMEWORK = """
id: hostile
name: "<b>Hostile</b>"
bands: [{name: "<i>All</i>", min: 0}]
metrics:
  - {id: odd, name: "<script>alert(1)</script> & \\"quoted\\"", weight: 1}
  - {id: even, name: "Even </svg><img src=x>", weight: 1}
"""
HOSTILE_BRAND = '<script>alert(2)</script> & "Grinch | Deliveries"'


def hostile_history(write: Write) -> list[Path]:
    write(HOSTILE_FRAMEWORK, "hostile.yaml")
    brand = json.dumps(HOSTILE_BRAND)
    return [
        write(
            f"brand: {brand}\nframework: hostile.yaml\nassessed: 2024-0{month}-01\n{ratings}\n",
            f"{month}.yaml",
        )
        for month, ratings in (
            (1, "ratings: {odd: 1, even: 5}"),
            (4, "ratings: {odd: 3}"),
            (7, "ratings: {odd: 5, even: 2}"),
        )
    ]


def test_html_is_self_contained_and_escapes_user_text(cli: Cli, write: Write) -> None:
    result = cli("history", *hostile_history(write), "--format", "html")
    assert result.exit_code == 0, result.output
    text = result.stdout
    page = parse_page(text)
    assert page.tags["script"] == page.tags["img"] == page.tags["b"] == page.tags["i"] == 0
    assert page.fetches == []
    assert "url(" not in text
    assert "@import" not in text
    assert '<meta http-equiv="Content-Security-Policy" content="default-src \'none\';' in text
    assert page.tags["svg"] == 1
    assert page.tags["polyline"] == 2  # the overall and `odd`; `even`, unrated between, has only dots
    assert page.tags["circle"] == 3 + 3 + 2
    words = "".join(page.text)
    assert HOSTILE_BRAND in words
    assert '<script>alert(1)</script> & "quoted"' in words


def test_html_chart_has_a_line_per_metric_and_the_overall(cli: Cli, in_root: None) -> None:
    text = cli("history", *ELF, "--format", "html").stdout
    page = parse_page(text)
    assert page.tags["svg"] == 1
    # The overall and five metrics rated every quarter draw one line each; personalization, unrated in
    # the second quarter, draws its third and fourth quarters (its first is a lone dot).
    assert page.tags["polyline"] == 1 + 5 + 1
    assert page.tags["circle"] == 4 + 5 * 4 + 3
    words = " ".join(" ".join(page.text).split())
    for date in ELF_DATES:
        assert date in words
    assert "Overall 53.3% 60.0% +6.7 66.7% +6.7 76.7% +10.0" in words


@pytest.mark.skipif(
    CHROMIUM is None,
    reason="headless Chromium is not installed (Debian: apt-get install chromium); .ci/run installs it",
)
def test_html_history_renders_in_chromium(cli: Cli, tmp_path: Path, write: Write) -> None:
    page = tmp_path / "history.html"
    result = cli("history", *hostile_history(write), *(ROOT / path for path in ELF), "-o", page)
    assert result.exit_code == 0, result.output

    dom = run_chromium(tmp_path, "--dump-dom", page.as_uri())
    assert dom.returncode == 0, dom.stderr
    assert dom.stdout.count("<svg") == 2
    assert dom.stdout.count("<polyline") == 2 + 7
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in dom.stdout
    assert "<script" not in dom.stdout
    assert "<img" not in dom.stdout

    shot = tmp_path / "history.png"
    taken = run_chromium(tmp_path, f"--screenshot={shot}", "--window-size=1200,1600", page.as_uri())
    assert shot.is_file(), taken.stderr
    width, height, bpp, rows = png_pixels(shot.read_bytes())
    assert (width, height) == (1200, 1600)
    colours: Counter[bytes] = Counter(row[x : x + 3] for row in rows for x in range(0, len(row), bpp))
    dominant = {colour for colour, _ in colours.most_common(2)}
    assert dominant == {bytes.fromhex("eef1f4"), bytes.fromhex("ffffff")}
    assert len(colours) > 100, "too few colours for text, lines and a table"
    assert colours[bytes.fromhex("1f2328")] > 200, "the overall's line and dots were not painted"
    assert colours[bytes.fromhex("0969da")] > 50, "the first metric's line was not painted"


# compare: one brand's assessments are headed by date -------------------------------------------------


def test_compare_of_one_brand_heads_columns_with_dates(cli: Cli, in_root: None) -> None:
    table = cli("compare", SANTA_2023, SANTA).stdout.splitlines()
    assert table[0] == "CX comparison of 2 assessments of Santa Claus"
    assert table[1].split() == ["2023-12-15", "2024-12-17"]
    [markdown] = parse_tables(cli("compare", SANTA_2023, SANTA, "-f", "markdown").stdout)
    assert markdown[0] == ["Metric", "2023-12-15", "2024-12-17", "Δ (2 − 1)"]
    html = parse_page(cli("compare", SANTA_2023, SANTA, "-f", "html").stdout)
    words = " ".join(" ".join(html.text).split())
    assert "Metric 2023-12-15 2024-12-17 Δ (2 − 1)" in words
    assert "CX comparison — Santa Claus: 2023-12-15 vs 2024-12-17" in words


def test_compare_of_different_brands_keeps_brand_headers(cli: Cli, in_root: None) -> None:
    table = cli("compare", SANTA, GRINCH).stdout.splitlines()
    assert table[0] == "CX comparison of 2 brands"
    [markdown] = parse_tables(cli("compare", SANTA, GRINCH, "-f", "markdown").stdout)
    assert markdown[0][1:3] == ["Santa Claus", "Grinch | Deliveries"]


def test_compare_of_one_brand_without_distinct_dates_heads_columns_with_files(cli: Cli, write: Write) -> None:
    a = write("brand: A\nassessed: 2024-01-05\nratings: {empathy: 3}\n", "a.yaml")
    b = write("brand: A\nassessed: 2024-01-05\nratings: {empathy: 4}\n", "b.yaml")
    c = write("brand: A\nratings: {empathy: 5}\n", "c.yaml")
    [markdown] = parse_tables(cli("compare", a, b, c, "-f", "markdown").stdout)
    assert markdown[0] == ["Metric", str(a), str(b), str(c)]


# rate --baseline: another brand warns; a directory gives the latest earlier assessment ------------------


def test_baseline_of_another_brand_warns(cli: Cli, in_root: None) -> None:
    result = cli("rate", GRINCH, "--baseline", SANTA)
    assert result.exit_code == 0, result.output
    assert "Change since the baseline examples/santa.yaml" in result.stdout
    assert result.stderr == (
        "examples/santa.yaml:2:8: warning: the baseline assesses Santa Claus, not Grinch | Deliveries "
        "(examples/grinch.yaml): the changes compare two brands\n"
    )
    assert cli("rate", SANTA, "--baseline", SANTA_2023).stderr == ""


@pytest.mark.parametrize(
    ("current", "expected"),
    [(SANTA, SANTA_2023), (ELF[3], ELF[2]), (ELF[1], ELF[0])],
)
def test_baseline_directory_picks_the_latest_earlier_assessment_of_the_brand(
    cli: Cli, in_root: None, current: str, expected: str
) -> None:
    result = cli("rate", current, "--baseline", HISTORY, "--format", "json")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert json.loads(result.stdout)["baseline"]["path"] == expected


def test_baseline_directory_without_an_earlier_assessment_is_an_error(cli: Cli, in_root: None) -> None:
    result = cli("rate", ELF[0], "--baseline", HISTORY)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr == (
        f"{HISTORY}: --baseline: no assessment of Elf Express here is dated before 2024-03-28 ({ELF[0]})\n"
    )


def test_baseline_directory_needs_dates(cli: Cli, write: Write) -> None:
    undated = write("brand: A\nratings: {empathy: 3}\n", "now.yaml")
    write("brand: A\nassessed: 2024-01-05\nratings: {empathy: 3}\n", "old/a.yaml")
    write("brand: A\nratings: {empathy: 3}\n", "old/b.yaml")
    write("brand: B\nratings: {empathy: 3}\n", "old/c.yaml")  # another brand: passed over
    old = undated.parent / "old"
    result = cli("rate", undated, "--baseline", old)
    assert result.exit_code == 2
    assert result.stderr == (
        f"{undated}:1:1: A has no 'assessed' date: --baseline {old} picks the latest assessment dated "
        "before this one\n"
    )
    dated = write("brand: A\nassessed: 2024-06-01\nratings: {empathy: 3}\n", "now.yaml")
    result = cli("rate", dated, "--baseline", old)
    assert result.exit_code == 2
    assert result.stderr == (
        f"{old / 'b.yaml'}:1:1: A has no 'assessed' date: a brand's assessments are ordered by date, so "
        "each needs one (e.g. assessed: 2024-12-17)\n"
    )


# --help ------------------------------------------------------------------------------------------------


def test_help_ends_with_examples_that_run(cli: Cli, in_root: None) -> None:
    text = " ".join(cli("history", "--help").stdout.split())
    assert "Examples: cxscore history examples/history/" in text
    assert text.endswith("Exit codes: 0 ok, 1 a gate failed, 2 bad input, 3 unexpected (a bug).")
    assert cli("history", "examples/history/").exit_code == 0
    assert "LAST.yaml|DIR" in " ".join(cli("rate", "--help").stdout.split())
