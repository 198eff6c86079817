"""What a key-driver analysis asks for and what it returns (``cxscore drivers``); no engine imports.

The request is a plain dataclass the command line fills; the results are pydantic models whose
``to_dict`` is the JSON contract: ``{"schema_version": 1, "outcome", "n", "invalid", "r_squared",
"adjusted_r_squared", "drivers": [...]}``, or ``{"schema_version": 1, "groups": [...]}`` with ``--by``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict

#: Version of the JSON document ``drivers --format json`` prints.
DRIVERS_SCHEMA_VERSION = 1
#: The default number of bootstrap replicates behind each interval.
DEFAULT_REPLICATES = 1000
#: Shapley values are computed exactly over every subset of drivers up to this many (2**12 subsets).
MAX_SHAPLEY_DRIVERS = 12
#: A variance inflation factor above this is warned about (a common rule of thumb, e.g. Hair et al.).
VIF_WARNING = 5.0
#: Complete rows per driver below which the model is flagged as resting on too few rows.
MIN_ROWS_PER_DRIVER = 10


class Quadrant(StrEnum):
    """Where a driver sits on the importance–performance map (Martilla & James 1977)."""

    fix_first = "fix first"
    keep_up = "keep up"
    possible_overkill = "possible overkill"
    low_priority = "low priority"


#: Display order of the quadrants: what to act on first.
QUADRANT_ORDER = (Quadrant.fix_first, Quadrant.keep_up, Quadrant.possible_overkill, Quadrant.low_priority)


@dataclass(frozen=True, slots=True)
class DriverSpec:
    """One driver column, the framework metric it stands for (if any) and the scale it is asked on.

    ``scale`` is ``(low, high)``: the mapped metric's scale or ``--scale``; ``None`` means the observed
    range is used for performance (and the report says so).
    """

    column: str
    metric: str | None = None
    scale: tuple[float, float] | None = None


@dataclass(frozen=True, slots=True)
class DriversRequest:
    """Everything ``cxscore drivers`` computes: outcome, drivers, optional segments and row weights."""

    outcome: str
    drivers: tuple[DriverSpec, ...]
    by: tuple[str, ...] = ()
    weight: str | None = None
    replicates: int = DEFAULT_REPLICATES
    seed: int = 0


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class DriverResult(_Frozen):
    """One driver's importance and performance.

    ``relative_weight`` and ``shapley`` are parts of R² (each set sums to R²); ``share_percent`` is the
    relative weight as a percentage of R², and ``ci_low``/``ci_high`` its 95% bootstrap interval.
    ``performance_percent`` is the mean's position on the scale (``scale_low``..``scale_high``), which
    ``scale_source`` names: ``metric``, ``option`` (``--scale``) or ``observed`` (the data's range).
    """

    driver: str
    metric: str | None
    relative_weight: float
    share_percent: float
    ci_low: float | None
    ci_high: float | None
    shapley: float | None
    beta: float
    r: float
    vif: float
    mean: float
    performance_percent: float | None
    quadrant: Quadrant
    scale_low: float
    scale_high: float
    scale_source: str

    def to_dict(self) -> dict[str, Any]:
        """The driver's object in the JSON contract."""
        keys: tuple[str, ...] = (
            "driver",
            "metric",
            "relative_weight",
            "share_percent",
            "ci_low",
            "ci_high",
            "shapley",
        )
        keys += ("beta", "r", "vif", "mean", "performance_percent")
        entry = {key: getattr(self, key) for key in keys}
        entry["quadrant"] = self.quadrant.value
        return entry


class DriverModel(_Frozen):
    """The analysis over one group of rows (all rows without ``--by``).

    ``n`` counts the complete rows the model rests on; ``invalid`` the rows left out because a value
    of the outcome, a driver or the weight was blank, not a number or not finite. ``drivers`` are in
    order of share, largest first.
    """

    group: dict[str, Any] | None
    outcome: str
    n: int
    invalid: int
    r_squared: float
    adjusted_r_squared: float | None
    drivers: tuple[DriverResult, ...]
    replicates: int
    weighted: bool = False

    def to_dict(self) -> dict[str, Any]:
        """The model's fields in the JSON contract (with ``group`` when it is one segment)."""
        entry: dict[str, Any] = {} if self.group is None else {"group": self.group}
        entry |= {
            "outcome": self.outcome,
            "n": self.n,
            "invalid": self.invalid,
            "r_squared": self.r_squared,
            "adjusted_r_squared": self.adjusted_r_squared,
            "drivers": [driver.to_dict() for driver in self.drivers],
        }
        return entry

    def quadrant_groups(self) -> list[tuple[Quadrant, list[DriverResult]]]:
        """The drivers by quadrant in :data:`QUADRANT_ORDER`, most important first within each."""
        return [
            (quadrant, [d for d in self.drivers if d.quadrant is quadrant])
            for quadrant in QUADRANT_ORDER
            if any(d.quadrant is quadrant for d in self.drivers)
        ]


class DriversReport(_Frozen):
    """One ``drivers`` run: a model per group (one, for all rows, without ``--by``), and warnings."""

    source: str
    by: tuple[str, ...]
    models: tuple[DriverModel, ...]
    seed: int
    warnings: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """``drivers --format json``: one model's fields, or ``{"groups": [...]}`` with ``--by``."""
        if self.by:
            return {"schema_version": DRIVERS_SCHEMA_VERSION, "groups": [m.to_dict() for m in self.models]}
        return {"schema_version": DRIVERS_SCHEMA_VERSION, **self.models[0].to_dict()}
