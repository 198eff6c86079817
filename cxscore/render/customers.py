"""What every format shows of a ``customers`` report: the summary lines and the list's cells.

Each format module's ``render_customers`` lays these out in its own way and escapes them its own way;
the numbers are rounded here, for display only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cxscore.render.numbers import format_number

if TYPE_CHECKING:
    from cxscore.data.customer_report import CustomerRow, CustomersReport

LIST_HEADER = ("#", "customer", "spend", "orders", "tenure", "recency", "VIP", "segment", "p_alive", "clv")
#: Which columns are text (left-aligned); the others are numbers.
TEXT_COLUMNS = frozenset({"customer", "VIP", "segment"})
TITLES = {
    "delight": "Delight list: the top {n} active customers by spend and tenure",
    "vip": "VIPs: active customers worth more than the mean ({by})",
    "all": "All customers by value ({by})",
}


def money(value: float | None) -> str:
    """An amount with two decimals and thousands separators; a dash when missing."""
    return "–" if value is None else f"{value:,.2f}"


def whole(value: float | None) -> str:
    """An amount rounded to a whole number, with thousands separators; a dash when missing."""
    return "–" if value is None else f"{value:,.0f}"


def _share(value: float | None) -> str:
    return "–" if value is None else f"{format_number(value)}%"


def title(report: CustomersReport) -> str:
    """The heading of the listed customers."""
    return TITLES[report.spec.listing.value].format(n=report.spec.top, by=report.spec.vip_by.value)


def summary_lines(report: CustomersReport) -> list[tuple[str, str]]:
    """(label, value) pairs of the summary, in the order every format shows them."""
    spec = report.spec
    lines = [
        ("as of", report.as_of.isoformat()),
        ("customers", f"{report.customers:,}"),
        ("active", f"{report.active:,} (last order within {spec.active_within} days)"),
        ("VIPs", f"{report.vip:,} ({spec.vip_by.value} above the mean, active)"),
        ("VIP share of revenue", _share(report.vip_revenue_share)),
        ("mean LTV", f"{money(report.mean_ltv)} (margin {format_number(spec.margin * 100)}%)"),
        ("revenue", money(report.revenue)),
    ]
    if report.vip_alive is not None:
        lines.append(("VIPs still alive (mean p_alive)", _share(100 * report.vip_alive)))
    lines.append(
        ("rows", f"{report.rows:,} ({report.invalid:,} invalid, {report.after_as_of:,} after as-of)")
    )
    return lines


def model_lines(report: CustomersReport) -> list[tuple[str, str]]:
    """(label, value) pairs of the model's parameters with standard errors, or why there is none."""
    model = report.model
    if model is None:
        return [("model", f"not fitted: {report.model_error}")]
    lines = [
        (
            "BG/NBD",
            f"fitted on {model.customers:,} customers (log-likelihood {format_number(model.log_likelihood)})",
        )
    ]
    for name, parameter in model.parameters().items():
        if parameter is not None:
            se = "" if parameter.se is None else f" (se {parameter.se:.3g})"
            lines.append((name, f"{parameter.value:.4g}{se}"))
    if model.spend_error is not None:
        lines.append(("Gamma-Gamma", f"not fitted: {model.spend_error}"))
    else:
        lines.append(("Gamma-Gamma", f"fitted on {model.repeat_customers:,} repeat buyers"))
        if model.frequency_value_correlation is not None:
            lines.append(
                (
                    "corr(orders, order value)",
                    f"{model.frequency_value_correlation:.3f} (the model assumes ≈ 0)",
                )
            )
    lines.append(("horizon", f"{format_number(report.spec.horizon)} weeks"))
    return lines


def segment_lines(report: CustomersReport) -> list[tuple[str, int]]:
    """(segment, customers) for every segment with customers, best segment first."""
    return [(name, count) for name, count in report.segments.items() if count]


def row_cells(row: CustomerRow) -> tuple[str, ...]:
    """One listed customer's cells, matching :data:`LIST_HEADER` (the customer id as given: escape it)."""
    p_alive = "–" if row.p_alive is None else f"{row.p_alive:.2f}"
    return (
        str(row.rank),
        row.customer,
        whole(row.spend),
        str(row.orders),
        f"{row.tenure_days}d",
        f"{row.recency_days}d",
        "VIP" if row.vip else "",
        row.segment,
        p_alive,
        whole(row.clv),
    )


def more_line(report: CustomersReport) -> str | None:
    """A note when the list holds more customers than the report shows."""
    hidden = report.listed_total - len(report.listed)
    if hidden <= 0 or report.spec.listing.value == "delight":
        return None
    return f"{hidden:,} more not shown: -o customers.csv --list {report.spec.listing.value} writes every one"
