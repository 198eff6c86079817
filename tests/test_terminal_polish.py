"""The terminal report, polished: units beside values, intervals one way, lifts that wrap under
themselves, and no trailing blanks in a file or a pipe."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import Result

from cxscore.render.numbers import format_interval, short_unit

ROOT = Path(__file__).resolve().parent.parent
LOYALTY = ROOT / "examples" / "data" / "acme-loyalty.yaml"

Cli = Callable[..., Result]


@pytest.fixture
def loyalty_report(cli: Cli, tmp_path: Path) -> list[str]:
    target = tmp_path / "report.txt"
    result = cli("rate", LOYALTY, "-o", target)
    assert result.exit_code == 0, result.output
    return target.read_text(encoding="utf-8").splitlines()


def test_values_carry_their_units(loyalty_report: list[str]) -> None:
    rows = {line.split("  ")[0]: line for line in loyalty_report if "%" in line or "0.41" in line}
    assert "44.5%" in rows["Enrolment rate"]  # % of active customers
    assert "0.41" in rows["Points redemption rate"]  # a share: no unit to show
    assert "18.7 pp" in rows["Retention of members against non-members"]  # percentage points


def test_intervals_read_one_way(loyalty_report: list[str]) -> None:
    assert any("[14.8, 35.0] n=262" in line for line in loyalty_report)
    assert format_interval(0.25, 0.5, None) == "[0.25, 0.50]"
    assert format_interval(-0.04, 12.0, 40) == "[0.0, 12.0] n=40"  # one decimal for both; no "-0.0"
    assert format_interval(0.123, 0.5, None) == "[0.12, 0.50]"


@pytest.mark.parametrize(
    ("unit", "short"),
    [
        ("%", "%"),
        ("% of active customers", "%"),
        ("percentage points", "pp"),
        ("points", "points"),
        ("points of CLV index", "pts"),
        ("hours", "hours"),
        ("share of points", None),
        (None, None),
    ],
)
def test_short_units(unit: str | None, short: str | None) -> None:
    assert short_unit(unit) == short


def test_no_trailing_blanks_in_a_file(loyalty_report: list[str]) -> None:
    assert all(line == line.rstrip() for line in loyalty_report)


def test_a_long_lift_wraps_under_itself(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    lines = cli("rate", LOYALTY).stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if "Points redemption rate 0.41" in line)
    assert lines[start].startswith("  ▲ ")
    assert lines[start + 1].startswith("    ")  # the wrapped rest stays under the text, not the margin
    assert lines[start + 1].strip().endswith("%")
