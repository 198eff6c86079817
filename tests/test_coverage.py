"""A score that rests on less than half of the framework's weight says so in every format, and
--min-coverage turns that into a gate."""

from __future__ import annotations

import csv
import html
import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import Result

Cli = Callable[..., Result]
ONE_METRIC = "brand: Thin\nratings: {empathy: 4}\n"  # 1 of 6 equally weighted metrics: 16.7%
WARNING = "rests on 16.7% of the framework's weight (less than half)"


@pytest.mark.parametrize("output_format", ["table", "markdown", "html"])
def test_low_coverage_is_visible_in_the_report(
    cli: Cli, write: Callable[..., Path], output_format: str
) -> None:
    result = cli("rate", write(ONE_METRIC), "--format", output_format)
    assert result.exit_code == 0, result.output
    shown = html.unescape(result.stdout).replace("│", " ")  # the terminal's panel border; HTML entities
    assert WARNING in " ".join(shown.split())


def test_low_coverage_is_a_field_in_json_and_csv(cli: Cli, write: Callable[..., Path]) -> None:
    path = write(ONE_METRIC)
    assert json.loads(cli("rate", path, "--format", "json").stdout)["low_coverage"] is True
    rows = list(csv.DictReader(io.StringIO(cli("rate", path, "--format", "csv").stdout)))
    assert {row["low_coverage"] for row in rows} == {"true"}


def test_full_coverage_has_no_warning(cli: Cli) -> None:
    santa = Path(__file__).resolve().parent.parent / "examples" / "santa.yaml"  # 5 of 6: 83.3%
    result = cli("rate", santa)
    assert "Low coverage" not in result.stdout
    assert json.loads(cli("rate", santa, "--format", "json").stdout)["low_coverage"] is False


@pytest.mark.parametrize("command", ["rate", "rank", "compare"])
def test_min_coverage_gate(cli: Cli, write: Callable[..., Path], command: str) -> None:
    thin = write(ONE_METRIC)
    full = write("brand: Full\nratings: {empathy: 4, consistency: 3, responsiveness: 5}\n", "full.yaml")
    paths = [thin, full] if command == "compare" else [thin]
    result = cli(command, *paths, "--min-coverage", "50", "--format", "json")
    assert result.exit_code == 1, result.output
    assert result.stdout  # the report comes first
    assert result.stderr == f"{thin}: Thin: coverage 16.7% is below 50% [--min-coverage]\n"
    assert cli(command, *paths, "--min-coverage", "10", "--format", "json").exit_code == 0


def test_min_coverage_must_be_a_percentage(cli: Cli, write: Callable[..., Path]) -> None:
    result = cli("rate", write(ONE_METRIC), "--min-coverage", "150")
    assert result.exit_code == 2
    assert result.stderr == "--min-coverage: expected a percentage from 0 to 100, got 150\n"
