"""Renderers: each turns one command's result model into one output format.

Every command goes through this registry: ``renderer(command, format)`` gives the function that
renders that command's result (``render_<command>`` in the format's module), typed by the result it
takes, so mypy checks that a command hands its renderer the right model. A renderer returns a
string, bytes (PDF), a rich renderable for the terminal (``table``), which the command line prints
or lays out at 100 columns for a file, or :class:`Pieces`: text made piece by piece as it is written,
so a portfolio's report never sits in memory whole.

Renderer modules are imported only when their format is asked for, so the rating path never pays for
formats it does not print.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Iterator
from enum import StrEnum
from typing import TYPE_CHECKING, Literal, Protocol, TypeAlias, TypeVar, cast, overload

if TYPE_CHECKING:
    from rich.console import RenderableType

    from cxscore.compare import Comparison
    from cxscore.data.customer_report import CustomersReport
    from cxscore.data.driver_model import DriversReport
    from cxscore.data.model import MeasureReport
    from cxscore.data.plan import PlanReport
    from cxscore.history import HistoryReport
    from cxscore.models import Framework
    from cxscore.rank import Leaderboard
    from cxscore.report import RateReport, RateStream

    #: What a renderer returns: finished text, a document's bytes (PDF), a rich renderable, or pieces.
    Rendered: TypeAlias = "str | bytes | RenderableType | Pieces"


class Pieces:
    """A text report made piece by piece while it is written (a leaderboard's JSON, line by line).

    ``settled`` says that everything the pieces come from has been read already, so nothing but a
    failed write can stop them half-way: standard output then gets them as they come. Pieces that
    still read input as they go are written to a temporary file first, so that a problem found
    half-way leaves standard output untouched, as with any other report.
    """

    __slots__ = ("_pieces", "settled")

    def __init__(self, pieces: Iterable[str], settled: bool = True) -> None:
        self._pieces, self.settled = pieces, settled

    def __iter__(self) -> Iterator[str]:
        return iter(self._pieces)


class OutputFormat(StrEnum):
    """Every output format; each command takes the subset in :data:`FORMATS`."""

    table = "table"
    json = "json"
    markdown = "markdown"
    csv = "csv"
    html = "html"
    pdf = "pdf"
    total = "total"


# The choices each command's --format offers (typer needs an Enum per set of choices).
class FrameworkFormat(StrEnum):
    """Output formats of ``cxscore frameworks`` and ``frameworks show``."""

    table = "table"
    json = "json"
    markdown = "markdown"


class MeasureFormat(StrEnum):
    """Output formats of ``cxscore measure``."""

    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"


class PlanFormat(StrEnum):
    """Output formats of ``cxscore plan``."""

    table = "table"
    json = "json"
    markdown = "markdown"
    csv = "csv"


class HistoryFormat(StrEnum):
    """Output formats of ``cxscore history``."""

    table = "table"
    json = "json"
    markdown = "markdown"
    csv = "csv"
    html = "html"
    pdf = "pdf"


class CustomersFormat(StrEnum):
    """Output formats of ``cxscore customers`` (parquet is written by the engine, with -o only)."""

    table = "table"
    json = "json"
    markdown = "markdown"
    csv = "csv"
    html = "html"
    parquet = "parquet"


class DriversFormat(StrEnum):
    """Output formats of ``cxscore drivers``."""

    table = "table"
    json = "json"
    markdown = "markdown"
    csv = "csv"
    html = "html"


Command = Literal[
    "rate",
    "rate_stream",
    "compare",
    "rank",
    "history",
    "measure",
    "plan",
    "frameworks",
    "framework",
    "customers",
    "drivers",
]
SCORECARD_FORMATS = tuple(OutputFormat)
FORMATS: dict[str, tuple[str, ...]] = {
    "rate": tuple(SCORECARD_FORMATS),
    # A portfolio's rate report in the formats that can be written a brand at a time (RateStream).
    "rate_stream": (OutputFormat.json, OutputFormat.csv, OutputFormat.total),
    "compare": tuple(SCORECARD_FORMATS),
    "rank": tuple(SCORECARD_FORMATS),
    "history": tuple(HistoryFormat),
    "measure": tuple(MeasureFormat),
    "plan": tuple(PlanFormat),
    "frameworks": tuple(FrameworkFormat),
    "framework": tuple(FrameworkFormat),
    "customers": tuple(f for f in CustomersFormat if f is not CustomersFormat.parquet),
    "drivers": tuple(DriversFormat),
}

_MODULES = {
    OutputFormat.table: "cxscore.render.terminal",
    OutputFormat.json: "cxscore.render.json_report",
    OutputFormat.markdown: "cxscore.render.markdown",
    OutputFormat.csv: "cxscore.render.csv_report",
    OutputFormat.html: "cxscore.render.html",
    OutputFormat.pdf: "cxscore.render.pdf",
    OutputFormat.total: "cxscore.render.total",
}

#: ``module:function`` per (command, format); a test checks every pair resolves, with the right type.
RENDERERS: dict[tuple[str, str], str] = {
    (command, output_format): f"{_MODULES[OutputFormat(output_format)]}:render_{command}"
    for command, formats in FORMATS.items()
    for output_format in formats
}

#: What ``-o FILE`` without ``--format`` means, by the file's extension; anything else is the table.
_BY_EXTENSION = {
    ".json": "json",
    ".md": "markdown",
    ".markdown": "markdown",
    ".csv": "csv",
    ".html": "html",
    ".htm": "html",
    ".pdf": "pdf",
}


def format_for(command: str, chosen: str | None, output: str | None) -> str:
    """The format to render: ``--format`` when given, else the one ``-o``'s extension names (if the
    command has it), else the table."""
    if chosen is not None:
        return str(chosen)
    if output is not None and output != "-":
        suffix = output[output.rfind(".") :].lower() if "." in output.rpartition("/")[2] else ""
        inferred = _BY_EXTENSION.get(suffix)
        if inferred in FORMATS[command]:
            return inferred
    return OutputFormat.table.value


ResultT_contra = TypeVar("ResultT_contra", contravariant=True)


class Renderer(Protocol[ResultT_contra]):
    """A function from one command's result model to its rendering in one format."""

    def __call__(self, result: ResultT_contra, /) -> Rendered: ...


@overload
def renderer(command: Literal["rate"], output_format: str) -> Renderer[RateReport]: ...
@overload
def renderer(command: Literal["rate_stream"], output_format: str) -> Renderer[RateStream]: ...
@overload
def renderer(command: Literal["compare"], output_format: str) -> Renderer[Comparison]: ...
@overload
def renderer(command: Literal["rank"], output_format: str) -> Renderer[Leaderboard]: ...
@overload
def renderer(command: Literal["history"], output_format: str) -> Renderer[HistoryReport]: ...
@overload
def renderer(command: Literal["measure"], output_format: str) -> Renderer[MeasureReport]: ...
@overload
def renderer(command: Literal["plan"], output_format: str) -> Renderer[PlanReport]: ...
@overload
def renderer(command: Literal["drivers"], output_format: str) -> Renderer[DriversReport]: ...
@overload
def renderer(command: Literal["frameworks"], output_format: str) -> Renderer[list[Framework]]: ...
@overload
def renderer(command: Literal["framework"], output_format: str) -> Renderer[Framework]: ...
@overload
def renderer(command: Literal["customers"], output_format: str) -> Renderer[CustomersReport]: ...
def renderer(command: Command, output_format: str) -> Renderer[object]:
    """The function rendering ``command``'s result in ``output_format`` (its module imported now)."""
    module, _, name = RENDERERS[command, str(output_format)].partition(":")
    return cast("Renderer[object]", getattr(importlib.import_module(module), name))
