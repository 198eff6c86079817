"""``cxscore customers``: every definition on a small hand-computed file, DuckDB and SQLite agreeing,
the engine-written exports, and bad input."""

from __future__ import annotations

import csv
import datetime
import io
import json
import math
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import Result

from cxscore.customer_lists import CustomerList, VipBy
from cxscore.data import DataSource, compute_customers
from cxscore.data.customer_report import SEGMENT_MAP, SEGMENTS, CustomersReport, CustomersSpec
from cxscore.errors import CxScoreError

ROOT = Path(__file__).resolve().parent.parent
# Worked by hand below (as of 2024-12-31; 2024 is a leap year, so 2024-01-01 is 365 days before it).
ORDERS = """\
customer,date,amount
A,2024-01-01,100
A,2024-01-01,50
A,2024-06-01,200
A,2024-06-10,-50
A,2024-12-01,100
B,2024-03-01,80
B,2024-03-01,-30
B,2024-11-01,70
C,2023-01-01,500
D,2024-12-31,40
E,2024-02-01,60
E,2025-02-01,999
 ,2024-05-01,10
F,not a date,10
F,2024-05-05,abc
F,2024-05-05,nan
G,2024-04-01,-20
"""
AS_OF = datetime.date(2024, 12, 31)
SPEC = CustomersSpec("customer", "date", "amount", as_of=AS_OF, top=10)


@pytest.fixture
def orders(write: Callable[..., Path]) -> Path:
    return write(ORDERS, "orders.csv")


@pytest.fixture(scope="module")
def hand_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("hand") / "orders.csv"
    path.write_text(ORDERS, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def hand_all(hand_file: Path) -> CustomersReport:
    """The hand-computed file with every customer listed (DuckDB)."""
    spec = CustomersSpec("customer", "date", "amount", as_of=AS_OF, top=10, listing=CustomerList.all)
    return compute_customers(DataSource(paths=(str(hand_file),)), spec)


@pytest.fixture(scope="module")
def hand_delight(hand_file: Path) -> CustomersReport:
    """The hand-computed file's delight list (DuckDB)."""
    return compute_customers(DataSource(paths=(str(hand_file),)), SPEC)


def sqlite_source(tmp_path: Path, text: str) -> DataSource:
    """The CSV's rows as a SQLite table of text columns."""
    rows = list(csv.reader(io.StringIO(text)))
    database = tmp_path / "orders.db"
    with sqlite3.connect(database) as connection:
        connection.execute('CREATE TABLE orders ("customer" TEXT, "date" TEXT, "amount" TEXT)')
        connection.executemany("INSERT INTO orders VALUES (?, ?, ?)", rows[1:])
    connection.close()
    return DataSource(table="orders", engine=f"sqlite:///{database}")


def by_customer(report: CustomersReport) -> dict[str, Any]:
    return {row.customer: row for row in report.listed}


def test_every_definition_on_a_hand_computed_file(hand_all: CustomersReport) -> None:
    report = hand_all
    assert (report.rows, report.invalid, report.after_as_of) == (17, 4, 1)  # blank, date, abc, nan; E's 2025
    assert report.customers == 5  # G has only a refund: left out, with a warning
    assert any("1 customers have refunds but no order" in w for w in report.warnings)
    assert any("4 of 17 rows are invalid" in w for w in report.warnings)
    rows = by_customer(report)
    a, b, c, d, e = (rows[k] for k in "ABCDE")
    # A: Jan 1 is one order of 150 (two rows); the Jun 10 refund is no order but nets into spend.
    assert (a.orders, a.spend, a.first_order, a.last_order) == (
        3,
        400.0,
        datetime.date(2024, 1, 1),
        datetime.date(2024, 12, 1),
    )
    assert (a.tenure_days, a.recency_days, a.active) == (365, 30, True)
    assert (b.orders, b.spend, b.tenure_days, b.recency_days) == (2, 120.0, 305, 60)  # Mar 1 nets to 50
    assert (c.orders, c.spend, c.tenure_days, c.recency_days, c.active) == (1, 500.0, 730, 730, False)
    assert (d.tenure_days, d.recency_days, d.active) == (0, 0, True)
    assert (e.orders, e.spend, e.tenure_days) == (1, 60.0, 334)  # its 2025 order is after as-of
    # Mean LTV (margin 1) = (400 + 120 + 500 + 40 + 60) / 5 = 224: only A is active and above it.
    assert report.mean_ltv == pytest.approx(224.0)
    assert [k for k, row in rows.items() if row.vip] == ["A"]
    assert report.vip == 1
    assert report.active == 4
    assert report.vip_revenue_share == pytest.approx(100 * 400 / 1120)
    # RFM: five customers, so ntile(5) gives each its own score. R by recency (C 730, E 334, B 60,
    # A 30, D 0), F by orders (C, D, E tie at 1: by id), M by spend (D 40, E 60, B 120, A 400, C 500).
    assert {k: (row.r, row.f, row.m) for k, row in rows.items()} == {
        "C": (1, 1, 5), "E": (2, 3, 2), "B": (3, 4, 3), "A": (4, 5, 4), "D": (5, 2, 1),
    }  # fmt: skip
    # FM = ceil((F + M) / 2): A 5, B 4, C 3, D 2, E 3.
    assert {k: row.segment for k, row in rows.items()} == {
        "A": "loyal", "B": "loyal", "C": "at risk", "D": "potential loyalists", "E": "at risk",
    }  # fmt: skip
    assert report.segments["loyal"] == 2
    assert sum(report.segments.values()) == 5
    # --list all orders by LTV, highest first.
    assert [row.customer for row in report.listed] == ["C", "A", "B", "E", "D"]
    assert report.listed_total == 5


def test_the_delight_list_ranks_active_customers_by_spend_and_tenure(
    hand_delight: CustomersReport, write: Callable[..., Path]
) -> None:
    report = hand_delight
    # Over the active A, B, D, E: cume_dist of spend D .25, E .5, B .75, A 1; of tenure D .25,
    # B .5, E .75, A 1. Scores A 1, B .625, E .625, D .25; B and E tie and B spent more.
    assert [(row.rank, row.customer) for row in report.listed] == [(1, "A"), (2, "B"), (3, "E"), (4, "D")]
    assert [row.delight_score for row in report.listed] == pytest.approx([1.0, 0.625, 0.625, 0.25])
    # Five customers barely identify four BG/NBD parameters: the report says which have no standard error.
    assert any("barely identify the model's" in warning for warning in report.warnings)
    assert report.listed_total == 4


def test_the_segment_map_names_every_cell_with_the_usual_segments() -> None:
    assert len(SEGMENT_MAP) == 5
    assert all(len(row) == 5 for row in SEGMENT_MAP)
    assert {name for row in SEGMENT_MAP for name in row} == set(SEGMENTS)
    assert SEGMENT_MAP[4][4] == "champions"
    assert SEGMENT_MAP[0][0] == "lost"


def test_as_of_defaults_to_the_last_order_and_margin_scales_ltv(orders: Path) -> None:
    spec = CustomersSpec("customer", "date", "amount", margin=0.25, listing=CustomerList.all)
    report = compute_customers(DataSource(paths=(str(orders),)), spec)
    assert report.as_of == datetime.date(2025, 2, 1)
    assert report.after_as_of == 0
    rows = by_customer(report)
    assert rows["E"].spend == 1059.0
    assert rows["E"].ltv == pytest.approx(1059.0 * 0.25)


def _comparable(report: CustomersReport) -> dict[str, Any]:
    document = report.to_dict()
    document.pop("model_se")  # finite differences: equal to a few digits, compared below
    return document


def _assert_close(left: Any, right: Any, where: str = "") -> None:
    if isinstance(left, float) and isinstance(right, float):
        assert math.isclose(left, right, rel_tol=1e-6, abs_tol=1e-9), where
    elif isinstance(left, dict):
        assert left.keys() == right.keys(), where
        for key in left:
            _assert_close(left[key], right[key], f"{where}.{key}")
    elif isinstance(left, list):
        assert len(left) == len(right), where
        for i, (x, y) in enumerate(zip(left, right, strict=True)):
            _assert_close(x, y, f"{where}[{i}]")
    else:
        assert left == right, where


def test_duckdb_and_sqlite_agree(tmp_path: Path) -> None:
    listing = CustomerList.all
    text = (ROOT / "examples/data/orders.csv").read_text(encoding="utf-8")
    spec = CustomersSpec("customer_id", "order_date", "amount", top=25, listing=listing)
    duck = compute_customers(DataSource(paths=(str(ROOT / "examples/data/orders.csv"),)), spec)
    renamed = sqlite_source(tmp_path, text.replace("customer_id,order_date", "customer,date"))
    lite = compute_customers(renamed, CustomersSpec("customer", "date", "amount", top=25, listing=listing))
    assert duck.model is not None
    _assert_close(_comparable(duck), _comparable(lite))


def _without_model(report: CustomersReport) -> dict[str, Any]:
    """The report less what the model gives: five customers barely identify four parameters (the fit
    runs along a flat ridge, where the last digits differ between engines' float sums)."""
    document = _comparable(report)
    for key in ("model", "model_error", "vip_alive", "frequency_value_correlation"):
        document.pop(key)
    for row in document["delight"]:
        for key in ("p_alive", "expected_orders", "expected_order_value", "clv"):
            row.pop(key)
    return document


def test_duckdb_and_sqlite_agree_on_the_hand_computed_file(
    tmp_path: Path, hand_delight: CustomersReport
) -> None:
    duck = hand_delight
    lite = compute_customers(sqlite_source(tmp_path, ORDERS), SPEC)
    _assert_close(_without_model(duck), _without_model(lite))
    assert [w.split(": ", 1)[1] for w in duck.warnings] == [w.split(": ", 1)[1] for w in lite.warnings]


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.output
    return result


COLUMNS = ("--customer", "customer", "--date", "date", "--amount", "amount")


def test_json_contract(cli: Callable[..., Result], orders: Path) -> None:
    result = ok(cli("customers", orders, *COLUMNS, "--as-of", "2024-12-31", "-f", "json"))
    document = json.loads(result.stdout)
    for key in ("schema_version", "as_of", "customers", "active", "vip", "invalid", "mean_ltv",
                "vip_revenue_share", "model", "model_error", "segments", "delight"):  # fmt: skip
        assert key in document
    assert document["schema_version"] == 1
    assert document["as_of"] == "2024-12-31"
    assert document["invalid"] == 4
    entry = document["delight"][0]
    for key in ("rank", "customer", "spend", "orders", "tenure_days", "recency_days", "ltv", "vip", "segment",
                "p_alive", "expected_orders", "clv"):  # fmt: skip
        assert key in entry
    assert "4 of 17 rows are invalid" in result.stderr


def test_vip_by_clv_needs_the_model(write: Callable[..., Path]) -> None:
    orders = write("customer,date,amount\nx,2024-01-01,5\ny,2024-03-01,7\n", "o.csv")
    with pytest.raises(CxScoreError, match="clv needs the model"):
        compute_customers(
            DataSource(paths=(str(orders),)), CustomersSpec("customer", "date", "amount", vip_by=VipBy.clv)
        )


def test_the_model_fills_predictions_and_vip_by_clv(cli: Callable[..., Result]) -> None:
    orders = ROOT / "examples/data/orders.csv"
    args = ("--customer", "customer_id", "--date", "order_date", "--amount", "amount")
    document = json.loads(ok(cli("customers", orders, *args, "-f", "json", "--vip-by", "clv")).stdout)
    model = document["model"]
    assert all(
        model[name] is not None and model[name] > 0 for name in ("r", "alpha", "a", "b", "p", "q", "gamma")
    )
    for row in document["delight"]:
        assert 0 <= row["p_alive"] <= 1
        assert row["clv"] == pytest.approx(row["expected_orders"] * row["expected_order_value"])
    assert document["vip_by"] == "clv"
    assert document["vip"] > 0


def test_csv_and_parquet_of_every_customer_are_written_by_the_engine(
    cli: Callable[..., Result], write: Callable[..., Path], tmp_path: Path
) -> None:
    hostile = write(
        "customer,date,amount\n=HYPERLINK(1),2024-01-01,10\n+1,2024-01-02,5\nok,2024-01-03,7\n", "o.csv"
    )
    target = tmp_path / "all.csv"
    ok(cli("customers", hostile, *COLUMNS, "--list", "all", "-o", target))
    with target.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert sorted(row["customer"] for row in rows) == ["'+1", "'=HYPERLINK(1)", "ok"]
    assert [row["rank"] for row in rows] == ["1", "2", "3"]
    parquet = tmp_path / "all.parquet"
    ok(cli("customers", hostile, *COLUMNS, "--list", "all", "-o", parquet))
    import pyarrow.parquet as pq

    table = pq.read_table(parquet)
    assert table.num_rows == 3
    assert sorted(table.column("customer").to_pylist()) == ["+1", "=HYPERLINK(1)", "ok"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".cxscore-")]  # no temporary left


def test_exports_follow_the_output_rules(cli: Callable[..., Result], orders: Path) -> None:
    refused = cli("customers", orders, *COLUMNS, "--list", "all", "-f", "csv", "-o", orders)
    assert refused.exit_code == 2
    assert "refusing to write the report over a file this run read" in refused.stderr
    assert orders.read_text(encoding="utf-8") == ORDERS
    to_stdout = ok(cli("customers", orders, *COLUMNS, "--as-of", "2024-12-31", "-f", "csv"))
    assert to_stdout.stdout.splitlines()[0].startswith("rank,customer,")
    assert len(to_stdout.stdout.splitlines()) == 5  # header + the four active customers
    parquet = cli("customers", orders, *COLUMNS, "-f", "parquet")
    assert parquet.exit_code == 2
    assert "give -o FILE.parquet" in parquet.stderr


def test_text_formats_escape_customer_ids(write: Callable[..., Path]) -> None:
    from rich.console import Console

    from cxscore.render import renderer

    orders = write("customer,date,amount\n<b>|x\x1b[2J,2024-01-01,10\nz,2024-02-01,5\n", "o.csv")
    report = compute_customers(DataSource(paths=(str(orders),)), CustomersSpec("customer", "date", "amount"))
    console = Console(width=100, color_system=None, markup=False)
    with console.capture() as captured:
        console.print(renderer("customers", "table")(report))
    for out in (
        captured.get(),
        renderer("customers", "markdown")(report),
        renderer("customers", "html")(report),
    ):
        assert "\x1b" not in out
        assert "x1b" in out
    assert "\\<b\\>\\|x" in str(renderer("customers", "markdown")(report))
    html = str(renderer("customers", "html")(report))
    assert "<b>" not in html
    assert "&lt;b&gt;|x" in html
    assert "'<b>" not in str(renderer("customers", "csv")(report))


def test_missing_column_is_a_located_error(cli: Callable[..., Result], orders: Path) -> None:
    result = cli("customers", orders, "--customer", "customer", "--date", "day", "--amount", "amount")
    assert result.exit_code == 2
    assert "no column 'day'" in result.stderr
    assert "date" in result.stderr


def test_all_rows_invalid(write: Callable[..., Path]) -> None:
    orders = write("customer,date,amount\n,2024-01-01,5\nx,someday,5\ny,2024-01-01,lots\n", "o.csv")
    with pytest.raises(CxScoreError, match="no valid order: none of the 3 rows"):
        compute_customers(DataSource(paths=(str(orders),)), SPEC)


def test_one_customer_skips_the_model_and_reports_the_rest(write: Callable[..., Path]) -> None:
    orders = write("customer,date,amount\nx,2024-01-01,5\nx,2024-03-01,7\n", "o.csv")
    report = compute_customers(DataSource(paths=(str(orders),)), SPEC)
    assert report.model is None
    assert report.model_error is not None
    assert "one customer" in report.model_error
    assert report.customers == 1
    assert report.listed[0].spend == 12.0
    assert report.listed[0].clv is None
    assert report.to_dict()["model"] is None


def test_no_repeat_buyers_skips_the_model_with_its_reason(write: Callable[..., Path]) -> None:
    orders = write("customer,date,amount\nx,2024-01-01,5\ny,2024-03-01,7\nz,2024-05-01,9\n", "o.csv")
    report = compute_customers(DataSource(paths=(str(orders),)), SPEC)
    assert report.model is None
    assert "more than one day" in (report.model_error or "")
    assert report.customers == 3
    assert report.vip == 1


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [("--top", "0", "at least 1"), ("--margin", "1.5", "fraction"), ("--horizon", "0", "more than 0")],
)
def test_bad_options_are_usage_errors(
    cli: Callable[..., Result], orders: Path, option: str, value: str, message: str
) -> None:
    result = cli("customers", orders, *COLUMNS, option, value)
    assert result.exit_code == 2
    assert message in result.stderr


CUSTOMER_FRAMEWORK = """\
id: customer-value
name: Customer value
bands: [{name: All, min: 0}]
metrics:
  - id: vip_revenue_share
    name: VIP share of revenue
    measure: {name: ratio, numerator: vip_spend, denominator: spend, unit: share}
    curve: {type: linear, worst: 0, best: 1, source: "cxscore starting point: set your own"}
  - id: active_share
    name: Active customers
    measure: {name: share, where: active = true, unit: "%"}
    curve: {type: linear, worst: 0, best: 100, source: "cxscore starting point: set your own"}
  - id: vip_mean_spend
    name: Mean spend of VIPs
    measure: {name: mean, column: spend, where: vip = true}
    curve: {type: linear, worst: 0, best: 1000, source: "cxscore starting point: set your own"}
"""


def test_a_framework_metric_measures_over_the_customer_summary(
    write: Callable[..., Path], hand_file: Path
) -> None:
    from cxscore.loader import FrameworkCatalog, load_brand

    write(CUSTOMER_FRAMEWORK, "customer-value.yaml")
    write(ORDERS, "orders.csv")
    summary = (
        "{from: orders.csv, customers: {customer: customer, date: date, amount: amount, as_of: 2024-12-31}}"
    )
    brand = write(
        f"""\
        brand: Shop
        framework: customer-value.yaml
        ratings:
          vip_revenue_share: {summary}
          active_share: {summary}
          vip_mean_spend: {summary}
        """,
        "shop.yaml",
    )
    catalog = FrameworkCatalog()
    loaded = load_brand(brand, catalog)
    ratings = loaded.brand.ratings
    # By hand (see ORDERS): A is the one VIP, 400 of 1,120 spent; 4 of 5 customers are active.
    assert ratings["vip_revenue_share"].value == pytest.approx(400 / 1120)
    assert ratings["active_share"].value == pytest.approx(80.0)
    assert (ratings["active_share"].n, ratings["vip_mean_spend"].value) == (5, 400.0)
    assert catalog.data_session().opened["customers"] == 1  # one summary for the three metrics
    bad = write(
        "brand: Shop\nframework: customer-value.yaml\nratings:\n"
        "  active_share: {customers: {customer: c, date: d, amount: a}}\n",
        "bad.yaml",
    )
    with pytest.raises(CxScoreError, match="'customers' needs a data source"):
        load_brand(bad, FrameworkCatalog())


def test_the_example_orders_come_from_their_seeded_generator(tmp_path: Path) -> None:
    import importlib.util
    import random

    generator = ROOT / "examples" / "data" / "make_orders.py"
    spec = importlib.util.spec_from_file_location("make_orders", generator)
    assert spec is not None
    assert spec.loader is not None
    make_orders = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_orders)
    make_orders.write(tmp_path / "orders.csv", make_orders.orders(random.Random(make_orders.SEED)))
    assert (tmp_path / "orders.csv").read_bytes() == (ROOT / "examples" / "data" / "orders.csv").read_bytes()


def test_the_python_api_returns_what_json_prints(cli: Callable[..., Result], orders: Path) -> None:
    import cxscore

    report = cxscore.customers(orders, customer="customer", date="date", amount="amount", as_of=AS_OF)
    printed = json.loads(ok(cli("customers", orders, *COLUMNS, "--as-of", "2024-12-31", "-f", "json")).stdout)
    assert report.to_dict() == printed


def test_vip_by_clv_without_the_model_is_refused_before_any_scan(cli: Callable[..., Result]) -> None:
    result = cli("customers", "missing.csv", *COLUMNS, "--vip-by", "clv", "--no-model")
    assert result.exit_code == 2
    assert result.stderr == "--vip-by: clv is the model's prediction: drop --no-model\n"
