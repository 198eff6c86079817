"""Terminal views of frameworks: the bundled list and one framework in full."""

from __future__ import annotations

from rich import box
from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from cxscore.loader import FrameworkCatalog, bundled_framework_ids
from cxscore.models import Framework, Metric
from cxscore.render.numbers import format_rating, format_value
from cxscore.textsafe import clean_block, clean_line


def _scale_text(framework: Framework) -> str:
    """How the framework's metrics are scored, in a few words: ``1–5`` or ``measured``."""
    scale = f"{format_rating(framework.scale.min)}–{format_rating(framework.scale.max)}"
    measured = sum(metric.measure is not None for metric in framework.metrics)
    if measured == len(framework.metrics):
        return "measured"
    return f"{scale} + measured" if measured else scale


def _metric_scoring(metric: Metric, framework: Framework) -> str:
    """How one metric is scored: its scale, or its measure and curve."""
    if metric.measure is None or metric.curve is None:
        low, high = format_rating(framework.scale.min), format_rating(framework.scale.max)
        return f"rated {low}–{high}"
    curve = metric.curve
    label = metric.measure.label
    if curve.type == "linear" and curve.worst is not None and curve.best is not None:
        return f"{label}: {format_value(curve.worst)} → 0%, {format_value(curve.best)} → 100%"
    if curve.p10 is not None and curve.median is not None:
        return f"{label}: {format_value(curve.p10)} → 90%, {format_value(curve.median)} → 50%"
    return label


def framework_list() -> RenderableType:
    """A table of the bundled frameworks: id, name, how metrics are scored, metric count."""
    catalog = FrameworkCatalog()
    table = Table(box=box.SIMPLE_HEAD, title="Bundled frameworks", title_justify="left")
    for column in ("Id", "Name", "Metrics scored", "Scoring", "Metrics"):
        table.add_column(column, justify="right" if column == "Metrics" else "left")
    for framework_id in bundled_framework_ids():
        framework = catalog.load_bundled(framework_id)
        measured_only = all(metric.measure is not None for metric in framework.metrics)
        table.add_row(
            Text(framework.id, style="bold"),
            Text(clean_line(framework.name)),
            _scale_text(framework),
            "curves" if measured_only else framework.scoring,
            str(len(framework.metrics)),
        )
    return Group(table, Text("Show one with: cxscore frameworks show ID_OR_FILE", style="dim"))


def framework_detail(framework: Framework) -> RenderableType:
    """One framework in full: description, source, scoring, bands, the metrics and what each means."""
    parts: list[RenderableType] = [
        Text.assemble((clean_line(framework.name), "bold"), (f" ({clean_line(framework.id)})", "dim")),
        Text(clean_block(framework.description)),
    ]
    if framework.source:
        parts.append(Text.assemble(("Source: ", "bold"), clean_block(framework.source)))
    if any(metric.measure is None for metric in framework.metrics):
        scale = f"{format_rating(framework.scale.min)}–{format_rating(framework.scale.max)}"
        parts.append(
            Text.assemble(("Rating scale: ", "bold"), scale, ("  scoring: ", "bold"), framework.scoring)
        )
    bands = ", ".join(f"{clean_line(b.name)} ≥ {b.min:g}%" for b in framework.bands)
    parts.append(Text.assemble(("Bands: ", "bold"), bands))
    table = Table(box=box.SIMPLE_HEAD)
    table.add_column("Id", style="bold", no_wrap=True)
    table.add_column("Metric")
    table.add_column("Weight", justify="right", no_wrap=True)
    table.add_column("Scored as")
    for metric in framework.metrics:
        table.add_row(
            clean_line(metric.id),
            Text(clean_line(metric.name)),
            format_rating(metric.weight),
            Text(clean_line(_metric_scoring(metric, framework))),
        )
    parts.append(table)
    for metric in framework.metrics:
        parts.append(Text(clean_line(metric.name), style="bold"))
        parts.append(Padding(Text(clean_block(metric.description)), (0, 0, 0, 2)))
        if metric.remediation:
            parts.append(
                Padding(Text("To improve: " + clean_block(metric.remediation), style="dim"), (0, 0, 1, 2))
            )
    return Group(*parts)
