"""Regression tests for hostile or extreme input found in review: each once crashed or misled."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import Result

from cxscore.render.numbers import format_delta, format_number, format_value

FRAMEWORK = """
id: hostile
name: Hostile
bands: [{name: All, min: 0}]
metrics:
  - {id: odd, name: "oops [/x] [link=http://evil]click[/link]", weight: 1}
  - id: wait
    name: Wait
    measure: {name: response_time, unit: "\\e[2J"}
    curve: {type: lognormal, p10: 1, median: 12, source: s}
"""


def test_markup_in_metric_names_is_literal_in_compare_and_baseline(
    write: Callable[..., Path], cli: Callable[..., Result]
) -> None:
    write(FRAMEWORK, "hostile.yaml")
    a = write("brand: A\nframework: hostile.yaml\nratings: {odd: 3, wait: 5}\n", "a.yaml")
    b = write("brand: B\nframework: hostile.yaml\nratings: {odd: 4, wait: 2}\n", "b.yaml")
    compared = cli("compare", a, b)
    assert compared.exit_code == 0, compared.output
    assert "oops [/x] [link=http://evil]click[/link]" in compared.stdout
    baseline = cli("rate", a, "--baseline", b)
    assert baseline.exit_code == 0, baseline.output
    assert "oops [/x]" in baseline.stdout


def test_escape_sequence_in_a_unit_is_made_visible(
    write: Callable[..., Path], cli: Callable[..., Result]
) -> None:
    write(FRAMEWORK.replace('unit: "\\e[2J"', 'unit: "\\e[2"'), "hostile.yaml")
    brand = write("brand: A\nframework: hostile.yaml\nratings: {wait: 5}\n")
    result = cli("rate", brand)
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.stdout
    assert "\\x1b[2" in result.stdout


def test_huge_measured_values_do_not_crash_the_report(
    write: Callable[..., Path], cli: Callable[..., Result]
) -> None:
    write(FRAMEWORK, "hostile.yaml")
    brand = write(
        "brand: A\nframework: hostile.yaml\nratings: {wait: {value: 1e30, ci_low: 1, ci_high: 1e40}}\n"
    )
    for output_format in ("table", "markdown", "html", "json", "csv"):
        result = cli("rate", brand, "--format", output_format)
        assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("value", "shown", "delta"),
    [(-0.0, "0.0", "0.0"), (-99.97, "-99.9", "-99.9"), (-0.02, "-0.1", "-0.1"), (1e30, "1e+30", "+1e+30")],
)
def test_display_rounding_is_symmetric(value: float, shown: str, delta: str) -> None:
    assert format_number(value) == shown
    assert format_delta(value) == delta


def test_huge_value_display() -> None:
    assert format_value(1e30) == "1e+30"


def test_output_to_a_directory_is_one_line(tmp_path: Path, cli: Callable[..., Result]) -> None:
    santa = Path(__file__).resolve().parent.parent / "examples" / "santa.yaml"
    result = cli("rate", santa, "-o", tmp_path)
    assert result.exit_code == 2
    assert result.stderr == f"{tmp_path}: cannot write: it is a directory; name a file\n"


def test_share_needs_a_condition(write: Callable[..., Path], cli: Callable[..., Result]) -> None:
    write(
        "id: loyal\nname: Loyal\nbands: [{name: All, min: 0}]\nmetrics:\n"
        "  - {id: enrol, name: Enrol, measure: {name: share},\n"
        "     curve: {type: linear, worst: 0, best: 50, source: s}}\n",
        "loyal.yaml",
    )
    brand = write("brand: A\nframework: loyal.yaml\nratings: {enrol: 30}\n")
    result = cli("rate", brand)
    assert result.exit_code == 2
    assert "a share measure needs 'where'" in result.stderr
    assert result.stderr.startswith(f"{brand.parent / 'loyal.yaml'}:5:")


def test_not_equal_never_matches_blank_cells(write: Callable[..., Path]) -> None:
    pytest.importorskip("cxscore.data.compute")
    from cxscore.data import DataSource, MetricMeasure, compute_metric_value

    data = write("member,x\ntrue,1\nfalse,1\n,1\n", "rows.csv")
    share = compute_metric_value(
        MetricMeasure(name="share", where="member != true"), DataSource(paths=(str(data),))
    )
    assert share.value == pytest.approx(100 * 1 / 3)  # only the 'false' row; the blank one matches neither
