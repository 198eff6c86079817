"""CI gates (--fail-under, --fail-under-metric, --fail-on-regression), --baseline and --what-if."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import Result

from cxscore.compare import compare_results
from cxscore.errors import UsageError
from cxscore.gating import Gates, GateSubject
from cxscore.scorecard import score_files

ROOT = Path(__file__).resolve().parent.parent
SANTA = ROOT / "examples" / "santa.yaml"
GRINCH = ROOT / "examples" / "grinch.yaml"
BASELINE = ROOT / "examples" / "history" / "santa-2023.yaml"

Cli = Callable[..., Result]


# --fail-under and --fail-under-metric -------------------------------------------------------------


@pytest.mark.parametrize(("limit", "code"), [("70", 1), ("68.01", 1), ("68", 0), ("0", 0), ("100", 1)])
def test_fail_under_on_rate(cli: Cli, limit: str, code: int) -> None:
    result = cli("rate", SANTA, "--fail-under", limit)
    assert result.exit_code == code, result.output
    assert "68.0%" in result.stdout  # the report is printed either way
    if code:
        assert result.stderr == (
            f"{SANTA}: Santa Claus: overall 68.0% is below {float(limit):g}% [--fail-under]\n"
        )
    else:
        assert result.stderr == ""


def test_fail_under_shows_enough_decimals_to_be_believed(cli: Cli, write: Callable[..., Path]) -> None:
    # 2.498 of 5 points is 49.96%, which would print as 50.0% -- "50.0% is below 50%" reads as a bug.
    path = write("brand: Close\nratings: {empathy: 2.498}\n")
    result = cli("rate", path, "--fail-under", "50")
    assert result.exit_code == 1, result.output
    assert "overall 49.96% is below 50%" in result.stderr


def test_fail_under_metric_names_every_metric_below(cli: Cli) -> None:
    result = cli("rate", SANTA, GRINCH, "--fail-under-metric", "50", "--format", "total")
    assert result.exit_code == 1, result.output
    assert result.stdout == "68.0\tSanta Claus\n36.7\tGrinch | Deliveries\n"
    lines = result.stderr.splitlines()
    assert lines == [
        f"{SANTA}: Santa Claus: Feedback capture 40.0% is below 50% [--fail-under-metric]",
        f"{GRINCH}: Grinch | Deliveries: First-contact resolution 20.0% is below 50% [--fail-under-metric]",
        f"{GRINCH}: Grinch | Deliveries: Empathy 40.0% is below 50% [--fail-under-metric]",
        f"{GRINCH}: Grinch | Deliveries: Responsiveness 40.0% is below 50% [--fail-under-metric]",
        f"{GRINCH}: Grinch | Deliveries: Feedback capture 20.0% is below 50% [--fail-under-metric]",
        f"{GRINCH}: Grinch | Deliveries: Consistency 40.0% is below 50% [--fail-under-metric]",
    ]


def test_unrated_metrics_are_not_gated(cli: Cli) -> None:
    # Santa's personalization is unrated: it has no score, so it cannot fail the metric gate.
    assert cli("rate", SANTA, "--fail-under-metric", "40").exit_code == 0


@pytest.mark.parametrize("command", ["compare", "rank"])
def test_fail_under_on_compare_and_rank(cli: Cli, command: str) -> None:
    failing = cli(command, SANTA, GRINCH, "--fail-under", "50", "--format", "json")
    assert failing.exit_code == 1, failing.output
    json.loads(failing.stdout)  # the report is complete and valid before the gate fails
    assert failing.stderr == f"{GRINCH}: Grinch | Deliveries: overall 36.7% is below 50% [--fail-under]\n"
    assert cli(command, SANTA, GRINCH, "--fail-under", "36").exit_code == 0
    assert cli(command, SANTA, GRINCH, "--fail-under-metric", "20").exit_code == 0
    assert cli(command, SANTA, GRINCH, "--fail-under-metric", "21").exit_code == 1


def test_rank_gates_every_brand_not_only_the_top(cli: Cli) -> None:
    result = cli("rank", SANTA, GRINCH, "--top", "1", "--fail-under", "50", "--format", "total")
    assert result.exit_code == 1, result.output
    assert result.stdout == "68.0\n"
    assert "Grinch | Deliveries: overall 36.7%" in result.stderr


def test_gate_failure_still_writes_the_report(cli: Cli, tmp_path: Path) -> None:
    target = tmp_path / "report.md"
    result = cli("rate", GRINCH, "--fail-under", "50", "--format", "markdown", "--output", target)
    assert result.exit_code == 1, result.output
    assert "**Overall: 36.7% (Poor)**" in target.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--fail-under", "150"], "--fail-under: expected a percentage from 0 to 100, got 150"),
        (["--fail-under", "nan"], "--fail-under: expected a percentage from 0 to 100, got nan"),
        (["--fail-under-metric", "-1"], "--fail-under-metric: expected a percentage from 0 to 100, got -1"),
        (["--tolerance", "2"], "--tolerance: only applies together with --fail-on-regression"),
        (
            ["--fail-on-regression", "--baseline", str(BASELINE), "--tolerance", "-1"],
            "--tolerance: expected a non-negative number of points, got -1",
        ),
        (["--fail-on-regression"], "--fail-on-regression: needs --baseline LAST.yaml to compare against"),
    ],
)
def test_bad_gate_options_are_one_line_errors(cli: Cli, args: list[str], message: str) -> None:
    result = cli("rate", SANTA, *args)
    assert result.exit_code == 2, result.output
    assert result.stderr == message + "\n"
    assert result.stdout == ""


def test_gates_accept_scorecards_and_summaries_alike() -> None:
    santa = score_files([str(SANTA)])[0]
    gates = Gates(fail_under=70)
    assert gates.check([santa]) == gates.check([GateSubject.of(santa)])
    assert len(gates.check([santa])) == 1
    with pytest.raises(UsageError):
        Gates(fail_under=float("inf"))


# --baseline and --fail-on-regression ---------------------------------------------------------------


def test_baseline_shows_change_of_overall_and_every_metric(cli: Cli) -> None:
    result = cli("rate", SANTA, "--baseline", BASELINE, "--format", "json")
    assert result.exit_code == 0, result.output
    baseline = json.loads(result.stdout)["baseline"]
    assert baseline["path"] == str(BASELINE)
    assert baseline["assessed"] == "2023-12-15"
    assert baseline["overall_percent"] == 64.0
    assert baseline["overall_change"] == pytest.approx(4.0)
    changes = {m["id"]: m["change"] for m in baseline["metrics"]}
    assert changes == {
        "first_contact_resolution": pytest.approx(20.0),
        "empathy": pytest.approx(-20.0),
        "responsiveness": pytest.approx(20.0),
        "feedback_capture": 0.0,
        "consistency": 0.0,
        "personalization": None,  # unrated in both: no change to report
    }


def test_baseline_in_the_terminal_and_markdown(cli: Cli) -> None:
    table = cli("rate", SANTA, "--baseline", BASELINE)
    assert table.exit_code == 0, table.output
    assert "Change since the baseline" in table.stdout
    assert "2023-12-15" in table.stdout
    markdown = cli("rate", SANTA, "--baseline", BASELINE, "--format", "markdown").stdout
    assert "| Empathy | 100.0% | 80.0% | -20.0 |" in markdown
    assert "| **Overall** | 64.0% | 68.0% | +4.0 |" in markdown


@pytest.mark.parametrize(("tolerance", "code"), [(None, 1), ("19.5", 1), ("20", 0), ("25", 0)])
def test_fail_on_regression(cli: Cli, tolerance: str | None, code: int) -> None:
    extra = [] if tolerance is None else ["--tolerance", tolerance]
    result = cli("rate", SANTA, "--baseline", BASELINE, "--fail-on-regression", *extra)
    assert result.exit_code == code, result.output
    if code:
        limit = f"{float(tolerance or 0):g}"
        assert result.stderr == (
            f"{SANTA}: Santa Claus: Empathy fell 20.0 points since the baseline "
            f"(tolerance {limit}) [--fail-on-regression]\n"
        )


def test_regression_of_the_overall_fails_too(cli: Cli) -> None:
    # Rated against Santa as the baseline, the Grinch falls 31.3 points overall and on five metrics.
    result = cli("rate", GRINCH, "--baseline", SANTA, "--fail-on-regression", "--tolerance", "20")
    assert result.exit_code == 1, result.output
    assert result.stderr.splitlines() == [
        f"{GRINCH}: Grinch | Deliveries: overall fell 31.3 points since the baseline (tolerance 20) "
        "[--fail-on-regression]",
        f"{GRINCH}: Grinch | Deliveries: First-contact resolution fell 80.0 points since the baseline "
        "(tolerance 20) [--fail-on-regression]",
        f"{GRINCH}: Grinch | Deliveries: Empathy fell 40.0 points since the baseline (tolerance 20) "
        "[--fail-on-regression]",
        f"{SANTA}:2:8: warning: the baseline assesses Santa Claus, not Grinch | Deliveries ({GRINCH}): "
        "the changes compare two brands",
    ]


def test_baseline_needs_exactly_one_brand_file(cli: Cli, tmp_path: Path) -> None:
    several = cli("rate", SANTA, GRINCH, "--baseline", BASELINE)
    assert several.exit_code == 2
    assert several.stderr == "--baseline: compares one brand file with its baseline; give exactly one\n"
    empty = cli("rate", SANTA, "--baseline", tmp_path)  # a directory is fine, if it holds assessments
    assert empty.exit_code == 2
    assert empty.stderr == f"{tmp_path}: directory has no *.yaml or *.yml files\n"


def test_invalid_baseline_is_located(cli: Cli, write: Callable[..., Path]) -> None:
    broken = write("brand: Old\nratings:\n  empathie: 4\n", "old.yaml")
    result = cli("rate", SANTA, "--baseline", broken)
    assert result.exit_code == 2
    assert result.stderr == (
        f"{broken}:3:3: ratings: unknown metric 'empathie' in cx-six; did you mean 'empathy'?\n"
    )


def test_regressions_are_computed_on_the_shared_metrics() -> None:
    before, after = score_files([str(BASELINE), str(SANTA)])
    change = compare_results([before, after])
    fallen = [row.id for row in change.rows if row.delta is not None and row.delta < 0]
    assert fallen == ["empathy"]


# --what-if ------------------------------------------------------------------------------------------


def test_what_if_shows_current_and_hypothetical_overall(cli: Cli) -> None:
    result = cli("rate", SANTA, "--what-if", "empathy=5", "--what-if", "personalization=3", "-f", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["overall_percent"] == 68.0  # the current score is untouched
    what_if = data["what_if"]
    # 5 + 5 + 3 + 2 + 3 + 3 = 21 of 30 points.
    assert what_if["overall_percent"] == pytest.approx(70.0)
    assert what_if["overall_change"] == pytest.approx(2.0)
    assert what_if["coverage_percent"] == 100.0
    assert what_if["changes"] == [
        {"id": "empathy", "rating_before": 4.0, "rating": 5.0},
        {"id": "personalization", "rating_before": None, "rating": 3.0},
    ]


def test_what_if_in_the_terminal(cli: Cli) -> None:
    result = cli("rate", SANTA, "--what-if", "feedback_capture=5")
    assert result.exit_code == 0, result.output
    assert "What if Feedback capture 2/5 → 5/5" in result.stdout
    assert "Overall 68.0% OK  →  80.0% Good  (+12.0 pts)" in result.stdout


def test_what_if_applies_to_every_brand(cli: Cli) -> None:
    result = cli("rate", SANTA, GRINCH, "--what-if", "empathy=5", "--format", "json")
    assert result.exit_code == 0, result.output
    brands = json.loads(result.stdout)["brands"]
    assert [b["what_if"]["overall_percent"] for b in brands] == [
        pytest.approx(72.0),
        pytest.approx(46.6666666),
    ]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            "empathie=5",
            f"{SANTA}: --what-if empathie=5: unknown metric 'empathie' in cx-six; did you mean 'empathy'?",
        ),
        ("empathy=6", f"{SANTA}: --what-if empathy=6: outside the scale 1–5"),
        ("empathy=0.5", f"{SANTA}: --what-if empathy=0.5: outside the scale 1–5"),
        ("empathy=five", "--what-if: empathy: expected a number, got 'five'"),
        ("empathy=inf", "--what-if: empathy: expected a number, got 'inf'"),
        ("empathy", "--what-if: expected METRIC=RATING (e.g. empathy=5), got 'empathy'"),
        ("=5", "--what-if: expected METRIC=RATING (e.g. empathy=5), got '=5'"),
    ],
)
def test_bad_what_if_is_a_one_line_error(cli: Cli, tmp_path: Path, value: str, message: str) -> None:
    target = tmp_path / "out.json"
    result = cli("rate", SANTA, "--what-if", value, "--output", target)
    assert result.exit_code == 2, result.output
    assert result.stderr == message + "\n"
    assert not target.exists()


def test_what_if_given_twice_is_an_error(cli: Cli) -> None:
    result = cli("rate", SANTA, "--what-if", "empathy=5", "--what-if", "empathy=3")
    assert result.exit_code == 2
    assert result.stderr == "--what-if: empathy is given twice\n"


def test_what_if_total_prints_only_the_current_overall(cli: Cli) -> None:
    result = cli("rate", SANTA, "--what-if", "empathy=5", "--format", "total")
    assert result.stdout == "68.0\n"


def test_what_if_on_a_measured_metric_sets_its_value(cli: Cli, write: Callable[..., Path]) -> None:
    # cx-kpis scores NPS linearly from +9 (0%) to +66 (100%): +37.5 is 50%, +66 is 100%.
    path = write("brand: M\nframework: cx-kpis\nratings:\n  nps: {value: 37.5, n: 400}\n  csat: 80\n")
    result = cli("rate", path, "--what-if", "nps=66", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    nps = next(m for m in data["metrics"] if m["id"] == "nps")
    assert nps["score_percent"] == pytest.approx(50.0)
    assert data["what_if"]["changes"] == [{"id": "nps", "rating_before": 37.5, "rating": 66.0}]
    assert data["what_if"]["overall_change"] == pytest.approx(25.0)  # 50 points on one of two metrics
    table = cli("rate", path, "--what-if", "nps=66")
    assert "What if Net Promoter Score 37.5 → 66" in table.stdout
    outside = cli("rate", path, "--what-if", "nps=-101")
    assert outside.exit_code == 2
    assert outside.stderr == f"{path}: --what-if nps=-101: outside the range of NPS (-100–100)\n"
