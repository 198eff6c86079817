"""The JSON reports (rate's contract is schema_version 1); values are unrounded."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from cxscore.report import RateReport
from cxscore.scoring import ScoreResult

if TYPE_CHECKING:
    from cxscore.compare import Comparison, Row
    from cxscore.data.model import MeasureReport
    from cxscore.models import Framework
    from cxscore.rank import Leaderboard, MetricMark
    from cxscore.report import WhatIf

SCHEMA_VERSION = 1


def result_to_dict(result: ScoreResult) -> dict[str, Any]:
    """One brand as the contract's object (without ``schema_version``)."""
    return {
        "brand": result.brand,
        "framework": result.framework_id,
        "framework_name": result.framework_name,
        "path": result.path,
        "assessed": result.assessed.isoformat() if result.assessed else None,
        "assessor": result.assessor,
        "overall_percent": result.overall_percent,
        "band": result.band,
        "coverage_percent": result.coverage_percent,
        "low_coverage": result.low_coverage,
        "scale": {"min": result.scale_min, "max": result.scale_max, "scoring": result.scoring},
        "metrics": [
            {
                "id": metric.id,
                "name": metric.name,
                "rating": metric.rating,
                "weight": metric.weight,
                "score_percent": metric.score_percent,
                "points_lost": metric.points_lost,
                "rated": metric.rated,
                "note": metric.note,
                "value": metric.value,
                "ci_low": metric.ci_low,
                "ci_high": metric.ci_high,
                "n": metric.n,
            }
            for metric in result.metrics
        ],
        "biggest_lift": [
            {"id": lift.metric.id, "points": lift.points, "remediation": lift.metric.remediation}
            for lift in result.lifts
        ],
    }


def render_json(results: list[ScoreResult], single: bool) -> str:
    """One object for a single file, ``{"brands": [...]}`` for several, in the order given."""
    return render_rate(RateReport(tuple(results), single=single))


_LONG_LISTS = ("brands", "ranking")


def _dump(document: dict[str, Any]) -> str:
    """Indented JSON, except that a ``brands`` or ``ranking`` list is written one compact item per line.

    Indented output goes through json's pure-Python encoder; for a 10,000-brand portfolio that
    cost more than scoring the brands, while one line per brand keeps the C encoder and stays
    readable and diff-friendly. Other values (a comparison section) stay indented: they are small.
    """
    if not any(isinstance(document.get(key), list) for key in _LONG_LISTS):
        return json.dumps(document, ensure_ascii=False, indent=2, allow_nan=False) + "\n"
    fields = []
    for key, value in document.items():
        if key in _LONG_LISTS and isinstance(value, list):
            lines = ",\n".join(json.dumps(item, ensure_ascii=False, allow_nan=False) for item in value)
            text = f"[\n{lines}\n]" if value else "[]"
        else:
            text = json.dumps(value, ensure_ascii=False, indent=2, allow_nan=False)
        fields.append(f"{json.dumps(key)}: {text}")
    return "{" + ",\n".join(fields) + "}\n"


def _what_if_dict(what_if: WhatIf) -> dict[str, Any]:
    hypothetical = what_if.hypothetical
    return {
        "changes": [
            {"id": change.id, "rating_before": change.before, "rating": change.after}
            for change in what_if.changes
        ],
        "overall_percent": hypothetical.overall_percent,
        "band": hypothetical.band,
        "coverage_percent": hypothetical.coverage_percent,
        "overall_change": what_if.overall_delta,
    }


def _row_dict(row: Row) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "scores": list(row.scores),
        "best": list(row.best),
        "delta": row.delta,
    }


def _baseline_dict(change: Comparison) -> dict[str, Any]:
    baseline = change.results[0]
    return {
        "brand": baseline.brand,
        "path": baseline.path,
        "assessed": baseline.assessed.isoformat() if baseline.assessed else None,
        "overall_percent": baseline.overall_percent,
        "overall_change": change.overall.delta,
        "metrics": [
            {
                "id": row.id,
                "name": row.name,
                "score_percent_before": row.scores[0],
                "score_percent": row.scores[1],
                "change": row.delta,
            }
            for row in change.rows
        ],
        "notes": change.notes(),
    }


def render_rate(report: RateReport) -> str:
    """The ``rate`` contract, plus ``what_if`` per brand and ``baseline`` when they were asked for."""
    brands = []
    for result, what_if, change in report.sections():
        brand = result_to_dict(result)
        if what_if is not None:
            brand["what_if"] = _what_if_dict(what_if)
        if change is not None:
            brand["baseline"] = _baseline_dict(change)
        brands.append(brand)
    if report.single:
        return _dump({"schema_version": SCHEMA_VERSION, **brands[0]})
    return _dump({"schema_version": SCHEMA_VERSION, "brands": brands})


def render_compare(comparison: Comparison) -> str:
    """``{"schema_version", "brands": [as rate], "comparison": {...}}``; ``best`` holds brand indices."""
    section = {
        "frameworks": list(comparison.frameworks),
        "same_framework": comparison.same_framework,
        "shared_metrics": [row.id for row in comparison.rows],
        "metrics": [_row_dict(row) for row in comparison.rows],
        "overall": _row_dict(comparison.overall),
        "delta": "brands[1] - brands[0], in points" if comparison.has_delta else None,
        "rated_sets_differ": comparison.rated_sets_differ,
        "unevenly_rated": [row.id for row in comparison.uneven],
        "weights_differ": [row.id for row in comparison.weights_differ],
        "not_compared": [[metric.id for metric in metrics] for metrics in comparison.excluded],
        "notes": comparison.notes(),
    }
    brands = [result_to_dict(result) for result in comparison.results]
    return _dump({"schema_version": SCHEMA_VERSION, "brands": brands, "comparison": section})


def _mark_dict(mark: MetricMark) -> dict[str, Any]:
    return {"id": mark.id, "name": mark.name, "score_percent": mark.score_percent}


def render_rank(board: Leaderboard) -> str:
    """``{"schema_version", "total", "ranking": [...]}``, best first, the first ``--top`` only."""
    ranking = [
        {
            "rank": entry.rank,
            "brand": entry.brand,
            "path": entry.path,
            "framework": entry.framework_id,
            "overall_percent": entry.overall_percent,
            "band": entry.band,
            "coverage_percent": entry.coverage_percent,
            "low_coverage": entry.low_coverage,
            "rated_metrics": entry.rated_count,
            "metrics": entry.metric_count,
            "strongest": _mark_dict(entry.strongest),
            "weakest": _mark_dict(entry.weakest),
        }
        for entry in board.shown
    ]
    return _dump({"schema_version": SCHEMA_VERSION, "total": len(board.entries), "ranking": ranking})


def render_measure(report: MeasureReport) -> str:
    """``{"measures": [...]}`` with unrounded values, overall results first."""
    from cxscore.render.measures import result_to_dict as measure_to_dict

    trend = report.trend is not None
    return _dump({"measures": [measure_to_dict(result, trend) for result in report.results]})


def render_frameworks(frameworks: list[Framework]) -> str:
    """``{"schema_version": 1, "frameworks": [{id, name, metrics_scored, scoring, metrics}]}``."""
    from cxscore.render.frameworks import framework_summary

    return _dump({"schema_version": SCHEMA_VERSION, "frameworks": [framework_summary(f) for f in frameworks]})


def render_framework(framework: Framework) -> str:
    """The validated framework as JSON: the fields of a framework file, defaults filled in."""
    document = {"schema_version": SCHEMA_VERSION, **framework.model_dump(mode="json", exclude_none=True)}
    return _dump(document)
