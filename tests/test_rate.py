"""`cxscore rate`, `validate`, `schema` and `frameworks` end to end."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import Result

from cxscore.render.terminal import build_report
from cxscore.scorecard import score_files

ROOT = Path(__file__).resolve().parent.parent
SANTA = ROOT / "examples" / "santa.yaml"
GOLDEN = Path(__file__).resolve().parent / "golden"

METRIC_KEYS = {"id", "name", "rating", "weight", "score_percent", "points_lost", "rated", "note"}
BRAND_KEYS = {"brand", "framework", "overall_percent", "band", "coverage_percent", "metrics"}


def render_terminal(paths: list[str], details: bool = False) -> str:
    console = Console(file=io.StringIO(), width=100, color_system=None, highlight=False)
    console.print(build_report(score_files(paths), details=details))
    return console.file.getvalue()  # type: ignore[attr-defined]


@pytest.mark.parametrize("details", [False, True], ids=["plain", "details"])
def test_terminal_report_golden(details: bool, update_golden: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    text = render_terminal(["examples/santa.yaml"], details=details)
    golden = GOLDEN / f"santa_terminal{'_details' if details else ''}.txt"
    if update_golden:
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


def test_rate_table_shows_everything_needed(cli: Callable[..., Result]) -> None:
    result = cli("rate", SANTA)
    assert result.exit_code == 0, result.output
    for expected in ("Santa Claus", "68.0%", "OK", "83.3%", "Not rated: Personalization", "+12.0 pts"):
        assert expected in result.stdout


def test_json_contract_single_file(cli: Callable[..., Result]) -> None:
    result = cli("rate", SANTA, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["schema_version"] == 1
    assert data.keys() >= BRAND_KEYS
    assert data["overall_percent"] == 68.0
    assert data["band"] == "OK"
    assert data["coverage_percent"] == pytest.approx(83.333333333)
    assert all(metric.keys() >= METRIC_KEYS for metric in data["metrics"])
    empathy = next(m for m in data["metrics"] if m["id"] == "empathy")
    assert empathy == {
        **{k: empathy[k] for k in empathy.keys() - METRIC_KEYS},
        "id": "empathy",
        "name": "Empathy",
        "rating": 4,
        "weight": 1.0,
        "score_percent": 80.0,
        "points_lost": 4.0,
        "rated": True,
        "note": "Deciphers even illegible wish lists -- but the pony never came.",
    }
    personalization = data["metrics"][-1]
    assert personalization["rated"] is False
    assert personalization["rating"] is None
    assert personalization["score_percent"] is None


def test_json_contract_several_files_in_order(cli: Callable[..., Result], write: Callable[..., Path]) -> None:
    other = write("brand: Other\nratings: {empathy: 2}\n", "other.yaml")
    result = cli("rate", other, SANTA, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["schema_version"] == 1
    assert [b["brand"] for b in data["brands"]] == ["Other", "Santa Claus"]
    assert data["brands"][0]["overall_percent"] == 40.0


def test_directory_expands_sorted(cli: Callable[..., Result], write: Callable[..., Path]) -> None:
    write("brand: Bee\nratings: {empathy: 2}\n", "portfolio/b.yaml")
    write("brand: Ay\nratings: {empathy: 5}\n", "portfolio/a.yml")
    path = write("not yaml", "portfolio/readme.txt")
    result = cli("rate", path.parent, "--format", "json")
    assert result.exit_code == 0, result.output
    assert [b["brand"] for b in json.loads(result.stdout)["brands"]] == ["Ay", "Bee"]


def test_output_file_is_written(cli: Callable[..., Result], tmp_path: Path) -> None:
    target = tmp_path / "santa.md"
    result = cli("rate", SANTA, "--format", "markdown", "--output", target)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert "**Overall: 68.0% (OK)**" in target.read_text()
    assert [p.name for p in tmp_path.iterdir()] == ["santa.md"]


def test_table_output_to_file_has_no_colour_codes(cli: Callable[..., Result], tmp_path: Path) -> None:
    target = tmp_path / "santa.txt"
    assert cli("rate", SANTA, "--output", target).exit_code == 0
    text = target.read_text()
    assert "68.0%" in text
    assert "\x1b" not in text


def test_hostile_text_is_shown_literally(cli: Callable[..., Result], write: Callable[..., Path]) -> None:
    path = write(
        'brand: "Acme [/] [bold red]x[/bold red] \\e[2J\\e]8;;http://evil\\e\\\\link"\n'
        "ratings:\n  empathy: {rating: 3, note: '[link=http://evil]click[/link]'}\n"
    )
    result = cli("rate", path, "--details")
    assert result.exit_code == 0, result.output
    assert "Acme [/] [bold red]x[/bold red]" in result.stdout
    assert "[link=http://evil]click[/link]" in result.stdout
    assert "\x1b" not in result.stdout
    assert "\\x1b[2J" in result.stdout


def test_validate_ok(cli: Callable[..., Result]) -> None:
    result = cli("validate", SANTA, ROOT / "examples" / "santa.yaml")
    assert result.exit_code == 0, result.output
    assert result.stderr == "2 files valid\n"


def test_framework_by_path(cli: Callable[..., Result], write: Callable[..., Path]) -> None:
    write(
        """
        id: tiny
        name: Tiny
        scale: {min: 0, max: 10}
        scoring: minmax
        bands: [{name: Fine, min: 0}]
        metrics:
          - {id: speed, name: Speed, weight: 3}
          - {id: care, name: Care}
        """,
        "frameworks/tiny.yaml",
    )
    brand = write("brand: T\nframework: frameworks/tiny.yaml\nratings: {speed: 10, care: 2}\n")
    result = cli("rate", brand, "--format", "json")
    assert result.exit_code == 0, result.output
    # (3 * 10/10 + 1 * 2/10) / 4 = 3.2 / 4 = 80%.
    assert json.loads(result.stdout)["overall_percent"] == pytest.approx(80.0)


def test_invalid_framework_file_is_located(cli: Callable[..., Result], write: Callable[..., Path]) -> None:
    write(
        "id: tiny\nname: Tiny\nbands: [{name: A, min: 10}]\nmetrics:\n  - {id: speed, name: Speed}\n",
        "tiny.yaml",
    )
    brand = write("brand: T\nframework: tiny.yaml\nratings: {speed: 3}\n")
    result = cli("rate", brand)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0].endswith(
        "tiny.yaml:3:8: bands: the lowest band must start at min: 0 so every score has a band"
    )


def test_missing_framework_file(cli: Callable[..., Result], write: Callable[..., Path]) -> None:
    brand = write("brand: T\nframework: nowhere/fw.yaml\nratings: {speed: 3}\n")
    result = cli("rate", brand)
    assert result.exit_code == 2
    assert result.stderr.endswith(":2:12: framework file 'nowhere/fw.yaml' not found next to this file\n")


def test_schema_is_json_schema_of_the_brand_file(cli: Callable[..., Result]) -> None:
    result = cli("schema")
    assert result.exit_code == 0, result.output
    schema = json.loads(result.stdout)
    assert schema["type"] == "object"
    assert {"brand", "framework", "ratings", "weights", "assessed"} <= schema["properties"].keys()
    assert schema["required"] == ["brand", "ratings"]  # no ratings: nothing to score
    assert schema["additionalProperties"] is False


def test_frameworks_list_and_show(cli: Callable[..., Result]) -> None:
    listing = cli("frameworks")
    assert listing.exit_code == 0, listing.output
    assert "cx-six" in listing.stdout
    assert "six-pillars" in listing.stdout
    shown = cli("frameworks", "show", "six-pillars")
    assert shown.exit_code == 0, shown.output
    assert "Time and effort" in shown.stdout
    assert "minmax" in shown.stdout
    unknown = cli("frameworks", "show", "cx-sx")
    assert unknown.exit_code == 2
    assert "unknown framework 'cx-sx'; did you mean 'cx-six'?" in unknown.stderr


def test_version(cli: Callable[..., Result]) -> None:
    from cxscore import __version__

    result = cli("--version")
    assert result.exit_code == 0
    assert result.stdout == f"cxscore {__version__}\n"


def test_bundled_frameworks_are_valid() -> None:
    from cxscore.loader import FrameworkCatalog, bundled_framework_ids

    catalog = FrameworkCatalog()
    for framework_id in bundled_framework_ids():
        framework = catalog.load_bundled(framework_id)
        assert framework.id == framework_id
        assert all(metric.description and metric.remediation for metric in framework.metrics)


def test_invalid_example_reports_every_problem(
    cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    result = cli("validate", "examples/invalid/broken.yaml")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "examples/invalid/broken.yaml:6:3: ratings: unknown metric 'empathie' in cx-six; "
        "did you mean 'empathy'?",
        "examples/invalid/broken.yaml:7:19: ratings.responsiveness: 7 is outside the cx-six scale 1–5",
        "examples/invalid/broken.yaml:8:16: ratings.consistency: expected a number, got the text 'yes'",
    ]
