"""``cxscore measure`` tables that read at a glance: one per measure, segments as rows, periods as columns.

The README's own example must fit in 60 lines at 100 columns with no name cut; markdown has the same
shape in GFM tables; the legend explains only the marks that appear; too many or too wide periods
fall back to a row per period; and the rendering stays linear in the number of groups.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from rich.cells import cell_len
from rich.console import Console
from typer.testing import CliRunner, Result

from cxscore.cli import app_for
from cxscore.data.model import MeasureKind, MeasureReport, MeasureResult
from cxscore.render.markdown import render_measure as render_markdown
from cxscore.render.terminal import render_measure

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "data" / "survey-by-region.csv"
README_ARGS = [
    "--nps", "likelihood_to_recommend", "--csat", "csat", "--ces", "ces",
    "--fcr", "resolved_first_contact", "--response-time", "first_response_hours", "--unit", "hours",
    "--by", "region", "--trend", "quarter",
]  # fmt: skip


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.output
    return result


def laid_out(report: MeasureReport, width: int) -> list[str]:
    console = Console(width=width, color_system=None, markup=False, emoji=False, highlight=False)
    with console.capture() as captured:
        console.print(render_measure(report))
    return [line.rstrip() for line in captured.get().splitlines()]


def result(
    kind: MeasureKind = MeasureKind.fcr,
    group: dict[str, str] | None = None,
    value: float | None = 50.0,
    n: int = 200,
    change: float | None = None,
    significant: bool | None = None,
) -> MeasureResult:
    low, high = (None, None) if value is None else (value - 5.0, value + 7.0)
    return MeasureResult(
        kind, "resolved", group, value, n, 0, low, high, 2.5, change=change, significant=significant,
        p_value=None if significant is None else (0.01 if significant else 0.5),
        p_adjusted=None if significant is None else (0.01 if significant else 0.5),
    )  # fmt: skip


def waves(periods: int, segments: tuple[str, ...] = ("EU", "US")) -> MeasureReport:
    """FCR over ``periods`` waves per segment; EU rises significantly in wave 2, US falls in wave 3."""
    results = [result()]
    results += [result(group={"region": segment}) for segment in segments]
    for wave in range(1, periods + 1):
        results.append(result(group={"wave": f"w{wave:02}"}))
    for segment in segments:
        for wave in range(1, periods + 1):
            rise = segment == "EU" and wave == 2
            fall = segment == "US" and wave == 3
            change = 20.0 if rise else -20.0 if fall else 1.0
            results.append(
                result(
                    group={"region": segment, "wave": f"w{wave:02}"},
                    value=50.0 + change,
                    n=60 if segment == "US" else 150,
                    change=None if wave == 1 else change,
                    significant=None if wave == 1 else rise or fall,
                )
            )
    tests = sum(1 for r in results if r.p_value is not None)
    return MeasureReport("waves.csv", tuple(results), ("region",), "wave", (), tests=tests)


# The README's example -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def example_report(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """What the README's command writes to a file (laid out at 100 columns), run from the project."""
    target = tmp_path_factory.mktemp("report") / "report.txt"
    args = ["measure", str(EXAMPLE.relative_to(ROOT)), *README_ARGS, "-o", str(target)]
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(ROOT)
        done = CliRunner().invoke(app_for(args), args, catch_exceptions=False)
    assert done.exit_code == 0, done.output
    return target.read_text(encoding="utf-8").splitlines()


def test_the_readme_example_fits_in_60_lines_at_100_columns(example_report: list[str]) -> None:
    assert len(example_report) <= 60, "\n".join(example_report)
    assert max(cell_len(line) for line in example_report) <= 100
    assert "…" not in "\n".join(example_report)  # no name is cut
    titles = [line for line in example_report if " · " in line]
    assert titles == [
        "NPS · likelihood_to_recommend",
        "CSAT · csat",
        "CES · ces",
        "FCR · resolved_first_contact",
        "Response time (hours) · first_response_hours  median / p90, n",
    ]


def test_the_readme_example_has_segments_as_rows_and_periods_as_columns(example_report: list[str]) -> None:
    start = example_report.index("NPS · likelihood_to_recommend")
    header, rule, *rows = example_report[start + 1 : start + 7]
    assert header.split() == ["region", "all", "2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"]
    assert set(rule) == {"─"}
    assert [row.split()[0] for row in rows] == ["all", "APAC", "EU", "NA"]
    # value ±half the 95% interval, n, and "!" for fewer than 100 answers
    assert re.split(r"\s{2,}", rows[1]) == [
        "APAC", "+23.7 ±10.0 262", "+24.6 ±18.6", "65!", "+21.2 ±19.0", "66!", "+22.2 ±21.1", "63!",
        "+26.5 ±19.7", "68!",
    ]  # fmt: skip
    timed = example_report.index("Response time (hours) · first_response_hours  median / p90, n")
    assert example_report[timed + 3].split()[:4] == ["all", "3.43", "/", "12.41"]


def test_the_legend_explains_only_what_appears(example_report: list[str]) -> None:
    legend = example_report[example_report.index("", -9) + 1 :]
    assert legend == [
        "95% intervals: NPS adjusted Wald, CSAT and FCR Wilson, CES Student t, response times order",
        "statistics (distribution-free).",
        "Cells: value ±half the width of its 95% interval, then n (valid answers).",
        "! insufficient n: fewer than 100 valid answers, never tested.",
        "12 tests against the base period, p-values Holm-adjusted over all of them (adj): NPS difference of",
        "adjusted NPS (z), CSAT Newcombe hybrid score, FCR Newcombe hybrid score, CES Welch t; response "
        "times",
        "are not tested.",
    ]  # no period changed significantly, so no ▲ or ▼


def test_the_readme_shows_what_the_example_prints(example_report: list[str]) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Measures from raw data") :]
    block = section[section.index("```\nMeasures of ") + 4 :]
    shown = block[: block.index("```")].rstrip("\n").splitlines()
    assert shown == example_report


def test_markdown_has_the_same_shape(cli: Callable[..., Result]) -> None:
    from markdown_it import MarkdownIt

    markdown = ok(cli("measure", EXAMPLE, *README_ARGS, "-f", "markdown")).stdout
    assert markdown.count("\n## ") == 5
    assert "| region | all | 2024-Q1 | 2024-Q2 | 2024-Q3 | 2024-Q4 |" in markdown
    assert "| APAC | +23.7 ±10.0 n=262 | +24.6 ±18.6 n=65\\! |" in markdown
    assert "## Response time (hours) · first\\_response\\_hours (median / p90, n)" in markdown
    tokens = MarkdownIt("commonmark").enable("table").parse(markdown)
    tables = [token for token in tokens if token.type == "table_open"]
    rows = [token for token in tokens if token.type == "tr_open"]
    assert (len(tables), len(rows)) == (5, 5 * 5)
    assert len(markdown.splitlines()) <= 60


# Marks, gaps and fallbacks ----------------------------------------------------------------------------


def test_significant_changes_are_marked_in_their_cells() -> None:
    lines = laid_out(waves(3), 100)
    eu = next(line for line in lines if line.startswith("EU "))
    us = next(line for line in lines if line.startswith("US "))
    # The mark closes the cell, after the room for a "!" that other rows of the column need.
    assert eu.endswith("70.0% ±6.0 150  ▲  51.0% ±6.0 150")
    assert us.endswith("30.0% ±6.0  60! ▼")
    assert lines[-4:] == [
        "! insufficient n: fewer than 100 valid answers, never tested.",
        "4 tests against the base period, p-values Holm-adjusted over all of them (adj): FCR Newcombe hybrid",
        "score.",
        "▲ rise or ▼ fall: significant at 5% after adjustment.",
    ]
    markdown = render_markdown(waves(3))
    assert "| EU | 50.0% ±6.0 n=200 | 51.0% ±6.0 n=150 | 70.0% ±6.0 n=150 ▲ |" in markdown
    assert "▲ rise or ▼ fall" in markdown


def test_no_marks_no_legend_for_them() -> None:
    report = MeasureReport("one.csv", (result(n=500),), (), None, ())
    assert laid_out(report, 100) == [
        "Measures of one.csv",
        "",
        "Measure         Value          95% CI    n",
        "──────────────────────────────────────────",
        "FCR · resolved  50.0%  [45.0%, 57.0%]  500",
        "",
        "95% intervals: FCR Wilson.",
    ]
    times = MeasureResult(MeasureKind.response_time, "hours", None, 3.5, 500, 0, median=3.5, p90=9.0)
    lines = laid_out(MeasureReport("t.csv", (times,), (), None, ()), 100)
    assert lines[-3] == "Response time · hours    3.50                  9.00  500"  # no interval: none shown
    assert lines[-1] == "95% intervals: response times order statistics (distribution-free)."


def test_a_segment_without_a_period_leaves_its_cell_blank() -> None:
    report = waves(2, segments=("EU",))
    lonely = result(group={"region": "XX", "wave": "w01"}, value=None, n=0)
    report = MeasureReport(
        report.source,
        (*report.results, result(group={"region": "XX"}, value=None, n=0), lonely),
        ("region",),
        "wave",
    )
    line = next(line for line in laid_out(report, 100) if line.startswith("XX"))
    assert re.split(r"\s{2,}", line) == ["XX", "—", "0!", "—", "0!"]  # w02 blank, at the end of the line


def test_many_periods_are_rows(cli: Callable[..., Result], write: Callable[..., Path]) -> None:
    report = waves(13)
    lines = laid_out(report, 200)
    assert lines[3].split() == ["region", "wave", "Value", "95%", "CI", "n", "Change"]
    assert [line.split()[0] for line in lines[5:8]] == ["all", "w01", "w02"]
    assert "        w02   70.0%  [65.0%, 77.0%]  150   +20.0 p=0.010 ▲" in lines
    markdown = render_markdown(report)
    assert "| region | wave | Value | 95% CI | n | Change |" in markdown


def test_a_narrow_terminal_gets_a_row_per_period(example_report: list[str]) -> None:
    from cxscore.data import DataSource, compute_measures, specs_from_options

    specs = specs_from_options(["likelihood_to_recommend"], [], [], [], [], None)
    report = compute_measures(DataSource(paths=(str(EXAMPLE),)), specs, ["region"], "quarter")
    wide = laid_out(report, 100)
    assert wide[3].split() == ["region", "all", "2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"]
    narrow = laid_out(report, 80)
    assert max(cell_len(line) for line in narrow) <= 80
    assert narrow[3].split() == ["region", "quarter", "Value", "95%", "CI", "n", "Change"]
    assert narrow[5:7] == [
        "all     all      +28.2  [+22.4, +33.8]  773",
        "        2024-Q1  +30.7  [+19.3, +41.1]  199",
    ]


def test_several_by_columns_share_the_row_label() -> None:
    report = MeasureReport(
        "s.csv",
        (result(), result(group={"region": "EU", "channel": "web"}, n=120)),
        ("region", "channel"),
        None,
        (),
    )
    lines = laid_out(report, 100)
    assert lines[3].split()[:3] == ["region", "·", "channel"]
    assert lines[6].startswith("EU · web")


def test_long_names_give_way_only_when_the_line_is_too_long() -> None:
    name = "a segment with a very long name indeed, " * 3
    report = MeasureReport(
        "s.csv", (result(), result(group={"segment": name}, n=120)), ("segment",), None, ()
    )
    assert any(line.startswith(name.strip()) for line in laid_out(report, 200))
    narrow = laid_out(report, 60)
    assert max(cell_len(line) for line in narrow) <= 60
    assert any("…" in line for line in narrow)


def test_rendering_is_linear_in_the_number_of_groups() -> None:
    def report(groups: int) -> MeasureReport:
        results = [result(group={"segment": f"s{i}"}, n=150 + i % 7) for i in range(groups)]
        return MeasureReport("g.csv", (result(), *results), ("segment",), None, ())

    def seconds(groups: int) -> float:
        # CPU time of this process, not wall time: other work on a loaded machine does not count.
        built = report(groups)
        started = time.process_time()
        laid_out(built, 100)
        render_markdown(built)
        return time.process_time() - started

    small = min(seconds(2_000) for _ in range(3))
    large = min(seconds(20_000) for _ in range(2))
    assert large < 30 * small, (small, large)  # linear is about 10, quadratic about 100
