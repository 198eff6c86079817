"""The brand file's JSON Schema against the loader: what one accepts, the other accepts.

Differential: every example, every brand file among the tests' fixtures that the loader accepts, and
brand files hypothesis generates for each bundled framework (and an unusual one) are validated with
``jsonschema`` under Draft 2020-12 (the schema's own) and Draft 7 (what yaml-language-server
implements). The other way round, files the loader rejects for a reason JSON Schema can state are
rejected by the schema too.
"""

from __future__ import annotations

import ast
import json
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import jsonschema
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import Result

from cxscore import loader
from cxscore.errors import CxScoreError
from cxscore.loader import FrameworkCatalog, bundled_framework_ids, framework_industries, load_brand
from cxscore.models import MAX_WEIGHT, MEASURE_RANGES, MIN_WEIGHT, BrandFile, Framework, Metric, RatingEntry
from cxscore.schema import brand_schema, needs_column
from cxscore.yamlsafe import load_yaml, parse_yaml

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
TESTS = ROOT / "tests"
CATALOG = FrameworkCatalog()
VALIDATORS = (jsonschema.Draft202012Validator, jsonschema.Draft7Validator)

# A framework unlike the bundled ones: a fractional scale below zero, minmax scoring, a weight-0 metric
# and a measured mean that names no column (so a data source must).
ODD_FRAMEWORK = """\
id: odd
name: Odd
scoring: minmax
scale: {min: -2.5, max: 2.5}
bands: [{name: All, min: 0}]
metrics:
  - {id: calm, name: Calm}
  - {id: unused, name: Unused, weight: 0}
  - id: wait
    name: Wait
    weight: 2.5
    measure: {name: mean}
    curve: {type: linear, worst: 10, best: 1, source: s}
"""


def schema_errors(schema: dict[str, Any], data: Any) -> list[str]:
    """What Draft 2020-12 and Draft 7 validators (dates checked) find wrong with ``data``."""
    found = []
    for validator in VALIDATORS:
        checker = validator(schema, format_checker=jsonschema.FormatChecker())
        found += [
            f"{validator.__name__} {list(e.absolute_path)}: {e.message}" for e in checker.iter_errors(data)
        ]
    return found


def loader_issues(path: Path) -> list[str]:
    """The loader's verdict on a brand file (no issues: accepted); data sources are not computed."""
    with mock.patch.object(loader, "compute_data_sources", side_effect=lambda brand, *_: brand):
        try:
            load_brand(path, CATALOG)
        except CxScoreError as error:
            return [issue.format() for issue in error.issues]
    return []


def framework_schema(data: Any, folder: Path) -> dict[str, Any]:
    """The schema narrowed to the framework the brand data names (bundled, or a file in ``folder``)."""
    reference = data.get("framework", "cx-six")
    if reference in bundled_framework_ids():
        return brand_schema(CATALOG.load_bundled(reference))
    return brand_schema(CATALOG.load_path(folder / reference), bundled=False)


# --- the schema itself ----------------------------------------------------------------------------


@pytest.mark.parametrize("framework", [None, *bundled_framework_ids()])
@pytest.mark.parametrize("validator", VALIDATORS, ids=lambda v: v.__name__)
def test_schema_is_valid_under_both_drafts(framework: str | None, validator: Any) -> None:
    chosen = None if framework is None else CATALOG.load_bundled(framework)
    validator.check_schema(brand_schema(chosen))


def test_schema_fields_are_the_models_fields() -> None:
    """A field added to the models and not to the schema (or the other way round) fails here."""
    schema = brand_schema()
    assert set(schema["properties"]) == {f.alias or n for n, f in BrandFile.model_fields.items()}
    choices = schema["properties"]["ratings"]["additionalProperties"]["anyOf"]
    entry = next(choice for choice in choices if choice.get("type") == "object")
    # ``assessments`` is written as ``rating: [4, 3, 5]``: no file names it.
    written = {f.alias or n for n, f in RatingEntry.model_fields.items()} - {"assessments"}
    assert set(entry["properties"]) == written


# --- accepted by the loader: accepted by the schema -------------------------------------------------


def example_files() -> list[Path]:
    return sorted(p for p in EXAMPLES.rglob("*.y*ml") if "invalid" not in p.parts)


@pytest.mark.parametrize("path", example_files(), ids=lambda p: p.relative_to(EXAMPLES).as_posix())
def test_every_example_is_valid_under_the_schemas(path: Path) -> None:
    assert loader_issues(path) == []
    data = load_yaml(path).data
    assert schema_errors(brand_schema(), data) == []
    assert schema_errors(framework_schema(data, path.parent), data) == []


def test_the_invalid_example_is_invalid_under_the_schemas() -> None:
    data = load_yaml(EXAMPLES / "invalid" / "broken.yaml").data
    generic = schema_errors(brand_schema(), data)
    assert any("['ratings', 'consistency']" in error for error in generic)  # `yes` is text
    narrowed = " ".join(schema_errors(framework_schema(data, EXAMPLES), data))
    assert "'empathie' was unexpected" in narrowed
    assert "['ratings', 'responsiveness']" in narrowed  # 7 is off the 1-5 scale


def fixture_texts() -> Iterator[tuple[str, str]]:
    """Every string in the tests that reads as a brand file (a mapping with brand and ratings),
    dedented as the ``write`` fixture does, with where it stands."""
    seen: set[str] = set()
    for path in sorted(TESTS.glob("test_*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
                continue
            text = textwrap.dedent(node.value).lstrip("\n")
            if "brand" not in text or "ratings" not in text or text in seen:
                continue
            try:
                data = parse_yaml(text, "fixture").data
            except CxScoreError:
                continue
            if isinstance(data, dict) and "brand" in data and "ratings" in data:
                seen.add(text)
                yield f"{path.name}:{node.lineno}", text


def test_every_brand_fixture_the_loader_accepts_is_valid_under_the_schemas(tmp_path: Path) -> None:
    path = tmp_path / "brand.yaml"
    accepted, failures = 0, []
    for where, text in fixture_texts():
        path.write_text(text, encoding="utf-8")
        if loader_issues(path):
            continue
        accepted += 1
        data = load_yaml(path).data
        errors = schema_errors(brand_schema(), data) + schema_errors(framework_schema(data, tmp_path), data)
        if errors:
            failures.append(f"{where}: {errors}\n{text}")
    assert failures == []
    assert accepted >= 20, f"only {accepted} brand fixtures collected: has the collection broken?"


class _QuotedDumper(yaml.SafeDumper):
    """Double-quotes every string, so no text can read back as a number under cxscore's YAML rules."""


_QuotedDumper.add_representer(
    str, lambda dumper, text: dumper.represent_scalar("tag:yaml.org,2002:str", text, style='"')
)

texts = st.text(st.characters(categories=("L", "N", "P", "S", "Zs")), min_size=1, max_size=20)
names = texts.filter(str.strip) | st.integers(-(10**12), 10**12)
weights = st.just(0) | st.integers(1, int(MAX_WEIGHT)) | st.floats(MIN_WEIGHT, MAX_WEIGHT)


def numbers(low: float | None, high: float | None) -> st.SearchStrategy[float]:
    low = -1e9 if low is None else low
    high = 1e9 if high is None else high
    whole = st.integers(int(low), int(high)).filter(lambda n: low <= n <= high)
    return whole | st.floats(low, high)


@st.composite
def interval(draw: st.DrawFn, value: float) -> dict[str, float]:
    width = st.floats(0, 1e6)
    return {"ci_low": value - draw(width), "ci_high": value + draw(width)}


@st.composite
def entries(draw: st.DrawFn, metric: Metric, framework: Framework, scored: bool) -> Any:
    """A rating entry the loader accepts for ``metric``; ``scored``: one that gives a score."""
    note = st.fixed_dictionaries({}, optional={"note": texts | st.none()})
    if not scored and draw(st.booleans()):
        keys = ("rating", "value", "from") if metric.measured else ("rating",)
        unscored = st.fixed_dictionaries({}, optional={key: st.none() for key in keys})
        return draw(st.none() | st.just({}) | note | unscored)
    if metric.measure is None:
        rating = draw(numbers(framework.scale.min, framework.scale.max))
        unused = {key: st.none() for key in ("value", "n", "ci_low", "ci_high", "from", "column")}
        mapping = st.fixed_dictionaries({"rating": st.just(rating)}, optional={**unused, "note": texts})
        return draw(st.just(rating) | mapping)
    value = draw(numbers(*MEASURE_RANGES[metric.measure.name]).filter(lambda v: abs(v) < 1e12))
    key = draw(st.sampled_from(["value", "rating"]))
    measured = {key: value, **draw(note)}
    if draw(st.booleans()):
        measured |= draw(interval(value))
    if draw(st.booleans()):
        measured["n"] = draw(st.integers(1, 10**15))
    source: dict[str, Any] = {"from": "data.csv"}
    if needs_column(metric) or draw(st.booleans()):
        source["column"] = draw(texts)
    return draw(st.sampled_from([value, measured, source | draw(note)]))


@st.composite
def brand_files(draw: st.DrawFn, framework: Framework, reference: str) -> dict[str, Any]:
    """A brand file on ``framework`` (named ``reference``) that the loader accepts."""
    chosen = draw(st.lists(st.sampled_from(framework.metrics), min_size=1, unique_by=lambda m: m.id))
    # The first metric chosen is scored and keeps a positive weight: else there would be no score.
    anchor = draw(st.sampled_from([m for m in chosen if m.weight > 0] or chosen))
    ratings = {m.id: draw(entries(m, framework, scored=m is anchor)) for m in chosen}
    ids = [m.id for m in framework.metrics]
    overrides = draw(st.dictionaries(st.sampled_from(ids), weights, max_size=len(ids)))
    if overrides.get(anchor.id, anchor.weight) == 0:
        overrides[anchor.id] = 1
    data: dict[str, Any] = {"brand": draw(names)}
    if reference != "cx-six" or draw(st.booleans()):
        data["framework"] = reference
    optional = {
        "assessed": st.dates().map(lambda d: d.isoformat()) | st.none(),
        "assessor": names | st.none(),
        "notes": names | st.none(),
        "industry": st.sampled_from([*framework_industries(framework), None]),
    }
    data |= draw(st.fixed_dictionaries({}, optional=optional))
    if overrides or draw(st.booleans()):
        data["weights"] = overrides
    data["ratings"] = ratings
    return data


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("generated")
    (folder / "odd.yaml").write_text(ODD_FRAMEWORK, encoding="utf-8")
    return folder


@pytest.mark.parametrize("reference", [*bundled_framework_ids(), "odd.yaml"])
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_generated_brand_files_are_valid_under_the_schemas(workdir: Path, reference: str, data: Any) -> None:
    framework = CATALOG.load_path(workdir / reference) if reference.endswith(".yaml") else None
    framework = framework or CATALOG.load_bundled(reference)
    generated = data.draw(brand_files(framework, reference))
    path = workdir / "brand.yaml"
    path.write_text(yaml.dump(generated, Dumper=_QuotedDumper, allow_unicode=True), encoding="utf-8")
    assert loader_issues(path) == [], path.read_text(encoding="utf-8")  # the generator's promise
    parsed = load_yaml(path).data
    assert schema_errors(brand_schema(), parsed) == []
    narrowed = brand_schema(framework, bundled=not reference.endswith(".yaml"))
    assert schema_errors(narrowed, parsed) == []


# --- rejected by the loader for a reason JSON Schema can state: rejected by the schema ---------------

REJECTED = {
    "unknown field": "brand: A\nratingz: {}\nratings: {empathy: 3}\n",
    "unknown field in an entry": "brand: A\nratings: {empathy: {rating: 3, comment: ok}}\n",
    "rating as text": "brand: A\nratings: {empathy: '4'}\n",
    "rating as a word": "brand: A\nratings: {empathy: good}\n",
    "rating as text in a mapping": "brand: A\nratings: {empathy: {rating: '4'}}\n",
    "rating as a boolean": "brand: A\nratings: {empathy: true}\n",
    "an empty list for a rating": "brand: A\nratings: {empathy: []}\n",
    "a list with text for a rating": "brand: A\nratings: {empathy: {rating: [4, '3']}}\n",
    "rating and value": "brand: A\nratings: {empathy: {rating: 3, value: 3}}\n",
    "value and from": "brand: A\nframework: cx-kpis\nratings: {nps: {value: 3, from: x.csv}}\n",
    "column without from": "brand: A\nframework: cx-kpis\nratings: {nps: {value: 3, column: c}}\n",
    "ci_low alone": "brand: A\nframework: cx-kpis\nratings: {nps: {value: 3, ci_low: 1}}\n",
    "n of zero": "brand: A\nframework: cx-kpis\nratings: {nps: {value: 3, n: 0}}\n",
    "n a fraction": "brand: A\nframework: cx-kpis\nratings: {nps: {value: 3, n: 2.5}}\n",
    "negative weight": "brand: A\nweights: {empathy: -1}\nratings: {empathy: 3}\n",
    "weight too small": "brand: A\nweights: {empathy: 1.0e-9}\nratings: {empathy: 3}\n",
    "weight too large": "brand: A\nweights: {empathy: 2000000}\nratings: {empathy: 3}\n",
    "weight as text": "brand: A\nweights: {empathy: heavy}\nratings: {empathy: 3}\n",
    "a metric id no framework can have": "brand: A\nratings: {Empathy: 3}\n",
    "nothing rated": "brand: A\nratings: {empathy: null, consistency: {note: later}}\n",
    "empty ratings": "brand: A\nratings: {}\n",
    "no ratings": "brand: A\n",
    "empty brand": "brand: ' '\nratings: {empathy: 3}\n",
    "boolean brand": "brand: true\nratings: {empathy: 3}\n",
    "number as a note": "brand: A\nratings: {empathy: {rating: 3, note: 1.5}}\n",
    "not a date": "brand: A\nassessed: 2024-1-7\nratings: {empathy: 3}\n",
    "an impossible date": "brand: A\nassessed: 2024-13-45\nratings: {empathy: 3}\n",
    "unknown framework id": "brand: A\nframework: cx-sx\nratings: {empathy: 3}\n",
    "framework file that is not YAML": "brand: A\nframework: fw/x.txt\nratings: {empathy: 3}\n",
}
# Rejected only once the framework is known: by the schema narrowed to it.
REJECTED_BY_FRAMEWORK = {
    "unknown metric id": "brand: A\nratings: {empathie: 3, empathy: 3}\n",
    "unknown metric id in weights": "brand: A\nweights: {empathie: 2}\nratings: {empathy: 3}\n",
    "above the scale": "brand: A\nratings: {empathy: 6}\n",
    "below the scale": "brand: A\nratings: {empathy: {rating: 0.5}}\n",
    "a value for a rated metric": "brand: A\nratings: {empathy: {value: 3}}\n",
    "a data source for a rated metric": "brand: A\nratings: {empathy: {from: x.csv}}\n",
    "measured value out of range": "brand: A\nframework: cx-kpis\nratings: {nps: 150}\n",
    "measured value out of range, as rating": "brand: A\nframework: cx-kpis\nratings: {csat: {rating: -1}}\n",
    "a data source with no column": "brand: A\nframework: odd.yaml\nratings: {wait: {from: x.csv}}\n",
    "another framework's id": "brand: A\nframework: cx-six\nratings: {nps: 30}\n",
    "an assessor off the scale": "brand: A\nratings: {empathy: [4, 6]}\n",
    "an assessor off the scale in a mapping": "brand: A\nratings: {empathy: {rating: [0, 4]}}\n",
    "assessors on a measured metric": "brand: A\nframework: cx-kpis\nratings: {nps: [40, 42]}\n",
}


@pytest.mark.parametrize("text", REJECTED.values(), ids=REJECTED.keys())
def test_what_the_loader_rejects_the_schema_rejects(workdir: Path, text: str) -> None:
    path = workdir / "rejected.yaml"
    path.write_text(text, encoding="utf-8")
    assert loader_issues(path) != []
    data = parse_yaml(text, "rejected.yaml").data
    assert schema_errors(brand_schema(), data) != []


@pytest.mark.parametrize("text", REJECTED_BY_FRAMEWORK.values(), ids=REJECTED_BY_FRAMEWORK.keys())
def test_what_the_framework_rules_out_its_schema_rules_out(workdir: Path, text: str) -> None:
    path = workdir / "rejected.yaml"
    path.write_text(text, encoding="utf-8")
    assert loader_issues(path) != []
    data = parse_yaml(text, "rejected.yaml").data
    assert schema_errors(framework_schema(data, workdir), data) != []


def test_the_readme_shorthand_is_valid() -> None:
    """`empathy: 4` and `personalization: null` (the README's shorthand) pass in an editor."""
    data = parse_yaml("brand: A\nratings:\n  empathy: 4\n  personalization: null\n", "x").data
    assert schema_errors(brand_schema(), data) == []
    assert schema_errors(brand_schema(CATALOG.load_bundled("cx-six")), data) == []


# --- cxscore schema [--framework] -------------------------------------------------------------------


@pytest.mark.parametrize("framework_id", bundled_framework_ids())
def test_schema_for_a_framework_lists_its_metric_ids(cli: Callable[..., Result], framework_id: str) -> None:
    result = cli("schema", "--framework", framework_id)
    assert result.exit_code == 0, result.output
    schema = json.loads(result.stdout)
    ids = [metric.id for metric in CATALOG.load_bundled(framework_id).metrics]
    ratings, weights = schema["properties"]["ratings"], schema["properties"]["weights"]
    assert list(ratings["properties"]) == ids
    assert list(weights["properties"]) == ids
    assert ratings["additionalProperties"] is False
    assert weights["additionalProperties"] is False
    assert schema["properties"]["framework"]["const"] == framework_id


def test_schema_for_a_rated_framework_types_the_rating_to_its_scale(cli: Callable[..., Result]) -> None:
    schema = json.loads(cli("schema", "--framework", "cx-six").stdout)
    empathy = schema["properties"]["ratings"]["properties"]["empathy"]["anyOf"][0]
    assert (empathy["minimum"], empathy["maximum"]) == (1, 5)


def test_schema_for_a_framework_file(
    cli: Callable[..., Result], write: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    framework = write(ODD_FRAMEWORK, "frameworks/odd.yaml")
    monkeypatch.chdir(framework.parent.parent)
    result = cli("schema", "--framework", "frameworks/odd.yaml", "-o", "odd.schema.json")
    assert result.exit_code == 0, result.output
    schema = json.loads(Path("odd.schema.json").read_text(encoding="utf-8"))
    assert schema["required"] == ["brand", "framework", "ratings"]
    good = {"brand": "A", "framework": "../frameworks/odd.yaml", "ratings": {"calm": -2.5, "wait": 3}}
    assert schema_errors(schema, good) == []
    assert schema_errors(schema, {**good, "framework": "cx-six"}) != []


def test_schema_for_an_unknown_framework_is_one_line(cli: Callable[..., Result]) -> None:
    result = cli("schema", "--framework", "cx-sx")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        "cx-sx: unknown framework 'cx-sx'; did you mean 'cx-six'? "
        "(bundled: "
        "closed-loop, cx-index, cx-kpis, cx-maturity, cx-six, delight-practice, loyalty-design, "
        "loyalty-program, retention, six-pillars)\n"
    )
