"""`cxscore compare`: the comparison core, its caveats, and its reports."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import Result

from cxscore.compare import compare_results
from cxscore.scorecard import score_files

ROOT = Path(__file__).resolve().parent.parent
SANTA = ROOT / "examples" / "santa.yaml"
GRINCH = ROOT / "examples" / "grinch.yaml"
NORTH_POLE = ROOT / "examples" / "north-pole-logistics.yaml"

Cli = Callable[..., Result]


def test_two_brands_best_per_metric_and_delta() -> None:
    comparison = compare_results(score_files([str(SANTA), str(GRINCH)]))
    assert comparison.same_framework
    assert comparison.has_delta
    rows = {row.id: row for row in comparison.rows}
    assert [row.id for row in comparison.rows] == [
        "first_contact_resolution",
        "empathy",
        "responsiveness",
        "feedback_capture",
        "consistency",
        "personalization",
    ]
    assert rows["first_contact_resolution"].scores == (100.0, 20.0)
    assert rows["first_contact_resolution"].best == (0,)
    assert rows["first_contact_resolution"].delta == pytest.approx(-80.0)
    # Rated by one brand only: nobody is "best" and there is no delta to show.
    assert rows["personalization"].scores == (None, 60.0)
    assert rows["personalization"].best == ()
    assert rows["personalization"].delta is None
    assert comparison.overall.scores == (68.0, pytest.approx(36.6666667))
    assert comparison.overall.delta == pytest.approx(-31.3333333)
    assert comparison.overall.best == (0,)


def test_differing_rated_sets_are_flagged() -> None:
    comparison = compare_results(score_files([str(SANTA), str(GRINCH)]))
    assert comparison.rated_sets_differ
    assert [row.id for row in comparison.uneven] == ["personalization"]
    assert comparison.notes() == [
        "Rated sets differ (Personalization rated by some brands only): the overall percentages rest on "
        "different denominators."
    ]


def test_same_rated_sets_carry_no_caveat(write: Callable[..., Path]) -> None:
    a = write("brand: A\nratings: {empathy: 3, consistency: 4}\n", "a.yaml")
    b = write("brand: B\nratings: {empathy: 5, consistency: 2}\n", "b.yaml")
    comparison = compare_results(score_files([str(a), str(b)]))
    assert not comparison.rated_sets_differ
    assert comparison.notes() == []
    # Both at 70%: a tie has no best brand.
    assert comparison.overall.scores == (70.0, 70.0)
    assert comparison.overall.best == ()


def test_different_frameworks_are_compared_on_shared_metrics() -> None:
    comparison = compare_results(score_files([str(SANTA), str(NORTH_POLE)]))
    assert not comparison.same_framework
    assert comparison.frameworks == ("cx-six", "six-pillars")
    assert [row.id for row in comparison.rows] == ["empathy"]
    # cx-six scores points (4 of 5 = 80%), six-pillars the position on the scale (3 of 1..5 = 50%).
    assert comparison.rows[0].scores == (80.0, 50.0)
    assert comparison.overall.best == (1,)
    assert [len(excluded) for excluded in comparison.excluded] == [5, 5]
    assert comparison.notes()[0] == (
        "Different frameworks (cx-six, six-pillars): compared on the 1 metric they share (Empathy); "
        "each overall is on the brand's own framework."
    )


def test_three_brands_have_no_delta_and_ties_share_best(write: Callable[..., Path]) -> None:
    a = write("brand: A\nratings: {empathy: 5}\n", "a.yaml")
    b = write("brand: B\nratings: {empathy: 5}\n", "b.yaml")
    c = write("brand: C\nratings: {empathy: 2}\n", "c.yaml")
    comparison = compare_results(score_files([str(a), str(b), str(c)]))
    assert not comparison.has_delta
    empathy = comparison.rows[1]
    assert empathy.best == (0, 1)
    assert empathy.delta is None


def test_weight_overrides_are_flagged(write: Callable[..., Path]) -> None:
    a = write("brand: A\nratings: {empathy: 3}\n", "a.yaml")
    b = write("brand: B\nweights: {empathy: 3}\nratings: {empathy: 5}\n", "b.yaml")
    comparison = compare_results(score_files([str(a), str(b)]))
    assert comparison.notes() == ["Weights differ between brands for: Empathy."]


def test_compare_needs_two_brands(cli: Cli) -> None:
    result = cli("compare", SANTA)
    assert result.exit_code == 2
    assert result.stderr == "compare: needs at least two brands; 1 brand was given\n"


def test_compare_json_reuses_the_rate_objects(cli: Cli) -> None:
    result = cli("compare", SANTA, GRINCH, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["schema_version"] == 1
    rate = json.loads(cli("rate", SANTA, GRINCH, "--format", "json").stdout)
    assert data["brands"] == rate["brands"]
    assert data["brands"] == [r.to_dict() for r in score_files([str(SANTA), str(GRINCH)])]
    section = data["comparison"]
    assert section["same_framework"] is True
    assert section["rated_sets_differ"] is True
    assert section["unevenly_rated"] == ["personalization"]
    assert section["overall"]["best"] == [0]
    assert section["overall"]["delta"] == pytest.approx(-31.3333333)
    empathy = next(m for m in section["metrics"] if m["id"] == "empathy")
    assert empathy == {
        "id": "empathy",
        "name": "Empathy",
        "scores": [80.0, 40.0],
        "best": [0],
        "delta": -40.0,
    }


def test_compare_table(cli: Cli) -> None:
    result = cli("compare", SANTA, NORTH_POLE, GRINCH)
    assert result.exit_code == 0, result.output
    out = " ".join(result.stdout.split())  # the caveat wraps at the terminal's width
    assert "CX comparison of 3 brands" in out
    assert "compared on the 1 metric they share (Empathy)" in out
    assert "80.0% 4/5 ★" in out
    assert "Δ" not in out


def test_compare_table_two_brands_has_delta(cli: Cli) -> None:
    result = cli("compare", SANTA, GRINCH)
    assert result.exit_code == 0, result.output
    assert "Δ 2 − 1" in result.stdout
    assert "-31.3" in result.stdout
    assert "Rated sets differ" in result.stdout


def test_compare_directories_expand(cli: Cli, write: Callable[..., Path]) -> None:
    write("brand: A\nratings: {empathy: 3}\n", "dir/a.yaml")
    path = write("brand: B\nratings: {empathy: 4}\n", "dir/b.yaml")
    result = cli("compare", path.parent, "--format", "total")
    assert result.exit_code == 0, result.output
    assert result.stdout == "60.0\tA\n80.0\tB\n"


def test_compare_invalid_input_reports_every_file(cli: Cli, write: Callable[..., Path]) -> None:
    bad = write("brand: A\nratings: {empathy: 9}\n", "a.yaml")
    result = cli("compare", SANTA, bad, ROOT / "examples" / "nowhere.yaml")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"{ROOT / 'examples' / 'nowhere.yaml'}: no such file or directory",
        f"{bad}:2:20: ratings.empathy: 9 is outside the cx-six scale 1–5",
    ]


def test_the_star_never_shifts_a_column(
    cli: Cli, write: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    first = write("brand: First\nratings: {empathy: 5, consistency: 2}\n", "first.yaml")
    second = write("brand: Second\nratings: {empathy: 3, consistency: 4}\n", "second.yaml")
    lines = cli("compare", first, second).stdout.splitlines()
    empathy = next(line for line in lines if line.startswith("Empathy"))  # First's ★
    consistency = next(line for line in lines if line.startswith("Consistency"))  # Second's ★
    # With or without a ★, the numbers of a column end in the same place.
    assert empathy.index("5/5") == consistency.index("2/5")
    assert empathy.index("3/5") == consistency.index("4/5")
