"""GitHub-flavoured markdown reports; every user string is escaped for inline markdown."""

from __future__ import annotations

from cxscore.render.numbers import format_number, format_percent, format_rating
from cxscore.scoring import ScoreResult
from cxscore.textsafe import markdown_inline


def table(header: list[str], rows: list[list[str]], align: str) -> list[str]:
    """A GFM pipe table; ``align`` has one of ``l``/``r`` per column; cells must be escaped already."""
    marks = {"l": ":---", "r": "---:"}
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(marks[a] for a in align) + " |"]
    lines.extend("| " + " | ".join(row) + " |" for row in rows)
    return lines


def _brand_section(result: ScoreResult) -> list[str]:
    scale = format_rating(result.scale_max)
    lines = [f"## {markdown_inline(result.brand)}", ""]
    meta = f"Framework: {markdown_inline(result.framework_name)} (`{result.framework_id}`)"
    if result.assessed:
        meta += f" · assessed {result.assessed.isoformat()}"
    if result.assessor:
        meta += f" by {markdown_inline(result.assessor)}"
    lines += [meta, ""]
    lines += [
        f"**Overall: {format_percent(result.overall_percent)} ({markdown_inline(result.band)})** · "
        f"coverage {format_percent(result.coverage_percent)} of weight "
        f"({len(result.rated)} of {len(result.metrics)} metrics rated)",
        "",
    ]
    if result.notes:
        lines += [markdown_inline(result.notes), ""]
    rows = []
    for metric in result.metrics:
        rated = metric.rating is not None and metric.score_percent is not None
        rows.append(
            [
                markdown_inline(metric.name),
                f"{format_rating(metric.rating)}/{scale}" if metric.rating is not None else "—",
                format_rating(metric.weight),
                format_percent(metric.score_percent)
                if rated and metric.score_percent is not None
                else "not rated",
                format_number(metric.points_lost) if metric.points_lost is not None else "",
                markdown_inline(metric.note or ""),
            ]
        )
    lines += table(["Metric", "Rating", "Weight", "Score", "Points lost", "Note"], rows, "lrrrrl")
    lines.append("")
    if result.unrated:
        names = ", ".join(markdown_inline(m.name) for m in result.unrated)
        lines += [f"Not rated (left out of the overall): {names}", ""]
    if result.lifts:
        lines += ["### Biggest lift", ""]
        for lift in result.lifts:
            metric = lift.metric
            lines.append(
                f"- **{markdown_inline(metric.name)}** "
                f"({format_rating(metric.rating or 0)}/{scale} → {scale}/{scale}): "
                f"+{format_number(lift.points)} points. {markdown_inline(metric.remediation)}"
            )
        lines.append("")
    return lines


def render_markdown(results: list[ScoreResult]) -> str:
    """A markdown report with one section per brand."""
    lines = ["# CX scorecard", ""]
    for result in results:
        lines += _brand_section(result)
    return "\n".join(lines).rstrip("\n") + "\n"
