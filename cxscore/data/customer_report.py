"""What ``cxscore customers`` asks for and returns: plain dataclasses, no engine imports.

The definitions behind every field are in :mod:`cxscore.data.customers`; the model's formulas in
:mod:`cxscore.data.clv`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from cxscore.customer_lists import CustomerList, VipBy

#: The R×FM map of the RFM segments: SEGMENT_MAP[R - 1][FM - 1], FM = ⌈(F + M) / 2⌉. Rows are R = 1
#: (least recent) to 5 (most recent), columns FM = 1 to 5.
SEGMENT_MAP: tuple[tuple[str, ...], ...] = (
    ("lost", "lost", "at risk", "at risk", "can't lose them"),
    ("hibernating", "hibernating", "at risk", "at risk", "can't lose them"),
    ("about to sleep", "about to sleep", "need attention", "loyal", "loyal"),
    ("promising", "potential loyalists", "potential loyalists", "loyal", "loyal"),
    ("new", "potential loyalists", "potential loyalists", "champions", "champions"),
)
#: The segments in the order reports show them (best first).
SEGMENTS: tuple[str, ...] = (
    "champions",
    "loyal",
    "potential loyalists",
    "new",
    "promising",
    "need attention",
    "about to sleep",
    "at risk",
    "can't lose them",
    "hibernating",
    "lost",
)

#: The columns of every listed customer's row in ``-o x.csv|x.parquet`` (and the CSV format).
EXPORT_COLUMNS = (
    "rank", "customer", "first_order", "last_order", "orders", "spend", "tenure_days", "recency_days", "ltv",
    "active", "vip", "r", "f", "m", "segment", "delight_score", "p_alive", "expected_orders",
    "expected_order_value", "clv",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class CustomersSpec:
    """The columns and settings of one ``customers`` run (the command's options)."""

    customer: str
    date: str
    amount: str
    as_of: datetime.date | None = None
    active_within: int = 365
    top: int = 400
    margin: float = 1.0
    horizon: float = 52.0
    listing: CustomerList = CustomerList.delight
    vip_by: VipBy = VipBy.ltv
    fit_model: bool = True


@dataclass(frozen=True, slots=True)
class Parameter:
    """A fitted parameter with its standard error (None when the Hessian gave none)."""

    value: float
    se: float | None


@dataclass(frozen=True, slots=True)
class ModelFit:
    """The BG/NBD parameters and, when they could be fitted, the Gamma-Gamma ones."""

    r: Parameter
    alpha: Parameter
    a: Parameter
    b: Parameter
    customers: int
    log_likelihood: float
    p: Parameter | None = None
    q: Parameter | None = None
    gamma: Parameter | None = None
    repeat_customers: int = 0
    frequency_value_correlation: float | None = None
    spend_error: str | None = None

    def parameters(self) -> dict[str, Parameter | None]:
        """Every parameter by name, in the papers' order."""
        return {
            "r": self.r,
            "alpha": self.alpha,
            "a": self.a,
            "b": self.b,
            "p": self.p,
            "q": self.q,
            "gamma": self.gamma,
        }


@dataclass(frozen=True, slots=True)
class CustomerRow:
    """One listed customer (all values unrounded; predictions None without a model)."""

    rank: int
    customer: str
    first_order: datetime.date
    last_order: datetime.date
    orders: int
    spend: float
    tenure_days: int
    recency_days: int
    ltv: float
    active: bool
    vip: bool
    r: int
    f: int
    m: int
    segment: str
    delight_score: float | None
    p_alive: float | None
    expected_orders: float | None
    expected_order_value: float | None
    clv: float | None

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract's object for one listed customer."""
        return {
            "rank": self.rank,
            "customer": self.customer,
            "first_order": self.first_order.isoformat(),
            "last_order": self.last_order.isoformat(),
            "spend": self.spend,
            "orders": self.orders,
            "tenure_days": self.tenure_days,
            "recency_days": self.recency_days,
            "ltv": self.ltv,
            "active": self.active,
            "vip": self.vip,
            "rfm": [self.r, self.f, self.m],
            "segment": self.segment,
            "delight_score": self.delight_score,
            "p_alive": self.p_alive,
            "expected_orders": self.expected_orders,
            "expected_order_value": self.expected_order_value,
            "clv": self.clv,
        }


@dataclass(frozen=True, slots=True)
class TenureBand:
    """Customers whose tenure falls in [low, high) days: how many and their mean and top spend."""

    low: int
    high: int
    customers: int
    mean_spend: float
    max_spend: float


@dataclass(frozen=True, slots=True)
class CustomersReport:
    """Everything ``cxscore customers`` reports (the JSON contract is :meth:`to_dict`)."""

    source: str
    spec: CustomersSpec
    as_of: datetime.date
    rows: int
    invalid: int
    after_as_of: int
    customers: int
    active: int
    vip: int
    revenue: float
    vip_revenue: float
    mean_ltv: float
    vip_alive: float | None
    segments: dict[str, int]
    listed: tuple[CustomerRow, ...]
    listed_total: int
    model: ModelFit | None
    model_error: str | None
    tenure_bands: tuple[TenureBand, ...] = ()
    warnings: tuple[str, ...] = field(default=())

    @property
    def vip_revenue_share(self) -> float | None:
        """The VIPs' share of all spend, in percent (None when total spend is not positive)."""
        return 100.0 * self.vip_revenue / self.revenue if self.revenue > 0 else None

    def to_dict(self) -> dict[str, Any]:
        """``customers --format json`` (schema_version 1), unrounded."""
        model: dict[str, Any] | None = None
        standard_errors: dict[str, Any] | None = None
        if self.model is not None:
            parameters = self.model.parameters()
            model = {name: None if value is None else value.value for name, value in parameters.items()}
            standard_errors = {
                name: None if value is None else value.se for name, value in parameters.items()
            }
        return {
            "schema_version": 1,
            "as_of": self.as_of.isoformat(),
            "customers": self.customers,
            "active": self.active,
            "vip": self.vip,
            "invalid": self.invalid,
            "rows": self.rows,
            "after_as_of": self.after_as_of,
            "mean_ltv": self.mean_ltv,
            "revenue": self.revenue,
            "vip_revenue_share": self.vip_revenue_share,
            "vip_alive": self.vip_alive,
            "vip_by": self.spec.vip_by.value,
            "margin": self.spec.margin,
            "horizon_weeks": self.spec.horizon,
            "active_within_days": self.spec.active_within,
            "model": model,
            "model_se": standard_errors,
            "model_error": self.model_error,
            "frequency_value_correlation": None
            if self.model is None
            else self.model.frequency_value_correlation,
            "segments": dict(self.segments),
            "list": self.spec.listing.value,
            "listed_total": self.listed_total,
            "delight": [row.to_dict() for row in self.listed],
        }
