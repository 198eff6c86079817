"""Self-contained HTML reports: one file with inline CSS and inline SVG charts, nothing fetched.

A stakeholder opens the file in a browser, offline. The page's Content-Security-Policy forbids every
network request, and every user string (brand names, notes, paths, framework names) passes through
:func:`esc` (``html.escape`` with quotes, after control characters are made visible) before it
reaches the page, so a brand named ``<script>`` is shown, never run.
"""

from __future__ import annotations

import datetime
import html
import os
from collections.abc import Iterable, Sequence
from pathlib import PurePath
from typing import TYPE_CHECKING

from cxscore.render.numbers import (
    LOW_COVERAGE_LEGEND,
    TIED_LEGEND,
    coverage_warning,
    format_above_next,
    format_alpha,
    format_before_after,
    format_delta,
    format_interval,
    format_number,
    format_overall_interval,
    format_percent,
    format_rank_range,
    format_rated,
    format_rating,
    format_spread,
    format_value,
    industry_anchors_text,
    lift_change,
    score_tier,
    standing_rows,
    weighted_by,
    with_unit,
)
from cxscore.report_settings import ReportMeta, report_meta
from cxscore.textsafe import clean_block, clean_line

if TYPE_CHECKING:
    from cxscore.compare import Comparison, Row
    from cxscore.data.customer_report import CustomersReport
    from cxscore.data.driver_model import DriverModel, DriversReport
    from cxscore.history import History, HistoryReport, Line
    from cxscore.rank import Leaderboard, RankEntry
    from cxscore.report import RateReport, WhatIf
    from cxscore.scoring import MetricScore, ScoreResult

#: Brands' colours in charts: blues, purples, teal and greys, none of them a band colour (no green,
#: amber, orange or red), so a brand's bar never reads as a verdict. Each passes 4.5:1 on white.
SERIES_COLOURS = ("#0969da", "#8250df", "#bf3989", "#1b7c83", "#57606a", "#0a3069")
#: The score levels' colours (text and bars): each at least 4.5:1 against white and the table's grey.
TIER_COLOURS = {
    "excellent": "#116329",
    "good": "#1a7f37",
    "ok": "#7d4e00",
    "poor": "#bc4c00",
    "very-poor": "#cf222e",
}
#: What each level means, in words: the legend that keeps meaning off colour alone.
TIER_WORDS = {
    "excellent": "80% or more",
    "good": "65% to under 80%",
    "ok": "50% to under 65%",
    "poor": "35% to under 50%",
    "very-poor": "under 35%",
}
#: A table with more rows than this starts on a new printed page rather than splitting at once.
LARGE_TABLE_ROWS = 14

_CSS = """
:root { color-scheme: light; --ink: #1f2328; --muted: #656d76; --line: #d0d7de; --soft: #f6f8fa;
  --excellent: #116329; --good: #1a7f37; --ok: #7d4e00; --poor: #bc4c00; --very-poor: #cf222e; }
* { box-sizing: border-box; }
body { margin: 0; background: #eef1f4; color: var(--ink);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
header.report, main, footer { max-width: 1040px; margin: 0 auto; padding-left: 20px; padding-right: 20px; }
header.report { display: flex; align-items: center; gap: 18px; padding-top: 24px; padding-bottom: 6px; }
header.report img.logo { max-height: 64px; max-width: 200px; }
header.report .org { margin: 0; font-weight: 600; }
header.report .kind { margin: 0; color: var(--muted); }
main { padding-top: 12px; padding-bottom: 12px; }
h1 { font-size: 26px; margin: 0; color: var(--accent); border-top: 4px solid var(--accent);
  padding-top: 6px; }
h2 { font-size: 22px; margin: 0; overflow-wrap: anywhere; }
h3 { font-size: 16px; margin: 22px 0 8px; }
section.card { background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 22px 24px;
  margin: 0 0 22px; box-shadow: 0 1px 3px rgba(31, 35, 40, .06); }
.appendix h2 { font-size: 18px; color: var(--accent); }
.appendix h3 { margin-top: 14px; }
.appendix p { margin: 4px 0 10px; }
.head { display: flex; justify-content: space-between; align-items: flex-start; gap: 18px; }
.meta, .muted { color: var(--muted); }
.meta { margin: 4px 0 0; }
.score { text-align: right; white-space: nowrap; }
.score .pct { display: block; font-size: 40px; font-weight: 700; line-height: 1.1; }
.score .band { font-weight: 600; }
.note, .notes { white-space: pre-line; overflow-wrap: anywhere; }
.notes { font-style: italic; margin: 12px 0 0; }
.warn { background: #fff8c5; border: 1px solid #d4a72c; border-radius: 6px; padding: 8px 12px;
  margin: 10px 0; }
figure { margin: 16px 0 6px; }
figcaption { color: var(--muted); font-size: 13px; margin-top: 4px; }
svg { display: block; width: 100%; height: auto; }
svg text { font: 13px system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
  fill: var(--ink); }
svg .track { fill: #eaeef2; }
svg .value { font-weight: 600; } svg text.muted { fill: var(--muted); }
svg .mark { stroke: var(--ink); stroke-width: 1.5; stroke-dasharray: 4 3; }
table { border-collapse: collapse; width: 100%; margin: 12px 0 4px; font-size: 14px; }
caption { text-align: left; font-weight: 600; padding: 0 0 4px; }
th, td { text-align: left; padding: 7px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--soft); font-weight: 600; }
td.num, th.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
tr.overall td, tr.overall th { font-weight: 700; border-top: 2px solid var(--ink); }
tbody th { background: none; font-weight: normal; }
tbody th[colspan] { background: var(--soft); font-weight: 600; }
td.best { background: #dafbe1; font-weight: 700; }
.up { color: var(--excellent); } .down { color: var(--very-poor); }
.tier-excellent { color: var(--excellent); } .tier-good { color: var(--good); } .tier-ok { color: var(--ok); }
.tier-poor { color: var(--poor); } .tier-very-poor { color: var(--very-poor); }
svg .tier-excellent { fill: var(--excellent); } svg .tier-good { fill: var(--good); }
svg .tier-ok { fill: var(--ok); } svg .tier-poor { fill: var(--poor); }
svg .tier-very-poor { fill: var(--very-poor); }
.meter { background: #eaeef2; border-radius: 3px; height: 10px; min-width: 120px; margin-top: 6px; }
table.compact { width: auto; min-width: 60%; }
.nowrap { white-space: nowrap; }
.meter span { display: block; height: 10px; border-radius: 3px; background: currentColor; }
ul.lift { padding-left: 20px; margin: 4px 0; } ul.lift li { margin: 0 0 8px; }
ul.legend { list-style: none; padding: 0; margin: 6px 0 0; font-size: 13px; display: flex; flex-wrap: wrap;
  gap: 4px 16px; }
.brands { display: grid; grid-template-columns: repeat(auto-fit, minmax(220px, 1fr)); gap: 14px;
  margin: 0 0 8px; }
.swatch { display: inline-block; width: 12px; height: 12px; border-radius: 3px; margin-right: 6px; }
.brands > div { border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; }
.brands .score { text-align: left; }
.visually-hidden { position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0; overflow: hidden;
  clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
footer { text-align: center; color: var(--muted); font-size: 13px; padding-bottom: 24px; }
footer a { color: var(--accent); }
@media print {
  body { background: #fff; font-size: 10pt; line-height: 1.35; print-color-adjust: exact;
    -webkit-print-color-adjust: exact; }
  h1 { font-size: 18pt; } h2 { font-size: 15pt; } .score .pct { font-size: 26pt; }
  table { font-size: 9pt; } th, td { padding: 2pt 6pt; }
  figure { margin: 4pt 0 2pt; } figure svg { width: 74%; }
  h3 { margin: 12pt 0 4pt; } ul.lift li { margin: 0 0 4pt; } header.report { padding-bottom: 0; }
  header.report, main, footer { max-width: none; padding-left: 0; padding-right: 0; }
  header.report { padding-top: 0; }
  section.card { box-shadow: none; border: 0; border-radius: 0; padding: 0; margin: 0 0 12pt; }
  section.card + section.card, section.appendix { break-before: page; }
  figure, svg, .head, .brands, .warn, tr, ul.legend { break-inside: avoid; }
  h2, h3, caption { break-after: avoid; }
  table.large { break-before: page; }
  thead { display: table-header-group; }
  [role="region"] { overflow: visible !important; }
  footer { padding-bottom: 0; }
}
"""

# No network at all: only the inline style sheet may apply, and the logo as a data: image.
_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

# Chart geometry, in SVG user units (the SVG scales to the page width).
_WIDTH, _LABEL_RIGHT, _BAR_X, _BAR_W = 720, 226, 236, 390


def esc(text: str | None) -> str:
    """User text for HTML: control characters made visible, then ``html.escape(quote=True)``."""
    return "" if text is None else html.escape(clean_block(text), quote=True)


def css_string(text: str) -> str:
    """User text as a quoted CSS string: every character but letters, digits and a few safe marks is
    a hex escape, so nothing in it can end the string, the rule or the style element."""
    safe = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,:-")
    return '"' + "".join(c if c in safe else f"\\{ord(c):06x} " for c in clean_line(text)) + '"'


def shown_path(path: str) -> str:
    """A file name as the reader should see it: relative to the current directory, never absolute."""
    given = PurePath(path)
    if not given.is_absolute():
        return path
    try:
        return os.path.relpath(given)  # pathlib has no relative_to that climbs with ..
    except ValueError:  # another drive (Windows)
        return given.name


def _print_css(meta: ReportMeta, title: str) -> str:
    """The printed page: paper size and margins, and a running header and footer line (brand, date,
    page number) drawn in the page margins."""
    branding = meta.branding
    left = " · ".join(part for part in (branding.organisation, title) if part)
    return (
        f":root {{ --accent: {branding.accent}; }}\n"
        f"@page {{ size: {branding.paper}; margin: 14mm 14mm 14mm 14mm;\n"
        f"  @top-left {{ content: {css_string(left)}; font: 9pt sans-serif; color: #57606a; }}\n"
        f"  @top-right {{ content: {css_string(meta.generated_date)}; font: 9pt sans-serif;"
        " color: #57606a; }\n"
        f"  @bottom-left {{ content: {css_string(f'cxscore {meta.version}')}; font: 9pt sans-serif;"
        " color: #57606a; }\n"
        '  @bottom-right { content: "Page " counter(page) " of " counter(pages); font: 9pt sans-serif;'
        " color: #57606a; }\n}\n"
    )


def _appendix() -> list[str]:
    """How the scores are made, in one paragraph each: formula, coverage, bands and colours."""
    levels = "; ".join(TIER_WORDS.values())
    return [
        '<section class="card appendix" aria-labelledby="method">',
        '<h2 id="method">Method</h2>',
        "<h3>Formula</h3>",
        "<p>Each metric's rating becomes a score from 0% to 100%: its points out of the scale's top "
        "(a 4 of 5 is 80%), or, on frameworks that score the position on the scale, its distance from "
        "the bottom of the scale; a measured metric (such as NPS or first response time) is scored by "
        "the framework's curve for its value. The overall is the weighted average of the rated "
        "metrics' scores, each counted in proportion to its weight. A metric's points lost are what it "
        "keeps the overall from 100%, so raising it to the top of the scale lifts the overall by "
        "exactly that much.</p>",
        "<h3>Coverage</h3>",
        "<p>Metrics that were not rated are left out of the overall rather than counted as zero. "
        "Coverage is the share of the framework's total weight that was rated; an overall that rests "
        "on less than half of the weight is marked as low coverage and should be read with care.</p>",
        "<h3>Bands and colours</h3>",
        "<p>The band (such as Good or Poor) is the name the framework gives to the range the overall "
        "falls in; each framework sets its own thresholds, with their source, and <code>cxscore "
        "frameworks show</code> lists them. Colours only repeat what the words and numbers say: an "
        "overall takes the colour of its band (dark green Excellent, green Good, brown OK, orange Poor, "
        "red Very poor), and a metric's score the colour of its level, the same in every report "
        f"({esc(levels)}).</p>",
        "</section>",
    ]


def _brands(names: Iterable[str]) -> str:
    """The brands a report is about, for its title and its printed header (cut when long)."""
    return _clip(", ".join(dict.fromkeys(names)), 90)


def _tier_name(tier: str) -> str:
    return "OK" if tier == "ok" else tier.replace("-", " ").capitalize()


def _legend() -> str:
    """The colour key, in words, under a table whose scores are coloured by level."""
    items = "".join(
        f'<li><span class="swatch" style="background:{TIER_COLOURS[tier]}" aria-hidden="true"></span>'
        f"{words}</li>"
        for tier, words in TIER_WORDS.items()
    )
    return (
        f'<ul class="legend" aria-label="Colour key of scores"><li>Score colours:</li>{items}'
        "<li>an overall takes the colour of its band</li></ul>"
    )


def _band_legend() -> str:
    """The colour key of a table whose overall scores are coloured by their band."""
    items = "".join(
        f'<li><span class="swatch" style="background:{TIER_COLOURS[tier]}" aria-hidden="true"></span>'
        f"{_tier_name(tier)}</li>"
        for tier in TIER_WORDS
    )
    return f'<ul class="legend" aria-label="Colour key of bands"><li>Band colours:</li>{items}</ul>'


def _assessed(assessed: datetime.date | None, assessor: str | None) -> str:
    """``assessed 2024-12-17 by X`` (or ``date not given``), escaped."""
    when = f'<span class="nowrap">{assessed.isoformat()}</span>' if assessed else ""
    text = f"assessed {when}" if assessed else "assessment date not given"
    return text + (f" by {esc(assessor)}" if assessor else "")


def _initial(text: str) -> str:
    """The text with its first letter a capital (and nothing else changed, unlike ``capitalize``)."""
    return text[:1].upper() + text[1:]


def _report_page(kind: str, subject: str, body: list[str]) -> str:
    """A whole report about ``subject`` (plain text: brand names), of a ``kind`` such as "CX scorecard"."""
    return _page(f"{esc(kind)} — {esc(subject)}", esc(kind), body)


def _footer(meta: ReportMeta, method: bool) -> str:
    """What the reader needs to know of the numbers' origin, in words."""
    made = f"cxscore {esc(meta.version)} on {meta.generated_date}"
    if not method:
        return f"Figures from {made}."
    return f'Scores from {made}; method: see <a href="#method">the appendix</a>.'


def _page(title: str, heading: str, body: list[str], method: bool = True) -> str:
    """A whole report: header (logo, organisation, heading, generation line), the sections, the method
    appendix and a footer that says where the scores come from. ``title`` ("kind — subject") and
    ``heading`` are HTML, escaped by the caller; the settings' title, when given, replaces the heading.
    ``method``: whether the page shows CX scores, whose method the appendix explains."""
    meta = report_meta()
    branding = meta.branding
    kind_line = f'<p class="kind">{title}</p>' if branding.title else ""
    if branding.title:
        heading, title = esc(branding.title), f"{esc(branding.title)} — {title}"
    logo = ""
    if branding.logo_uri:
        alt = f"{branding.organisation} logo" if branding.organisation else "Logo"
        logo = f'<img class="logo" src="{branding.logo_uri}" alt="{esc(alt)}">'
    organisation = f'<p class="org">{esc(branding.organisation)}</p>' if branding.organisation else ""
    generated = f"Generated {meta.generated_time} by cxscore {esc(meta.version)}"
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f'<meta name="generator" content="cxscore {esc(meta.version)}">',
            f"<title>{title}</title>",
            f"<style>{_CSS}{_print_css(meta, html.unescape(title))}</style>",
            "</head>",
            "<body>",
            '<header class="report">',
            *([logo] if logo else []),
            f'<div>{organisation}<h1>{heading}</h1>{kind_line}<p class="meta">{generated}</p></div>',
            "</header>",
            "<main>",
            *body,
            *(_appendix() if method else []),
            "</main>",
            f"<footer><p>{_footer(meta, method)}</p></footer>",
            "</body>",
            "</html>",
            "",
        ]
    )


def _size(rows: int) -> str:
    """`` large`` for a table long enough to start on a new printed page, else nothing."""
    return " large" if rows > LARGE_TABLE_ROWS else ""


def _tier(percent: float) -> str:
    return f"tier-{score_tier(percent)}"


def _band_tier(band: str, percent: float) -> str:
    """An overall's colour class: its band's, for the usual band names (Excellent ... Very poor), whose
    thresholds each framework sets; else the score level's."""
    named = band.strip().casefold().replace(" ", "-")
    return f"tier-{named}" if named in TIER_COLOURS else _tier(percent)


def _score_block(percent: float, band: str) -> str:
    return (
        f'<div class="score {_band_tier(band, percent)}"><span class="pct">{format_percent(percent)}</span>'
        f'<span class="band">{esc(band)}</span></div>'
    )


def _delta_cell(delta: float | None) -> str:
    if delta is None:
        return '<td class="num"></td>'
    kind = "up" if delta > 0 else "down" if delta < 0 else "muted"
    return f'<td class="num {kind}">{format_delta(delta)}</td>'


_TABLE_EQUIVALENT = "The table below gives every value in this chart."


def _chart(
    label: str,
    groups: Sequence[tuple[str, Sequence[float | None]]],
    series: Sequence[str] = (),
    marker: tuple[float, str] | None = None,
) -> str:
    """A horizontal bar chart: one group per metric, one bar per series (coloured by tier if one).

    Labels are user text: escaped here, and cut to fit the chart (the table beside it has them whole).
    The legend lists one series per line, since the width of text cannot be known without a browser.
    ``marker`` draws a dashed vertical line at a percentage (the overall) with a caption.
    """
    count = max((len(values) for _, values in groups), default=1)
    bar_h, bar_gap, group_gap = (20, 0, 12) if count == 1 else (13, 3, 14)
    group_h = count * bar_h + (count - 1) * bar_gap
    top = 18 * len(series) + 12 if series else 30 if marker else 6
    height = top + len(groups) * (group_h + group_gap) + 4
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_WIDTH} {height}" role="img" '
        f'aria-label="{esc(label)}"><title>{esc(label)}</title>'
    ]
    for index, name in enumerate(series):
        colour = SERIES_COLOURS[index % len(SERIES_COLOURS)]
        parts.append(
            f'<rect x="{_BAR_X}" y="{6 + 18 * index}" width="12" height="12" rx="2" fill="{colour}"/>'
        )
        parts.append(f'<text x="{_BAR_X + 17}" y="{16 + 18 * index}">{esc(_clip(name, 56))}</text>')
    y = top
    for name, values in groups:
        label_y = f"{y + group_h / 2 + 4.5:.1f}"
        parts.append(
            f'<text x="{_LABEL_RIGHT}" y="{label_y}" text-anchor="end">{esc(_clip(name, 30))}</text>'
        )
        for index, value in enumerate(values):
            bar_y = y + index * (bar_h + bar_gap)
            parts.append(
                f'<rect class="track" x="{_BAR_X}" y="{bar_y}" width="{_BAR_W}" height="{bar_h}" rx="3"/>'
            )
            text_y = f"{bar_y + bar_h / 2 + 4.5:.1f}"
            if value is None:
                parts.append(f'<text class="muted" x="{_BAR_X + 8}" y="{text_y}">not rated</text>')
                continue
            paint = (
                f'fill="{SERIES_COLOURS[index % len(SERIES_COLOURS)]}"'
                if series
                else f'class="{_tier(value)}"'
            )
            width = f"{_BAR_W * max(0.0, min(100.0, value)) / 100:.1f}"
            parts.append(f'<rect {paint} x="{_BAR_X}" y="{bar_y}" width="{width}" height="{bar_h}" rx="3"/>')
            parts.append(
                f'<text class="value" x="{_BAR_X + _BAR_W + 8}" y="{text_y}">{format_percent(value)}</text>'
            )
        y += group_h + group_gap
    if marker is not None:
        mark_x = f"{_BAR_X + _BAR_W * marker[0] / 100:.1f}"
        parts.append(
            f'<line class="mark" x1="{mark_x}" x2="{mark_x}" y1="{top - 6}" y2="{y - group_gap + 4}"/>'
        )
        parts.append(f'<text x="{mark_x}" y="{top - 10}" text-anchor="middle">{marker[1]}</text>')
    parts.append("</svg>")
    return f"<figure>{''.join(parts)}<figcaption>{_TABLE_EQUIVALENT}</figcaption></figure>"


def _given(metric: MetricScore, scale: str) -> str:
    """``4/5`` for a rated metric; for a measured one its value and unit, then interval and n, muted."""
    if metric.value is None:
        given = f"{format_rated(metric.rating or 0, metric.assessments)}/{scale}"
        spread = format_spread(metric.assessments, metric.assessor_sd)
        return f'{given}<br><span class="muted">{spread}</span>' if spread else given
    value = with_unit(format_value(metric.value), esc(metric.unit) if metric.unit else None)
    detail = format_interval(
        metric.ci_low, metric.ci_high, metric.n, metric.significant, weighted_by(metric, esc)
    )
    return f'{value}<br><span class="muted">{detail}</span>' if detail else value


def _clip(text: str, limit: int) -> str:
    """Text cut to ``limit`` characters with an ellipsis (chart labels have a fixed room)."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _uncertainty(result: ScoreResult) -> str:
    """The overall's 95% interval and the assessors' agreement, when there are any."""
    interval = format_overall_interval(result.overall_ci_low, result.overall_ci_high)
    texts = [text for text in (interval, format_alpha(result.krippendorff_alpha)) if text]
    return f'<p class="meta">{" · ".join(texts)}</p>' if texts else ""


def _brand_card(result: ScoreResult) -> list[str]:
    scale = format_rating(result.scale_max)
    meta = f"{esc(result.framework_name)} ({esc(result.framework_id)}) · "
    meta += _assessed(result.assessed, result.assessor)
    anchors = industry_anchors_text(result)
    if anchors:
        meta += f" · {esc(anchors)}"
    parts = [
        '<div class="head">',
        f'<div><h2>{esc(result.brand)}</h2><p class="meta">{meta}</p>',
        f'<p class="meta">Coverage {format_percent(result.coverage_percent)} of weight · '
        f"{len(result.rated)} of {len(result.metrics)} metrics rated</p>{_uncertainty(result)}</div>",
        _score_block(result.overall_percent, result.band),
        "</div>",
    ]
    if result.low_coverage:
        parts.append(f'<p class="warn">⚠ {esc(coverage_warning(result.coverage_percent))}</p>')
    if result.notes:
        parts.append(f'<p class="notes">{esc(result.notes)}</p>')
    groups = [(metric.name, [metric.score_percent]) for metric in result.metrics]
    overall = (result.overall_percent, f"overall {format_percent(result.overall_percent)}")
    parts.append(_chart(f"Metric scores of {result.brand}", groups, marker=overall))
    parts.append(
        f'<table class="metrics{_size(len(result.metrics))}"><caption>Metric scores of {esc(result.brand)}'
        '</caption><thead><tr><th scope="col">Metric</th><th scope="col" class="num">Rating</th>'
        '<th scope="col" class="num">Weight</th><th scope="col" class="num">Score</th>'
        '<th scope="col" class="num">Points lost</th><th scope="col">Note</th></tr></thead><tbody>'
    )
    for metric in result.metrics:
        if not metric.rated or metric.score_percent is None:
            rating, score, lost = "—", '<span class="muted">not rated</span>', ""
        else:
            rating = _given(metric, scale)
            score = (
                f'<span class="{_tier(metric.score_percent)}">{format_percent(metric.score_percent)}</span>'
            )
            lost = format_number(metric.points_lost or 0.0)
        parts.append(
            f'<tr><th scope="row">{esc(metric.name)}</th><td class="num">{rating}</td>'
            f'<td class="num">{format_rating(metric.weight)}</td><td class="num">{score}</td>'
            f'<td class="num">{lost}</td><td class="note">{esc(metric.note)}</td></tr>'
        )
    parts += ["</tbody></table>", _legend()]
    if result.unrated:
        names = ", ".join(esc(metric.name) for metric in result.unrated)
        parts.append(f'<p class="muted">Not rated (left out of the overall): {names}</p>')
    if result.lifts:
        parts.append('<h3>Biggest lift</h3><ul class="lift">')
        for lift in result.lifts:
            metric = lift.metric
            target = format_percent(result.overall_percent + lift.points)
            change = lift_change(metric.rating, metric.value, result.scale_max)
            parts.append(
                f"<li><strong>{esc(metric.name)}</strong> {change}: "
                f'<strong class="up">+{format_number(lift.points)} points</strong> '
                f"(overall {target}). {esc(metric.remediation)}</li>"
            )
        parts.append("</ul>")
    return parts


def _what_if_card(what_if: WhatIf) -> list[str]:
    scale = what_if.current.scale_max
    rows = "".join(
        f"<tr><td>{esc(change.name)}</td>"
        f'<td class="num">{format_before_after(change.before, scale, change.measured)}</td>'
        f'<td class="num">{format_before_after(change.after, scale, change.measured)}</td></tr>'
        for change in what_if.changes
    )
    now, then = what_if.current, what_if.hypothetical
    return [
        "<h3>What if</h3>",
        '<table class="compact"><thead><tr><th>Metric</th><th class="num">Rating now</th>'
        '<th class="num">What-if rating</th>'
        f"</tr></thead><tbody>{rows}</tbody></table>",
        f'<p>Overall now <strong class="{_band_tier(now.band, now.overall_percent)}">'
        f"{format_percent(now.overall_percent)} ({esc(now.band)})</strong> → what-if "
        f'<strong class="{_band_tier(then.band, then.overall_percent)}">'
        f"{format_percent(then.overall_percent)} ({esc(then.band)})</strong>, "
        f"{format_delta(what_if.overall_delta)} points.</p>",
    ]


def _low_mark(low_coverage: bool) -> str:
    return " ⚠" if low_coverage else ""


def _warnings(notes: list[str]) -> list[str]:
    return [f'<p class="warn">⚠ {esc(note)}</p>' for note in notes]


def _baseline_card(change: Comparison) -> list[str]:
    baseline = change.results[0]
    assessed = f", assessed {baseline.assessed.isoformat()}" if baseline.assessed else ""
    parts = [
        "<h3>Change since the baseline "
        f'<span class="muted">({esc(shown_path(baseline.path))}{assessed})</span></h3>'
    ]
    parts += _warnings(change.notes())
    parts.append(
        '<table class="compact"><thead><tr><th>Metric</th><th class="num">Baseline</th>'
        '<th class="num">Now</th><th class="num">Change</th></tr></thead><tbody>'
    )
    for row in (*change.rows, change.overall):
        cells = "".join(
            f'<td class="num">{"—" if score is None else format_percent(score)}</td>' for score in row.scores
        )
        kind = ' class="overall"' if row is change.overall else ""
        parts.append(f"<tr{kind}><td>{esc(row.name)}</td>{cells}{_delta_cell(row.delta)}</tr>")
    parts.append("</tbody></table>")
    return parts


def render_rate(report: RateReport) -> str:
    """The ``rate`` report: a card per brand with score, chart, table, notes and biggest lift."""
    body = []
    for result, what_if, change in report.sections():
        card = _brand_card(result)
        if what_if is not None:
            card += _what_if_card(what_if)
        if change is not None:
            card += _baseline_card(change)
        body += ['<section class="card">', *card, "</section>"]
    return _report_page("CX scorecard", _brands(result.brand for result in report.results), body)


def _compare_cell(row: Row, index: int, scale: float) -> str:
    score = row.scores[index]
    if score is None:
        return '<td class="num muted">not rated</td>'
    rating = row.ratings[index]
    text = format_percent(score)
    if rating is not None:
        text += f' <span class="muted">{format_rated(rating)}/{format_rating(scale)}</span>'
    if index in row.best:
        return f'<td class="num best">{text} ★</td>'
    return f'<td class="num">{text}</td>'


def render_compare(comparison: Comparison) -> str:
    """Brands side by side: score cards, a grouped bar chart and the table, caveats on top."""
    results = comparison.results
    # A label that is a file name (two assessments of one brand on one date) is shown from here.
    labels = tuple(
        shown_path(label) if label == result.path else label
        for label, result in zip(comparison.labels(), results, strict=True)
    )
    cards = []
    for index, (result, label) in enumerate(zip(results, labels, strict=True)):
        colour = SERIES_COLOURS[index % len(SERIES_COLOURS)]
        brand = f"{esc(result.brand)} · " if comparison.same_brand else ""
        cards.append(
            f'<div><h2><span class="swatch" style="background:{colour}" aria-hidden="true"></span>'
            f'{esc(label)}</h2><p class="meta">{brand}{esc(result.framework_name)} '
            f"({esc(result.framework_id)}) · coverage {format_percent(result.coverage_percent)}</p>"
            f'<p class="meta">{_initial(_assessed(result.assessed, result.assessor))}</p>'
            f"{_score_block(result.overall_percent, result.band)}</div>"
        )
    body = [
        '<section class="card">',
        f'<div class="brands">{"".join(cards)}</div>',
        *_warnings(comparison.notes()),
    ]
    groups = [(row.name, row.scores) for row in (*comparison.rows, comparison.overall)]
    body.append(_chart("Scores side by side", groups, series=labels))
    head = "".join(f'<th scope="col" class="num">{esc(label)}</th>' for label in labels)
    delta_head = '<th scope="col" class="num">Δ (2 − 1)</th>' if comparison.has_delta else ""
    body.append(
        f'<table class="scores{_size(len(comparison.rows) + 1)}"><caption>Scores side by side; ★ marks the '
        f'best score of each metric</caption><thead><tr><th scope="col">Metric</th>{head}{delta_head}'
        "</tr></thead><tbody>"
    )
    for row in (*comparison.rows, comparison.overall):
        cells = "".join(_compare_cell(row, index, result.scale_max) for index, result in enumerate(results))
        delta = _delta_cell(row.delta) if comparison.has_delta else ""
        kind = ' class="overall"' if row is comparison.overall else ""
        body.append(f'<tr{kind}><th scope="row">{esc(row.name)}</th>{cells}{delta}</tr>')
    for label, texts in standing_rows(comparison):
        cells = "".join(f'<td class="num">{text}</td>' for text in texts)
        body.append(
            f'<tr><th scope="row">{label}</th>{cells}{"<td></td>" if comparison.has_delta else ""}</tr>'
        )
    body += ["</tbody></table>"]
    if any(standing.tied_with_next for standing in comparison.standings):
        body += _warnings([TIED_LEGEND])
    body += ["</section>"]
    title = " vs ".join(labels)
    if comparison.same_brand:
        title = f"{results[0].brand}: {title}"
    return _report_page("CX comparison", title, body)


def render_rank(board: Leaderboard) -> str:
    """The leaderboard as a table with a score meter per brand."""
    total, shown = len(board.entries), board.shown
    frameworks = ", ".join(f"{esc(framework)} ({count})" for framework, count in board.frameworks.items())
    summary = f"{total} brand{'' if total == 1 else 's'} ranked by overall score"
    summary += f", top {len(shown)} shown" if len(shown) < total else ""
    ranged = any(entry.rank_low is not None for entry in shown)
    body = [
        '<section class="card">',
        f'<p class="meta">{summary} · frameworks: {frameworks}</p>',
        f'<table class="scores{_size(len(shown))}"><caption>Brands by overall score</caption><thead><tr>'
        '<th scope="col" class="num">Rank</th><th scope="col">Brand</th><th scope="col" class="num">Overall'
        '</th><th scope="col"><span class="visually-hidden">Overall as a bar</span></th>'
        + ('<th scope="col" class="num">95% CI · rank range · P(above next)</th>' if ranged else "")
        + '<th scope="col">Band</th><th scope="col" class="num">Coverage</th><th scope="col">Assessed</th>'
        '<th scope="col">Strongest</th><th scope="col">Weakest</th></tr></thead><tbody>',
    ]
    for entry in shown:
        tier = _band_tier(entry.band, entry.overall_percent)
        width = f"{max(0.0, min(100.0, entry.overall_percent)):.1f}"
        body.append(
            f'<tr><td class="num">{entry.rank}</td><th scope="row">{esc(entry.brand)}</th>'
            f'<td class="num {tier}">{format_percent(entry.overall_percent)}</td>'
            f'<td><div class="meter {tier}" aria-hidden="true">'
            f'<span style="width:{width}%"></span></div></td>'
            f"{_rank_range_cell(entry) if ranged else ''}"
            f'<td class="{tier}">{esc(entry.band)}</td>'
            f'<td class="num">{format_percent(entry.coverage_percent)}{_low_mark(entry.low_coverage)}</td>'
            f"<td>{_assessed(entry.assessed, entry.assessor).removeprefix('assessed ')}</td>"
            f"<td>{esc(entry.strongest.name)} "
            f'<span class="muted nowrap">{format_percent(entry.strongest.score_percent)}</span></td>'
            f"<td>{esc(entry.weakest.name)} "
            f'<span class="muted nowrap">{format_percent(entry.weakest.score_percent)}</span></td></tr>'
        )
    body += ["</tbody></table>", _band_legend()]
    if board.shown_low_coverage:
        body += _warnings([LOW_COVERAGE_LEGEND.removeprefix("! ").capitalize()])
    if board.shown_tied:
        body += _warnings([TIED_LEGEND])
    body += ["</section>"]
    subject = f"{total} brand{'' if total == 1 else 's'}"
    return _report_page("CX leaderboard", subject, body)


def _rank_range_cell(entry: RankEntry) -> str:
    """The overall's 95% interval, over the 95% rank range and the probability of scoring above the next."""
    interval = format_overall_interval(entry.overall_ci_low, entry.overall_ci_high).removeprefix("95% CI ")
    above = format_above_next(entry.p_above_next, entry.tied_with_next)
    detail = f"rank {format_rank_range(entry.rank_low, entry.rank_high)}" + (f" · {above}" if above else "")
    return f'<td class="num">{interval or "—"}<br><span class="muted">{detail}</span></td>'


# history -----------------------------------------------------------------------------------------------

OVERALL_COLOUR = "#1f2328"
GRID_COLOUR = "#d0d7de"
# Line chart geometry, in SVG user units: the plot on the left, the legend on the right.
_PLOT_X, _PLOT_W, _PLOT_TOP, _PLOT_H, _LEGEND_X = 52, 420, 14, 240, 500
#: Date labels closer than this (in user units) would overlap: the later one is left out.
_LABEL_GAP = 80


def _plot_y(percent: float) -> float:
    return _PLOT_TOP + _PLOT_H * (100 - max(0.0, min(100.0, percent))) / 100


def _series(history: History) -> list[tuple[Line, str, str]]:
    """The chart's lines, the overall first: each with its colour and extra stroke attributes (lines
    beyond the palette repeat its colours, dashed)."""
    count = len(SERIES_COLOURS)
    series = [(history.overall, OVERALL_COLOUR, ' stroke-width="3"')]
    for index, line in enumerate(history.lines):
        dash = ' stroke-dasharray="6 3"' if index >= count else ""
        series.append((line, SERIES_COLOURS[index % count], f' stroke-width="1.75"{dash}'))
    return series


def _line_chart(history: History) -> str:
    """An SVG line chart: the overall (thick, dark) and each shared metric (a line each) by date.

    Scores run 0–100% up the side; periods stand along the bottom at their dates' distance from one
    another. A metric unrated in a period breaks its line there (a lone rated period is a dot). Metric
    names are user text: escaped, and cut to fit the legend (the table has them whole).
    """
    periods = history.periods
    days = [(period.assessed - periods[0].assessed).days for period in periods]
    if len(periods) == 1:
        xs = [_PLOT_X + _PLOT_W / 2]
    else:
        xs = [_PLOT_X + _PLOT_W * day / days[-1] for day in days]
    series = _series(history)
    height = max(_PLOT_TOP + _PLOT_H + 36, 18 * len(series) + 14)
    label = f"Scores of {history.brand} over time"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_WIDTH} {height}" role="img" '
        f'aria-label="{esc(label)}"><title>{esc(label)}</title>'
    ]
    for percent in (0, 25, 50, 75, 100):
        level = _plot_y(percent)
        parts.append(
            f'<line x1="{_PLOT_X}" x2="{_PLOT_X + _PLOT_W}" y1="{level:.1f}" y2="{level:.1f}" '
            f'stroke="{GRID_COLOUR}"/>'
        )
        parts.append(
            f'<text class="muted" x="{_PLOT_X - 8}" y="{level + 4.5:.1f}" text-anchor="end">{percent}%</text>'
        )
    shown: list[float] = []
    for index, x in reversed(list(enumerate(xs))):  # the latest date always, then whatever fits
        if not shown or shown[-1] - x >= _LABEL_GAP:
            shown.append(x)
            parts.append(
                f'<text class="muted" x="{x:.1f}" y="{_PLOT_TOP + _PLOT_H + 22}" '
                f'text-anchor="middle">{periods[index].assessed.isoformat()}</text>'
            )
    for line, colour, stroke in reversed(series):  # the overall last: on top
        points = [(x, score, period) for x, score, period in zip(xs, line.scores, periods, strict=True)]
        run: list[str] = []
        for x, score, _ in [*points, (0.0, None, None)]:  # a sentinel gap ends the last run
            if score is not None:
                run.append(f"{x:.1f},{_plot_y(score):.1f}")
                continue
            if len(run) > 1:
                parts.append(
                    f'<polyline points="{" ".join(run)}" fill="none" stroke="{colour}"{stroke} '
                    'stroke-linejoin="round" stroke-linecap="round"/>'
                )
            run = []
        radius = 4.5 if line is history.overall else 3.5
        for x, score, period in points:
            if score is None or period is None:
                continue
            tip = f"{line.name}, {period.assessed.isoformat()}: {format_percent(score)}"
            parts.append(
                f'<circle cx="{x:.1f}" cy="{_plot_y(score):.1f}" r="{radius}" fill="{colour}">'
                f"<title>{esc(tip)}</title></circle>"
            )
    for index, (line, colour, stroke) in enumerate(series):
        row = 14 + 18 * index
        weight = ' font-weight="600"' if line is history.overall else ""
        parts.append(
            f'<line x1="{_LEGEND_X}" x2="{_LEGEND_X + 22}" y1="{row}" y2="{row}" stroke="{colour}"{stroke}/>'
        )
        name = line.name if any(score is not None for score in line.scores) else f"{line.name} (not rated)"
        parts.append(f'<text x="{_LEGEND_X + 30}" y="{row + 4.5}"{weight}>{esc(_clip(name, 26))}</text>')
    parts.append("</svg>")
    return f"<figure>{''.join(parts)}<figcaption>{_TABLE_EQUIVALENT}</figcaption></figure>"


def _history_cell(line: Line, index: int) -> str:
    point = line.points[index]
    if point.score_percent is None:
        return '<td class="num muted">—</td>'
    text = f'<span class="{_tier(point.score_percent)}">{format_percent(point.score_percent)}</span>'
    change = point.change
    if change is not None:
        kind = "up" if change > 0 else "down" if change < 0 else "muted"
        text += f' <span class="{kind}">{format_delta(change)}</span>'
    return f'<td class="num">{text}</td>'


def _history_card(history: History) -> list[str]:
    from cxscore.render.history import period_span

    latest = history.periods[-1].result
    frameworks = " → ".join(esc(framework) for framework in history.frameworks)
    parts = [
        '<section class="card">',
        '<div class="head">',
        f'<div><h2>{esc(history.brand)}</h2><p class="meta">{frameworks} · {period_span(history)}</p>'
        f'<p class="meta">Latest {_assessed(latest.assessed, latest.assessor)}</p></div>',
        _score_block(latest.overall_percent, latest.band),
        "</div>",
        *_warnings(history.notes()),
        _line_chart(history),
    ]
    head = "".join(
        f'<th scope="col" class="num">{period.assessed.isoformat()}</th>' for period in history.periods
    )
    parts.append(
        f'<table class="scores{_size(len(history.lines) + 1)}"><caption>Scores of {esc(history.brand)} by '
        f'assessment date</caption><thead><tr><th scope="col">Metric</th>{head}</tr></thead><tbody>'
    )
    for line in (*history.lines, history.overall):
        cells = "".join(_history_cell(line, index) for index in range(len(history.periods)))
        kind = ' class="overall"' if line is history.overall else ""
        parts.append(f'<tr{kind}><th scope="row">{esc(line.name)}</th>{cells}</tr>')
    parts += ["</tbody></table>", _legend(), "</section>"]
    return parts


def render_history(report: HistoryReport) -> str:
    """A card per brand: the latest overall, a line chart of every score by date, and the table of
    metrics by period with each change."""
    body = [line for history in report.histories for line in _history_card(history)]
    return _report_page("CX history", _brands(history.brand for history in report.histories), body)


def _segments_chart(segments: list[tuple[str, int]]) -> str:
    """A horizontal bar per RFM segment, its length the segment's share of customers."""
    total = sum(count for _, count in segments) or 1
    height = 6 + 26 * len(segments)
    bar_w = _BAR_W - 60  # room for "12,345 (12.3%)" after the bar
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_WIDTH} {height}" role="img" '
        'aria-label="Customers per RFM segment"><title>Customers per RFM segment</title>'
    ]
    for index, (name, count) in enumerate(segments):
        y = 6 + 26 * index
        width = f"{bar_w * count / total:.1f}"
        parts.append(f'<text x="{_LABEL_RIGHT}" y="{y + 14}" text-anchor="end">{esc(name)}</text>')
        parts.append(f'<rect class="track" x="{_BAR_X}" y="{y}" width="{bar_w}" height="18" rx="3"/>')
        parts.append(
            f'<rect fill="{SERIES_COLOURS[0]}" x="{_BAR_X}" y="{y}" width="{width}" height="18" rx="3"/>'
        )
        share = format_percent(100 * count / total)
        parts.append(f'<text class="value" x="{_BAR_X + bar_w + 8}" y="{y + 14}">{count:,} ({share})</text>')
    parts.append("</svg>")
    caption = "Each bar's count and share are written beside it."
    return f"<figure>{''.join(parts)}<figcaption>{caption}</figcaption></figure>"


def _spend_tenure_chart(report: CustomersReport) -> str:
    """Spend against tenure: each tenure band's mean spend as a bar, the listed customers as dots.

    The bands are computed on the engine over every customer; the dots are the rows the report lists
    (spend on a square-root axis, so one large customer does not flatten the rest).
    """
    import math

    left, right, top, bottom = 70, _WIDTH - 16, 14, 250
    bands, rows = report.tenure_bands, report.listed
    top_tenure = max([band.high for band in bands] + [row.tenure_days + 1 for row in rows] + [1])
    top_spend = max([band.mean_spend for band in bands] + [row.spend for row in rows] + [1.0])

    def x_of(days: float) -> float:
        return left + (right - left) * days / top_tenure

    def y_of(spend: float) -> float:
        return bottom - (bottom - top) * math.sqrt(max(spend, 0.0) / top_spend)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_WIDTH} {bottom + 56}" role="img" '
        'aria-label="Spend against tenure"><title>Spend against tenure</title>',
        f'<line class="mark" x1="{left}" x2="{right}" y1="{bottom}" y2="{bottom}" stroke-dasharray="0"/>',
    ]
    for band in bands:
        x0, x1, y = x_of(band.low), x_of(band.high), y_of(band.mean_spend)
        parts.append(
            f'<rect fill="#b6d4fe" x="{x0 + 1:.1f}" y="{y:.1f}" width="{max(x1 - x0 - 2, 1):.1f}" '
            f'height="{bottom - y:.1f}"><title>{band.low}–{band.high} days: {band.customers:,} customers, '
            f"mean spend {band.mean_spend:,.2f}</title></rect>"
        )
    for row in rows:
        colour = SERIES_COLOURS[1] if row.vip else SERIES_COLOURS[0]
        parts.append(
            f'<circle cx="{x_of(row.tenure_days):.1f}" cy="{y_of(row.spend):.1f}" r="3.5" fill="{colour}" '
            f'fill-opacity="0.75"><title>{esc(row.customer)}: {row.spend:,.2f} over {row.tenure_days} days'
            "</title></circle>"
        )
    parts.append(f'<text x="{left}" y="{bottom + 18}">0</text>')
    parts.append(
        f'<text x="{right}" y="{bottom + 18}" text-anchor="end">{top_tenure:,} days of tenure</text>'
    )
    parts.append(f'<text x="{left - 6}" y="{top + 10}" text-anchor="end">{top_spend:,.0f}</text>')
    parts.append(f'<text x="{left - 6}" y="{bottom}" text-anchor="end">0</text>')
    parts.append(
        f'<text class="muted" x="{left}" y="{bottom + 34}">bars: mean spend per tenure band, all customers; '
        "dots: listed customers (purple: VIP)</text>"
    )
    parts.append(f'<text class="muted" x="{left}" y="{bottom + 50}">spend on a square-root scale</text>')
    parts.append("</svg>")
    caption = "The list below gives each listed customer's spend, tenure and VIP flag."
    return f"<figure>{''.join(parts)}<figcaption>{caption}</figcaption></figure>"


def render_customers(report: CustomersReport) -> str:
    """A self-contained page: summary, a segments chart, a spend-against-tenure chart, the model and the
    listed customers; every customer id escaped, no script, no network."""
    from cxscore.render.customers import (
        LIST_HEADER,
        TEXT_COLUMNS,
        model_lines,
        more_line,
        row_cells,
        segment_lines,
        summary_lines,
        title,
    )  # fmt: skip

    def pairs(lines: list[tuple[str, str]]) -> str:
        cells = "".join(f'<tr><th>{esc(a)}</th><td class="num">{esc(b)}</td></tr>' for a, b in lines)
        return f'<table class="compact">{cells}</table>'

    numeric = ' class="num"'
    head = "".join(f"<th{'' if name in TEXT_COLUMNS else numeric}>{esc(name)}</th>" for name in LIST_HEADER)
    body_rows = []
    for row in report.listed:
        cells = row_cells(row)
        body_rows.append(
            "<tr>"
            + "".join(
                f"<td{'' if name in TEXT_COLUMNS else numeric}>{esc(cell)}</td>"
                for name, cell in zip(LIST_HEADER, cells, strict=True)
            )
            + "</tr>"
        )
    listing = (
        f"<table><tr>{head}</tr>{''.join(body_rows)}</table>"
        if body_rows
        else "<p>No customer in this list.</p>"
    )
    more = more_line(report)
    body = [
        '<section class="card">',
        f'<p class="meta">Orders from {esc(shown_path(report.source))}</p>',
        pairs(summary_lines(report)),
        "<h2>Segments (RFM)</h2>",
        _segments_chart(segment_lines(report)),
        "<h2>Spend against tenure</h2>",
        _spend_tenure_chart(report),
        "<h2>Model: BG/NBD + Gamma-Gamma</h2>",
        pairs(model_lines(report)),
        "</section>",
        '<section class="card">',
        f"<h2>{esc(title(report))}</h2>",
        listing,
        f'<p class="muted">{esc(more)}</p>' if more else "",
        "</section>",
    ]
    source = esc(shown_path(report.source))
    return _page(f"Customers — {source}", f"Customers of {source}", body, method=False)


# drivers -----------------------------------------------------------------------------------------------


def _drivers_scatter(model: DriverModel) -> str:
    """The importance–performance map as inline SVG: a point per driver, the quadrant lines at the
    means, the quadrants named in their corners; every label escaped."""
    from cxscore.render.drivers import PLOT_HEIGHT, PLOT_WIDTH, axis_limits, plot_box, split_lines

    left, top, width, height = plot_box()
    x_low, x_high, y_low, y_high = axis_limits(model)

    def x(share: float) -> float:
        return left + (share - x_low) / (x_high - x_low) * width

    def y(performance: float) -> float:
        return top + height - (performance - y_low) / (y_high - y_low) * height

    split_x, split_y = split_lines(model)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {PLOT_WIDTH} {PLOT_HEIGHT}" role="img" '
        'aria-label="Importance–performance map"><title>Importance–performance map</title>',
        f'<rect x="{left}" y="{top}" width="{width}" height="{height}" fill="none" stroke="{GRID_COLOUR}"/>',
        f'<line class="mark" x1="{x(split_x):.1f}" y1="{top}" x2="{x(split_x):.1f}" y2="{top + height}"/>',
        f'<line class="mark" x1="{left}" y1="{y(split_y):.1f}" x2="{left + width}" y2="{y(split_y):.1f}"/>',
        f'<text class="muted" x="{left + width - 4}" y="{top + height - 6}" '
        'text-anchor="end">fix first</text>',
        f'<text class="muted" x="{left + width - 4}" y="{top + 14}" text-anchor="end">keep up</text>',
        f'<text class="muted" x="{left + 4}" y="{top + 14}">possible overkill</text>',
        f'<text class="muted" x="{left + 4}" y="{top + height - 6}">low priority</text>',
        f'<text x="{left + width / 2}" y="{PLOT_HEIGHT - 10}" text-anchor="middle">'
        "importance: share of R² (%)</text>",
        f'<text x="16" y="{top + height / 2}" text-anchor="middle" '
        f'transform="rotate(-90 16 {top + height / 2})">performance (% of scale)</text>',
        f'<text class="muted" x="{left}" y="{top + height + 16}" text-anchor="middle">{x_low:g}</text>',
        f'<text class="muted" x="{left + width}" y="{top + height + 16}" text-anchor="middle">'
        f"{format_number(x_high, 0)}</text>",
        f'<text class="muted" x="{left - 6}" y="{top + height}" text-anchor="end">'
        f"{format_number(y_low, 0)}</text>",
        f'<text class="muted" x="{left - 6}" y="{top + 10}" text-anchor="end">'
        f"{format_number(y_high, 0)}</text>",
    ]
    for driver in model.drivers:
        if driver.performance_percent is None:
            continue
        px, py = x(driver.share_percent), y(driver.performance_percent)
        title = (
            f"{driver.driver}: share {format_number(driver.share_percent)}%, "
            f"performance {format_number(driver.performance_percent)}%"
        )
        # A label right of its point, or left of it in the right third, so it stays inside the plot.
        right = px > left + width * 2 / 3
        anchor = f'x="{px - 8:.1f}" text-anchor="end"' if right else f'x="{px + 8:.1f}"'
        parts += [
            f'<circle cx="{px:.1f}" cy="{py:.1f}" r="5" fill="{OVERALL_COLOUR}">'
            f"<title>{esc(title)}</title></circle>",
            f'<text {anchor} y="{py + 4:.1f}">{esc(_clip(driver.driver, 28))}</text>',
        ]
    parts.append("</svg>")
    caption = "The table below gives every driver's importance and performance."
    return f"<figure>{''.join(parts)}<figcaption>{caption}</figcaption></figure>"


def render_drivers(report: DriversReport) -> str:
    """A card per model: fit, the importance–performance map, and the drivers grouped by quadrant."""
    from cxscore.render.drivers import (
        HEADER,
        TEXT_COLUMNS,
        driver_cells,
        group_label,
        method_note,
        model_summary,
        report_title,
    )

    header = "".join(
        f"<th>{esc(name)}</th>" if i in TEXT_COLUMNS else f'<th class="num">{esc(name)}</th>'
        for i, name in enumerate(HEADER)
    )
    body = []
    for model in report.models:
        label = group_label(model)
        body.append('<section class="card">')
        if label is not None:
            body.append(f"<h2>{esc(label)}</h2>")
        body += [f'<p class="meta">{esc(model_summary(model))}</p>', _drivers_scatter(model)]
        # Eleven columns: on a narrow page the table scrolls inside its card rather than overflowing it.
        body.append(
            '<div style="overflow-x: auto" tabindex="0" role="region" aria-label="Drivers table">'
            f"<table><thead><tr>{header}</tr></thead><tbody>"
        )
        for quadrant, drivers in model.quadrant_groups():
            body.append(f'<tr><th colspan="{len(HEADER)}">{esc(quadrant.value.capitalize())}</th></tr>')
            for driver in drivers:
                cells = driver_cells(driver)
                body.append(
                    "<tr>"
                    + "".join(
                        f"<td>{esc(cell)}</td>" if i in TEXT_COLUMNS else f'<td class="num">{esc(cell)}</td>'
                        for i, cell in enumerate(cells)
                    )
                    + "</tr>"
                )
        body += ["</tbody></table></div>", "</section>"]
    body.append(f'<p class="meta">{esc(method_note(report))}</p>')
    title = esc(report_title(report))
    return _page(title, title, body, method=False)
