"""Renderers: each turns the shared result model into one output format.

Renderer modules are imported only when their format is asked for, so the rating path never pays
for formats it does not print. ``RENDERERS`` names, per command and format, the function that
renders that command's result model (``RateReport``, ``Comparison`` or ``Leaderboard``): it returns
a string, or a rich renderable for the terminal.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from enum import StrEnum
from typing import Any


class OutputFormat(StrEnum):
    """Output formats of ``cxscore rate``, ``compare`` and ``rank``."""

    table = "table"
    json = "json"
    markdown = "markdown"
    csv = "csv"
    html = "html"
    total = "total"


_MODULES = {
    OutputFormat.table: "cxscore.render.terminal",
    OutputFormat.json: "cxscore.render.json_report",
    OutputFormat.markdown: "cxscore.render.markdown",
    OutputFormat.csv: "cxscore.render.csv_report",
    OutputFormat.html: "cxscore.render.html",
    OutputFormat.total: "cxscore.render.total",
}
COMMANDS = ("rate", "compare", "rank")

# "module:function" per (command, format); a test checks every pair resolves to a callable.
RENDERERS: dict[tuple[str, OutputFormat], str] = {
    (command, output_format): f"{_MODULES[output_format]}:render_{command}"
    for command in COMMANDS
    for output_format in OutputFormat
}


def renderer(command: str, output_format: OutputFormat) -> Callable[[Any], Any]:
    """The function rendering ``command``'s result in ``output_format`` (its module imported now)."""
    module, _, name = RENDERERS[command, output_format].partition(":")
    function: Callable[[Any], Any] = getattr(importlib.import_module(module), name)
    return function
