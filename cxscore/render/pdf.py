"""PDF reports: the HTML report printed by headless Chromium (``--print-to-pdf``).

The HTML report carries its own print style sheet (paper size, margins, a running header and footer
with brand, date and page number), so the PDF is exactly what a reader gets from the browser's Print.
Chromium runs as a subprocess with a fixed argument list: no shell, and no user text on its command
line, only the paths of a private temporary folder holding the page, a fresh browser profile and the
PDF. The page forbids scripts and every network request (its Content-Security-Policy), and the
browser's own background traffic is switched off.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from cxscore.errors import Issue, UsageError
from cxscore.render import html

if TYPE_CHECKING:
    from cxscore.compare import Comparison
    from cxscore.history import HistoryReport
    from cxscore.rank import Leaderboard
    from cxscore.report import RateReport

#: Where to look for a browser, in order, unless CXSCORE_CHROMIUM names one.
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
#: Seconds Chromium may take to print a report before the run gives up.
TIMEOUT = 120
INSTALL_HINT = (
    "--format pdf needs Chromium or Google Chrome to print the report, and found neither: install one "
    "(Debian/Ubuntu: apt-get install chromium; Fedora: dnf install chromium; macOS: brew install --cask "
    "chromium) or set CXSCORE_CHROMIUM to the browser's path"
)
_FLAGS = (
    "--headless",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--no-pdf-header-footer",  # the page's own header and footer, not the URL of a temporary file
    "--print-to-pdf-no-header",  # the same, for Chromium before 111
)


def find_browser() -> str | None:
    """The Chromium-family browser to print with: ``CXSCORE_CHROMIUM`` if set, else the first of
    :data:`BROWSERS` on the PATH."""
    chosen = os.environ.get("CXSCORE_CHROMIUM")
    if chosen:
        return shutil.which(chosen)
    return next((found for name in BROWSERS if (found := shutil.which(name))), None)


def print_to_pdf(page: str) -> bytes:
    """The PDF headless Chromium prints of an HTML page (a missing or failing browser is a one-line
    error that says what to do)."""
    browser = find_browser()
    if browser is None:
        chosen = os.environ.get("CXSCORE_CHROMIUM")
        named = f" (CXSCORE_CHROMIUM names {chosen!r}, which is not an executable)" if chosen else ""
        raise UsageError(Issue("cxscore", INSTALL_HINT + named))
    with tempfile.TemporaryDirectory(prefix="cxscore-pdf-") as folder:
        source, target = Path(folder) / "report.html", Path(folder) / "report.pdf"
        source.write_text(page, encoding="utf-8")
        command = [
            browser,
            *_FLAGS,
            # Chromium's sandbox cannot start as root (containers, CI); elsewhere it stays on.
            *(["--no-sandbox"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []),
            f"--user-data-dir={Path(folder) / 'profile'}",
            f"--print-to-pdf={target}",
            source.as_uri(),
        ]
        try:
            finished = subprocess.run(
                command, capture_output=True, timeout=TIMEOUT, check=False, stdin=subprocess.DEVNULL
            )
        except subprocess.TimeoutExpired:
            raise UsageError(Issue("cxscore", f"Chromium took over {TIMEOUT} s to print the PDF")) from None
        except OSError as error:
            raise UsageError(Issue("cxscore", f"cannot run {browser}: {error.strerror or error}")) from None
        data = target.read_bytes() if target.is_file() else b""
        if not data.startswith(b"%PDF-"):
            raise UsageError(
                Issue("cxscore", f"Chromium ({browser}) printed no PDF (exit status {finished.returncode})")
            )
        return data


def render_rate(report: RateReport) -> bytes:
    """The ``rate`` report as PDF."""
    return print_to_pdf(html.render_rate(report))


def render_compare(comparison: Comparison) -> bytes:
    """The ``compare`` report as PDF."""
    return print_to_pdf(html.render_compare(comparison))


def render_rank(board: Leaderboard) -> bytes:
    """The ``rank`` report as PDF."""
    return print_to_pdf(html.render_rank(board))


def render_history(report: HistoryReport) -> bytes:
    """The ``history`` report as PDF."""
    return print_to_pdf(html.render_history(report))
