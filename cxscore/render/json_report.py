"""The JSON reports (rate's contract is schema_version 1); values are unrounded."""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cxscore.compare import Comparison
    from cxscore.data.customer_report import CustomersReport
    from cxscore.data.driver_model import DriversReport
    from cxscore.data.model import MeasureReport
    from cxscore.data.plan import PlanReport
    from cxscore.history import HistoryReport
    from cxscore.models import Framework
    from cxscore.rank import Leaderboard
    from cxscore.report import RateReport


_LONG_LISTS = ("brands", "ranking")


def _dump(document: dict[str, Any]) -> str:
    """:func:`_write`, with every non-finite number written as ``null`` (JSON has no NaN or infinity).

    Models keep non-finite numbers out already; this is the last line, so that no value that slips
    through can crash a renderer. The document is copied only when the strict writer refuses it.
    """
    try:
        return _write(document)
    except ValueError:
        return _write(_finite(document))


def _finite(value: Any) -> Any:
    """``value`` with every NaN or infinite float, however deeply nested, replaced by ``None``."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(item) for item in value]
    return value


def _write(document: dict[str, Any]) -> str:
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


def render_rate(report: RateReport) -> str:
    """The ``rate`` contract, plus ``what_if`` per brand and ``baseline`` when they were asked for."""
    return _dump(report.to_dict())


def render_compare(comparison: Comparison) -> str:
    """``{"schema_version", "brands": [as rate], "comparison": {...}}``; ``best`` holds brand indices."""
    return _dump(comparison.to_dict())


def render_rank(board: Leaderboard) -> str:
    """``{"schema_version", "total", "ranking": [...]}``, best first, the first ``--top`` only."""
    return _dump(board.to_dict())


def render_measure(report: MeasureReport) -> str:
    """``{"measures": [...]}`` with unrounded values, overall results first."""
    return _dump(report.to_dict())


def render_plan(report: PlanReport) -> str:
    """``{"schema_version": 1, "plans": [{"measure", "moe", "change", "power", "n", "assumed"}]}``."""
    return _dump(report.to_dict())


def render_frameworks(frameworks: list[Framework]) -> str:
    """``{"schema_version": 1, "frameworks": [{id, name, metrics_scored, scoring, metrics}]}``."""
    from cxscore.render.frameworks import framework_summary
    from cxscore.scoring import SCHEMA_VERSION

    return _dump({"schema_version": SCHEMA_VERSION, "frameworks": [framework_summary(f) for f in frameworks]})


def render_framework(framework: Framework) -> str:
    """The validated framework as JSON: the fields of a framework file, defaults filled in."""
    from cxscore.scoring import SCHEMA_VERSION

    document = {"schema_version": SCHEMA_VERSION, **framework.model_dump(mode="json", exclude_none=True)}
    return _dump(document)


def render_history(report: HistoryReport) -> str:
    """``{"schema_version", "histories": [{"brand", "framework", "periods": [...], "notes"}]}``."""
    return _dump(report.to_dict())


def render_customers(report: CustomersReport) -> str:
    """``customers --format json`` (schema_version 1): the summary, model, segments and listed rows."""
    return _dump(report.to_dict())


def render_drivers(report: DriversReport) -> str:
    """``{"schema_version": 1, "outcome", "n", ..., "drivers": [...]}``; ``{"groups": [...]}`` with --by."""
    return _dump(report.to_dict())
