"""The JSON Schema of the brand file, for editors (yaml-language-server) and other validators.

Written out rather than generated from the pydantic models: the models read a bare number or null in
place of a ``{rating, note}`` mapping (a before-validator pydantic's generated schema cannot show),
and what a framework allows (its metric ids, its scale, each measure's range) is checked by the
loader, not by the models. The schema says what JSON Schema can of both. What it cannot say is left to
``cxscore validate``: ``ci_low`` not above ``ci_high`` and a value inside its own interval, a rated
metric of positive weight, whether a named file exists. Only keywords that mean the same in Draft 7 and
Draft 2020-12 are used, so editors that implement Draft 7 (yaml-language-server) read it as the tests
do; ``doNotSuggest`` and ``errorMessage`` are annotations those editors read and validators ignore.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cxscore.loader import DEFAULT_FRAMEWORK, FrameworkCatalog, bundled_framework_ids
from cxscore.models import MAX_COUNT, MAX_WEIGHT, MEASURE_RANGES, MIN_WEIGHT, Framework, Metric

DRAFT = "https://json-schema.org/draft/2020-12/schema"
#: What every metric id looks like (``MetricId`` in the models): no other key can name a metric.
METRIC_ID = {"type": "string", "pattern": "^[a-z][a-z0-9_]*$", "maxLength": 64}
#: Keys of a rating mapping that give something to score; an entry with none of them is not rated.
SCORED_KEYS = ("rating", "value", "from")

Schema = dict[str, Any]


def _null() -> Schema:
    return {"type": "null"}


def _text(description: str) -> Schema:
    """Text fields keep a bare integer as the text it was written as (``assessor: 1999``)."""
    return {"type": ["string", "integer", "null"], "description": description}


def _industry(framework: Framework | None) -> Schema:
    """``industry:``: any id, or, narrowed to a framework, one its curves give anchors for."""
    description = "Score measured metrics on this industry's curve anchors, where the framework gives some"
    if framework is None:
        return {"anyOf": [{"type": "string", "pattern": r"\S"}, _null()], "description": description}
    from cxscore.loader import framework_industries

    known = list(framework_industries(framework))
    return {"anyOf": [{"enum": known}, _null()] if known else [_null()], "description": description}


def _number(description: str, low: float | None = None, high: float | None = None) -> Schema:
    schema: Schema = {"type": ["number", "null"], "description": description}
    if low is not None:
        schema["minimum"] = low
    if high is not None:
        schema["maximum"] = high
    return schema


def _weight(description: str) -> Schema:
    return {
        "type": "number",
        "minimum": 0,
        "maximum": MAX_WEIGHT,
        "not": {"exclusiveMinimum": 0, "exclusiveMaximum": MIN_WEIGHT},
        "description": description,
        "errorMessage": f"a weight is 0 (left out) or a number from {MIN_WEIGHT:g} to {MAX_WEIGHT:g}",
    }


def _given(key: str) -> Schema:
    """The entry has ``key`` with a value other than null."""
    return {"required": [key], "properties": {key: {"not": _null()}}}


#: Where the rating mapping's consistency rules are kept in the schema (shared by every metric).
CONSISTENT_ENTRY: Schema = {"$ref": "#/$defs/consistent_entry"}


def _entry_rules() -> list[Schema]:
    """The rating mapping's own consistency rules (``RatingEntry._consistent``)."""
    return [
        {"if": _given("rating"), "then": {"properties": {"value": _null(), "from": _null()}}},
        {"if": _given("value"), "then": {"properties": {"from": _null()}}},
        {"if": _given("column"), "then": _given("from")},
        {"if": _given("weight"), "then": _given("from")},
        {"if": _given("customers"), "then": _given("from")},
        {"if": _given("ci_low"), "then": _given("ci_high")},
        {"if": _given("ci_high"), "then": _given("ci_low")},
    ]


def _measured_fields(value: Schema) -> Schema:
    """The fields of a measured metric's mapping, ``value`` constrained as the metric allows."""
    return {
        "value": value,
        "n": {
            "type": ["integer", "null"],
            "minimum": 1,
            "maximum": MAX_COUNT,
            "description": "How many answers or contacts the value rests on",
        },
        "n_effective": {
            "type": ["number", "null"],
            "exclusiveMinimum": 0,
            "description": "Kish's effective sample size of weighted answers, (Σw)²/Σw²",
        },
        "ci_low": _number("Lower end of the value's interval (with ci_high)"),
        "ci_high": _number("Upper end of the value's interval (with ci_low)"),
        "from": _text("A data file to compute the value from (CSV, Parquet or NDJSON), relative to here"),
        "column": _text("The column of the data file that holds the answers"),
        "weight": _text("The column of the data file that holds survey weights (non-negative)"),
        "customers": {
            "type": ["object", "null"],
            "additionalProperties": False,
            "required": ["customer", "date", "amount"],
            "properties": {
                "customer": {"type": ["string", "integer"], "description": "Column of customer ids"},
                "date": {"type": ["string", "integer"], "description": "Column of order dates"},
                "amount": {"type": ["string", "integer"], "description": "Column of order amounts"},
                "as_of": {"type": ["string", "null"], "description": "Count orders up to this date"},
                "active_within": {"type": ["integer", "null"], "minimum": 0, "maximum": MAX_COUNT},
                "margin": {"type": ["number", "null"], "exclusiveMinimum": 0, "maximum": 1},
                "horizon": {"type": ["number", "null"], "exclusiveMinimum": 0, "maximum": 520},
                "vip_by": {"enum": ["ltv", "clv", None]},
            },
            "description": "Measure over the orders file's per-customer summary (cxscore customers)",
        },
    }


def _mapping(properties: Schema, rules: list[Schema]) -> Schema:
    mapping: Schema = {"type": "object", "additionalProperties": False, "properties": properties}
    return {**mapping, "allOf": rules} if rules else mapping


def _hidden(schema: Schema) -> Schema:
    """Accepted, as the loader accepts it, but not offered by completion."""
    return {**schema, "doNotSuggest": True}


def _assessors(rating: Schema, what: str) -> Schema:
    """Several assessors' ratings, ``[4, 3, 5]``: a list of at least one rating (their mean counts)."""
    item = {key: value for key, value in rating.items() if key != "description"}
    item["type"] = "number"
    return {"type": "array", "items": item, "minItems": 1, "description": what}


def _rating_or_assessors(rating: Schema) -> Schema:
    """A rating, or several assessors' ratings as a list (``RatingEntry``'s ``assessments``)."""
    several = _assessors(rating, "Several assessors' ratings: the metric's rating is their mean")
    return {"anyOf": [rating, several], "description": rating["description"]}


def _any_entry() -> Schema:
    """A rating of a metric of any framework: a number, null, a list of assessors' ratings, or a mapping."""
    rating = _rating_or_assessors(_number("Rating on the framework's scale (rated metrics)"))
    note = _text("A note on this rating")
    value = _number("Measured value (measured metrics)")
    properties = {"rating": rating, **_measured_fields(value), "note": note}
    several = _assessors(_number(""), "Several assessors' ratings (rated metrics): their mean counts")
    return {
        "anyOf": [{"type": ["number", "null"]}, several, _mapping(properties, [CONSISTENT_ENTRY])],
        "description": "A rating or measured value (null: not rated), or a mapping with a note",
    }


def _rated_entry(metric: Metric, framework: Framework) -> Schema:
    low, high = framework.scale.min, framework.scale.max
    rating = _number(f"{metric.name}: a rating from {low:g} to {high:g}", low, high)
    unused = {key: _hidden(_null()) for key in _measured_fields(_null())}
    properties = {"rating": _rating_or_assessors(rating), "note": _text("A note on this rating"), **unused}
    several = _assessors(rating, f"{metric.name}: several assessors' ratings from {low:g} to {high:g}")
    return {
        "anyOf": [rating, several, _mapping(properties, [])],
        "description": _describe(metric, f"rated {low:g}–{high:g}"),
    }


def _measured_entry(metric: Metric) -> Schema:
    assert metric.measure is not None
    low, high = MEASURE_RANGES[metric.measure.name]
    value = _number(f"{metric.name}: the measured {metric.measure.label}", low, high)
    rules: list[Schema] = [CONSISTENT_ENTRY]
    if needs_column(metric):
        rules.append({"if": _given("from"), "then": _given("column")})
    properties = {**_measured_fields(value), "rating": _hidden(value), "note": _text("A note on this value")}
    return {
        "anyOf": [value, _mapping(properties, rules)],
        "description": _describe(metric, f"measured: {metric.measure.label}"),
    }


def needs_column(metric: Metric) -> bool:
    """Whether a data source for this metric must name its column (the framework names none)."""
    from cxscore.loader import COLUMN_MEASURES as reads

    measure = metric.measure
    if measure is None or measure.column is not None:
        return False
    return measure.name in reads or (measure.name == "difference" and measure.of in reads)


def _describe(metric: Metric, how: str) -> str:
    described = " ".join(metric.description.split())
    return f"{metric.name} (weight {metric.weight:g}, {how}). {described}".strip()


def _something_rated() -> Schema:
    """At least one entry gives a rating, a value or a data source (else there is no score).

    Said as "if every entry is unrated, then no entry may stand" rather than with ``not``: editors show
    ``not`` as "matches a schema that is not allowed", while they show ``errorMessage`` on each
    entry that ``additionalProperties: false`` refuses.
    """
    unrated = {"anyOf": [_null(), {"type": "object", "properties": {key: _null() for key in SCORED_KEYS}}]}
    message = "nothing is rated yet: rate at least one metric"
    return {
        "if": {"additionalProperties": unrated},
        "then": {"minProperties": 1, "additionalProperties": False, "errorMessage": message},
    }


def _framework_reference(framework: Framework | None, bundled: bool) -> Schema:
    description = "A bundled framework id or a path to a framework file (.yaml or .yml)"
    path = {"type": "string", "pattern": r"\.ya?ml$"}
    if framework is None:
        return {
            "anyOf": [{"enum": bundled_framework_ids()}, path],
            "default": DEFAULT_FRAMEWORK,
            "description": description,
        }
    if bundled:
        return {"const": framework.id, "description": f"{framework.name} (bundled)"}
    return {**path, "description": f"The file of the framework {framework.name} ({framework.id})"}


def brand_schema(framework: Framework | None = None, bundled: bool = True) -> Schema:
    """The brand file's JSON Schema; with ``framework``, narrowed to its metric ids, scale and measures.

    ``bundled`` says whether ``framework`` is a bundled one (named by id in brand files) or a file.
    """
    if framework is None:
        ratings: Schema = {"propertyNames": METRIC_ID, "additionalProperties": _any_entry()}
        weights: Schema = {"propertyNames": METRIC_ID, "additionalProperties": _weight("Relative weight")}
        title, suffix = "cxscore brand file", ""
    else:
        entries = {
            metric.id: _measured_entry(metric) if metric.measured else _rated_entry(metric, framework)
            for metric in framework.metrics
        }
        ratings = {"properties": entries, "additionalProperties": False}
        weights = {
            "properties": {
                metric.id: _weight(f"{metric.name}: weight (the framework's is {metric.weight:g})")
                for metric in framework.metrics
            },
            "additionalProperties": False,
        }
        title, suffix = f"cxscore brand file on {framework.name} ({framework.id})", f"-{framework.id}"
    ratings = {"type": "object", **ratings, **_something_rated()}
    ratings["description"] = "Rating per metric id: a number, null (not rated) or a mapping with a note"
    weights = {"type": "object", **weights, "description": "Per-brand overrides of the framework's weights"}
    required = ["brand", "ratings"]
    if framework is not None and not (bundled and framework.id == DEFAULT_FRAMEWORK):
        required.insert(1, "framework")
    return {
        "$schema": DRAFT,
        "$id": f"cxscore-brand{suffix}",
        "title": title,
        "$defs": {"consistent_entry": {"allOf": _entry_rules()}},
        "type": "object",
        "additionalProperties": False,
        "required": required,
        "properties": {
            "brand": {
                "anyOf": [{"type": "string", "pattern": r"\S"}, {"type": "integer"}],
                "description": "The brand or organisation assessed",
            },
            "framework": _framework_reference(framework, bundled),
            "assessed": {
                "anyOf": [{"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}, _null()],
                "description": "Date of the assessment, like 2024-12-17",
            },
            "assessor": _text("Who assessed the brand"),
            "industry": _industry(framework),
            "notes": _text("Notes on the assessment"),
            "weights": weights,
            "ratings": ratings,
        },
    }


def brand_json_schema(framework: Framework | None = None, bundled: bool = True) -> str:
    """The brand file's JSON Schema as indented JSON (see :func:`brand_schema`)."""
    return json.dumps(brand_schema(framework, bundled), indent=2, ensure_ascii=False) + "\n"


def schema_for(framework_argument: str | None) -> str:
    """The JSON Schema for ``cxscore schema [--framework ID_OR_FILE]`` (a framework named on the
    command line: a bundled id or a file), as indented JSON."""
    if framework_argument is None:
        return brand_json_schema()
    catalog = FrameworkCatalog()
    framework = catalog.load_reference(framework_argument)
    bundled = isinstance(catalog.resolve(framework_argument, Path()), str)
    return brand_json_schema(framework, bundled)
