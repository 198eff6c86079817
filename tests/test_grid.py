"""The hand-laid table behind the scorecard and the leaderboard."""

import io

from rich.console import Console

from cxscore.render.grid import Cell, Column, Grid, Row, cells, fit

COLUMNS = (Column("Metric", flexible=True), Column("Score", right=True), Column("Note"))


def lines(grid: Grid, width: int) -> list[str]:
    console = Console(file=io.StringIO(), width=width, color_system=None)
    console.print(grid)
    return console.file.getvalue().splitlines()  # type: ignore[attr-defined]


def test_columns_fit_the_widest_cell_and_numbers_align_right() -> None:
    grid = Grid(
        COLUMNS, [Row((Cell("Empathy"), Cell("80.0%"), Cell("ok"))), Row((Cell("FCR"), Cell("5.0%")))]
    )
    assert lines(grid, 80) == [
        "Metric   Score  Note",
        "────────────────────",
        "Empathy  80.0%  ok",
        "FCR       5.0%",  # trailing blank cells are not printed
    ]


def test_a_narrow_terminal_cuts_names_never_numbers() -> None:
    name = "First-contact resolution across every channel"
    grid = Grid(COLUMNS[:2], [Row((Cell(name), Cell("100.0%")))])
    shown = lines(grid, 30)
    assert all(cells(line) <= 30 for line in shown)
    assert shown[2].endswith("  100.0%")
    assert shown[2] == "First-contact resolut…  100.0%"


def test_a_tail_stays_whole_while_its_name_gives_way() -> None:
    grid = Grid((Column("Strongest", flexible=True),), [Row((Cell("Personalization " * 3, tail="50.0%"),))])
    shown = lines(grid, 20)
    assert shown[2] == "Personalizati… 50.0%"


def test_wide_characters_are_measured_in_terminal_cells() -> None:
    grid = Grid(COLUMNS[:2], [Row((Cell("顧客体験"), Cell("1.0%"))), Row((Cell("CX"), Cell("2.0%")))])
    first, second = lines(grid, 80)[2:]
    assert cells(first) == cells(second) == len("顧客体験") * 2 + len("  Score")
    assert fit("顧客体験", 5, False) == "顧客…"


def test_a_detail_line_goes_under_its_row() -> None:
    grid = Grid(COLUMNS[:2], [Row((Cell("NPS"), Cell("30")), detail="[22.2, 37.4] n=400")])
    assert lines(grid, 80)[2:] == ["NPS        30", "  [22.2, 37.4] n=400"]


def test_an_optional_column_is_left_out_before_numbers_are_cropped() -> None:
    columns = (Column("Metric", flexible=True), Column("", optional=True), Column("Pts lost", right=True))
    grid = Grid(columns, [Row((Cell("Empathy and warmth"), Cell("█" * 10), Cell("12.0")))])
    assert lines(grid, 80)[2] == "Empathy and warmth  ██████████      12.0"
    assert lines(grid, 24)[2] == "Empathy and w…      12.0"  # the bar went; the number stays whole


def test_names_shrink_below_the_usual_floor_rather_than_crop_a_number() -> None:
    columns = (Column("Brand", flexible=True), Column("Weakest", flexible=True))
    grid = Grid(columns, [Row((Cell("North Pole Logistics"), Cell("Personalization", tail="50.0%")))])
    shown = lines(grid, 16)
    assert shown[2].endswith("50.0%")
    assert all(cells(line) <= 16 for line in shown)
