"""Client-ready reports: accessible (axe-core in headless Chromium), printable and PDF, branded and dated."""

from __future__ import annotations

import html
import json
import os
import re
import struct
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from test_export import CHROMIUM, GRINCH, HOSTILE, NORTH_POLE, ROOT, SANTA, Cli, parse_page, run_chromium

from cxscore.render.html import SERIES_COLOURS, TIER_COLOURS, css_string
from cxscore.report_settings import (
    MAX_LOGO_BYTES,
    Branding,
    contrast_ratio,
    find_settings,
    generated_at,
    load_branding,
)

Write = Callable[..., Path]

#: axe-core from the npm registry (``.ci/run`` installs the pinned version; so does the README's setup).
AXE = Path(os.environ.get("CXSCORE_AXE_JS", ROOT / ".ci/axe/node_modules/axe-core/axe.min.js"))
NO_BROWSER = "headless Chromium is not installed (Debian: apt-get install chromium); .ci/run installs it"
NO_AXE = (
    "axe-core is not installed: npm install --prefix .ci/axe --save-exact axe-core@4.10.3 (.ci/run does this)"
)
needs_browser = pytest.mark.skipif(CHROMIUM is None, reason=NO_BROWSER)
needs_axe = pytest.mark.skipif(
    CHROMIUM is None or not AXE.is_file(), reason=NO_BROWSER if CHROMIUM is None else NO_AXE
)

HISTORY = "examples/history"

#: Every HTML report, as the command line makes it: a new report is one more line here.
HTML_REPORTS = {
    "rate": ["rate", SANTA, GRINCH, NORTH_POLE],
    "rate-extras": [
        "rate",
        SANTA,
        "--what-if",
        "empathy=5",
        "--baseline",
        "examples/history/santa-2023.yaml",
    ],
    "compare": ["compare", SANTA, GRINCH, NORTH_POLE],
    "compare-two": ["compare", GRINCH, SANTA],
    "rank": ["rank", SANTA, GRINCH, NORTH_POLE],
    "rank-intervals": ["rank", "examples/"],  # measured metrics: intervals, rank ranges
    "rate-data": ["rate", "examples/data/acme-survey.yaml", "examples/data/acme-cx-index.yaml"],  # weighted
    "rate-measured": ["rate", "examples/acme-kpis.yaml", "examples/panel/north-pole-post.yaml"],
    "compare-intervals": ["compare", "examples/acme-kpis.yaml", SANTA],
    "history": ["history", HISTORY],
    "customers": [
        "customers",
        "examples/data/orders.csv",
        "--customer",
        "customer_id",
        "--date",
        "order_date",
        "--amount",
        "amount",
        "--top",
        "10",
    ],  # fmt: skip
    "drivers": [
        "drivers",
        "examples/data/drivers-survey.csv",
        "--outcome",
        "likelihood_to_recommend",
        "--driver",
        "empathy",
        "--driver",
        "responsiveness",
        "--driver",
        "consistency",
    ],  # fmt: skip
}

# The page axe runs in: the report, with axe-core and a runner that writes the result into the DOM for
# --dump-dom to read back. The report's CSP forbids scripts, so the copy drops it.
_RUNNER = """<script>
const tags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"];
axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]})
  .then(result => done({violations: result.violations.map(v => ({id: v.id, impact: v.impact,
    nodes: v.nodes.map(n => ({target: n.target, summary: n.failureSummary}))}))}))
  .catch(error => done({error: String(error)}));
function done(value) {
  const out = document.createElement("pre");
  out.id = "axe-result";
  out.textContent = JSON.stringify(value);
  document.body.appendChild(out);
}
</script>"""


def axe_violations(tmp_path: Path, page: Path) -> list[dict[str, object]]:
    """axe-core's violations (WCAG 2.1 A/AA and best practice) of an HTML report, in headless Chromium."""
    text = page.read_text(encoding="utf-8")
    text, dropped = re.subn(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", text)
    assert dropped == 1
    copy = tmp_path / f"axe-{page.name}"
    copy.write_text(
        text.replace("</body>", f'<script src="{AXE.as_uri()}"></script>{_RUNNER}</body>'), encoding="utf-8"
    )
    dom = run_chromium(tmp_path, "--virtual-time-budget=30000", "--dump-dom", copy.as_uri())
    found = re.search(r'<pre id="axe-result">(.*?)</pre>', dom.stdout, re.DOTALL)
    assert found, f"axe did not report: {dom.stderr[-2000:]}"
    result = json.loads(html.unescape(found[1]))
    assert "error" not in result, result
    violations: list[dict[str, object]] = result["violations"]
    return violations


@needs_axe
@pytest.mark.parametrize("case", list(HTML_REPORTS))
def test_html_report_has_no_axe_violations(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    monkeypatch.chdir(ROOT)
    page = tmp_path / "report.html"
    result = cli(*HTML_REPORTS[case], "--format", "html", "-o", page)
    assert result.exit_code == 0, result.output
    assert axe_violations(tmp_path, page) == []


@needs_axe
def test_branded_report_with_hostile_text_has_no_axe_violations(
    cli: Cli, tmp_path: Path, write: Write
) -> None:
    settings = write(
        'title = "Review for <Acme> & co"\norganisation = "Agency \\"</style>\\""\nlogo = "logo.svg"\n'
        'accent = "#6d6d6d"\n',  # just passes the settings check (4.56:1 on the page): axe must agree
        "cxscore.toml",
    )
    write(
        '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><rect width="40" height="20"/></svg>',
        "logo.svg",
    )
    page = tmp_path / "report.html"
    result = cli("compare", write(HOSTILE), ROOT / GRINCH, "--report-config", settings, "-o", page)
    assert result.exit_code == 0, result.output
    assert axe_violations(tmp_path, page) == []


@needs_axe
def test_axe_finds_what_it_should(tmp_path: Path) -> None:
    """The harness is live: a page with pale text and an image without alt text fails."""
    page = tmp_path / "bad.html"
    page.write_text(
        '<!DOCTYPE html><html lang="en"><head><title>t</title>'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'"></head><body><main>'
        '<h1>x</h1><p style="color:#bbbbbb">pale</p><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
        "</main></body></html>",
        encoding="utf-8",
    )
    assert {violation["id"] for violation in axe_violations(tmp_path, page)} >= {
        "color-contrast",
        "image-alt",
    }


# Colours --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        ("#000000", "#ffffff", 21.0),  # the extremes
        ("#ffffff", "#ffffff", 1.0),
        ("#777777", "#ffffff", 4.478),  # the grey WebAIM's checker puts just under 4.5:1
        ("#fff", "#000", 21.0),
    ],
)
def test_contrast_ratio_matches_wcag(first: str, second: str, expected: float) -> None:
    assert contrast_ratio(first, second) == pytest.approx(expected, abs=0.001)
    assert contrast_ratio(second, first) == pytest.approx(expected, abs=0.001)


def test_contrast_ratio_against_an_independent_computation() -> None:
    def channel(value: int) -> float:  # WCAG 2.1's definition, written out again
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    for colour in (*SERIES_COLOURS, *TIER_COLOURS.values(), "#808080", "#0a3069"):
        r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
        luminance = 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
        assert contrast_ratio(colour, "#ffffff") == pytest.approx(1.05 / (luminance + 0.05))


def test_score_and_brand_colours_are_readable_and_disjoint() -> None:
    for colour in (*TIER_COLOURS.values(), *SERIES_COLOURS):
        assert contrast_ratio(colour, "#ffffff") >= 4.5, colour
        assert contrast_ratio(colour, "#f6f8fa") >= 4.5, colour  # the table header's grey
    assert not set(SERIES_COLOURS) & set(TIER_COLOURS.values())


def test_a_brand_colour_is_never_a_band_colour_in_compare(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    text = cli("compare", SANTA, GRINCH, NORTH_POLE, "-f", "html").stdout
    swatches = set(re.findall(r'class="swatch" style="background:(#[0-9a-f]{6})"', text))
    brands = {colour for colour in swatches if colour in SERIES_COLOURS}
    assert len(brands) == 3
    assert not brands & set(TIER_COLOURS.values())


# Dated ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["rate", "compare", "rank", "history"])
def test_every_html_report_states_generation_version_and_assessment(
    cli: Cli, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    monkeypatch.chdir(ROOT)
    paths = [HISTORY] if command == "history" else [SANTA, GRINCH]
    text = cli(command, *paths, "-f", "html").stdout
    words = " ".join(" ".join(parse_page(text).text).split())
    assert "Generated 2024-12-20 09:30 UTC by cxscore 0.1.0" in words
    assert "Scores from cxscore 0.1.0 on 2024-12-20; method: see the appendix" in words
    assert "2024-12-17" in words if command != "history" else "2024-12-" in words
    assert ("CXpro.me" in words) if command != "history" else ("by " in words)
    for heading in ("Method", "Formula", "Coverage", "Bands and colours"):
        assert heading in words
    assert '<h2 id="method">Method</h2>' in text
    assert "self-contained" not in words  # no developer jargon in the reader's footer


def test_markdown_reports_carry_the_generation_line(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    for command in ("rate", "compare", "rank"):
        text = cli(command, SANTA, GRINCH, "-f", "markdown").stdout
        assert text.splitlines()[2] == "Generated 2024-12-20 09:30 UTC by cxscore 0.1.0."
    assert "Generated 2024-12-20 09:30 UTC" in cli("history", HISTORY, "-f", "markdown").stdout


def test_generation_time_is_now_without_source_date_epoch(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    import datetime

    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    monkeypatch.chdir(ROOT)
    before = datetime.datetime.now(datetime.UTC).date().isoformat()
    text = cli("rate", SANTA, "-f", "markdown").stdout
    after = datetime.datetime.now(datetime.UTC).date().isoformat()
    assert f"Generated {before}" in text or f"Generated {after}" in text


@pytest.mark.parametrize("value", ["yesterday", "-5", "1.5", "١٢٣"])
def test_a_malformed_source_date_epoch_is_an_error(
    cli: Cli, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    monkeypatch.chdir(ROOT)
    result = cli("rate", SANTA, "-f", "html")
    assert result.exit_code == 2
    assert result.stderr.startswith("SOURCE_DATE_EPOCH: must be a whole number of seconds")
    assert generated_at({"SOURCE_DATE_EPOCH": "0"}).isoformat() == "1970-01-01T00:00:00+00:00"


def test_baseline_heading_shows_the_path_relative_to_here(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT / "examples")
    baseline = ROOT / "examples/history/santa-2023.yaml"
    text = cli("rate", "santa.yaml", "--baseline", baseline, "-f", "html").stdout
    assert "(history/santa-2023.yaml, assessed" in text
    assert str(ROOT) not in text


# Branded --------------------------------------------------------------------------------------------


def png(width: int = 2, height: int = 1) -> bytes:
    """A small valid RGB PNG."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    rows = b"".join(b"\x00" + b"\x0a\x30\x69" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def test_settings_are_found_upward_and_shown(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "brand").mkdir()
    (tmp_path / "brand" / "logo.png").write_bytes(png())
    (tmp_path / "cxscore.toml").write_text(
        'title = "Customer experience review"\norganisation = "Acme Consulting"\nlogo = "brand/logo.png"\n'
        'accent = "#5A1E8C"\n',
        encoding="utf-8",
    )
    deep = tmp_path / "clients" / "north"
    deep.mkdir(parents=True)
    monkeypatch.chdir(deep)
    text = cli("rate", ROOT / SANTA, "-f", "html").stdout
    page = parse_page(text)
    words = " ".join(" ".join(page.text).split())
    assert "<h1>Customer experience review</h1>" in text
    assert "Acme Consulting" in words
    assert "CX scorecard — Santa Claus" in words
    assert "--accent: #5a1e8c;" in text
    assert '<img class="logo" src="data:image/png;base64,' in text
    assert 'alt="Acme Consulting logo"' in text
    assert page.fetches == []  # inlined, nothing to fetch
    markdown = cli("rate", ROOT / SANTA, "-f", "markdown").stdout
    assert markdown.startswith("# Customer experience review\n\nAcme Consulting · Generated 2024-12-20")


def test_pyproject_tool_table_is_found_and_a_pyproject_without_it_is_passed_over(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.cxscore]\ntitle = "From pyproject"\n'
    )
    inner = tmp_path / "inner"
    inner.mkdir()
    (inner / "pyproject.toml").write_text('[project]\nname = "y"\n[tool.other]\ntitle = "no"\n')
    assert find_settings(inner) == (tmp_path / "pyproject.toml", ("tool", "cxscore"))
    monkeypatch.chdir(inner)
    assert "<h1>From pyproject</h1>" in cli("rank", ROOT / SANTA, "-f", "html").stdout
    (tmp_path / "cxscore.toml").write_text('title = "From cxscore.toml"\n')
    assert load_branding(start=inner).title == "From cxscore.toml"  # nearer folders first, then cxscore.toml
    assert load_branding(start=ROOT) == Branding()  # none found above the repository: no branding


def test_report_config_names_the_file(
    cli: Cli, tmp_path: Path, write: Write, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = write('organisation = "Named"\npaper = "Letter"\n', "settings/report.toml")
    monkeypatch.chdir(ROOT)
    text = cli("history", HISTORY, "--report-config", settings, "-f", "html").stdout
    assert '<p class="org">Named</p>' in text
    assert "@page { size: Letter;" in text


def test_table_format_does_not_read_the_settings(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "cxscore.toml").write_text("title = \n")
    monkeypatch.chdir(tmp_path)
    assert cli("rate", ROOT / SANTA).exit_code == 0
    assert cli("rate", ROOT / SANTA, "-f", "json").exit_code == 0
    assert cli("rate", ROOT / SANTA, "-f", "html").exit_code == 2


SVG = b'<?xml version="1.0"?>\n<!-- logo -->\n<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


@pytest.mark.parametrize(
    ("settings", "files", "expected"),
    [
        ("title = \n", {}, "cxscore.toml:1:9: not valid TOML: Invalid value"),
        ("titel = 'x'\n", {}, "cxscore.toml:1:1: unknown setting 'titel'; did you mean 'title'?"),
        ("\n\n  title = 3\n", {}, "cxscore.toml:3:3: title: must be a string in quotes"),
        ("title = ''\n", {}, "cxscore.toml:1:1: title: must not be empty"),
        ("paper = 'A3'\n", {}, "cxscore.toml:1:1: paper: must be one of 'A4' or 'Letter'"),
        ("accent = 'blue'\n", {}, "cxscore.toml:1:1: accent: must be a colour written #rrggbb or #rgb"),
        (
            "accent = '#ffcc00'\n",
            {},
            "cxscore.toml:1:1: accent: #ffcc00 has a contrast of 1.33:1 against the page background #eef1f4; "
            "text needs at least 4.5:1 (WCAG 2.1 AA): choose a darker colour",
        ),
        ("logo = 'missing.png'\n", {}, "cxscore.toml:1:1: logo: cannot read missing.png: No such file"),
        ("logo = 'https://example.com/a.png'\n", {}, "logo: must be a local PNG or SVG file, not a URL"),
        (
            "logo = '../outside.png'\n",
            {"../outside.png": png()},
            "logo: must be inside the folder of cxscore.toml",
        ),
        (
            "logo = 'secret.env'\n",
            {"secret.env": b"PASSWORD=hunter2\n"},
            "logo: secret.env is neither a PNG nor",
        ),
        (
            "logo = 'big.png'\n",
            {"big.png": png() + b"\0" * MAX_LOGO_BYTES},
            f"logo: big.png is larger than {MAX_LOGO_BYTES // 1024} KiB",
        ),
        ("logo = 'folder'\n", {"folder/x": b""}, "cxscore.toml:1:1: logo: "),
    ],
    ids=[
        "toml",
        "unknown",
        "type",
        "empty",
        "paper",
        "colour",
        "contrast",
        "missing",
        "url",
        "outside",
        "not-image",
        "too-big",
        "directory",
    ],
)
def test_bad_settings_are_one_located_line_and_nothing_is_written(
    cli: Cli,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    settings: str,
    files: dict[str, bytes],
    expected: str,
) -> None:
    home = tmp_path / "project"
    home.mkdir()
    (home / "cxscore.toml").write_text(settings, encoding="utf-8")
    for name, data in files.items():
        (home / name).parent.mkdir(parents=True, exist_ok=True)
        (home / name).write_bytes(data)
    monkeypatch.chdir(home)
    target = home / "report.html"
    result = cli("rate", ROOT / SANTA, "-o", target)
    assert result.exit_code == 2, result.output
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert expected in result.stderr
    assert "hunter2" not in result.stderr  # never quotes a file that is not what was expected
    assert not target.exists()


def test_svg_logo_is_an_image_never_markup(cli: Cli, tmp_path: Path, write: Write) -> None:
    write(SVG, "logo.svg")
    settings = write(
        'logo = "logo.svg"\norganisation = "O\'Brien </style><script>x()</script>"\n', "cxscore.toml"
    )
    text = cli("rank", ROOT / SANTA, "--report-config", settings, "-f", "html").stdout
    page = parse_page(text)
    assert page.tags["script"] == 0  # the logo's script stays inside the image
    assert page.tags["svg"] == 0
    assert '<img class="logo" src="data:image/svg+xml;base64,' in text
    assert text.count("</style>") == 1  # the organisation in the print header cannot close the style sheet
    assert "O'Brien </style><script>x()</script>" in "".join(page.text)


def test_css_string_escapes_everything_that_could_end_it() -> None:
    quoted = css_string('a"b\\c}</style>\n·')
    assert quoted.startswith('"')
    assert quoted.endswith('"')
    inner = quoted[1:-1]
    assert not set(inner) & set('"\\}<>/\n') - {"\\"}
    assert "</style" not in inner
    assert re.fullmatch(r"(?:[A-Za-z0-9 .,:-]|\\[0-9a-f]{6} )*", inner)


def test_the_page_has_language_landmarks_and_headings_in_order(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    text = cli("rate", SANTA, "--baseline", "examples/history/santa-2023.yaml", "-f", "html").stdout
    assert '<html lang="en">' in text
    assert text.count('<header class="report">') == text.count("<main>") == text.count("<footer>") == 1
    levels = [int(level) for level in re.findall(r"<h([1-6])[ >]", text)]
    assert levels[0] == 1
    assert levels.count(1) == 1
    assert all(later <= earlier + 1 for earlier, later in zip(levels, levels[1:], strict=False))


# PDF ------------------------------------------------------------------------------------------------


@needs_browser
@pytest.mark.parametrize(
    ("paths", "paper", "pages", "size"),
    [
        ([SANTA], "A4", 2, (595, 842)),  # the brand, then the method appendix on its own page
        ([SANTA, GRINCH], "Letter", 3, (612, 792)),  # a page per brand
    ],
)
def test_pdf_opens_with_brand_overall_and_pages(
    cli: Cli,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    paths: list[str],
    paper: str,
    pages: int,
    size: tuple[int, int],
) -> None:
    from pypdf import PdfReader

    settings = tmp_path / "cxscore.toml"
    settings.write_text(f'paper = "{paper}"\norganisation = "Acme Consulting"\n', encoding="utf-8")
    monkeypatch.chdir(ROOT)
    target = tmp_path / "report.pdf"
    result = cli("rate", *paths, "--report-config", settings, "-o", target)  # the format from the extension
    assert result.exit_code == 0, result.output
    reader = PdfReader(target)
    assert len(reader.pages) == pages
    texts = [" ".join(page.extract_text().split()) for page in reader.pages]
    assert "Santa Claus" in texts[0]
    assert "68.0%" in texts[0]
    if len(paths) > 1:
        assert "Grinch | Deliveries" in texts[1]
        assert "36.7%" in texts[1]
    assert "Method" in texts[-1]
    for number, text in enumerate(texts, start=1):
        assert f"Page {number} of {pages}" in text  # the running footer
        assert "2024-12-20" in text  # the running header
        assert "Acme Consulting" in text
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == size
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cxscore.toml", "report.pdf"]


def test_pdf_without_a_browser_is_one_line_saying_how_to_install(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CXSCORE_CHROMIUM", str(tmp_path / "no-such-browser"))
    monkeypatch.chdir(ROOT)
    target = tmp_path / "report.pdf"
    target.write_bytes(b"last quarter's PDF")
    result = cli("rate", SANTA, "-o", target)
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith("cxscore: --format pdf needs Chromium or Google Chrome")
    assert "CXSCORE_CHROMIUM names" in result.stderr
    assert "apt-get install chromium" in result.stderr
    assert target.read_bytes() == b"last quarter's PDF"


def test_compare_labels_that_are_files_are_relative(
    cli: Cli, tmp_path: Path, write: Write, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = write("brand: Same\nassessed: 2024-01-02\nratings:\n  empathy: 3\n", "q1/brand.yaml")
    second = write("brand: Same\nassessed: 2024-01-02\nratings:\n  empathy: 4\n", "q2/brand.yaml")
    monkeypatch.chdir(tmp_path)
    text = cli("compare", first.resolve(), second.resolve(), "-f", "html").stdout
    assert str(tmp_path) not in text
    assert "<h2>" in text
    assert "q1/brand.yaml</h2>" in text


@needs_browser
def test_pdf_to_standard_output_when_it_is_not_a_terminal(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = cli("rank", SANTA, GRINCH, "--format", "pdf")
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes.startswith(b"%PDF-")
    assert result.stdout_bytes.rstrip().endswith(b"%%EOF")


def test_a_named_pyproject_without_the_table_is_an_error(cli: Cli, write: Write) -> None:
    settings = write('[project]\nname = "x"\n', "pyproject.toml")
    result = cli("rate", ROOT / SANTA, "-f", "html", "--report-config", settings)
    assert result.exit_code == 2
    assert result.stderr == f"{settings}: has no [tool.cxscore] table of report settings\n"


def test_a_fifo_logo_is_refused_without_blocking(cli: Cli, tmp_path: Path, write: Write) -> None:
    os.mkfifo(tmp_path / "logo.png")
    settings = write('logo = "logo.png"\n', "cxscore.toml")
    result = cli("rate", ROOT / SANTA, "-f", "html", "--report-config", settings)
    assert result.exit_code == 2
    assert result.stderr == f"{settings}:1:1: logo: logo.png is not a regular file\n"


def test_a_pdf_is_never_written_onto_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from cxscore.errors import UsageError
    from cxscore.output import write_stdout

    controller, terminal = os.openpty()
    try:
        with open(terminal, "w", encoding="utf-8") as stream:  # noqa: PTH123 - a descriptor, not a path
            monkeypatch.setattr(sys, "stdout", stream)
            with pytest.raises(UsageError, match="a PDF is binary: write it to a file with -o report.pdf"):
                write_stdout(b"%PDF-1.4\n")
            os.set_blocking(controller, False)
            with pytest.raises(BlockingIOError):  # nothing reached the terminal
                os.read(controller, 100)
    finally:
        os.close(controller)


def test_pdf_with_no_browser_on_the_path(cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CXSCORE_CHROMIUM", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no chromium, no chrome
    monkeypatch.chdir(ROOT)
    result = cli("compare", SANTA, GRINCH, "-f", "pdf", "-o", tmp_path / "c.pdf")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "apt-get install chromium" in result.stderr
    assert "CXSCORE_CHROMIUM names" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_the_colour_key_says_what_the_colours_mean(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    from cxscore.render.html import TIER_WORDS
    from cxscore.render.numbers import score_tier

    # The key's words are the levels score_tier colours by: check each side of every boundary.
    for percent, tier in ((100, "excellent"), (80, "excellent"), (79.99, "good"), (65, "good"), (64.9, "ok")):
        assert score_tier(percent) == tier
    for percent, tier in ((50, "ok"), (49.9, "poor"), (35, "poor"), (34.9, "very-poor"), (0, "very-poor")):
        assert score_tier(percent) == tier
    assert list(TIER_WORDS) == ["excellent", "good", "ok", "poor", "very-poor"]
    assert [TIER_WORDS[t].split("%")[0].split()[-1] for t in TIER_WORDS] == ["80", "65", "50", "35", "35"]
    # An overall is coloured by its band, whatever fixed level its percentage falls in: Santa's 68% is OK.
    monkeypatch.chdir(ROOT)
    text = cli("rate", SANTA, "-f", "html").stdout
    assert '<div class="score tier-ok"><span class="pct">68.0%</span><span class="band">OK</span>' in text
    ranked = cli("rank", SANTA, "-f", "html").stdout
    assert '<td class="tier-ok">OK</td>' in ranked


def test_print_style_sheet(cli: Cli, tmp_path: Path, write: Write) -> None:
    paths = [
        write(f"brand: Brand {index:02d}\nratings:\n  empathy: {1 + index % 5}\n", f"b{index:02d}.yaml")
        for index in range(16)
    ]
    text = cli("rank", *paths, "-f", "html").stdout
    print_rules = text[text.index("@media print {") : text.index("</style>")]
    assert "box-shadow: none" in print_rules  # no card shadows on paper
    assert "section.card + section.card, section.appendix { break-before: page; }" in print_rules
    assert "figure, svg, " in print_rules  # charts kept whole ...
    assert "break-inside: avoid" in print_rules
    assert "table.large { break-before: page; }" in print_rules  # ... and a long table starts a page
    assert '<table class="scores large">' in text  # 16 brands: a long table
    assert '<table class="scores">' in cli("rank", *paths[:3], "-f", "html").stdout
