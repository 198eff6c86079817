"""Portfolios written as they are scored or read back: the same reports, and nothing on failure."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import Result

from cxscore.gating import Gates
from cxscore.report import build_rate_report, stream_rate_report, streams
from cxscore.scorecard import score_files

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


@pytest.fixture
def portfolio(tmp_path: Path) -> Path:
    """The rated examples (one measured brand needs its data folder beside it)."""
    folder = tmp_path / "brands"
    folder.mkdir()
    for name in ("santa.yaml", "grinch.yaml", "north-pole-logistics.yaml"):
        shutil.copy(EXAMPLES / name, folder / name)
    return folder


@pytest.mark.parametrize("output_format", ["json", "csv", "total"])
def test_a_streamed_portfolio_is_the_report_made_whole(
    output_format: str, portfolio: Path, cli: Callable[..., Result], tmp_path: Path
) -> None:
    """The streamed command output against the renderer of the whole report, written here directly."""
    from cxscore.render import renderer

    assert streams(output_format, [str(portfolio)], [], None)
    whole = renderer("rate", output_format)(build_rate_report([str(portfolio)]))
    streamed = cli("rate", portfolio, "-f", output_format)
    assert streamed.exit_code == 0, streamed.output
    assert streamed.stdout == whole
    written = tmp_path / f"report.{output_format}"
    assert cli("rate", portfolio, "-f", output_format, "-o", written).exit_code == 0
    assert written.read_text(encoding="utf-8") == whole


def test_a_bad_file_after_good_ones_leaves_standard_output_empty(
    portfolio: Path, cli: Callable[..., Result]
) -> None:
    (portfolio / "zz-broken.yaml").write_text("brand: Broken\nratings: {empathy: 9}\n", encoding="utf-8")
    result = cli("rate", portfolio, "-f", "json")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "zz-broken.yaml:2:" in result.stderr


def test_gates_see_every_streamed_brand(portfolio: Path, cli: Callable[..., Result]) -> None:
    result = cli("rate", portfolio, "-f", "json", "--fail-under", "50")
    assert result.exit_code == 1
    assert '"brand": "Grinch' in result.stdout  # the report is whole before the gate fails
    failed = [line for line in result.stderr.splitlines() if "--fail-under" in line]
    expected = Gates(fail_under=50).check(score_files([str(portfolio)]))
    assert len(failed) == len(expected) == 1


def test_the_stream_is_read_once_and_in_order(portfolio: Path) -> None:
    results = stream_rate_report([str(portfolio)]).results
    assert [r.brand for r in results] == [r.brand for r in score_files([str(portfolio)])]
    assert list(results) == []  # a stream: what has been read is gone


def test_what_if_baseline_and_one_file_are_not_streamed(portfolio: Path) -> None:
    assert not streams("json", [str(portfolio / "santa.yaml")], [], None)
    assert not streams("json", [str(portfolio)], ["empathy=5"], None)
    assert not streams("json", [str(portfolio)], [], portfolio / "santa.yaml")
    assert not streams("table", [str(portfolio)], [], None)


@pytest.mark.parametrize("output_format", ["json", "csv", "total"])
def test_a_streamed_report_never_lands_on_a_brand_file_it_read(
    output_format: str, portfolio: Path, cli: Callable[..., Result], tmp_path: Path
) -> None:
    """The brands are read while the report is made: the place -o names is checked again after."""
    santa = portfolio / "santa.yaml"
    before = santa.read_bytes()
    link = tmp_path / "link.yaml"
    link.symlink_to(santa)
    for target in (santa, link):
        result = cli("rate", portfolio, "-f", output_format, "-o", target)
        assert result.exit_code == 2
        assert "refusing to write the report over a file this run read" in result.stderr
        assert santa.read_bytes() == before


def test_undecodable_file_names_are_written_as_they_are(portfolio: Path, tmp_path: Path) -> None:
    """A name Python holds with surrogates (bytes that are not UTF-8) goes out as its own bytes."""
    import os
    import subprocess
    import sys

    (portfolio / "grinch.yaml").rename(os.fsdecode(os.fsencode(portfolio) + b"/gr\xffinch.yaml"))
    for arguments in (["rate", "-f", "json"], ["rate", "-f", "csv", "-o", str(tmp_path / "r.csv")]):
        done = subprocess.run(
            [sys.executable, "-m", "cxscore", arguments[0], str(portfolio), *arguments[1:]],
            capture_output=True,
            cwd=ROOT,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        written = done.stdout if len(arguments) == 3 else (tmp_path / "r.csv").read_bytes()
        assert b"gr\xffinch.yaml" in written


def test_the_leaderboard_footer_does_not_depend_on_the_folder_order(
    portfolio: Path, cli: Callable[..., Result]
) -> None:
    """Files are ranked in the directory's own order; frameworks of equal count are listed by id."""
    result = cli("rank", portfolio, "-f", "markdown")
    assert result.exit_code == 0, result.output
    assert "`cx-six` (2), `six-pillars` (1)" in result.stdout
