"""Renderers: each turns the shared result model into one output format.

Renderer modules are imported only when their format is asked for, so the rating path never pays
for formats it does not print.
"""

from __future__ import annotations

from enum import StrEnum


class OutputFormat(StrEnum):
    """Output formats of ``cxscore rate``."""

    table = "table"
    json = "json"
    markdown = "markdown"
