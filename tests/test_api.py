"""The Python API returns the records the command line renders; each to_dict() is its JSON output."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import Result

import cxscore
from cxscore.errors import CxScoreError

ROOT = Path(__file__).resolve().parent.parent
SANTA, GRINCH = ROOT / "examples" / "santa.yaml", ROOT / "examples" / "grinch.yaml"
SURVEY = ROOT / "examples" / "data" / "survey-by-region.csv"

Cli = Callable[..., Result]


def cli_json(cli: Cli, *args: str | Path) -> object:
    result = cli(*args, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_score_reproduces_santa() -> None:
    (santa,) = cxscore.score(SANTA)
    assert santa.overall_percent == 68.0
    assert santa.band == "OK"


def test_rate_to_dict_is_the_json_report(cli: Cli) -> None:
    report = cxscore.rate(SANTA, what_if={"empathy": 5})
    assert report.to_dict() == cli_json(cli, "rate", SANTA, "--what-if", "empathy=5")
    several = cxscore.rate(SANTA, GRINCH)
    assert several.to_dict() == cli_json(cli, "rate", SANTA, GRINCH)


def test_compare_and_rank_to_dict_are_the_json_reports(cli: Cli) -> None:
    assert cxscore.compare_brands(SANTA, GRINCH).to_dict() == cli_json(cli, "compare", SANTA, GRINCH)
    assert cxscore.rank_brands(ROOT / "examples", top=2).to_dict() == cli_json(
        cli, "rank", ROOT / "examples", "--top", "2"
    )


def test_measure_to_dict_is_the_json_report(cli: Cli) -> None:
    report = cxscore.measure(SURVEY, nps=["likelihood_to_recommend"], by=["region"], trend="quarter")
    expected = cli_json(
        cli, "measure", SURVEY, "--nps", "likelihood_to_recommend", "--by", "region", "--trend", "quarter"
    )
    assert report.to_dict() == expected


def test_drivers_to_dict_is_the_json_report(cli: Cli) -> None:
    survey = ROOT / "examples/data/drivers-survey.csv"
    drivers = ["empathy=empathy", "consistency", "responsiveness=responsiveness"]
    report = cxscore.drivers(
        survey, outcome="likelihood_to_recommend", drivers=drivers, replicates=30, seed=4
    )
    options = [arg for driver in drivers for arg in ("--driver", driver)]
    expected = cli_json(
        cli,
        "drivers",
        survey,
        "--outcome",
        "likelihood_to_recommend",
        *options,
        "--replicates",
        "30",
        "--seed",
        "4",
    )
    assert report.to_dict() == expected


def test_frameworks_are_the_bundled_ones() -> None:
    assert [framework.id for framework in cxscore.frameworks()] == [
        "closed-loop",
        "cx-index",
        "cx-kpis",
        "cx-maturity",
        "cx-six",
        "delight-practice",
        "loyalty-design",
        "loyalty-program",
        "retention",
        "six-pillars",
    ]


def test_bad_input_raises_with_located_issues(tmp_path: Path) -> None:
    path = tmp_path / "brand.yaml"
    path.write_text("brand: A\nratings: {empathy: 9}\n")
    with pytest.raises(CxScoreError) as caught:
        cxscore.score(path)
    assert [issue.format() for issue in caught.value.issues] == [
        f"{path}:2:20: ratings.empathy: 9 is outside the cx-six scale 1–5"
    ]


def test_the_api_survives_its_modules_being_imported() -> None:
    import cxscore.compare
    import cxscore.rank  # noqa: F401 - a submodule import sets an attribute on the package

    assert callable(cxscore.compare_brands)
    assert callable(cxscore.rank_brands)
    assert callable(cxscore.brand_history)


def test_unknown_names_are_attribute_errors() -> None:
    with pytest.raises(AttributeError):
        cxscore.nothing_here  # noqa: B018


def test_brand_history_to_dict_is_the_json_report(cli: Cli) -> None:
    history = ROOT / "examples" / "history"
    assert cxscore.brand_history(history).to_dict() == cli_json(cli, "history", history)
