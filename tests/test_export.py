"""Export formats: the renderer registry, golden markdown/CSV/HTML, escaping, --output, and a real browser."""

from __future__ import annotations

import csv
import inspect
import io
import json
import os
import shutil
import struct
import subprocess
import zlib
from collections import Counter
from collections.abc import Callable
from enum import StrEnum
from html.parser import HTMLParser
from itertools import accumulate
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token
from typer.testing import Result

from cxscore.compare import compare_results
from cxscore.loader import FrameworkCatalog, load_bundled_frameworks
from cxscore.rank import rank_files
from cxscore.render import (
    FORMATS,
    RENDERERS,
    FrameworkFormat,
    MeasureFormat,
    OutputFormat,
    Pieces,
    renderer,
)
from cxscore.render.csv_report import COMPARE_COLUMNS, RANK_COLUMNS, RATE_COLUMNS
from cxscore.report import build_rate_report, stream_rate_report
from cxscore.scorecard import score_files

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"
SANTA = "examples/santa.yaml"
GRINCH = "examples/grinch.yaml"
NORTH_POLE = "examples/north-pole-logistics.yaml"
CHROMIUM = shutil.which("chromium")

Cli = Callable[..., Result]

HOSTILE = """
brand: "<script>alert(1)</script> & \\"Grinch | Deliveries\\" *x* `y` _u_ [l](http://e) ~s~ #"
notes: "Line one | pipe\\nLine *two* `code` <b>bold</b>\\n- not a list"
ratings:
  empathy:
    rating: 2
    note: "=HYPERLINK(\\"http://evil\\") | *star* `tick` <i>tag</i>\\nsecond line &amp; \\\\ backslash"
  consistency: 4
"""
HOSTILE_BRAND = '<script>alert(1)</script> & "Grinch | Deliveries" *x* `y` _u_ [l](http://e) ~s~ #'
HOSTILE_NOTE = '=HYPERLINK("http://evil") | *star* `tick` <i>tag</i>\nsecond line &amp; \\ backslash'


@pytest.fixture
def in_root(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run from the repository root so reports show relative example paths (golden files stay portable)."""
    monkeypatch.chdir(ROOT)


def check_golden(name: str, text: str, update: bool) -> None:
    path = GOLDEN / name
    if update:
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"{name} changed; refresh with pytest --update-golden"


# The registry ----------------------------------------------------------------------------------------


RESULT_TYPES = {
    "rate": "RateReport",
    "rate_stream": "RateStream",
    "compare": "Comparison",
    "rank": "Leaderboard",
    "history": "HistoryReport",
    "measure": "MeasureReport",
    "plan": "PlanReport",
    "frameworks": "list[Framework]",
    "framework": "Framework",
    "drivers": "DriversReport",
    "customers": "CustomersReport",
}


def results_for(command: str) -> object:
    """A real result model for each command, from the examples (measures computed on DuckDB)."""
    paths = [str(ROOT / SANTA), str(ROOT / GRINCH)]
    if command == "rate":
        return build_rate_report(paths, what_if=["empathy=5"], baseline=None)
    if command == "rate_stream":
        return stream_rate_report(paths)
    if command == "compare":
        return compare_results(score_files(paths))
    if command == "history":
        from cxscore.history import build_history

        return build_history([str(ROOT / "examples/history"), str(ROOT / SANTA)])
    if command == "measure":
        from cxscore.data import DataSource, compute_measures, specs_from_options

        specs = specs_from_options(["likelihood_to_recommend"], ["csat"], [], [], [], None)
        source = DataSource(paths=(str(ROOT / "examples/data/survey-by-region.csv"),))
        return compute_measures(source, specs, ["region"], None)
    if command == "drivers":
        from cxscore.api import drivers

        survey = ROOT / "examples/data/drivers-survey.csv"
        return drivers(
            survey,
            outcome="likelihood_to_recommend",
            drivers=["empathy=empathy", "consistency"],
            replicates=20,
        )
    if command == "plan":
        from cxscore.data.plan import make_plan

        return make_plan("nps", moes=(5.0, 3.0), changes=(10.0,), expect=(45.0, 20.0))
    if command == "customers":
        from cxscore.data import DataSource, compute_customers
        from cxscore.data.customer_report import CustomersSpec

        orders = DataSource(paths=(str(ROOT / "examples/data/orders.csv"),))
        return compute_customers(orders, CustomersSpec("customer_id", "order_date", "amount", top=20))
    if command == "frameworks":
        return load_bundled_frameworks()
    if command == "framework":
        return FrameworkCatalog().load_bundled("cx-kpis")
    return rank_files(paths)


@pytest.mark.parametrize(("command", "output_format"), sorted(RENDERERS))
def test_every_format_maps_to_a_renderer_for_every_command(command: str, output_format: str) -> None:
    if output_format == "pdf" and CHROMIUM is None:
        pytest.skip("headless Chromium is not installed (Debian: apt-get install chromium)")
    rendered = renderer(command, output_format)(results_for(command))  # type: ignore[call-overload]
    if isinstance(rendered, Pieces):  # made piece by piece as it is written
        rendered = "".join(rendered)
    if output_format == "pdf":
        assert isinstance(rendered, bytes)
        assert rendered.startswith(b"%PDF-")
    elif output_format == "table":
        assert hasattr(rendered, "__rich_console__") or hasattr(rendered, "__rich__")
    else:
        assert isinstance(rendered, str)
        assert rendered.endswith("\n")


@pytest.mark.parametrize(("command", "output_format"), sorted(RENDERERS))
def test_every_renderer_takes_its_commands_result(command: str, output_format: str) -> None:
    # mypy checks this through renderer()'s overloads; here the registry's strings are checked too.
    function = renderer(command, output_format)  # type: ignore[call-overload]
    first = next(iter(inspect.signature(function).parameters.values()))
    assert first.annotation == RESULT_TYPES[command], f"{function.__module__}.{function.__name__}"


def test_registry_has_nothing_unknown() -> None:
    assert set(RENDERERS) == {(c, f) for c, formats in FORMATS.items() for f in formats}
    assert set(FORMATS) == set(RESULT_TYPES)


@pytest.mark.parametrize(
    ("command", "choices"),
    [("rate", OutputFormat), ("measure", MeasureFormat), ("frameworks", FrameworkFormat)],
)
def test_format_choices_are_the_registered_formats(command: str, choices: type[StrEnum]) -> None:
    assert {choice.value for choice in choices} == set(FORMATS[command])


@pytest.mark.parametrize("command", ["rate", "compare", "rank"])
@pytest.mark.parametrize("output_format", [f for f in OutputFormat if f != OutputFormat.pdf])  # pdf: its own
def test_output_option_for_every_format_and_command(
    cli: Cli, tmp_path: Path, in_root: None, command: str, output_format: OutputFormat
) -> None:
    target = tmp_path / f"report.{output_format}"
    result = cli(command, SANTA, GRINCH, "--format", output_format, "--output", target)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    text = target.read_text(encoding="utf-8")
    assert text.strip()
    assert "\x1b" not in text  # no colour codes in files
    assert [p.name for p in tmp_path.iterdir()] == [target.name]  # no temporary file left behind


@pytest.mark.parametrize(
    "args",
    [
        ["rate", "examples/invalid/broken.yaml"],
        ["compare", SANTA, "examples/invalid/broken.yaml"],
        ["rank", SANTA, "examples/invalid/broken.yaml"],
        ["rate", SANTA, "--what-if", "empathy=9"],
        ["rate", SANTA, "--fail-under", "101"],
        ["compare", SANTA],
    ],
    ids=["rate-invalid", "compare-invalid", "rank-invalid", "bad-what-if", "bad-gate", "compare-one"],
)
@pytest.mark.parametrize("output_format", ["html", "csv", "markdown", "table"])
def test_failed_run_leaves_existing_output_untouched(
    cli: Cli, tmp_path: Path, in_root: None, args: list[str], output_format: str
) -> None:
    target = tmp_path / "report.out"
    target.write_text("last quarter's report\n", encoding="utf-8")
    result = cli(*args, "--format", output_format, "--output", target)
    assert result.exit_code == 2, result.output
    assert len(result.stderr.splitlines()) >= 1
    assert result.stdout == ""
    assert target.read_text(encoding="utf-8") == "last quarter's report\n"
    assert [p.name for p in tmp_path.iterdir()] == ["report.out"]


def test_output_files_get_ordinary_permissions(cli: Cli, tmp_path: Path, in_root: None) -> None:
    """A report is for sharing: a new file follows the umask, a replaced one keeps its mode."""
    new, kept = tmp_path / "new.html", tmp_path / "kept.md"
    kept.write_text("old\n", encoding="utf-8")
    kept.chmod(0o640)
    previous = os.umask(0o022)
    try:
        assert cli("rate", SANTA, "-f", "html", "-o", new).exit_code == 0
        assert cli("rate", SANTA, "-f", "markdown", "-o", kept).exit_code == 0
    finally:
        os.umask(previous)
    assert new.stat().st_mode & 0o777 == 0o644
    assert kept.stat().st_mode & 0o777 == 0o640
    assert kept.read_text(encoding="utf-8") != "old\n"


def test_total_prints_one_overall_per_brand(cli: Cli, in_root: None) -> None:
    rated = cli("rate", SANTA, GRINCH, NORTH_POLE, "--format", "total").stdout
    assert rated == "68.0\tSanta Claus\n36.7\tGrinch | Deliveries\n70.8\tNorth Pole Logistics\n"
    compared = cli("compare", GRINCH, SANTA, "--format", "total").stdout
    assert compared == "36.7\tGrinch | Deliveries\n68.0\tSanta Claus\n"
    ranked = cli("rank", SANTA, GRINCH, NORTH_POLE, "--format", "total").stdout
    assert ranked == "70.8\tNorth Pole Logistics\n68.0\tSanta Claus\n36.7\tGrinch | Deliveries\n"
    assert cli("rate", SANTA, "--format", "total").stdout == "68.0\n"  # one brand: a bare number


# Golden files -----------------------------------------------------------------------------------------

GOLDEN_CASES = {
    "rate": ["rate", SANTA, GRINCH],
    "rate_extras": [
        "rate",
        SANTA,
        "--what-if",
        "feedback_capture=4",
        "--baseline",
        "examples/history/santa-2023.yaml",
    ],
    "compare": ["compare", SANTA, GRINCH],
    "compare_frameworks": ["compare", SANTA, NORTH_POLE, GRINCH],
    "rank": ["rank", SANTA, GRINCH, NORTH_POLE],
}


@pytest.mark.parametrize("case", list(GOLDEN_CASES))
@pytest.mark.parametrize("extension", ["md", "csv", "html"])
def test_golden(cli: Cli, in_root: None, update_golden: bool, case: str, extension: str) -> None:
    output_format = {"md": "markdown", "csv": "csv", "html": "html"}[extension]
    result = cli(*GOLDEN_CASES[case], "--format", output_format)
    assert result.exit_code == 0, result.output
    check_golden(f"{case}.{extension}", result.stdout, update_golden)


def test_golden_files_hold_no_absolute_paths() -> None:
    for path in GOLDEN.iterdir():
        text = path.read_text(encoding="utf-8")
        assert str(ROOT) not in text, path.name


# Markdown: tables that parse as tables, user text kept literal -----------------------------------------


def parse_tables(text: str) -> list[list[list[str]]]:
    """Every GFM table in the text as rows of cell texts (``<br>`` read back as a newline)."""
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    tables: list[list[list[str]]] = []
    for previous, token in zip(tokens, tokens[1:], strict=False):
        if token.type == "table_open":
            tables.append([])
        elif token.type == "tr_open":
            tables[-1].append([])
        elif token.type == "inline" and previous.type in {"th_open", "td_open"}:
            tables[-1][-1].append(inline_text(token))
    return tables


def inline_text(token: Token) -> str:
    """The literal text of an inline token; fails on any markup the user text should not produce."""
    parts = []
    for child in token.children or []:
        if child.type == "text":
            parts.append(child.content)
        elif child.type == "html_inline" and child.content == "<br>":
            parts.append("\n")
        elif child.type in {"strong_open", "strong_close"}:
            continue  # the report's own emphasis (best brand, overall)
        else:
            raise AssertionError(f"user text became markup: {child.type} {child.content!r}")
    return "".join(parts)


def heading_texts(text: str) -> list[str]:
    tokens = MarkdownIt("commonmark").parse(text)
    return [inline_text(tokens[i + 1]) for i, t in enumerate(tokens) if t.type == "heading_open"]


def test_markdown_rate_table_parses_and_keeps_user_text_literal(cli: Cli, write: Callable[..., Path]) -> None:
    path = write(HOSTILE)
    result = cli("rate", path, "--format", "markdown")
    assert result.exit_code == 0, result.output
    assert HOSTILE_BRAND in heading_texts(result.stdout)
    [table] = parse_tables(result.stdout)
    assert table[0] == ["Metric", "Rating", "Weight", "Score", "Points lost", "Note"]
    assert len(table) == 7  # header + the six cx-six metrics: no row was split or merged by a `|`
    assert all(len(row) == 6 for row in table)
    empathy = next(row for row in table if row[0] == "Empathy")
    assert empathy == ["Empathy", "2/5", "1", "40.0%", "30.0", HOSTILE_NOTE]


def test_markdown_compare_table_has_brands_as_columns(cli: Cli, in_root: None) -> None:
    result = cli("compare", SANTA, GRINCH, "--format", "markdown")
    [table] = parse_tables(result.stdout)
    assert table[0] == ["Metric", "Santa Claus", "Grinch | Deliveries", "Δ (2 − 1)"]
    assert table[1] == ["First-contact resolution", "100.0% ★ (5/5)", "20.0% (1/5)", "-80.0"]
    assert table[-1] == ["Overall", "68.0% ★ OK", "36.7% Poor", "-31.3"]
    assert "Rated sets differ" in result.stdout


def test_markdown_rank_table(cli: Cli, in_root: None) -> None:
    [table] = parse_tables(cli("rank", SANTA, GRINCH, NORTH_POLE, "--format", "markdown").stdout)
    assert [row[:3] for row in table] == [
        ["#", "Brand", "Overall"],
        ["1", "North Pole Logistics", "70.8%"],
        ["2", "Santa Claus", "68.0%"],
        ["3", "Grinch | Deliveries", "36.7%"],
    ]


# CSV ---------------------------------------------------------------------------------------------------


def read_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_rate_is_one_row_per_brand_and_metric(cli: Cli, in_root: None) -> None:
    text = cli("rate", SANTA, NORTH_POLE, "--format", "csv").stdout
    assert text.splitlines()[0].split(",") == list(RATE_COLUMNS)
    rows = read_csv(text)
    assert len(rows) == 12
    santa = [row for row in rows if row["brand"] == "Santa Claus"]
    assert [row["metric_id"] for row in santa][:2] == ["first_contact_resolution", "empathy"]
    assert santa[1]["rating"] == "4.0"
    assert santa[1]["score_percent"] == "80.0"
    assert santa[-1]["rated"] == "false"
    assert santa[-1]["score_percent"] == ""
    assert float(santa[0]["overall_percent"]) == 68.0


def test_csv_columns_are_stable(cli: Cli, in_root: None) -> None:
    assert cli("compare", SANTA, GRINCH, "-f", "csv").stdout.splitlines()[0].split(",") == list(
        COMPARE_COLUMNS
    )
    assert cli("rank", SANTA, GRINCH, "-f", "csv").stdout.splitlines()[0].split(",") == list(RANK_COLUMNS)
    extras = cli(
        "rate", SANTA, "--what-if", "empathy=5", "--baseline", "examples/history/santa-2023.yaml", "-f", "csv"
    )
    header = extras.stdout.splitlines()[0].split(",")
    assert header[: len(RATE_COLUMNS)] == list(RATE_COLUMNS)
    assert header[len(RATE_COLUMNS) :] == [
        "what_if_rating",
        "what_if_score_percent",
        "what_if_overall_percent",
        "baseline_score_percent",
        "score_change",
        "baseline_overall_percent",
        "overall_change",
    ]


def test_csv_keeps_text_whole_and_defuses_formulas(cli: Cli, write: Callable[..., Path]) -> None:
    rows = read_csv(cli("rate", write(HOSTILE), "--format", "csv").stdout)
    assert rows[0]["brand"] == HOSTILE_BRAND
    empathy = next(row for row in rows if row["metric_id"] == "empathy")
    assert empathy["note"] == "'" + HOSTILE_NOTE  # a spreadsheet shows it, never runs it


@pytest.mark.parametrize("lead", ["\t", "\r", "\n", " ", "\n\t "])
def test_csv_guards_formulas_behind_blanks_and_line_breaks(
    cli: Cli, write: Callable[..., Path], lead: str
) -> None:
    note = lead + '=HYPERLINK("http://evil")'
    path = write(f"brand: A\nratings:\n  empathy: {{rating: 3, note: {json.dumps(note)}}}\n")
    rows = read_csv(cli("rate", path, "--format", "csv").stdout)
    cell = next(row for row in rows if row["metric_id"] == "empathy")["note"]
    assert cell.startswith("'"), repr(cell)


def test_csv_compare_rows(cli: Cli, in_root: None) -> None:
    rows = read_csv(cli("compare", SANTA, GRINCH, "-f", "csv").stdout)
    overall = [row for row in rows if row["metric_id"] == "overall"]
    assert [(row["brand"], row["best"], row["delta"]) for row in overall] == [
        ("Santa Claus", "true", overall[0]["delta"]),
        ("Grinch | Deliveries", "false", overall[0]["delta"]),
    ]
    assert float(overall[0]["delta"]) == pytest.approx(-31.3333333)


# HTML ----------------------------------------------------------------------------------------------------


class Page(HTMLParser):
    """Collects what a browser would see: tags, text, and any attribute that fetches something."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: Counter[str] = Counter()
        self.text: list[str] = []
        self.fetches: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags[tag] += 1
        self.fetches += [
            f"{tag} {name}"
            for name, value in attrs
            if name in {"src", "href", "srcset", "action"} and not (value or "").startswith(("#", "data:"))
        ]

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse_page(text: str) -> Page:
    page = Page()
    page.feed(text)
    return page


def test_html_is_self_contained_and_escapes_user_text(cli: Cli, write: Callable[..., Path]) -> None:
    result = cli("compare", write(HOSTILE), ROOT / SANTA, "--format", "html")
    assert result.exit_code == 0, result.output
    page = parse_page(result.stdout)
    assert page.tags["script"] == 0  # the brand's <script> is text, not an element
    assert page.tags["i"] == 0
    assert page.tags["b"] == 0
    assert page.fetches == []
    assert "url(" not in result.stdout
    assert "@import" not in result.stdout
    assert page.tags["svg"] == 1
    assert page.tags["table"] == 1
    assert HOSTILE_BRAND in "".join(page.text)
    assert "Content-Security-Policy" in result.stdout


def test_html_rate_has_score_chart_table_notes_and_lift(cli: Cli, in_root: None) -> None:
    text = cli("rate", GRINCH, "--format", "html").stdout
    page = parse_page(text)
    words = " ".join(" ".join(page.text).split())
    assert "36.7% Poor" in words
    assert "Takes everything *before* Christmas" in words
    assert "Biggest lift" in words
    assert page.tags["svg"] == 1
    assert page.tags["tr"] == 7  # header + six metrics
    assert "Grinch | Deliveries" in words


def test_html_shows_measured_values(cli: Cli, write: Callable[..., Path]) -> None:
    path = write(
        "brand: M\nframework: cx-kpis\n"
        "ratings:\n  nps: {value: 42, n: 400, ci_low: 34.6, ci_high: 48.9}\n  first_response_time: 6\n"
    )
    words = " ".join(" ".join(parse_page(cli("rate", path, "--format", "html").stdout).text).split())
    assert "Net Promoter Score 42 points [34.6, 48.9] n=400" in words
    assert "First response time 6 hours" in words
    assert "42 → top score" in words


# A real browser --------------------------------------------------------------------------------------------

BROWSER_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def png_pixels(data: bytes) -> tuple[int, int, int, list[bytes]]:
    """Decode an 8-bit RGB/RGBA PNG into rows of raw pixels (enough of PNG for Chromium's screenshots)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    position, compressed, header = 8, bytearray(), b""
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position : position + 8])
        body = data[position + 8 : position + 8 + length]
        position += 12 + length
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            compressed += body
    width, height, depth, colour = struct.unpack(">IIBB", header[:10])
    assert (depth, colour) in {(8, 2), (8, 6)}, f"unexpected PNG type: depth {depth}, colour {colour}"
    bpp = 3 if colour == 2 else 4
    raw, stride = zlib.decompress(bytes(compressed)), width * bpp
    rows, previous = [], bytes(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], raw[start + 1 : start + 1 + stride]
        if kind == 0:
            row = bytes(line)
        elif kind == 1:  # Sub: a running sum per channel
            out = bytearray(stride)
            for channel in range(bpp):
                out[channel::bpp] = bytes(v & 255 for v in accumulate(line[channel::bpp]))
            row = bytes(out)
        elif kind == 2:  # Up
            row = bytes((a + b) & 255 for a, b in zip(line, previous, strict=True))
        else:  # Average or Paeth
            out = bytearray(stride)
            for x in range(stride):
                left = out[x - bpp] if x >= bpp else 0
                up = previous[x]
                if kind == 3:
                    out[x] = (line[x] + ((left + up) >> 1)) & 255
                    continue
                upper_left = previous[x - bpp] if x >= bpp else 0
                guess = left + up - upper_left
                pa, pb, pc = abs(guess - left), abs(guess - up), abs(guess - upper_left)
                out[x] = (line[x] + (left if pa <= pb and pa <= pc else up if pb <= pc else upper_left)) & 255
            row = bytes(out)
        rows.append(row)
        previous = row
    return width, height, bpp, rows


def run_chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    command = [CHROMIUM, *BROWSER_FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)


@pytest.mark.skipif(
    CHROMIUM is None,
    reason="headless Chromium is not installed (Debian: apt-get install chromium); .ci/run installs it",
)
@pytest.mark.parametrize("command", ["rate", "compare"])
def test_html_renders_in_chromium(cli: Cli, tmp_path: Path, write: Callable[..., Path], command: str) -> None:
    page = tmp_path / "report.html"
    result = cli(command, write(HOSTILE), ROOT / GRINCH, "--format", "html", "--output", page)
    assert result.exit_code == 0, result.output

    dom = run_chromium(tmp_path, "--dump-dom", page.as_uri())
    assert dom.returncode == 0, dom.stderr
    assert "<table" in dom.stdout
    assert "<svg" in dom.stdout
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom.stdout  # shown as text ...
    assert "<script" not in dom.stdout  # ... never an element
    assert "Grinch | Deliveries" in dom.stdout

    shot = tmp_path / "report.png"
    taken = run_chromium(tmp_path, f"--screenshot={shot}", "--window-size=1200,1600", page.as_uri())
    assert shot.is_file(), taken.stderr
    width, height, bpp, rows = png_pixels(shot.read_bytes())
    assert (width, height) == (1200, 1600)
    colours: Counter[bytes] = Counter(row[x : x + 3] for row in rows for x in range(0, len(row), bpp * 4))
    # The page background and the white cards dominate: proof the decode and the style sheet are right.
    dominant = {colour for colour, _ in colours.most_common(2)}
    assert dominant == {bytes.fromhex("eef1f4"), bytes.fromhex("ffffff")}
    assert colours.most_common(1)[0][1] / colours.total() < 0.8, "the page is nearly all one colour"
    assert len(colours) > 100, "too few colours for text, bars and a table"
    assert bytes.fromhex("cf222e") in colours  # the Grinch's red "very poor" bars were painted


def test_rate_streams_exactly_the_formats_with_a_stream_renderer() -> None:
    from cxscore.report import STREAMED_FORMATS

    assert set(STREAMED_FORMATS) == set(FORMATS["rate_stream"])
