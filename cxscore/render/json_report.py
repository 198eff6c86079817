"""The JSON contract of ``cxscore rate`` (schema_version 1); values are unrounded."""

from __future__ import annotations

import json
from typing import Any

from cxscore.scoring import ScoreResult

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
    document: dict[str, Any]
    if single:
        document = {"schema_version": SCHEMA_VERSION, **result_to_dict(results[0])}
    else:
        document = {
            "schema_version": SCHEMA_VERSION,
            "brands": [result_to_dict(r) for r in results],
        }
    return json.dumps(document, ensure_ascii=False, indent=2, allow_nan=False) + "\n"
