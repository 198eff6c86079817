"""`cxscore rank`: ordering, ties, --top, strongest/weakest, flat memory, and its reports."""

from __future__ import annotations

import json
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import Result

from cxscore.rank import RankEntry, rank_files

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
SANTA = EXAMPLES / "santa.yaml"
GRINCH = EXAMPLES / "grinch.yaml"
NORTH_POLE = EXAMPLES / "north-pole-logistics.yaml"

Cli = Callable[..., Result]


@pytest.fixture
def portfolio(write: Callable[..., Path]) -> Path:
    """Four brands; B and C tie at 60%."""
    write("brand: Alpha\nratings: {empathy: 5, consistency: 4, responsiveness: 3}\n", "p/a.yaml")
    write("brand: Bravo\nratings: {empathy: 3}\n", "p/b.yaml")
    write("brand: charlie\nratings: {empathy: 2, consistency: 4}\n", "p/c.yaml")
    return write("brand: Delta\nratings: {empathy: 1, first_contact_resolution: 2}\n", "p/d.yaml").parent


def test_leaderboard_order_and_competition_ranks(portfolio: Path) -> None:
    board = rank_files([str(portfolio)])
    assert [(e.rank, e.brand, e.overall_percent) for e in board.entries] == [
        (1, "Alpha", 80.0),
        (2, "Bravo", 60.0),  # ties are ordered by brand name, case-insensitively ...
        (2, "charlie", 60.0),  # ... and share their rank
        (4, "Delta", 30.0),
    ]


def test_strongest_and_weakest_metric(portfolio: Path) -> None:
    alpha, bravo = rank_files([str(portfolio)]).entries[:2]
    assert (alpha.strongest.id, alpha.strongest.score_percent) == ("empathy", 100.0)
    assert (alpha.weakest.id, alpha.weakest.score_percent) == ("responsiveness", 60.0)
    assert (alpha.rated_count, alpha.metric_count) == (3, 6)
    assert alpha.coverage_percent == 50.0
    # One metric rated: it is both the strongest and the weakest.
    assert bravo.strongest == bravo.weakest


def test_top_limits_the_report_not_the_ranking(cli: Cli, portfolio: Path) -> None:
    result = cli("rank", portfolio, "--top", "2", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["schema_version"] == 1
    assert data["total"] == 4
    assert [entry["brand"] for entry in data["ranking"]] == ["Alpha", "Bravo"]
    first = data["ranking"][0]
    assert first == {
        "rank": 1,
        "brand": "Alpha",
        "path": str(portfolio / "a.yaml"),
        "framework": "cx-six",
        "overall_percent": 80.0,
        # Nothing varies: no interval, no rank range.
        "overall_ci_low": None,
        "overall_ci_high": None,
        "rank_low": None,
        "rank_high": None,
        "p_above_next": None,
        "tied_with_next": None,
        "band": "Good",
        "coverage_percent": 50.0,
        "low_coverage": False,  # half the weight is not less than half
        "rated_metrics": 3,
        "metrics": 6,
        "strongest": {"id": "empathy", "name": "Empathy", "score_percent": 100.0},
        "weakest": {"id": "responsiveness", "name": "Responsiveness", "score_percent": 60.0},
    }


@pytest.mark.parametrize("top", ["0", "-3"])
def test_top_must_be_positive(cli: Cli, portfolio: Path, top: str) -> None:
    result = cli("rank", portfolio, "--top", top)
    assert result.exit_code == 2
    assert result.stderr == f"--top: expected at least 1, got {top}\n"


def test_rank_table(cli: Cli, portfolio: Path) -> None:
    result = cli("rank", portfolio, "--top", "3")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "CX leaderboard"
    assert lines[1].split() == ["#", "Brand", "Overall", "Band", "Coverage", "Strongest", "Weakest"]
    assert lines[3].split()[:5] == ["1", "Alpha", "80.0%", "Good", "50.0%"]
    assert lines[-2] == "4 brands ranked, top 3 shown · frameworks: cx-six (4)"
    assert lines[-1] == "! low coverage: the overall rests on less than half of the framework's weight."
    assert any(line.split()[4] == "33.3%" and line.split()[5] == "!" for line in lines[3:6])
    assert all(len(line) <= 80 for line in lines)


def test_rank_table_cuts_long_names_to_the_width(
    cli: Cli, write: Callable[..., Path], tmp_path: Path
) -> None:
    write("brand: " + "Very Long Brand Name " * 8 + "\nratings: {first_contact_resolution: 4}\n")
    target = tmp_path / "board.txt"
    assert cli("rank", tmp_path / "brand.yaml", "--output", target).exit_code == 0
    lines = target.read_text(encoding="utf-8").splitlines()
    assert all(len(line) <= 100 for line in lines)
    assert "Very Long Brand Name Very Long Brand Name" in lines[3]  # the name stays readable ...
    assert "…" in lines[3]  # ... cut with an ellipsis only once strongest and weakest made room
    assert "Strongest" not in lines[1]
    assert lines[3].split()[-3:] == ["Good", "16.7%", "!"]  # the scores stay whole


@pytest.mark.parametrize(("width", "shown"), [(100, ["Strongest", "Weakest"]), (80, ["Strongest"]), (60, [])])
def test_strongest_and_weakest_give_way_before_brand_names(
    cli: Cli, monkeypatch: pytest.MonkeyPatch, width: int, shown: list[str]
) -> None:
    monkeypatch.setenv("COLUMNS", str(width))
    lines = cli("rank", SANTA, GRINCH, NORTH_POLE).stdout.splitlines()
    assert [word for word in ("Strongest", "Weakest") if word in lines[1]] == shown
    left_out = [word for word in ("Strongest", "Weakest") if word not in shown]
    if left_out:  # said, not silently dropped
        assert f"{' and '.join(left_out)} left out to fit {width} columns" in lines
    assert "Grinch | Deliveries" in "\n".join(lines)  # names whole at 60 columns too
    assert all(len(line) <= width for line in lines)


def test_examples_rank_without_the_invalid_file(cli: Cli) -> None:
    # examples/invalid/broken.yaml sits in a subfolder so the directory ranks cleanly.
    result = cli("rank", SANTA, GRINCH, NORTH_POLE, "--format", "total")
    assert result.exit_code == 0, result.output
    assert result.stdout == "70.8\tNorth Pole Logistics\n68.0\tSanta Claus\n36.7\tGrinch | Deliveries\n"


def test_invalid_file_fails_the_whole_ranking(cli: Cli, portfolio: Path, write: Callable[..., Path]) -> None:
    write("brand: Broken\nratings: {empathie: 4}\n", "p/e.yaml")
    target = portfolio / "board.csv"
    result = cli("rank", portfolio, "--format", "csv", "--output", target)
    assert result.exit_code == 2
    assert result.stderr == (
        f"{portfolio / 'e.yaml'}:2:11: ratings: unknown metric 'empathie' in cx-six; "
        "did you mean 'empathy'?\n"
    )
    assert not target.exists()


def test_memory_stays_flat(tmp_path: Path) -> None:
    """Only a small summary per brand is kept: no documents, models or full scorecards."""
    folder = tmp_path / "many"
    folder.mkdir()
    ids = ["first_contact_resolution", "empathy", "responsiveness", "feedback_capture", "consistency"]
    for number in range(400):
        ratings = ", ".join(f"{metric}: {1 + (number + i) % 5}" for i, metric in enumerate(ids))
        (folder / f"b{number:04d}.yaml").write_text(
            f"brand: Brand {number}\nnotes: {'A long note. ' * 40}\nratings: {{{ratings}}}\n",
            encoding="utf-8",
        )
    rank_files([str(folder)])  # warm up: imports and the framework cache are not per-brand costs
    tracemalloc.start()
    try:
        board = rank_files([str(folder)])
        retained, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(board.entries) == 400
    assert retained / 400 < 2_000  # bytes per brand kept (about 1 KB: the summary, not the 500-byte note)
    assert peak - retained < 2_000_000  # what one file costs while it is read, not what all of them do


def test_entries_hold_no_documents() -> None:
    entry = rank_files([str(SANTA)]).entries[0]
    assert isinstance(entry, RankEntry)
    assert not hasattr(entry, "__dict__")  # slots: nothing else can hang on to it
    assert all(isinstance(name, str) and isinstance(score, float) for name, score in entry.metric_scores)
