"""A table laid out by hand: columns sized in one pass over the strings, one styled line per row.

rich's ``Table`` measures and renders every cell as a renderable of its own. That is what a table of
arbitrary renderables needs, but the scorecard and the leaderboard hold plain styled strings: laying
them out directly costs a fraction of the time, which matters at start-up (a one-brand ``rate``) and
for 10,000-brand leaderboards alike (rich's table took about 7 s for those).
"""

from collections.abc import Sequence
from typing import NamedTuple

from rich.cells import cell_len, set_cell_size
from rich.console import Console, ConsoleOptions, RenderResult
from rich.segment import Segment
from rich.style import Style

GAP = "  "
#: Flexible columns first shrink to this many cells; only if the line is still too long do they
#: shrink further, down to a character and an ellipsis (plus any tail), before anything is cropped.
FLEX_FLOOR = 10


class Column(NamedTuple):
    """A column: its header, alignment, and what it gives up on a narrow terminal.

    A ``flexible`` column (names) narrows, its texts cut with an ellipsis; an ``optional`` one (a
    decorative bar) is left out when the line cannot fit otherwise. Other columns (numbers) keep
    their width.
    """

    header: str
    right: bool = False
    flexible: bool = False
    min_width: int = 0
    optional: bool = False
    gives_first: bool = False  # a flexible column that narrows before the other flexible ones


class Cell(NamedTuple):
    """A cell's text and style; ``tail`` is kept whole after the text when the column narrows."""

    text: str
    style: str = ""
    tail: str = ""
    tail_style: str = "dim"


class Row(NamedTuple):
    """A line of cells, with an optional ``detail`` line shown dim beneath it."""

    cells: Sequence[Cell]
    detail: str = ""


class Grid:
    """Rows of styled cells under bold headers and a rule.

    Column widths fit the widest cell (at least the header and ``min_width``). When the terminal is
    too narrow, columns marked ``gives_first`` (a leaderboard's strongest and weakest metric) narrow
    first, keeping a readable part of their text, and go if they are optional; then the widest
    flexible column gives up a cell at a time (so the names end up sharing the room evenly) down to
    ``FLEX_FLOOR``; then optional columns are left out; then names narrow to a character and an
    ellipsis. Numbers are cut only when nothing else can give.
    """

    def __init__(self, columns: Sequence[Column], rows: Sequence[Row], say_left_out: bool = False) -> None:
        self.columns = columns
        self.rows = rows
        # Whether to end with a line naming the optional columns a narrow terminal left out.
        self.say_left_out = say_left_out

    def widths(self, max_width: int) -> list[int]:
        """Each column's width in cells for a line of at most ``max_width`` cells (0: left out)."""
        widths = [max(cells(column.header), column.min_width) for column in self.columns]
        least = [2 if column.flexible else 0 for column in self.columns]
        for row in self.rows:
            for index, cell in enumerate(row.cells):
                tail = cells(cell.tail) + 1 if cell.tail else 0
                widths[index] = max(widths[index], cells(cell.text) + tail)
                least[index] = max(least[index], tail + 2 if self.columns[index].flexible else 0)
        flexible = [index for index, column in enumerate(self.columns) if column.flexible]

        def too_wide() -> bool:
            shown = [width for width in widths if width]
            return sum(shown) + len(GAP) * (len(shown) - 1) > max_width

        def shrink(floor: list[int], among: list[int] = flexible) -> None:
            # The widest name column gives way first, so the names end up sharing the room evenly.
            while among and too_wide():
                widest = max(among, key=lambda index: widths[index] - floor[index])
                if widths[widest] <= floor[widest]:
                    return
                widths[widest] -= 1

        natural = list(widths)
        usual = [max(FLEX_FLOOR, low) for low in least]
        first = [index for index in flexible if self.columns[index].gives_first]
        # A column that gives way first keeps FLEX_FLOOR cells of its own text beside its tail; if the
        # line is still too wide, the optional ones go, last first, and those left widen again, all
        # before any other name narrows.
        readable = [max(usual[index], least[index] + FLEX_FLOOR - 2) for index in range(len(widths))]
        droppable = [index for index in reversed(first) if self.columns[index].optional]
        for dropped in range(len(droppable) + 1):
            widths[:] = [0 if index in droppable[:dropped] else width for index, width in enumerate(natural)]
            shrink(readable, [index for index in first if widths[index]])
            if not too_wide():
                break
        natural = list(widths)
        shrink(usual)
        if too_wide():  # leave out the optional columns, then lay the names out again
            widths[:] = [0 if column.optional else natural[i] for i, column in enumerate(self.columns)]
            shrink(usual)
        shrink(least)
        return widths

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        widths = self.widths(options.max_width)
        styles: dict[str, Style] = {}  # parsed once per style name, not once per cell

        def style(name: str) -> Style:
            if name not in styles:
                styles[name] = console.get_style(name)
            return styles[name]

        shown = [index for index, width in enumerate(widths) if width]
        bold = style("bold")
        columns = self.columns
        # Without colour (a file or a pipe) styles print nothing: a row is made as one string, not as
        # a dozen styled segments that rich would pass along one by one (10,000 rows: 140,000 fewer).
        line_of = _plain_line if console.color_system is None else _line
        yield from line_of([[(fit(columns[i].header, widths[i], columns[i].right), bold)] for i in shown])
        total = sum(widths) + len(GAP) * (len(shown) - 1)
        yield Segment("─" * total, style("dim"))
        yield Segment.line()
        for row in self.rows:
            line: list[list[tuple[str, Style | None]]] = []
            for index, cell in enumerate(row.cells):
                width = widths[index]
                if not width:
                    continue
                if cell.tail:
                    text = fit(cell.text, width - cells(cell.tail) - 1, False) + " "
                    line.append([(text, style(cell.style)), (cell.tail, style(cell.tail_style))])
                else:
                    line.append([(fit(cell.text, width, self.columns[index].right), style(cell.style))])
            yield from line_of(line)
            if row.detail:
                yield Segment(fit("  " + row.detail, options.max_width, False).rstrip(), style("dim"))
                yield Segment.line()
        left_out = [column.header for column, width in zip(columns, widths, strict=True) if not width]
        if self.say_left_out and left_out:
            note = f"{' and '.join(left_out)} left out to fit {options.max_width} columns"
            yield Segment(fit(note, options.max_width, False).rstrip(), style("dim"))
            yield Segment.line()


def _line(line: list[list[tuple[str, Style | None]]]) -> RenderResult:
    """One line of cells (each a list of styled pieces) joined by the gap, without trailing blanks."""
    while line and not "".join(text for text, _ in line[-1]).strip():
        line.pop()
    for index, pieces in enumerate(line):
        if index:
            yield Segment(GAP)
        for number, (text, style) in enumerate(pieces):
            last_piece = index == len(line) - 1 and number == len(pieces) - 1
            yield Segment(text.rstrip() if last_piece else text, style)
    yield Segment.line()


def _plain_line(line: list[list[tuple[str, Style | None]]]) -> RenderResult:
    """:func:`_line` as one unstyled segment: the same text, the styles dropped."""
    while line and not "".join(text for text, _ in line[-1]).strip():
        line.pop()
    yield Segment(GAP.join("".join(text for text, _ in pieces) for pieces in line).rstrip() + "\n")


def cells(text: str) -> int:
    """Terminal cells a string takes: its length for ASCII (most names), rich's measure otherwise."""
    return len(text) if text.isascii() else cell_len(text)


def fit(text: str, width: int, right: bool) -> str:
    """Pad text to exactly ``width`` cells, cutting it with an ellipsis when it is longer."""
    size = cells(text)
    if size > width:
        return set_cell_size(text, max(width - 1, 0)) + "…"
    padding = " " * (width - size)
    return padding + text if right else text + padding
