"""Pydantic models of cxscore's input files: frameworks and brand assessments.

Numbers are strict (an int or a float, never a boolean or text), finite and within a float's range
(a 400-digit integer is "too large", not an OverflowError); text fields accept a plain integer
(``brand: 1999``) but ask for quotes around anything else that YAML would not keep as written.
Unknown fields are errors, so a typo is reported where it stands.
"""

import datetime
import math
from functools import cached_property
from typing import Annotated, Any, Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import CoreSchema, core_schema

MAX_WEIGHT = 1_000_000.0
#: The smallest positive weight: weights are relative, and twelve orders of magnitude is range enough.
MIN_WEIGHT = 0.000_001
#: The largest count ``n`` behind a measured value (below 2**53, so it converts to a float exactly).
MAX_COUNT = 10**15
_EXACT_INT = 2**53


def _as_text(value: Any) -> Any:
    """Keep integers as the text they were written as; refuse other non-text scalars clearly."""
    if isinstance(value, bool):
        raise ValueError(f"expected text, got the boolean {str(value).lower()}: put it in quotes")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        raise ValueError(f"expected text, got the number {value!r}: put it in quotes")
    return value


def _fits_a_float(value: Any) -> Any:
    """A whole number beyond float precision as the float it stands for (so errors show ``1e+300``,
    not 300 digits); one too large for any float (YAML reads a 400-digit number exactly) is refused."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > _EXACT_INT:
        try:
            return float(value)
        except OverflowError:
            raise ValueError(f"too large: a {_digits(value)}-digit number (at most about 1.8e308)") from None
    return value


def _count_fits(value: Any) -> Any:
    """Refuse a fraction, and a count above MAX_COUNT before pydantic's bound check prints its digits."""
    if isinstance(value, float):
        raise ValueError(f"must be a whole number, got {value!r}")
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_COUNT:
        raise ValueError(f"too large: a {_digits(value)}-digit count (at most {MAX_COUNT:g})")
    return value


def _digits(number: int) -> int:
    """How many decimal digits ``number`` has, without ``str`` (which refuses past 4,300 digits)."""
    digits = int(abs(number).bit_length() * math.log10(2)) + 1
    return digits - 1 if abs(number) < 10 ** (digits - 1) else digits


def _weight_fits(value: Any) -> Any:
    """A weight is 0 (left out) or within MIN_WEIGHT..MAX_WEIGHT: its products and sums stay normal floats.

    (One before-validator for both checks: each validator adds to the models' build at start-up.)
    """
    if isinstance(value, float) and 0 < value < MIN_WEIGHT:
        raise ValueError(f"must be 0 or at least {MIN_WEIGHT:g}, got the number {value!r}")
    return _fits_a_float(value)


class _Prebuilt:
    """A field type's validation schema written out once in pydantic-core's terms.

    Each ``Annotated[float, Field(...), BeforeValidator(...)]`` field makes pydantic resolve the
    metadata and inspect the validator's signature again, field by field, on every start-up; these
    types are used by dozens of fields, so their schema is built once here instead. The schemas are
    those pydantic generates for the annotated forms (same checks, same error types).
    """

    def __init__(self, schema: CoreSchema) -> None:
        self.schema = schema

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        return self.schema


_TEXT = core_schema.no_info_before_validator_function(_as_text, core_schema.str_schema())
Text = Annotated[str, _Prebuilt(_TEXT)]
Name = Annotated[
    str,
    _Prebuilt(
        core_schema.no_info_before_validator_function(
            _as_text, core_schema.str_schema(strip_whitespace=True, min_length=1)
        )
    ),
]
Number = Annotated[
    float,
    _Prebuilt(
        core_schema.no_info_before_validator_function(
            _fits_a_float, core_schema.float_schema(strict=True, allow_inf_nan=False)
        )
    ),
]
Weight = Annotated[
    float,
    _Prebuilt(
        core_schema.no_info_before_validator_function(
            _weight_fits, core_schema.float_schema(strict=True, allow_inf_nan=False, ge=0, le=MAX_WEIGHT)
        )
    ),
]
Percent = Annotated[
    float,
    _Prebuilt(
        core_schema.no_info_before_validator_function(
            _fits_a_float, core_schema.float_schema(strict=True, allow_inf_nan=False, ge=0, le=100)
        )
    ),
]
Count = Annotated[
    int,
    _Prebuilt(
        core_schema.no_info_before_validator_function(
            _count_fits, core_schema.int_schema(strict=True, gt=0, le=MAX_COUNT)
        )
    ),
]
#: A metric id: lower-case letters, digits and underscores.
MetricId = Annotated[str, _Prebuilt(core_schema.str_schema(pattern=r"^[a-z][a-z0-9_]*$", max_length=64))]


class _Input(BaseModel):
    # cache_strings off: pydantic-core otherwise keeps up to ~16,000 stripped strings (brand names)
    # alive in a cache, about 1 MB that a portfolio's run never reads again.
    model_config = ConfigDict(
        extra="forbid", frozen=True, allow_inf_nan=False, defer_build=True, cache_strings=False
    )


class Scale(_Input):
    """The rating scale of a framework's metrics."""

    min: Number = 1
    max: Number = 5

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if not self.min < self.max:
            raise ValueError(f"scale min ({self.min:g}) must be below max ({self.max:g})")
        if not math.isfinite(self.max - self.min):
            raise ValueError(
                f"min ({self.min:g}) and max ({self.max:g}) are too far apart: "
                "max - min must be a finite number"
            )
        return self


class Band(_Input):
    """A named range of the overall percentage, from ``min`` up to the next band."""

    name: Name
    min: Percent


MeasureName = Literal[
    "nps", "csat", "ces", "fcr", "response_time", "share", "mean", "ratio", "difference", "net_box"
]

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
    "net_box": (-100.0, 100.0),
}


class Measure(_Input):
    """What a measured metric measures, so its value can be computed from raw rows or typed in.

    The CX measures (``nps``, ``csat``, ``ces``, ``fcr``, ``response_time``) follow the conventions in
    ``cxscore.data``. The generic ones let a framework define its own metrics without code:

    * ``share``: 100 · (rows where ``where`` holds) / (all rows), in percent;
    * ``mean``: the mean of ``column`` (over the rows where ``where`` holds, when given);
    * ``ratio``: a ratio of sums, Σ ``numerator`` / Σ ``denominator``;
    * ``difference``: the measure ``of`` in the group ``between[0]`` minus the same measure in the
      group ``between[1]`` (two ``where`` conditions), e.g. members minus non-members;
    * ``net_box``: 100 · (answers in ``top`` − answers in ``bottom``) / (answers in ``column`` between
      the lowest and highest of those values), from −100 to 100: the XM Institute's net score on a
      7-point item is ``top: [6, 7]``, ``bottom: [1, 2, 3]``.
    """

    name: MeasureName
    column: Text | None = None
    unit: Text | None = None
    where: Text | None = None
    numerator: Text | None = None
    denominator: Text | None = None
    of: MeasureName | None = None
    between: list[Text] | None = None
    top: list[Number] | None = None
    bottom: list[Number] | None = None

    @model_validator(mode="after")
    def _complete(self) -> Self:
        if self.name == "net_box" or self.of == "net_box":
            if not self.top or not self.bottom:
                raise ValueError(
                    "a net_box measure needs 'top' and 'bottom': the answers counted for and against"
                )
            if set(self.top) & set(self.bottom):
                raise ValueError("'top' and 'bottom' of a net_box measure must not share an answer")
        elif self.top is not None or self.bottom is not None:
            raise ValueError("'top' and 'bottom' belong to a net_box measure only")
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


#: The citation a curve gives when no published benchmark backs its anchors.
STARTING_POINT = "cxscore starting point: set your own"

#: An industry id: lower-case letters, digits and underscores.
IndustryId = Annotated[str, _Prebuilt(core_schema.str_schema(pattern=r"^[a-z][a-z0-9_]*$", max_length=64))]


class IndustryAnchors(_Input):
    """A curve's anchors for one industry, used when a brand file names that ``industry:``."""

    name: Name
    worst: Number | None = None
    best: Number | None = None
    p10: Number | None = None
    median: Number | None = None
    source: Text = ""


class Curve(_Input):
    """How a measured value maps onto a 0–1 score (the formulas are in ``cxscore.scoring.curve_score``).

    ``linear`` needs ``worst`` and ``best`` (different; either may be the larger, which sets the
    direction); ``lognormal`` needs ``p10`` and ``median`` with ``0 < p10 < median`` (lower is better,
    as for response times). Every curve cites where its anchors come from in ``source`` (a benchmark,
    or :data:`STARTING_POINT`); ``industries`` may give other anchors, each with its own source, that a
    brand chooses with ``industry:``.
    """

    type: Literal["linear", "lognormal"]
    worst: Number | None = None
    best: Number | None = None
    p10: Number | None = None
    median: Number | None = None
    source: Text = ""
    industries: dict[IndustryId, IndustryAnchors] = Field(default_factory=dict)

    def for_industry(self, industry: str | None) -> "Curve":
        """This curve with the anchors of ``industry`` when it has some, else itself."""
        return self.industry_curves.get(industry or "", self)

    @cached_property
    def industry_curves(self) -> dict[str, "Curve"]:
        """Each industry's curve, built (and validated) once: every brand of a portfolio scores on it."""
        return {
            key: Curve(
                type=self.type,
                worst=anchors.worst,
                best=anchors.best,
                p10=anchors.p10,
                median=anchors.median,
                source=anchors.source,
            )
            for key, anchors in self.industries.items()
        }

    @model_validator(mode="after")
    def _parameters(self) -> Self:
        if self.type == "linear":
            if self.worst is None or self.best is None:
                raise ValueError("a linear curve needs both 'worst' and 'best'")
            if self.p10 is not None or self.median is not None:
                raise ValueError("'p10' and 'median' belong to a lognormal curve, not a linear one")
            if self.worst == self.best:
                raise ValueError(f"worst and best must differ, both are {self.worst:g}")
            if not math.isfinite(self.best - self.worst):
                raise ValueError(
                    f"worst ({self.worst:g}) and best ({self.best:g}) are too far apart: "
                    "best - worst must be a finite number"
                )
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
            # The curve's width is ln(median) − ln(p10): adjacent huge numbers have equal logarithms.
            if not math.log(self.p10) < math.log(self.median):
                raise ValueError(
                    f"p10 ({self.p10!r}) and median ({self.median!r}) are too close: "
                    "their logarithms are equal, so the curve has no width"
                )
        # Every anchor cites its source (after the checks above, so a variant is checked against a
        # sound curve type).
        if not self.source.strip():
            raise ValueError(
                "a curve needs 'source': the benchmark its anchors come from (publisher, title, year, URL), "
                f'or "{STARTING_POINT}"'
            )
        for key, anchors in self.industries.items():
            if not anchors.source.strip():
                raise ValueError(f"industries.{key} needs 'source': the benchmark its anchors come from")
            try:
                Curve(type=self.type, **anchors.model_dump(exclude={"name"}))
            except ValidationError as error:
                reason = "; ".join(str(e.get("ctx", {}).get("error", e["msg"])) for e in error.errors())
                raise ValueError(f"industries.{key}: {reason}") from None
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
    """A scorecard framework: a scale, a scoring mode, bands and weighted metrics.

    Validation admits only what :mod:`cxscore.scoring` maps into 0..100%: points scoring needs
    ``0 <= min < max``, minmax ``min < max``; a scale's and a linear curve's span is finite; a
    lognormal curve has ``0 < p10 < median``; weights are 0 or 1e-6..1e6.
    """

    id: Annotated[str, _Prebuilt(core_schema.str_schema(pattern=r"^[a-z0-9][a-z0-9_.-]*$", max_length=64))]
    name: Name
    description: Text = ""
    source: Text = ""
    # scoring comes before scale: the scale's check needs it (fields are validated in this order).
    scoring: Literal["points", "minmax"] = "points"
    scale: Scale = Scale()
    bands: Annotated[list[Band], Field(min_length=1)]
    bands_source: Text = ""
    metrics: Annotated[list[Metric], Field(min_length=1)]

    @field_validator("scale")
    @classmethod
    def _scale_fits_scoring(cls, scale: Scale, info: ValidationInfo) -> Scale:
        if info.data.get("scoring") == "points" and scale.min < 0:
            raise ValueError(
                f"points scoring counts a rating as points out of max, so the scale must not go below 0 "
                f"(min is {scale.min:g}): use scoring: minmax to score the position on the scale"
            )
        return scale

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


class CustomersFrom(_Input):
    """Read a ``from:`` orders file as its per-customer summary (``cxscore customers``): the measure
    then runs over one row per customer (columns ``customer``, ``orders``, ``spend``, ``ltv``,
    ``active``, ``vip``, ``vip_spend``, ``segment``, ``p_alive``, ``clv``, ...)."""

    customer: Name
    date: Name
    amount: Name
    as_of: datetime.date | None = None
    active_within: Annotated[int, Field(strict=True, ge=0, le=MAX_COUNT)] | None = None
    margin: Annotated[float, Field(strict=True, gt=0, le=1)] | None = None
    horizon: Annotated[float, Field(strict=True, gt=0, le=520)] | None = None
    vip_by: Literal["ltv", "clv"] | None = None


class RatingEntry(_Input):
    """A rating with an optional note; a bare number or null in YAML means just the rating.

    For a measured metric the entry holds its measured ``value`` instead (a bare number counts as the
    value), optionally with the interval ``ci_low``..``ci_high`` and the count ``n`` behind it, or a
    data source, ``{from: data/survey.csv, column: ...}``, that the loader computes the value from.

    Several assessors' ratings are written as a list, ``empathy: [4, 3, 5]`` or ``rating: [4, 3, 5]``:
    they are kept in ``assessments`` (a field no file writes by that name) and ``rating`` is their mean.
    """

    model_config = ConfigDict(validate_by_name=True, validate_by_alias=True)

    rating: Number | None = None
    assessments: Annotated[list[Number], Field(min_length=1)] | None = None
    value: Number | None = None
    source: Text | None = Field(default=None, alias="from")
    column: Text | None = None
    weight: Text | None = None
    customers: CustomersFrom | None = None
    n: Count | None = None
    n_effective: Number | None = None
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
        if self.weight is not None and self.source is None:
            raise ValueError("'weight' needs a data source: add 'from: <file>'")
        if self.n_effective is not None and not self.n_effective > 0:
            raise ValueError(f"n_effective must be above 0, got {self.n_effective:g}")
        if self.customers is not None and self.source is None:
            raise ValueError("'customers' needs a data source: add 'from: <orders file>'")
        if (self.ci_low is None) != (self.ci_high is None):
            raise ValueError("give both 'ci_low' and 'ci_high', or neither")
        if self.ci_low is not None and self.ci_high is not None:
            if self.ci_low > self.ci_high:
                raise ValueError(f"ci_low ({self.ci_low:g}) must not be above ci_high ({self.ci_high:g})")
            value = self.measured_value
            if value is not None and not self.ci_low <= value <= self.ci_high:
                key = "value" if self.value is not None else "rating"
                raise ValueError(
                    f"{key} {value:g} lies outside its own interval: "
                    f"ci_low {self.ci_low:g} to ci_high {self.ci_high:g} must contain it"
                )
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
        entry = value if isinstance(value, dict) else {"rating": value}
        if "assessments" in entry:
            raise ValueError(
                "unknown field 'assessments': write several assessors' ratings as rating: [4, 3, 5]"
            )
        if isinstance(entry.get("rating"), list):
            ratings = entry["rating"]
            # The mean only of a list whose every item is a number; otherwise the list's own
            # validation (as ``assessments``) reports the item at fault, located at that item.
            return {**entry, "rating": _mean_or_none(ratings), "assessments": ratings}
        return entry


def _mean_or_none(items: list[Any]) -> float | None:
    """The mean of a list of finite numbers, ``fsum(items) / k``; None when any item is no such number.

    The sum is taken in units of ``2**e`` (``e`` the largest item's exponent), so ratings near 1.8e308
    cannot overflow it; as a power of two changes no bit, the mean is ``fsum(items) / k`` otherwise.
    """
    if not items or any(isinstance(item, bool) or not isinstance(item, int | float) for item in items):
        return None
    try:
        numbers = [float(item) for item in items]
    except OverflowError:
        return None
    if not all(map(math.isfinite, numbers)):
        return None
    exponent = max(math.frexp(number)[1] for number in numbers)
    total = math.fsum(math.ldexp(number, -exponent) for number in numbers)
    return math.ldexp(total / len(numbers), exponent)


class BrandFile(_Input):
    """A brand's assessment against one framework (``brand.yaml``)."""

    model_config = ConfigDict(json_schema_extra={"title": "cxscore brand assessment", "$id": "cxscore-brand"})

    brand: Name = Field(description="The brand or organisation assessed")
    framework: Name = Field(
        default="cx-six", description="A bundled framework id or a path to a framework file"
    )
    assessed: datetime.date | None = Field(default=None, description="Date of the assessment")
    assessor: Text | None = None
    industry: Name | None = Field(
        default=None, description="Score measured metrics on this industry's curve anchors, where given"
    )
    notes: Text | None = None
    weights: dict[str, Weight] = Field(
        default_factory=dict, description="Per-brand overrides of the framework's weights"
    )
    ratings: dict[str, RatingEntry] = Field(
        default_factory=dict,
        description="Rating per metric id: a number, null (not rated) or {rating, note}",
    )
