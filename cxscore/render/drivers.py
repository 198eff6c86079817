"""What every format shows of a key-driver analysis: the same columns, titles and scatter geometry.

Cells here are plain display text (rounded half-up); each format escapes them its own way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cxscore.render.numbers import format_number

if TYPE_CHECKING:
    from cxscore.data.driver_model import DriverModel, DriverResult, DriversReport

HEADER = (
    "Driver",
    "Metric",
    "Share of R²",
    "95% interval",
    "Relative weight",
    "Shapley",
    "Beta",
    "r",
    "VIF",
    "Mean",
    "Performance",
)
#: Which columns are text (left-aligned); the others are numbers.
TEXT_COLUMNS = (0, 1)


def _number(value: float | None, decimals: int) -> str:
    return "–" if value is None else format_number(value, decimals)


def driver_cells(driver: DriverResult) -> list[str]:
    """One driver's row of display cells, in :data:`HEADER` order."""
    interval = (
        "–"
        if driver.ci_low is None or driver.ci_high is None
        else f"{format_number(driver.ci_low)}–{format_number(driver.ci_high)}%"
    )
    performance = (
        "–" if driver.performance_percent is None else f"{format_number(driver.performance_percent)}%"
    )
    return [
        driver.driver,
        driver.metric or "",
        f"{format_number(driver.share_percent)}%",
        interval,
        _number(driver.relative_weight, 3),
        _number(driver.shapley, 3),
        _number(driver.beta, 3),
        _number(driver.r, 3),
        _number(driver.vif, 2),
        _number(driver.mean, 2),
        performance,
    ]


def group_label(model: DriverModel) -> str | None:
    """``region=North, plan=Pro`` for a segment's model; None for all rows."""
    if model.group is None:
        return None
    return ", ".join(f"{key}={'(blank)' if value is None else value}" for key, value in model.group.items())


def model_summary(model: DriverModel) -> str:
    """The model's fit in one line: outcome, R², adjusted R², n and rows left out."""
    adjusted = "–" if model.adjusted_r_squared is None else format_number(model.adjusted_r_squared, 3)
    weighted = ", weighted" if model.weighted else ""
    return (
        f"outcome {model.outcome}: R² {format_number(model.r_squared, 3)} (adjusted {adjusted}), "
        f"n {model.n}, left out {model.invalid}{weighted}"
    )


def report_title(report: DriversReport) -> str:
    """The report's heading."""
    return f"Key drivers of {report.models[0].outcome} in {report.source}"


def method_note(report: DriversReport) -> str:
    """What the columns are, in one paragraph under every format's tables."""
    replicates = report.models[0].replicates
    interval = (
        f"the 95% interval is a Poisson bootstrap of {replicates} replicates (seed {report.seed})"
        if replicates
        else "no bootstrap interval was asked for"
    )
    return (
        "Share of R²: Johnson's relative weight as a percentage of R² (Johnson 2000); "
        f"{interval}. Shapley: the LMG decomposition of R² (Lindeman, Merenda & Gold 1980). "
        "Performance: the mean's position on the driver's scale. Quadrants split at the drivers' mean "
        "share and mean performance (Martilla & James 1977)."
    )


# The importance–performance scatter (SVG user units; the SVG scales to the page width).
PLOT_WIDTH, PLOT_HEIGHT = 640, 400
PLOT_LEFT, PLOT_RIGHT, PLOT_TOP, PLOT_BOTTOM = 64, 24, 20, 48


def plot_box() -> tuple[float, float, float, float]:
    """The plotting area: left, top, width, height."""
    return (
        PLOT_LEFT,
        PLOT_TOP,
        PLOT_WIDTH - PLOT_LEFT - PLOT_RIGHT,
        PLOT_HEIGHT - PLOT_TOP - PLOT_BOTTOM,
    )


def axis_limits(model: DriverModel) -> tuple[float, float, float, float]:
    """Importance (x, share %) and performance (y, %) ranges covering every driver, with a margin."""
    shares = [d.share_percent for d in model.drivers]
    performances = [d.performance_percent for d in model.drivers if d.performance_percent is not None]
    x_high = max(10.0, max(shares) * 1.1)
    y_low = min([0.0, *performances])
    y_high = max([100.0, *performances])
    return 0.0, x_high, y_low, y_high


def split_lines(model: DriverModel) -> tuple[float, float]:
    """The quadrant lines: the mean share and the mean performance of the drivers."""
    shares = [d.share_percent for d in model.drivers]
    performances = [d.performance_percent for d in model.drivers if d.performance_percent is not None]
    return sum(shares) / len(shares), (sum(performances) / len(performances) if performances else 0.0)
