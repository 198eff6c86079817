"""What every rendering of a framework shares: how its metrics are scored, in a few words.

The renderers are ``render_frameworks`` (the list) and ``render_framework`` (one in full) in the
format modules; the command loads the frameworks and hands them over. Every curve's anchors are shown
with their source, and the bands with theirs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cxscore.render.numbers import format_rating, format_value

if TYPE_CHECKING:
    from cxscore.models import Curve, Framework, Metric


def rating_scale(framework: Framework) -> str:
    """``1–5`` when some metric is rated on the scale, else the empty string (all measured)."""
    if all(metric.measure is not None for metric in framework.metrics):
        return ""
    return f"{format_rating(framework.scale.min)}–{format_rating(framework.scale.max)}"


def metrics_scored(framework: Framework) -> str:
    """How the framework's metrics are scored, in a few words: ``1–5``, ``measured`` or both."""
    scale = rating_scale(framework)
    measured = any(metric.measure is not None for metric in framework.metrics)
    if not scale:
        return "measured"
    return f"{scale} + measured" if measured else scale


def scoring_text(framework: Framework) -> str:
    """``points`` or ``minmax`` for rated frameworks, ``curves`` when every metric is measured."""
    return framework.scoring if rating_scale(framework) else "curves"


def metric_scoring(metric: Metric, framework: Framework) -> str:
    """How one metric is scored: its scale, or its measure and curve."""
    if metric.measure is None or metric.curve is None:
        low, high = format_rating(framework.scale.min), format_rating(framework.scale.max)
        return f"rated {low}–{high}"
    return f"{metric.measure.label}: {curve_anchors(metric.curve)}"


def curve_anchors(curve: Curve) -> str:
    """A curve's anchors in a few words: ``6 → 0%, 66 → 100%``."""
    if curve.type == "linear" and curve.worst is not None and curve.best is not None:
        return f"{format_value(curve.worst)} → 0%, {format_value(curve.best)} → 100%"
    if curve.p10 is not None and curve.median is not None:
        return f"{format_value(curve.p10)} → 90%, {format_value(curve.median)} → 50%"
    return curve.type


def anchor_sources(metric: Metric) -> list[str]:
    """Where a measured metric's anchors come from: the curve's source, then each industry's anchors
    with theirs (``Industry tv_internet (TV and Internet service providers): 9 → 50%, ... Source: ...``)."""
    curve = metric.curve
    if curve is None:
        return []
    lines = [f"Anchors: {curve.source}"]
    for key, anchors in curve.industries.items():
        variant = curve.for_industry(key)
        lines.append(f"Industry {key} ({anchors.name}): {curve_anchors(variant)}. Source: {anchors.source}")
    return lines


def framework_summary(framework: Framework) -> dict[str, Any]:
    """One framework in a list, as JSON: id, name, how it is scored, how many metrics."""
    return {
        "id": framework.id,
        "name": framework.name,
        "metrics_scored": metrics_scored(framework),
        "scoring": scoring_text(framework),
        "metrics": len(framework.metrics),
    }
