"""Terminal views of frameworks: the bundled list and one framework in full."""

from __future__ import annotations

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from cxscore.loader import FrameworkCatalog, bundled_framework_ids
from cxscore.models import Framework
from cxscore.render.numbers import format_rating
from cxscore.textsafe import clean_block, clean_line


def framework_list() -> RenderableType:
    """A table of the bundled frameworks: id, name, scale, metric count."""
    catalog = FrameworkCatalog()
    table = Table(box=box.SIMPLE_HEAD, title="Bundled frameworks", title_justify="left")
    for column in ("Id", "Name", "Scale", "Scoring", "Metrics"):
        table.add_column(column, justify="right" if column == "Metrics" else "left")
    for framework_id in bundled_framework_ids():
        framework = catalog.load_bundled(framework_id)
        table.add_row(
            Text(framework.id, style="bold"),
            Text(clean_line(framework.name)),
            f"{format_rating(framework.scale.min)}–{format_rating(framework.scale.max)}",
            framework.scoring,
            str(len(framework.metrics)),
        )
    return Group(table, Text("Show one with: cxscore frameworks show ID", style="dim"))


def framework_detail(framework: Framework) -> RenderableType:
    """One framework in full: description, source, scale, bands and metrics with weights."""
    scale = f"{format_rating(framework.scale.min)}–{format_rating(framework.scale.max)}"
    parts: list[RenderableType] = [
        Text.assemble((clean_line(framework.name), "bold"), (f" ({clean_line(framework.id)})", "dim")),
        Text(clean_block(framework.description)),
    ]
    if framework.source:
        parts.append(Text.assemble(("Source: ", "bold"), clean_block(framework.source)))
    parts.append(Text.assemble(("Scale: ", "bold"), scale, ("  scoring: ", "bold"), framework.scoring))
    bands = ", ".join(f"{clean_line(b.name)} ≥ {b.min:g}%" for b in framework.bands)
    parts.append(Text.assemble(("Bands: ", "bold"), bands))
    table = Table(box=box.SIMPLE_HEAD, show_lines=False)
    table.add_column("Id", style="bold", no_wrap=True)
    table.add_column("Metric", no_wrap=True)
    table.add_column("Weight", justify="right")
    table.add_column("What a low and a high rating look like")
    for metric in framework.metrics:
        table.add_row(
            clean_line(metric.id),
            Text(clean_line(metric.name)),
            format_rating(metric.weight),
            Text(clean_block(metric.description)),
        )
    parts.append(table)
    return Group(*parts)
