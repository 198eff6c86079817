"""Pydantic models of cxscore's input files: frameworks and brand assessments.

Numbers are strict (an int or a float, never a boolean or text) and finite; text fields accept a
plain integer (``brand: 1999``) but ask for quotes around anything else that YAML would not keep as
written. Unknown fields are errors, so a typo is reported where it stands.
"""

from __future__ import annotations

import datetime
from typing import Annotated, Any, Literal

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
    def _ordered(self) -> Scale:
        if not self.min < self.max:
            raise ValueError(f"scale min ({self.min:g}) must be below max ({self.max:g})")
        return self


class Band(_Input):
    """A named range of the overall percentage, from ``min`` up to the next band."""

    name: Name
    min: Annotated[float, Field(strict=True, ge=0, le=100, allow_inf_nan=False)]


class Metric(_Input):
    """One metric of a framework."""

    id: MetricId
    name: Name
    description: Text = ""
    remediation: Text = ""
    weight: Weight = 1.0


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

    def metric(self, metric_id: str) -> Metric | None:
        """The metric with this id, if the framework has it."""
        return next((metric for metric in self.metrics if metric.id == metric_id), None)


class RatingEntry(_Input):
    """A rating with an optional note; a bare number or null in YAML means just the rating."""

    rating: Number | None = None
    note: Text | None = None

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
