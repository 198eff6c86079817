"""The JSON reports (rate's contract is schema_version 1); values are unrounded."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from cxscore.render import Pieces
from cxscore.scoring import SCHEMA_VERSION

if TYPE_CHECKING:
    from cxscore.compare import Comparison
    from cxscore.data.customer_report import CustomersReport
    from cxscore.data.driver_model import DriversReport
    from cxscore.data.model import MeasureReport
    from cxscore.data.plan import PlanReport
    from cxscore.history import HistoryReport
    from cxscore.models import Framework
    from cxscore.rank import Leaderboard
    from cxscore.report import RateReport, RateStream


_LONG_LISTS = ("brands", "ranking")


def _dump(document: dict[str, Any]) -> str:
    """The document as text: :func:`_pieces` joined."""
    return "".join(_pieces(document))


def _finite(value: Any) -> Any:
    """``value`` with every NaN or infinite float, however deeply nested, replaced by ``None``."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(item) for item in value]
    return value


def _pieces(document: dict[str, Any]) -> Iterator[str]:
    """Indented JSON, except that a ``brands`` or ``ranking`` list is written one compact item per line.

    Indented output goes through json's pure-Python encoder; for a 10,000-brand portfolio that
    cost more than scoring the brands, while one line per brand keeps the C encoder and stays
    readable and diff-friendly. Other values (a comparison section) stay indented: they are small.
    A long list may be any iterable (a leaderboard read from disk): its items are written as they
    come, one piece each. Every non-finite number is written as ``null`` (JSON has no NaN or
    infinity): models keep them out already, and this is the last line, so that no value that slips
    through can crash a renderer; a value is copied only when the strict writer refuses it.
    """
    if not any(key in _LONG_LISTS and isinstance(value, list | Iterator) for key, value in document.items()):
        yield _json(document, indent=2) + "\n"
        return
    for number, (key, value) in enumerate(document.items()):
        yield ("{" if number == 0 else ",\n") + f"{json.dumps(key)}: "
        if key in _LONG_LISTS and isinstance(value, list | Iterator):
            empty = True
            for item in value:
                yield ("[\n" if empty else ",\n") + _json(item)
                empty = False
            yield "[]" if empty else "\n]"
        else:
            yield _json(value, indent=2)
    yield "}\n"


def _json(value: Any, indent: int | None = None) -> str:
    try:
        return json.dumps(value, ensure_ascii=False, indent=indent, allow_nan=False)
    except ValueError:
        return json.dumps(_finite(value), ensure_ascii=False, indent=indent, allow_nan=False)


def render_rate(report: RateReport) -> str:
    """The ``rate`` contract, plus ``what_if`` per brand and ``baseline`` when they were asked for."""
    return _dump(report.to_dict())


def render_rate_stream(stream: RateStream) -> Pieces:
    """:func:`render_rate` for a portfolio, a brand per piece as each is scored."""
    brands = (result.to_dict() for result in stream.results)
    return Pieces(_pieces({"schema_version": SCHEMA_VERSION, "brands": brands}), settled=False)


def render_compare(comparison: Comparison) -> str:
    """``{"schema_version", "brands": [as rate], "comparison": {...}}``; ``best`` holds brand indices."""
    return _dump(comparison.to_dict())


def render_rank(board: Leaderboard) -> Pieces:
    """``{"schema_version", "total", "ranking": [...]}``, best first, the first ``--top`` only; written
    an entry at a time."""
    return Pieces(_pieces(board.to_dict(lazy=True)))


def render_measure(report: MeasureReport) -> str:
    """``{"measures": [...]}`` with unrounded values, overall results first."""
    return _dump(report.to_dict())


def render_plan(report: PlanReport) -> str:
    """``{"schema_version": 1, "plans": [{"measure", "moe", "change", "power", "n", "assumed"}]}``."""
    return _dump(report.to_dict())


def render_frameworks(frameworks: list[Framework]) -> str:
    """``{"schema_version": 1, "frameworks": [{id, name, metrics_scored, scoring, metrics}]}``."""
    from cxscore.render.frameworks import framework_summary

    return _dump({"schema_version": SCHEMA_VERSION, "frameworks": [framework_summary(f) for f in frameworks]})


def render_framework(framework: Framework) -> str:
    """The validated framework as JSON: the fields of a framework file, defaults filled in."""
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
