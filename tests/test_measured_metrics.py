"""Measured metrics: curves against hand computations, mixed scorecards, located errors, JSON keys."""

from __future__ import annotations

import csv
import json
import math
import statistics
from collections.abc import Callable
from pathlib import Path

import pytest
from rich.console import Console

from cxscore.errors import InputError
from cxscore.loader import FrameworkCatalog, load_brand
from cxscore.models import BrandFile, Curve, Framework
from cxscore.render import json_report, markdown
from cxscore.render.terminal import build_report
from cxscore.report import RateReport
from cxscore.scoring import ScoreResult, curve_score, score_brand

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def linear(worst: float, best: float) -> Curve:
    return Curve(type="linear", worst=worst, best=best, source="test")


def lognormal(p10: float, median: float) -> Curve:
    return Curve(type="lognormal", p10=p10, median=median, source="test")


@pytest.mark.parametrize(
    ("worst", "best", "value", "expected"),
    [
        (6, 66, 36, 0.5),  # (36 - 6) / (66 - 6)
        (6, 66, 51, 0.75),  # 45 / 60
        (6, 66, 6, 0.0),
        (6, 66, -20, 0.0),  # clamped below worst
        (6, 66, 90, 1.0),  # clamped above best
        (60, 80, 74, 0.7),  # (74 - 60) / 20
        (48, 1, 12, 36 / 47),  # lower is better: (12 - 48) / (1 - 48)
        (48, 1, 100, 0.0),  # clamped: slower than worst
        (48, 1, 0.5, 1.0),  # clamped: faster than best
    ],
)
def test_linear_curve_by_hand(worst: float, best: float, value: float, expected: float) -> None:
    assert curve_score(linear(worst, best), value) == pytest.approx(expected)


def test_lognormal_control_points() -> None:
    curve = lognormal(1, 12)
    assert curve_score(curve, 1) == pytest.approx(0.9, abs=1e-12)
    assert curve_score(curve, 12) == pytest.approx(0.5, abs=1e-12)


def test_lognormal_by_hand() -> None:
    # sigma = (ln 12 - ln 1) / 1.2815515655446004 = 1.938983...; at v = 24, z = ln 2 / sigma = 0.357480...
    # 1 - Phi(0.357486) = 0.360364... (standard normal table: Phi(0.3575) = 0.6396)
    sigma = math.log(12) / 1.2815515655446004
    z = math.log(2) / sigma
    assert z == pytest.approx(0.357480, abs=1e-6)
    assert curve_score(lognormal(1, 12), 24) == pytest.approx(0.3604, abs=1e-4)


def test_lognormal_monotonic_and_bounded() -> None:
    curve = lognormal(2, 10)
    values = [0.01, 0.5, 1, 2, 3, 5, 10, 20, 50, 1000]
    scores = [curve_score(curve, value) for value in values]
    assert all(a > b for a, b in zip(scores, scores[1:], strict=False))
    assert all(0 <= score <= 1 for score in scores)


@pytest.mark.parametrize("value", [0, -3])
def test_lognormal_non_positive_scores_one(value: float) -> None:
    assert curve_score(lognormal(1, 12), value) == 1.0


def mixed_framework() -> Framework:
    return Framework.model_validate(
        {
            "id": "mixed",
            "name": "Mixed",
            "scale": {"min": 1, "max": 5},
            "scoring": "points",
            "bands": [{"name": "High", "min": 70}, {"name": "Low", "min": 0}],
            "metrics": [
                {"id": "empathy", "name": "Empathy", "weight": 2},
                {
                    "id": "nps",
                    "name": "NPS",
                    "weight": 3,
                    "measure": {"name": "nps"},
                    "curve": {"type": "linear", "worst": 6, "best": 66, "source": "test"},
                },
                {
                    "id": "frt",
                    "name": "First response",
                    "weight": 1,
                    "measure": {"name": "response_time", "unit": "hours"},
                    "curve": {"type": "lognormal", "p10": 1, "median": 12, "source": "test"},
                },
                {"id": "unused", "name": "Unused", "weight": 4},
            ],
        }
    )


def test_weighted_mixed_scorecard_by_hand() -> None:
    brand = BrandFile.model_validate(
        {"brand": "B", "ratings": {"empathy": 4, "nps": {"value": 51, "n": 400}, "frt": 12}}
    )
    result = score_brand(brand, mixed_framework())
    # empathy 4/5 = 0.8 (w 2), NPS (51 - 6) / 60 = 0.75 (w 3), response 12 h = median = 0.5 (w 1);
    # "unused" is not rated. overall = 100 * (2*0.8 + 3*0.75 + 1*0.5) / 6 = 100 * 4.35 / 6 = 72.5.
    assert result.overall_percent == pytest.approx(72.5)
    assert result.band == "High"
    assert result.coverage_percent == pytest.approx(60.0)
    scores = {m.id: m.score_percent for m in result.metrics}
    assert scores == pytest.approx({"empathy": 80.0, "nps": 75.0, "frt": 50.0, "unused": None})
    lost = {m.id: m.points_lost for m in result.rated}
    # lost_i = 100 * w_i * (1 - s_i) / 6
    assert lost == pytest.approx({"empathy": 100 * 2 * 0.2 / 6, "nps": 100 * 3 * 0.25 / 6, "frt": 100 / 12})
    assert sum(lost.values()) == pytest.approx(100 - 72.5)
    nps = next(m for m in result.metrics if m.id == "nps")
    assert (nps.rating, nps.value, nps.n, nps.measured) == (None, 51, 400, True)
    empathy = next(m for m in result.metrics if m.id == "empathy")
    assert (empathy.value, empathy.n, empathy.ci_low, empathy.measured) == (None, None, None, False)


def test_exact_when_measured_scores_are_exact() -> None:
    # NPS 36 scores exactly 0.5 and empathy 4 scores 0.8: (1*4 + 1*0.5*5) / (5*2) = 0.65 exactly.
    framework = mixed_framework()
    brand = BrandFile.model_validate(
        {"brand": "B", "ratings": {"empathy": 4, "nps": 36}, "weights": {"nps": 1, "empathy": 1}}
    )
    assert score_brand(brand, framework).overall_percent == 65.0


def test_santa_still_68() -> None:
    loaded = load_brand(EXAMPLES / "santa.yaml", FrameworkCatalog())
    assert score_brand(loaded.brand, loaded.framework).overall_percent == 68.0


def test_acme_example_by_hand() -> None:
    loaded = load_brand(EXAMPLES / "acme-kpis.yaml", FrameworkCatalog())
    result = score_brand(loaded.brand, loaded.framework)
    sigma = math.log(12) / 1.2815515655446004
    response = 1 - 0.5 * (1 + math.erf((math.log(6) - math.log(12)) / sigma / math.sqrt(2)))
    # NPS (42-9)/57, CSAT (81-50)/40, CES (5.2-4)/2, FCR (74-60)/20, response time 6 h lognormal.
    fractions = [33 / 57, 31 / 40, 1.2 / 2, 14 / 20, response]
    assert result.overall_percent == pytest.approx(100 * sum(fractions) / 5)
    assert [m.value for m in result.metrics] == [42, 81, 5.2, 74, 6]


def test_json_has_measured_keys() -> None:
    loaded = load_brand(EXAMPLES / "acme-kpis.yaml", FrameworkCatalog())
    document = json.loads(
        json_report.render_rate(
            RateReport((score_brand(loaded.brand, loaded.framework, loaded.path),), single=True)
        )
    )
    nps = document["metrics"][0]
    expected = {"id", "name", "rating", "weight", "score_percent", "points_lost", "rated", "note"}
    assert set(nps) == expected | {"value", "ci_low", "ci_high", "n", "industry_anchors", "significant"} | {
        "n_effective",
        "survey_weight",
        "score_ci_low",
        "score_ci_high",
        "assessor_ratings",
        "assessor_sd",
    }
    assert (nps["value"], nps["ci_low"], nps["ci_high"], nps["n"], nps["rated"]) == (
        42,
        34.6,
        48.9,
        400,
        True,
    )
    assert nps["rating"] is None
    csat = document["metrics"][1]
    assert (csat["value"], csat["n"], csat["ci_low"]) == (81, None, None)


def test_json_rated_metrics_have_null_measured_keys() -> None:
    loaded = load_brand(EXAMPLES / "santa.yaml", FrameworkCatalog())
    document = json.loads(
        json_report.render_rate(RateReport((score_brand(loaded.brand, loaded.framework),), single=True))
    )
    assert all(m["value"] is None and m["n"] is None and m["ci_low"] is None for m in document["metrics"])


FRAMEWORK_HEAD = """\
id: custom
name: Custom
bands: [{name: All, min: 0}]
metrics:
  - id: empathy
    name: Empathy
"""


NPS = "  - id: nps\n    name: NPS\n    measure: {name: nps}\n"
AT_CURVE = "framework.yaml:10:12: metrics.1.curve: "


@pytest.mark.parametrize(
    ("metric", "expected"),
    [
        (
            NPS + "    curve: {type: linear, worst: 5, best: 5, source: s}\n",
            AT_CURVE + "worst and best must differ, both are 5",
        ),
        (
            NPS + "    curve: {type: lognormal, p10: 12, median: 1, source: s}\n",
            AT_CURVE + "a lognormal curve needs 0 < p10 < median, got p10 12 and median 1",
        ),
        (
            NPS + "    curve: {type: cubic, worst: 0, best: 1, source: s}\n",
            "framework.yaml:10:19: metrics.1.curve.type: input should be 'linear' or 'lognormal'",
        ),
        (
            NPS + "    curve: {type: linear, worst: 0, source: s}\n",
            AT_CURVE + "a linear curve needs both 'worst' and 'best'",
        ),
        (
            NPS.replace("nps}", "npss}") + "    curve: {type: linear, worst: 0, best: 1, source: s}\n",
            "framework.yaml:9:21: metrics.1.measure.name: input should be 'nps', 'csat', 'ces', 'fcr', "
            "'response_time', 'share', 'mean', 'ratio', 'difference' or 'net_box'",
        ),
        (
            NPS,
            "framework.yaml:7:5: metrics.1: a measured metric needs a 'curve' mapping its value onto a score",
        ),
        (
            "  - id: ratio\n    name: Ratio\n    measure: {name: ratio, numerator: a}\n"
            "    curve: {type: linear, worst: 0, best: 1, source: s}\n",
            "framework.yaml:9:14: metrics.1.measure: "
            "a ratio measure needs both 'numerator' and 'denominator' columns",
        ),
    ],
)
def test_bad_framework_is_located(write: Callable[..., Path], metric: str, expected: str) -> None:
    path = write(FRAMEWORK_HEAD + metric, "framework.yaml")
    with pytest.raises(InputError) as caught:
        FrameworkCatalog().load_path(path, "framework.yaml")
    assert [issue.format() for issue in caught.value.issues] == [expected]


@pytest.mark.parametrize(
    ("ratings", "expected"),
    [
        ("  nps: high\n", "brand.yaml:4:8: ratings.nps: expected a number, got the text 'high'"),
        (
            "  nps: {value: lots}\n",
            "brand.yaml:4:16: ratings.nps.value: expected a number, got the text 'lots'",
        ),
        ("  nps: 142\n", "brand.yaml:4:8: ratings.nps: 142 is outside the range of NPS: -100 to 100"),
        ("  ces: {value: 9}\n", "brand.yaml:4:16: ratings.ces: 9 is outside the range of CES: 1 to 7"),
        (
            "  nps: {value: 40, from: data.csv}\n",
            "brand.yaml:4:8: ratings.nps: give either a 'value' or a data source 'from', not both",
        ),
        (
            "  empathy: {value: 4}\n",
            "brand.yaml:4:3: ratings: unknown metric 'empathy' in cx-kpis",
        ),
    ],
)
def test_bad_measured_value_is_located(write: Callable[..., Path], ratings: str, expected: str) -> None:
    path = write("brand: A\nframework: cx-kpis\nratings:\n" + ratings)
    with pytest.raises(InputError) as caught:
        load_brand(path, FrameworkCatalog(), "brand.yaml")
    assert [issue.format() for issue in caught.value.issues] == [expected]


def test_value_on_rated_metric_is_located(write: Callable[..., Path]) -> None:
    path = write("brand: A\nratings:\n  empathy: {value: 4}\n")
    with pytest.raises(InputError) as caught:
        load_brand(path, FrameworkCatalog(), "brand.yaml")
    assert [issue.format() for issue in caught.value.issues] == [
        "brand.yaml:3:13: ratings.empathy: 'value' is for measured metrics; "
        "empathy is rated on the cx-six scale 1–5: give a rating"
    ]


@pytest.mark.parametrize("framework_id", ["cx-kpis", "loyalty-program"])
def test_bundled_measured_frameworks(framework_id: str) -> None:
    framework = FrameworkCatalog().load_bundled(framework_id)
    assert all(metric.measured for metric in framework.metrics)
    assert all(metric.description and metric.remediation for metric in framework.metrics)


def test_cx_kpis_anchors_match_benchmarks() -> None:
    framework = FrameworkCatalog().load_bundled("cx-kpis")
    curves = {metric.id: metric.curve for metric in framework.metrics}
    assert curves["nps"] is not None
    assert curves["fcr"] is not None
    assert curves["first_response_time"] is not None
    assert curve_score(curves["nps"], 9) == 0.0  # lowest industry average, Temkin 2017
    assert curve_score(curves["nps"], 66) == 1.0  # SurveyMonkey upper quartile
    assert curve_score(curves["fcr"], 70) == pytest.approx(0.5)  # SQM average
    assert curve_score(curves["fcr"], 80) == 1.0  # SQM world class
    assert curve_score(curves["first_response_time"], 1) == pytest.approx(0.9)  # expectation
    assert curve_score(curves["first_response_time"], 12) == pytest.approx(0.5)  # email average


def acme_result() -> ScoreResult:
    loaded = load_brand(EXAMPLES / "acme-kpis.yaml", FrameworkCatalog())
    return score_brand(loaded.brand, loaded.framework, loaded.path)


def test_markdown_shows_value_interval_and_n() -> None:
    text = markdown.render_rate(RateReport((acme_result(),)))
    assert (
        "| Net Promoter Score | 42 points [34.6, 48.9] n=400 | 1 | 57.9% | 8.4 | Q1 relationship survey. |"
        in text
    )
    assert "| Customer satisfaction (CSAT) | 81% | 1 | 77.5% | 4.5 |  |" in text
    assert "| Customer effort score (CES) | 5.2 of 7 | 1 | 60.0% | 8.0 |  |" in text
    assert "- **Net Promoter Score** (42 → top score): +8.4 points." in text


def test_terminal_shows_value_interval_and_n() -> None:
    console = Console(width=120, color_system=None, record=True)
    console.print(build_report([acme_result()], details=True))
    text = console.export_text()
    assert "[34.6, 48.9] n=400" in text
    assert "Net Promoter Score 42 → top score would make the overall" in text
    assert "Customer satisfaction (CSAT)  81%" in text
    assert "First response time  6 hours" in text


def test_data_sources_match_an_independent_count() -> None:
    pytest.importorskip("cxscore.data.compute")
    loaded = load_brand(EXAMPLES / "data" / "acme-survey.yaml", FrameworkCatalog())
    result = score_brand(loaded.brand, loaded.framework)
    with (EXAMPLES / "data" / "survey.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    nps = [int(r["likelihood_to_recommend"]) for r in rows if r["likelihood_to_recommend"]]
    csat = [int(r["satisfaction"]) for r in rows if r["satisfaction"]]
    fcr = [r["resolved_first_contact"] == "yes" for r in rows if r["resolved_first_contact"]]
    hours = sorted(float(r["first_response_hours"]) for r in rows if r["first_response_hours"])
    by_id = {m.id: m for m in result.metrics}
    expected_nps = 100 * (sum(a >= 9 for a in nps) - sum(a <= 6 for a in nps)) / len(nps)
    assert (by_id["nps"].value, by_id["nps"].n) == (pytest.approx(expected_nps), len(nps))
    assert by_id["nps"].ci_low is not None
    assert by_id["nps"].ci_low < expected_nps < (by_id["nps"].ci_high or 0)
    assert by_id["csat"].value == pytest.approx(100 * sum(a >= 4 for a in csat) / len(csat))
    assert by_id["fcr"].value == pytest.approx(100 * sum(fcr) / len(fcr))
    assert by_id["first_response_time"].value == pytest.approx(statistics.median(hours))
    assert by_id["nps"].score_percent == pytest.approx(100 * (expected_nps - 9) / 57)


MEMBERS = """customer_id,member,points_earned,points_redeemed,retained,clv_index,nps
1,yes,100,50,yes,150,10
2,Yes,200,20,no,130,9
3,no,0,0,YES,100,6
4,no,0,0,no,90,
5,yes,100,30,yes,120,8
"""


def test_generic_measures_from_data_by_hand(write: Callable[..., Path]) -> None:
    pytest.importorskip("cxscore.data.compute")
    write(MEMBERS, "members.csv")
    path = write(
        "brand: A\nframework: loyalty-program\nratings:\n"
        "  enrolment_rate: {from: members.csv}\n"
        "  points_redemption_rate: {from: members.csv}\n"
        "  retention_uplift: {from: members.csv}\n"
        "  member_clv_gap: {from: members.csv}\n"
        "  member_nps: {from: members.csv, column: nps}\n"
    )
    loaded = load_brand(path, FrameworkCatalog(), "brand.yaml")
    values = {metric_id: entry.value for metric_id, entry in loaded.brand.ratings.items()}
    assert values == {
        "enrolment_rate": pytest.approx(100 * 3 / 5),  # members: rows 1, 2, 5
        "points_redemption_rate": pytest.approx((50 + 20 + 30) / (100 + 200 + 100)),  # ratio of sums
        "retention_uplift": pytest.approx(100 * 2 / 3 - 100 * 1 / 2),  # members 2 of 3, others 1 of 2
        "member_clv_gap": pytest.approx((150 + 130 + 120) / 3 - (100 + 90) / 2),
        "member_nps": pytest.approx(100 * (2 - 0) / 3),  # members answered 10, 9, 8
    }
    assert loaded.brand.ratings["member_nps"].n == 3
    assert loaded.brand.ratings["enrolment_rate"].n == 5


def test_bad_condition_column_is_located(write: Callable[..., Path]) -> None:
    pytest.importorskip("cxscore.data.compute")
    write("customer_id,is_member\n1,yes\n", "members.csv")
    path = write("brand: A\nframework: loyalty-program\nratings:\n  enrolment_rate: {from: members.csv}\n")
    with pytest.raises(InputError) as caught:
        load_brand(path, FrameworkCatalog(), "brand.yaml")
    lines = [issue.format() for issue in caught.value.issues]
    assert lines[0] == "brand.yaml:4:26: ratings.enrolment_rate: cannot compute share from 'members.csv'"
    assert lines[1].endswith(
        "no column 'member'; did you mean 'is_member'? (columns: customer_id, is_member)"
    )


def test_missing_data_column_is_located_in_the_brand_file(write: Callable[..., Path]) -> None:
    pytest.importorskip("cxscore.data.compute")
    write("likelihood_to_recommend\n9\n10\n3\n", "survey.csv")
    path = write("brand: A\nframework: cx-kpis\nratings:\n  nps: {from: survey.csv, column: recommend}\n")
    with pytest.raises(InputError) as caught:
        load_brand(path, FrameworkCatalog(), "brand.yaml")
    issues = [issue.format() for issue in caught.value.issues]
    assert issues[0] == "brand.yaml:4:15: ratings.nps: cannot compute NPS from 'survey.csv'"
    assert len(issues) > 1
    assert "recommend" in issues[1]
