"""``-o FILE`` without ``--format`` writes the format the extension names; ``--format`` always wins."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import Result

from cxscore.render import format_for

ROOT = Path(__file__).resolve().parent.parent
SANTA = str(ROOT / "examples" / "santa.yaml")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("report.json", "json"),
        ("report.md", "markdown"),
        ("REPORT.MARKDOWN", "markdown"),
        ("report.csv", "csv"),
        ("report.html", "html"),
        ("report.htm", "html"),
        ("report.txt", "table"),
        ("report", "table"),
        ("dir.json/report", "table"),
        ("-", "table"),
    ],
)
def test_the_extension_names_the_format(name: str, expected: str) -> None:
    assert format_for("rate", None, name) == expected


def test_an_explicit_format_wins_and_commands_keep_their_own_formats() -> None:
    assert format_for("rate", "csv", "report.json") == "csv"
    assert format_for("measure", None, "report.html") == "table"  # measure has no html
    assert format_for("frameworks", None, "list.csv") == "table"  # nor frameworks csv
    assert format_for("frameworks", None, "list.md") == "markdown"
    assert format_for("rate", None, None) == "table"


def test_rate_writes_html_for_an_html_file(cli: Callable[..., Result], tmp_path: Path) -> None:
    target = tmp_path / "santa.html"
    result = cli("rate", SANTA, "-o", target)
    assert result.exit_code == 0, result.output
    assert target.read_text().startswith("<!DOCTYPE html>")


def test_rate_writes_json_for_a_json_file(cli: Callable[..., Result], tmp_path: Path) -> None:
    target = tmp_path / "santa.json"
    assert cli("rate", SANTA, "-o", target).exit_code == 0
    assert json.loads(target.read_text())["overall_percent"] == 68.0
