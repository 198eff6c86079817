"""What ``cxscore drivers`` does around the engine: read the options, map drivers to a framework's
metrics, and write a copy of the framework whose weights come from the data.

The analysis itself is :func:`cxscore.data.compute_drivers`; this module only resolves what the
command line says (``--driver COL=METRIC_ID``, ``--scale``, ``--from``) into a request, and turns a
finished analysis into a framework file (:func:`derived_framework_text`).
"""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from cxscore.errors import Issue, UsageError, did_you_mean

if TYPE_CHECKING:
    from cxscore.data.driver_model import DriverModel, DriversReport, DriversRequest
    from cxscore.data.model import DataSource
    from cxscore.models import Framework

#: The framework ``--driver COL=METRIC_ID`` refers to when ``--from`` is not given.
DEFAULT_FRAMEWORK = "cx-six"
_SCALE = re.compile(
    r"^\s*([+-]?[0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)\s*\.\.\s*([+-]?[0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)\s*$"
)


def parse_scale(text: str | None) -> tuple[float, float] | None:
    """``--scale MIN..MAX`` as a pair of finite numbers with MIN below MAX."""
    if text is None:
        return None
    found = _SCALE.match(text)
    low, high = (float(found.group(1)), float(found.group(2))) if found else (math.nan, math.nan)
    if not (math.isfinite(low) and math.isfinite(high) and low < high):
        raise UsageError(Issue("--scale", f"expected MIN..MAX with MIN below MAX (e.g. 1..5), got {text!r}"))
    return low, high


def build_request(
    outcome: str,
    drivers: Sequence[str],
    framework: Framework | None,
    scale: str | None = None,
    by: Sequence[str] = (),
    weight: str | None = None,
    replicates: int = 1000,
    seed: int = 0,
) -> DriversRequest:
    """The analysis the options ask for; each ``COL=METRIC_ID`` is checked against ``framework``."""
    from cxscore.data.driver_model import DriverSpec, DriversRequest

    if not outcome.strip():
        raise UsageError(Issue("--outcome", "needs a column name"))
    fallback = parse_scale(scale)
    specs = []
    mapped: dict[str, str] = {}
    for text in drivers:
        column, metric_id = split_driver(text)
        if not column:
            raise UsageError(Issue("--driver", f"expected COL or COL=METRIC_ID, got {text!r}"))
        if metric_id is None:
            specs.append(DriverSpec(column, None, fallback))
            continue
        assert framework is not None  # a mapping makes the caller load the framework
        metric = framework.metric(metric_id)
        if metric is None:
            ids = [m.id for m in framework.metrics]
            hint = did_you_mean(metric_id, ids)
            listed = ", ".join(ids)
            message = f"{text}: no metric '{metric_id}' in framework {framework.id}{hint} (metrics: {listed})"
            raise UsageError(Issue("--driver", message))
        if metric_id in mapped:
            message = f"metric '{metric_id}' is mapped twice ('{mapped[metric_id]}' and '{column}')"
            raise UsageError(Issue("--driver", message))
        mapped[metric_id] = column
        own = None if metric.measured else (framework.scale.min, framework.scale.max)
        specs.append(DriverSpec(column, metric_id, own or fallback))
    return DriversRequest(outcome, tuple(specs), tuple(dict.fromkeys(by)), weight, replicates, seed)


_METRIC_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")


def split_driver(text: str) -> tuple[str, str | None]:
    """``COL=METRIC_ID`` as its column and metric id; anything else is a column name as it is.

    The text after the last ``=`` is a metric id only if it looks like one and a column precedes it,
    so a column named ``=total`` or ``a=b+c`` can still be a driver.
    """
    column, sep, metric_id = text.rpartition("=")
    if sep and column.strip() and _METRIC_ID.match(metric_id.strip()):
        return column.strip(), metric_id.strip()
    return text.strip(), None


def maps_metrics(drivers: Sequence[str]) -> bool:
    """Whether any ``--driver`` names a framework metric (``COL=METRIC_ID``)."""
    return any(split_driver(text)[1] is not None for text in drivers)


def derived_weights(model: DriverModel, framework: Framework) -> dict[str, float]:
    """Each mapped metric's new weight: its share of R² times the stated weight its mapped metrics had.

    The mapped metrics together keep the weight they had (so unmapped metrics keep their part of the
    total), shared in proportion to the drivers' relative weights.
    """
    mapped = {driver.metric: driver.share_percent for driver in model.drivers if driver.metric is not None}
    stated = sum(metric.weight for metric in framework.metrics if metric.id in mapped)
    if stated <= 0:
        stated = float(len(mapped))
    return {metric_id: stated * share / 100.0 for metric_id, share in mapped.items()}


def derived_framework_text(report: DriversReport, framework: Framework, today: datetime.date) -> str:
    """A copy of ``framework`` as YAML, with its mapped metrics weighted by their derived shares.

    Its id and name say it is derived; a header comment names the data, n, R², the date and which
    metrics keep their stated weights.
    """
    import yaml

    if report.by or len(report.models) != 1:
        raise UsageError(Issue("--write-framework", "needs one model over all rows: leave out --by"))
    model: DriverModel = report.models[0]
    weights = derived_weights(model, framework)
    if not weights:
        raise UsageError(
            Issue("--write-framework", "map at least one driver to a metric: --driver COL=METRIC_ID")
        )
    document = framework.model_dump(mode="json", exclude_none=True)
    document["id"] = f"{framework.id}-derived"[:64]
    document["name"] = f"{framework.name} (derived weights)"
    for metric in document["metrics"]:
        if metric["id"] in weights:
            # Six significant digits: weights are relative, and the file should stay readable.
            metric["weight"] = max(float(f"{weights[metric['id']]:.6g}"), 1e-6)
    kept = [metric.id for metric in framework.metrics if metric.id not in weights]
    adjusted = "n/a" if model.adjusted_r_squared is None else f"{model.adjusted_r_squared:.4f}"
    lines = [
        f"# Derived from framework '{framework.id}' by `cxscore drivers` on {today.isoformat()}.",
        f"# Data: {_comment(report.source)}; outcome '{_comment(model.outcome)}'; "
        f"n = {model.n} complete rows "
        f"({model.invalid} left out); R² = {model.r_squared:.4f} (adjusted {adjusted}).",
        "# Mapped metrics share the weight they had in proportion to their share of R² (Johnson's relative",
        "# weights):",
    ]
    for driver in model.drivers:
        if driver.metric is not None:
            lines.append(
                f"#   {driver.metric}: {driver.share_percent:.1f}% of R² (column '{_comment(driver.driver)}')"
            )
    if kept:
        lines.append(f"# Unmapped metrics keep their stated weights: {', '.join(kept)}.")
    body = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)
    return "\n".join(lines) + "\n" + body


def _comment(text: str) -> str:
    """User text on one comment line: no line breaks or control characters."""
    from cxscore.textsafe import clean_line

    return clean_line(text).replace("\n", " ")


def analyse(
    source: DataSource,
    outcome: str,
    drivers: Sequence[str],
    framework_reference: str | None = None,
    scale: str | None = None,
    by: Sequence[str] = (),
    weight: str | None = None,
    replicates: int = 1000,
    seed: int = 0,
) -> tuple[DriversReport, Framework | None]:
    """Run the analysis the options describe; the framework is returned when metrics were mapped."""
    from cxscore.data import compute_drivers
    from cxscore.loader import FrameworkCatalog

    framework = None
    if framework_reference is not None or maps_metrics(drivers):
        framework = FrameworkCatalog().load_reference(framework_reference or DEFAULT_FRAMEWORK)
    request = build_request(outcome, drivers, framework, scale, by, weight, replicates, seed)
    return compute_drivers(source, request), framework
