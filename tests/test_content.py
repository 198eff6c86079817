"""The bundled frameworks as client-facing content: cited anchors, no seed anecdotes, consistent bands,
an example that scores for each, industry anchors, and the net_box measure against a hand count."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from cxscore.errors import InputError
from cxscore.loader import FrameworkCatalog, load_brand, load_bundled_frameworks
from cxscore.models import BrandFile, Framework
from cxscore.scoring import curve_score, score_brand

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
FRAMEWORKS = load_bundled_frameworks()

#: Words of the seed example (a scorecard of Santa Claus) that must not print for every client.
ANECDOTES = re.compile(
    r"santa|pony|\bcoal\b|sleigh|wish[ -]?lists?|illegible|reindeer|chimney|north pole|christmas|\belf\b",
    re.IGNORECASE,
)


@pytest.mark.parametrize("framework", FRAMEWORKS, ids=lambda f: f.id)
def test_no_seed_anecdotes_in_client_text(framework: Framework) -> None:
    texts = {"description": framework.description, "name": framework.name}
    for metric in framework.metrics:
        texts[f"{metric.id}.name"] = metric.name
        texts[f"{metric.id}.description"] = metric.description
        texts[f"{metric.id}.remediation"] = metric.remediation
    found = {where: ANECDOTES.findall(text) for where, text in texts.items() if ANECDOTES.search(text)}
    assert found == {}


def test_the_anecdote_check_catches_them() -> None:
    for text in ("the pony that never came", "some get gifts, others coal", "an illegible wish list"):
        assert ANECDOTES.search(text)
    assert not ANECDOTES.search("coalition of the willing, scheduled")


@pytest.mark.parametrize("framework", FRAMEWORKS, ids=lambda f: f.id)
def test_every_numeric_anchor_cites_a_source(framework: Framework) -> None:
    assert framework.bands_source.strip(), "band thresholds need their source"
    assert framework.source.strip()
    for metric in framework.metrics:
        assert metric.description.strip(), metric.id
        assert metric.remediation.strip(), metric.id
        if metric.curve is not None:
            assert metric.curve.source.strip(), metric.id
            for key, anchors in metric.curve.industries.items():
                assert anchors.source.strip(), f"{metric.id}.industries.{key}"


def test_a_curve_without_a_source_is_a_located_error(
    write: Callable[..., Path], cli: Callable[..., object]
) -> None:
    path = write(
        "id: f\nname: F\nbands: [{name: All, min: 0}]\nmetrics:\n"
        "  - id: m\n    name: M\n    measure: {name: mean}\n"
        "    curve: {type: linear, worst: 0, best: 10}\n",
        "framework.yaml",
    )
    result = cli("frameworks", "show", path)
    assert result.exit_code == 2  # type: ignore[attr-defined]
    assert "framework.yaml:8:12: metrics.0.curve: a curve needs 'source'" in result.stderr  # type: ignore[attr-defined]


def test_an_industry_without_a_source_is_an_error(write: Callable[..., Path]) -> None:
    path = write(
        "id: f\nname: F\nbands: [{name: All, min: 0}]\nmetrics:\n"
        "  - id: m\n    name: M\n    measure: {name: mean}\n"
        "    curve:\n      type: linear\n      worst: 0\n      best: 10\n      source: mine\n"
        "      industries:\n        retail: {name: Retail, worst: 5, best: 5, source: theirs}\n",
        "framework.yaml",
    )
    with pytest.raises(InputError) as caught:
        FrameworkCatalog().load_path(path, "framework.yaml")
    message = caught.value.issues[0].format()
    assert message.startswith(
        "framework.yaml:9:7: metrics.0.curve: industries.retail: worst and best must differ"
    )


def _all_ratings(framework: Framework, rating: float) -> BrandFile:
    return BrandFile(brand="B", framework=framework.id, ratings={m.id: rating for m in framework.metrics})


def test_bands_agree_across_scoring_methods() -> None:
    """All 1s, 2s, 3s, 4s or 5s land in one band name in every rated framework, points or minmax."""
    rated = [f for f in FRAMEWORKS if all(m.measure is None for m in f.metrics)]
    assert {f.scoring for f in rated} == {"points", "minmax"}
    for rating in (1, 2, 3, 4, 5):
        bands = {f.id: score_brand(_all_ratings(f, rating), f).band for f in rated}
        assert len(set(bands.values())) == 1, (rating, bands)
    cx_six = next(f for f in rated if f.id == "cx-six")
    names = [score_brand(_all_ratings(cx_six, rating), cx_six).band for rating in (1, 2, 3, 4, 5)]
    assert names == ["Very poor", "Poor", "OK", "Good", "Excellent"]
    # The threshold is the average rating halfway between two whole ratings (4.5 is Excellent).
    for framework in rated:
        assert score_brand(_all_ratings(framework, 4.5), framework).band == "Excellent"
        assert score_brand(_all_ratings(framework, 4.49), framework).band == "Good"


def _example_files() -> list[Path]:
    return sorted(
        path
        for path in EXAMPLES.rglob("*.yaml")
        if "invalid" not in path.parts and "history" not in path.parts
    )


def test_every_bundled_framework_has_an_example_that_scores() -> None:
    pytest.importorskip("cxscore.data.compute")
    catalog = FrameworkCatalog()
    scored: dict[str, float] = {}
    for path in _example_files():
        loaded = load_brand(path, catalog, str(path))
        result = score_brand(loaded.brand, loaded.framework)
        assert 0 <= result.overall_percent <= 100
        scored.setdefault(loaded.framework.id, result.overall_percent)
    catalog.close()
    assert sorted(scored) == sorted(f.id for f in FRAMEWORKS)


def test_santa_still_scores_68() -> None:
    loaded = load_brand(EXAMPLES / "santa.yaml", FrameworkCatalog())
    result = score_brand(loaded.brand, loaded.framework)
    assert result.overall_percent == 68.0
    notes = " ".join(entry.note or "" for entry in loaded.brand.ratings.values())
    # The anecdotes live in the example, not in the framework.
    assert "pony" in notes
    assert "coal" in notes


def test_readme_framework_table_lists_every_framework() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for framework in FRAMEWORKS:
        assert re.search(rf"^\| `{re.escape(framework.id)}` \|", readme, re.MULTILINE), framework.id


# Industry anchors --------------------------------------------------------------------------------------


def test_industry_anchors_score_the_brand_and_are_named() -> None:
    loaded = load_brand(EXAMPLES / "more" / "northwind-broadband.yaml", FrameworkCatalog())
    result = score_brand(loaded.brand, loaded.framework)
    nps = next(m for m in result.metrics if m.id == "nps")
    # TV and Internet providers averaged +9 in 2017 (Temkin): -21 -> 0%, +39 -> 100%, so +14 is 35/60.
    assert nps.score_percent == pytest.approx(100 * (14 - -21) / 60)
    assert nps.industry_anchors == "TV and Internet service providers"
    assert result.industry == "tv_internet"
    assert result.to_dict()["industry"] == "tv_internet"
    default = score_brand(loaded.brand.model_copy(update={"industry": None}), loaded.framework)
    assert next(m for m in default.metrics if m.id == "nps").score_percent == pytest.approx(100 * 5 / 57)
    curve = loaded.framework.metrics_by_id["nps"].curve
    assert curve is not None
    assert curve_score(curve.for_industry("tv_internet"), 9) == pytest.approx(0.5)
    assert curve_score(curve.for_industry("auto_dealers"), 43) == pytest.approx(0.5)


def test_industry_is_named_in_reports(cli: Callable[..., object]) -> None:
    path = EXAMPLES / "more" / "northwind-broadband.yaml"
    for output_format in ("table", "markdown", "html"):
        result = cli("rate", path, "-f", output_format)
        assert "TV and Internet service providers" in result.stdout, output_format  # type: ignore[attr-defined]


def test_unknown_industry_is_located(write: Callable[..., Path]) -> None:
    path = write("brand: A\nframework: cx-kpis\nindustry: tv_internt\nratings:\n  nps: 20\n")
    with pytest.raises(InputError) as caught:
        load_brand(path, FrameworkCatalog(), "brand.yaml")
    message = caught.value.issues[0].format()
    assert message.startswith(
        "brand.yaml:3:11: industry: cx-kpis has no curve anchors for industry 'tv_internt'"
    )
    assert "did you mean 'tv_internet'?" in message
    path = write("brand: A\nframework: cx-six\nindustry: retail\nratings:\n  empathy: 3\n")
    with pytest.raises(InputError) as caught:
        load_brand(path, FrameworkCatalog(), "brand.yaml")
    assert "it gives none" in caught.value.issues[0].format()


# net_box ------------------------------------------------------------------------------------------------


def _adjusted_wald(top: int, bottom: int, n: int) -> tuple[float, float]:
    """Rocks (2016) adjusted Wald for a net score, written out independently of cxscore.data.stats."""
    p_top, p_bottom = (top + 0.75) / (n + 3), (bottom + 0.75) / (n + 3)
    centre = p_top - p_bottom
    half = 1.959963984540054 * math.sqrt((p_top + p_bottom - centre**2) / (n + 3))
    return 100 * max(-1.0, centre - half), 100 * min(1.0, centre + half)


def test_net_box_against_a_hand_count(write: Callable[..., Path]) -> None:
    pytest.importorskip("cxscore.data.compute")
    answers = ["7", "6", "6", "5", "4", "3", "1", "", "n/a", "7", "2", "6", "7", "4", "11", "0"]
    write("success\n" + "\n".join(answers) + "\n", "survey.csv")
    framework = write(
        "id: xm\nname: XM\nbands: [{name: All, min: 0}]\nmetrics:\n"
        "  - id: success\n    name: Success\n"
        "    measure: {name: net_box, column: success, top: [6, 7], bottom: [1, 2, 3]}\n"
        "    curve: {type: linear, worst: -100, best: 100, source: test}\n",
        "xm.yaml",
    )
    path = write(f"brand: A\nframework: {framework.name}\nratings:\n  success: {{from: survey.csv}}\n")
    entry = load_brand(path, FrameworkCatalog(), "brand.yaml").brand.ratings["success"]
    numbers = [int(a) for a in answers if a.isdigit() and 1 <= int(a) <= 7]  # off the 1-7 span: no answer
    top = sum(a in (6, 7) for a in numbers)
    bottom = sum(a in (1, 2, 3) for a in numbers)
    assert (len(numbers), top, bottom) == (12, 6, 3)
    assert entry.n == len(numbers)
    assert entry.value == pytest.approx(100 * (top - bottom) / len(numbers))
    low, high = _adjusted_wald(top, bottom, len(numbers))
    assert entry.ci_low == pytest.approx(low)
    assert entry.ci_high == pytest.approx(high)


def test_net_box_in_a_difference(write: Callable[..., Path]) -> None:
    pytest.importorskip("cxscore.data.compute")
    write("group,answer\na,7\na,1\na,6\nb,2\nb,3\nb,7\n", "data.csv")
    framework = write(
        "id: xm\nname: XM\nbands: [{name: All, min: 0}]\nmetrics:\n"
        "  - id: gap\n    name: Gap\n"
        "    measure: {name: difference, of: net_box, column: answer, top: [6, 7], bottom: [1, 2, 3],"
        " between: ['group = a', 'group = b']}\n"
        "    curve: {type: linear, worst: -100, best: 100, source: test}\n",
        "xm.yaml",
    )
    path = write(f"brand: A\nframework: {framework.name}\nratings:\n  gap: {{from: data.csv}}\n")
    entry = load_brand(path, FrameworkCatalog(), "brand.yaml").brand.ratings["gap"]
    assert entry.value == pytest.approx(100 * (2 - 1) / 3 - 100 * (1 - 2) / 3)


@pytest.mark.parametrize(
    ("measure", "message"),
    [
        ("{name: net_box, column: a, top: [6, 7]}", "a net_box measure needs 'top' and 'bottom'"),
        ("{name: net_box, column: a, top: [6, 7], bottom: [7]}", "must not share an answer"),
        ("{name: mean, column: a, top: [6]}", "'top' and 'bottom' belong to a net_box measure only"),
    ],
)
def test_net_box_validation(write: Callable[..., Path], measure: str, message: str) -> None:
    path = write(
        "id: f\nname: F\nbands: [{name: All, min: 0}]\nmetrics:\n"
        f"  - id: m\n    name: M\n    measure: {measure}\n"
        "    curve: {type: linear, worst: 0, best: 10, source: s}\n",
        "framework.yaml",
    )
    with pytest.raises(InputError) as caught:
        FrameworkCatalog().load_path(path, "framework.yaml")
    assert message in caught.value.issues[0].format()


def test_bundled_industries_put_their_cited_average_at_50_percent() -> None:
    cx_kpis = next(f for f in FRAMEWORKS if f.id == "cx-kpis")
    curve = cx_kpis.metrics_by_id["nps"].curve
    assert curve is not None
    # Temkin Group, NPS Benchmark Study 2017 (press release): +9 and +43 stated; the others derived
    # from a company's NPS and its stated gap to its industry (Citibank -8 + 35, USAA 66 - 33,
    # JetBlue 59 - 33).
    averages = {
        "tv_internet": 9,
        "auto_dealers": 43,
        "banks": -8 + 35,
        "insurance": 66 - 33,
        "airlines": 59 - 33,
    }
    assert sorted(curve.industries) == sorted(averages)
    for industry, average in averages.items():
        variant = curve.for_industry(industry)
        assert curve_score(variant, average) == pytest.approx(0.5), industry
        assert curve_score(variant, average + 30) == 1.0, industry
    loyalty = next(f for f in FRAMEWORKS if f.id == "loyalty-program")
    member_nps = loyalty.metrics_by_id["member_nps"].curve
    assert member_nps is not None
    assert {k: (v.worst, v.best) for k, v in member_nps.industries.items()} == {
        k: (v.worst, v.best) for k, v in curve.industries.items()
    }


@pytest.mark.parametrize("output_format", ["table", "markdown", "json"])
def test_frameworks_show_prints_every_source(cli: Callable[..., object], output_format: str) -> None:
    result = cli("frameworks", "show", "cx-kpis", "-f", output_format)
    text = " ".join(result.stdout.split())  # type: ignore[attr-defined]
    assert "RewardOps" not in text
    assert "cxscore starting point: set your own" in text
    assert "Net Promoter Score Benchmark Study, 2017" in text
    assert "Auto dealers" in text
    assert "Measured frameworks put a published average near 50%" in text  # the bands' source


def test_practice_data_is_what_its_seeded_generator_writes(tmp_path: Path) -> None:
    import importlib.util
    import random

    spec = importlib.util.spec_from_file_location(
        "make_practice_data", EXAMPLES / "data" / "make_practice_data.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    rng = random.Random(module.SEED)
    for name, rows in (
        ("tickets.csv", module.ticket_rows(rng)),
        ("customers.csv", module.customer_rows(rng)),
        ("xm-survey.csv", module.survey_rows(rng)),
    ):
        module.write(tmp_path / name, rows)
        assert (tmp_path / name).read_bytes() == (EXAMPLES / "data" / name).read_bytes(), name


def test_net_box_without_an_answer_on_its_span_is_an_error(write: Callable[..., Path]) -> None:
    pytest.importorskip("cxscore.data.compute")
    write("success\n9\n0\nn/a\n", "survey.csv")
    framework = write(
        "id: xm\nname: XM\nbands: [{name: All, min: 0}]\nmetrics:\n"
        "  - id: success\n    name: Success\n"
        "    measure: {name: net_box, column: success, top: [6, 7], bottom: [1, 2, 3]}\n"
        "    curve: {type: linear, worst: -100, best: 100, source: test}\n",
        "xm.yaml",
    )
    path = write(f"brand: A\nframework: {framework.name}\nratings:\n  success: {{from: survey.csv}}\n")
    with pytest.raises(InputError) as caught:
        load_brand(path, FrameworkCatalog(), "brand.yaml")
    lines = [issue.format() for issue in caught.value.issues]
    assert lines[0] == "brand.yaml:4:19: ratings.success: cannot compute net box from 'survey.csv'"
    assert lines[1].endswith("no answer in 'success' between its bottom and top values")


def test_compare_says_when_industry_anchors_differ(cli: Callable[..., object]) -> None:
    result = cli("compare", EXAMPLES / "acme-kpis.yaml", EXAMPLES / "more" / "northwind-broadband.yaml")
    text = " ".join(result.stdout.split())  # type: ignore[attr-defined]
    assert (
        "Industry anchors differ (Acme: default curves; Northwind Broadband: TV and Internet service "
        "providers): measured scores are placed on different curves." in text
    )
    same = cli("compare", EXAMPLES / "acme-kpis.yaml", EXAMPLES / "data" / "acme-survey.yaml")
    assert "Industry anchors differ" not in same.stdout  # type: ignore[attr-defined]


def test_net_box_on_sqlite_matches_duckdb(tmp_path: Path) -> None:
    pytest.importorskip("cxscore.data.compute")
    import csv
    import sqlite3

    from cxscore.data import DataSession, DataSource, MetricMeasure, compute_metric_value

    survey = EXAMPLES / "data" / "xm-survey.csv"
    database = tmp_path / "xm.db"
    with sqlite3.connect(database) as connection:
        connection.execute("create table xm (respondent_id text, success text, effort text, emotion text)")
        with survey.open(encoding="utf-8") as handle:
            connection.executemany("insert into xm values (?, ?, ?, ?)", list(csv.reader(handle))[1:])
    connection.close()
    measure = MetricMeasure(name="net_box", column="success", top=(6.0, 7.0), bottom=(1.0, 2.0, 3.0))
    session = DataSession()
    try:
        on_sqlite = compute_metric_value(
            measure, DataSource(table="xm", engine=f"sqlite:///{database}"), session
        )
        on_duckdb = compute_metric_value(measure, DataSource(paths=(str(survey),)), session)
    finally:
        session.close()
    assert on_sqlite == on_duckdb
    with survey.open(encoding="utf-8") as handle:
        answers = [row["success"] for row in csv.DictReader(handle)]
    valid = [int(a) for a in answers if a.strip().isdigit() and 1 <= int(a) <= 7]
    assert on_duckdb.n == len(valid) < len(answers)  # blanks and "n/a"/"?" cells left out
    top, bottom = sum(a >= 6 for a in valid), sum(a <= 3 for a in valid)
    assert on_duckdb.value == pytest.approx(100 * (top - bottom) / len(valid))
