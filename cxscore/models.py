"""Pydantic models of cxscore's input files: frameworks and brand assessments.

Numbers are strict (an int or a float, never a boolean or text) and finite; text fields accept a
plain integer (``brand: 1999``) but ask for quotes around anything else that YAML would not keep as
written. Unknown fields are errors, so a typo is reported where it stands.
"""

import datetime
from functools import cached_property
from typing import Annotated, Any, Literal, Self

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

MAX_WEIGHT = 1_000_000.0


def _as_text(value: Any) -> Any:
    """Keep integers as the text they were written as; refuse other non-text scalars clearly."""
    if isinstance(value, bool):
        raise ValueError(f"expected text, got the boolean {str(value).lower()}: put it in quotes")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        raise ValueError(f"expected text, got the number {value!r}: put it in quotes")
    return value


Text = Annotated[str, BeforeValidator(_as_text)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1), BeforeValidator(_as_text)]
Number = Annotated[float, Field(strict=True, allow_inf_nan=False)]
Weight = Annotated[
    float,
    Field(strict=True, allow_inf_nan=False, ge=0, le=MAX_WEIGHT, description="Relative weight"),
]
MetricId = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=64),
    Field(description="Metric id: lower-case letters, digits and underscores"),
]


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Scale(_Input):
    """The rating scale of a framework's metrics."""

    min: Number = 1
    max: Number = 5

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if not self.min < self.max:
            raise ValueError(f"scale min ({self.min:g}) must be below max ({self.max:g})")
        return self


class Band(_Input):
    """A named range of the overall percentage, from ``min`` up to the next band."""

    name: Name
    min: Annotated[float, Field(strict=True, ge=0, le=100, allow_inf_nan=False)]


MeasureName = Literal["nps", "csat", "ces", "fcr", "response_time", "share", "mean", "ratio", "difference"]

#: The values a measure can take, as (lowest, highest); ``None`` means unbounded on that side.
#: NPS is in points (−100..100); CSAT, FCR and shares are percentages; CES is a mean on its 1–7 scale;
#: response times are non-negative durations. Means, ratios and differences are left unbounded.
MEASURE_RANGES: dict[str, tuple[float | None, float | None]] = {
    "nps": (-100.0, 100.0),
    "csat": (0.0, 100.0),
    "ces": (1.0, 7.0),
    "fcr": (0.0, 100.0),
    "response_time": (0.0, None),
    "share": (0.0, 100.0),
    "mean": (None, None),
    "ratio": (None, None),
    "difference": (None, None),
}


class Measure(_Input):
    """What a measured metric measures, so its value can be computed from raw rows or typed in.

    The CX measures (``nps``, ``csat``, ``ces``, ``fcr``, ``response_time``) follow the conventions in
    ``cxscore.data``. The generic ones let a framework define its own metrics without code:

    * ``share``: 100 · (rows where ``where`` holds) / (all rows), in percent;
    * ``mean``: the mean of ``column`` (over the rows where ``where`` holds, when given);
    * ``ratio``: a ratio of sums, Σ ``numerator`` / Σ ``denominator``;
    * ``difference``: the measure ``of`` in the group ``between[0]`` minus the same measure in the
      group ``between[1]`` (two ``where`` conditions), e.g. members minus non-members.
    """

    name: MeasureName
    column: Text | None = None
    unit: Text | None = None
    where: Text | None = None
    numerator: Text | None = None
    denominator: Text | None = None
    of: MeasureName | None = None
    between: list[Text] | None = None

    @model_validator(mode="after")
    def _complete(self) -> Self:
        if self.name == "share" and self.where is None:
            raise ValueError(
                "a share measure needs 'where': the condition rows must meet, e.g. member = true"
            )
        if self.name == "ratio" and (self.numerator is None or self.denominator is None):
            raise ValueError("a ratio measure needs both 'numerator' and 'denominator' columns")
        if self.name != "ratio" and (self.numerator is not None or self.denominator is not None):
            raise ValueError("'numerator' and 'denominator' belong to a ratio measure only")
        if self.name == "difference":
            if self.of is None or self.of == "difference":
                raise ValueError("a difference measure needs 'of': the measure compared between groups")
            if self.between is None or len(self.between) != 2:
                raise ValueError("a difference measure needs 'between': a list of two where-conditions")
        elif self.of is not None or self.between is not None:
            raise ValueError("'of' and 'between' belong to a difference measure only")
        return self

    @property
    def label(self) -> str:
        """How the measure is named to users: ``NPS``, ``response time``, ``share``."""
        upper = {"nps", "csat", "ces", "fcr"}
        return self.name.upper() if self.name in upper else self.name.replace("_", " ")


class Curve(_Input):
    """How a measured value maps onto a 0–1 score (the formulas are in ``cxscore.scoring.curve_score``).

    ``linear`` needs ``worst`` and ``best`` (different; either may be the larger, which sets the
    direction); ``lognormal`` needs ``p10`` and ``median`` with ``0 < p10 < median`` (lower is better,
    as for response times).
    """

    type: Literal["linear", "lognormal"]
    worst: Number | None = None
    best: Number | None = None
    p10: Number | None = None
    median: Number | None = None

    @model_validator(mode="after")
    def _parameters(self) -> Self:
        if self.type == "linear":
            if self.worst is None or self.best is None:
                raise ValueError("a linear curve needs both 'worst' and 'best'")
            if self.p10 is not None or self.median is not None:
                raise ValueError("'p10' and 'median' belong to a lognormal curve, not a linear one")
            if self.worst == self.best:
                raise ValueError(f"worst and best must differ, both are {self.worst:g}")
        else:
            if self.p10 is None or self.median is None:
                raise ValueError("a lognormal curve needs both 'p10' and 'median'")
            if self.worst is not None or self.best is not None:
                raise ValueError("'worst' and 'best' belong to a linear curve, not a lognormal one")
            if not 0 < self.p10 < self.median:
                raise ValueError(
                    "a lognormal curve needs 0 < p10 < median, "
                    f"got p10 {self.p10:g} and median {self.median:g}"
                )
        return self


class Metric(_Input):
    """One metric of a framework: rated on the framework's scale, or measured (``measure`` + ``curve``)."""

    id: MetricId
    name: Name
    description: Text = ""
    remediation: Text = ""
    weight: Weight = 1.0
    measure: Measure | None = None
    curve: Curve | None = None

    @model_validator(mode="after")
    def _measure_has_curve(self) -> Self:
        if self.measure is not None and self.curve is None:
            raise ValueError("a measured metric needs a 'curve' mapping its value onto a score")
        if self.curve is not None and self.measure is None:
            raise ValueError("a 'curve' needs a 'measure': say what the metric measures")
        return self

    @property
    def measured(self) -> bool:
        """Whether the metric is measured (a value mapped by a curve) rather than rated on the scale."""
        return self.measure is not None


class Framework(_Input):
    """A scorecard framework: a scale, a scoring mode, bands and weighted metrics."""

    id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_.-]*$", max_length=64)]
    name: Name
    description: Text = ""
    source: Text = ""
    scale: Scale = Scale()
    scoring: Literal["points", "minmax"] = "points"
    bands: Annotated[list[Band], Field(min_length=1)]
    metrics: Annotated[list[Metric], Field(min_length=1)]

    @field_validator("metrics")
    @classmethod
    def _unique_metrics(cls, metrics: list[Metric]) -> list[Metric]:
        seen: set[str] = set()
        for metric in metrics:
            if metric.id in seen:
                raise ValueError(f"metric id '{metric.id}' appears twice")
            seen.add(metric.id)
        if not any(metric.weight > 0 for metric in metrics):
            raise ValueError("every metric has weight 0: at least one needs a positive weight")
        return metrics

    @field_validator("bands")
    @classmethod
    def _bands_cover_zero(cls, bands: list[Band]) -> list[Band]:
        names = [band.name for band in bands]
        if len(set(names)) != len(names):
            raise ValueError("band names must be unique")
        if len({band.min for band in bands}) != len(bands):
            raise ValueError("two bands start at the same min")
        if min(band.min for band in bands) != 0:
            raise ValueError("the lowest band must start at min: 0 so every score has a band")
        return sorted(bands, key=lambda band: band.min, reverse=True)

    @cached_property
    def metrics_by_id(self) -> dict[str, Metric]:
        """The metrics indexed by id, built once: every brand of a portfolio looks them up."""
        return {metric.id: metric for metric in self.metrics}

    def metric(self, metric_id: str) -> Metric | None:
        """The metric with this id, if the framework has it."""
        return self.metrics_by_id.get(metric_id)


class RatingEntry(_Input):
    """A rating with an optional note; a bare number or null in YAML means just the rating.

    For a measured metric the entry holds its measured ``value`` instead (a bare number counts as the
    value), optionally with the interval ``ci_low``..``ci_high`` and the count ``n`` behind it, or a
    data source, ``{from: data/survey.csv, column: ...}``, that the loader computes the value from.
    """

    model_config = ConfigDict(validate_by_name=True, validate_by_alias=True)

    rating: Number | None = None
    value: Number | None = None
    source: Text | None = Field(default=None, alias="from")
    column: Text | None = None
    n: Annotated[int, Field(strict=True, ge=0)] | None = None
    ci_low: Number | None = None
    ci_high: Number | None = None
    note: Text | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.rating is not None and (self.value is not None or self.source is not None):
            raise ValueError("give either a rating (rated metrics) or a value/from (measured metrics)")
        if self.value is not None and self.source is not None:
            raise ValueError("give either a 'value' or a data source 'from', not both")
        if self.column is not None and self.source is None:
            raise ValueError("'column' needs a data source: add 'from: <file>'")
        if (self.ci_low is None) != (self.ci_high is None):
            raise ValueError("give both 'ci_low' and 'ci_high', or neither")
        if self.ci_low is not None and self.ci_high is not None and self.ci_low > self.ci_high:
            raise ValueError(f"ci_low ({self.ci_low:g}) must not be above ci_high ({self.ci_high:g})")
        return self

    @property
    def measured_value(self) -> float | None:
        """The value of a measured metric: ``value``, or a bare number written in place of it."""
        return self.value if self.value is not None else self.rating

    @property
    def given(self) -> bool:
        """Whether the entry gives anything to score (a rating, a value or a data source)."""
        return self.rating is not None or self.value is not None or self.source is not None

    @model_validator(mode="before")
    @classmethod
    def _from_scalar(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return value
        return {"rating": value}


class BrandFile(_Input):
    """A brand's assessment against one framework (``brand.yaml``)."""

    model_config = ConfigDict(json_schema_extra={"title": "cxscore brand assessment", "$id": "cxscore-brand"})

    brand: Name = Field(description="The brand or organisation assessed")
    framework: Name = Field(
        default="cx-six", description="A bundled framework id or a path to a framework file"
    )
    assessed: datetime.date | None = Field(default=None, description="Date of the assessment")
    assessor: Text | None = None
    notes: Text | None = None
    weights: dict[str, Weight] = Field(
        default_factory=dict, description="Per-brand overrides of the framework's weights"
    )
    ratings: dict[str, RatingEntry] = Field(
        default_factory=dict,
        description="Rating per metric id: a number, null (not rated) or {rating, note}",
    )
