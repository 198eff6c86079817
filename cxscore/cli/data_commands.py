"""``cxscore measure``, ``plan``, ``customers`` and ``drivers``: the commands over raw data.

Imported only when one of them runs or the whole app is listed (``cxscore --help``), so defining
them costs ``cxscore rate`` nothing.
"""

import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from cxscore.cli import (
    OutputOption,
    ReportConfig,
    app,
    emit,
    examples_epilog,
    handle_user_errors,
    output_name,
    printable,
    report_facts,
)
from cxscore.customer_lists import CustomerList, VipBy
from cxscore.render import CustomersFormat, DriversFormat, MeasureFormat, PlanFormat, format_for, renderer

Columns = list[str] | None


@app.command(
    epilog=examples_epilog(
        "cxscore measure survey.csv --nps likelihood_to_recommend",
        "cxscore measure survey.csv --nps ltr --csat csat --by region --trend quarter",
        "cxscore measure 'exports/*.csv' --fcr resolved -o fcr.json",
        "cxscore measure survey.csv --nps ltr --by region --vs-rest --weight w --adjust bh",
    )
)
@handle_user_errors
def measure(
    data: Annotated[
        Columns, typer.Argument(metavar="DATA...", help="CSV, Parquet or NDJSON files, or glob patterns.")
    ] = None,
    nps: Annotated[Columns, typer.Option(help="Column of 0–10 likelihood-to-recommend answers.")] = None,
    csat: Annotated[Columns, typer.Option(help="Column of 1–5 satisfaction answers (top-2-box).")] = None,
    ces: Annotated[Columns, typer.Option(help="Column of 1–7 customer-effort answers (mean).")] = None,
    fcr: Annotated[Columns, typer.Option(help="Column of first-contact resolution: yes/no, 1/0.")] = None,
    response_time: Annotated[Columns, typer.Option(help="Column of response times (median, p90).")] = None,
    unit: Annotated[str | None, typer.Option(help="Unit of --response-time, e.g. hours.")] = None,
    by: Annotated[Columns, typer.Option(help="Also measure per segment of this column.")] = None,
    trend: Annotated[str | None, typer.Option(help="Period column: change against the previous.")] = None,
    vs_rest: Annotated[
        bool, typer.Option("--vs-rest", help="Test each --by segment against the rest.")
    ] = False,
    weight: Annotated[str | None, typer.Option(help="Column of survey weights (non-negative).")] = None,
    min_n: Annotated[
        int, typer.Option(min=0, help="Fewer answers than this: shown, flagged, never tested.")
    ] = 100,
    adjust: Annotated[
        str,
        typer.Option(help="Adjust the run's p-values: holm (default), bh (false discovery rate) or none."),
    ] = "holm",
    table: Annotated[str | None, typer.Option(help="Measure this table on --engine, not files.")] = None,
    engine: Annotated[
        str | None,
        typer.Option(
            metavar="URL",
            help="Ibis URL, pyspark, pyspark://local[N], spark://HOST:PORT or sc://HOST:PORT (default: "
            "in-memory DuckDB).",
        ),
    ] = None,
    decimal_comma: Annotated[
        bool | None,
        typer.Option(
            "--decimal-comma/--decimal-point",
            help="Read 9,94 as 9.94 (default: yes for semicolon-separated files).",
            show_default=False,
        ),
    ] = None,
    encoding: Annotated[
        str | None, typer.Option(help="Text encoding of CSV files: utf-8 (default), latin-1, cp1252, utf-16.")
    ] = None,
    output_format: Annotated[
        MeasureFormat,
        typer.Option("--format", "-f", metavar="FORMAT", help="Output format: table, json, csv or markdown."),
    ] = MeasureFormat.table,
    output: OutputOption = None,
) -> None:
    """Compute NPS, CSAT, CES, FCR and response times with 95% intervals from survey or ticket data."""
    from cxscore.data import DataSource, MeasureOptions, compute_measures, specs_from_options

    specs = specs_from_options(nps or [], csat or [], ces or [], fcr or [], response_time or [], unit)
    source = DataSource(
        paths=tuple(data or ()), table=table, engine=engine, encoding=encoding, decimal_comma=decimal_comma
    )
    options = MeasureOptions(weight=weight, vs_rest=vs_rest, min_n=min_n, adjust=adjust)
    report = compute_measures(source, specs, by or [], trend, options=options)
    for warning in report.warnings:
        sys.stderr.write(printable(warning) + "\n")
    emit(renderer("measure", format_for("measure", output_format, output_name(output)))(report), output)


@app.command(
    epilog=examples_epilog(
        "cxscore plan --nps --moe 5 --moe 3",
        "cxscore plan --nps --expect 45,20 --moe 5 --change 10 --power 0.9",
        "cxscore plan --ces --expect-sd 1.4 --moe 0.1 -f json",
    )
)
@handle_user_errors
def plan(
    nps: Annotated[bool, typer.Option("--nps", help="Plan an NPS (margins in NPS points).")] = False,
    csat: Annotated[bool, typer.Option("--csat", help="Plan a CSAT (percentage points).")] = False,
    fcr: Annotated[bool, typer.Option("--fcr", help="Plan an FCR (percentage points).")] = False,
    ces: Annotated[bool, typer.Option("--ces", help="Plan a CES (points on its 1–7 scale).")] = False,
    moe: Annotated[
        list[float] | None, typer.Option(help="95% margin of error, repeatable: a row per margin.")
    ] = None,
    change: Annotated[
        list[float] | None, typer.Option(help="A change between two periods to detect, repeatable.")
    ] = None,
    power: Annotated[float, typer.Option(help="Power to detect --change (0–1).")] = 0.8,
    expect: Annotated[
        str | None,
        typer.Option(help="Expected shares: PROMOTERS,DETRACTORS for NPS (45,20), one for CSAT/FCR (80)."),
    ] = None,
    expect_sd: Annotated[
        float | None, typer.Option(help="Expected standard deviation of CES answers (default 3, worst).")
    ] = None,
    output_format: Annotated[
        PlanFormat,
        typer.Option("--format", "-f", metavar="FORMAT", help="Output format: table, json, markdown or csv."),
    ] = PlanFormat.table,
    output: OutputOption = None,
) -> None:
    """Answers needed for a 95% margin of error, or per period to detect a change, before fieldwork."""
    from cxscore.data.plan import make_plan
    from cxscore.errors import Issue, UsageError

    chosen = [name for name, asked in (("nps", nps), ("csat", csat), ("fcr", fcr), ("ces", ces)) if asked]
    if len(chosen) != 1:
        raise UsageError(Issue("plan", "give exactly one of --nps, --csat, --fcr or --ces"))
    expected = None
    if expect is not None:
        try:
            expected = tuple(float(part) for part in expect.split(","))
        except ValueError:
            raise UsageError(Issue("--expect", "give numbers separated by commas, e.g. 45,20")) from None
    report = make_plan(chosen[0], tuple(moe or ()), tuple(change or ()), power, expected, expect_sd)
    emit(renderer("plan", format_for("plan", output_format, output_name(output)))(report), output)


@app.command(
    epilog=examples_epilog(
        "cxscore customers orders.csv --customer customer_id --date order_date --amount amount",
        "cxscore customers orders.csv --customer id --date day --amount total --top 200 -o delight.html",
        "cxscore customers orders.csv --customer id --date day --amount total --list all -o customers.csv",
    )
)
@handle_user_errors
def customers(
    data: Annotated[
        Columns, typer.Argument(metavar="DATA...", help="CSV, Parquet or NDJSON order files, or globs.")
    ] = None,
    customer: Annotated[str, typer.Option(metavar="COL", help="Column of customer ids.")] = "",
    date: Annotated[
        str, typer.Option(metavar="COL", help="Column of order dates (YYYY-MM-DD, a time may follow).")
    ] = "",
    amount: Annotated[
        str, typer.Option(metavar="COL", help="Column of order amounts (refunds negative).")
    ] = "",
    as_of: Annotated[
        datetime | None,
        typer.Option(
            formats=["%Y-%m-%d"], metavar="DATE", help="Count orders up to this date (default: the last)."
        ),
    ] = None,
    active_within: Annotated[int, typer.Option(metavar="DAYS", help="Active: ordered within DAYS.")] = 365,
    top: Annotated[int, typer.Option(metavar="N", help="Length of the delight list.")] = 400,
    margin: Annotated[float, typer.Option(metavar="FRACTION", help="Share of revenue that is margin.")] = 1.0,
    horizon: Annotated[float, typer.Option(metavar="WEEKS", help="Weeks of expected orders and CLV.")] = 52.0,
    listing: Annotated[
        CustomerList, typer.Option("--list", help="Which customers to list.")
    ] = CustomerList.delight,
    vip_by: Annotated[
        VipBy, typer.Option(help="VIP by past value (ltv) or predicted value (clv).")
    ] = VipBy.ltv,
    model: Annotated[bool, typer.Option("--model/--no-model", help="Fit BG/NBD and Gamma-Gamma.")] = True,
    table: Annotated[
        str | None, typer.Option(metavar="NAME", help="Read this table on --engine, not files.")
    ] = None,
    engine: Annotated[
        str | None, typer.Option(metavar="URL", help="Ibis URL (default: in-memory DuckDB).")
    ] = None,
    output_format: Annotated[
        CustomersFormat | None,
        typer.Option(
            "--format",
            "-f",
            metavar="FORMAT",
            help="table, json, markdown, csv, html or parquet (default: from -o's extension, else table).",
        ),
    ] = None,
    output: OutputOption = None,
    report_config: ReportConfig = None,
) -> None:
    """Customer value from orders: VIPs, the yearly delight list, RFM segments, BG/NBD and Gamma-Gamma."""
    from cxscore.data import DataSource, compute_customers
    from cxscore.data.customer_report import CustomersSpec

    spec = CustomersSpec(
        customer, date, amount, None if as_of is None else as_of.date(), active_within, top, margin, horizon,
        listing, vip_by, model,
    )  # fmt: skip
    name = output_name(output)
    chosen = (
        "parquet" if output_format is None and (name or "").lower().endswith(".parquet") else output_format
    )
    shown = format_for("customers", chosen, name)
    report = compute_customers(
        DataSource(paths=tuple(data or ()), table=table, engine=engine), spec, output, shown
    )
    for warning in report.warnings:
        sys.stderr.write(printable(warning) + "\n")
    if shown not in ("csv", "parquet"):
        with report_facts(shown, report_config):
            emit(renderer("customers", shown)(report), output)


@app.command(
    epilog=examples_epilog(
        "cxscore drivers survey.csv --outcome ltr --driver empathy --driver speed",
        "cxscore drivers survey.csv --outcome ltr --driver q1=empathy --driver q2=responsiveness "
        "--write-framework derived.yaml --from cx-six",
        "cxscore drivers survey.csv --outcome ltr --driver q1 --driver q2 --by region -o drivers.html",
    )
)
@handle_user_errors
def drivers(
    data: Annotated[
        Columns, typer.Argument(metavar="DATA...", help="CSV, Parquet or NDJSON files, or glob patterns.")
    ] = None,
    outcome: Annotated[
        str, typer.Option(metavar="COL", help="The outcome column, e.g. likelihood to recommend.")
    ] = "",
    driver: Annotated[
        Columns,
        typer.Option(metavar="COL[=METRIC_ID]", help="A driver column, optionally mapped to a metric."),
    ] = None,
    by: Annotated[
        Columns, typer.Option(metavar="COL", help="One analysis per segment of this column.")
    ] = None,
    weight: Annotated[
        str | None, typer.Option(metavar="COL", help="Row weights (e.g. survey weights).")
    ] = None,
    scale: Annotated[
        str | None, typer.Option(metavar="MIN..MAX", help="Scale of unmapped drivers (default: observed).")
    ] = None,
    framework: Annotated[
        str | None,
        typer.Option(
            "--from", metavar="ID_OR_FILE", help="Framework of the mapped metrics (default cx-six)."
        ),
    ] = None,
    write_framework: Annotated[
        Path | None,
        typer.Option(metavar="FILE", help="Write --from's framework with weights derived from the data."),
    ] = None,
    replicates: Annotated[
        int, typer.Option(metavar="N", help="Bootstrap replicates (0: no intervals).")
    ] = 1000,
    seed: Annotated[int, typer.Option(metavar="N", help="Seed of the bootstrap.")] = 0,
    table: Annotated[str | None, typer.Option(help="Analyse this table on --engine, not files.")] = None,
    engine: Annotated[str | None, typer.Option(help="Ibis URL (default: in-memory DuckDB).")] = None,
    encoding: Annotated[str | None, typer.Option(help="Text encoding of CSV files.")] = None,
    output_format: Annotated[
        DriversFormat | None,
        typer.Option(
            "--format",
            "-f",
            metavar="FORMAT",
            help="table, json, markdown, csv or html (default: from -o's extension, else table).",
        ),
    ] = None,
    output: OutputOption = None,
    report_config: ReportConfig = None,
) -> None:
    """Key-driver analysis: what moves the outcome (relative weights, Shapley, bootstrap intervals)."""
    import datetime

    from cxscore.data import DataSource
    from cxscore.errors import Issue, UsageError
    from cxscore.keydrivers import analyse, derived_framework_text
    from cxscore.output import write_report

    if not outcome:
        raise UsageError(Issue("--outcome", "give the outcome column: --outcome COL"))
    if write_framework is not None and output is not None and _same_file(Path(output), write_framework):
        message = "names the same file as -o: the report and the derived framework need a file each"
        raise UsageError(Issue("--write-framework", message))
    source = DataSource(paths=tuple(data or ()), table=table, engine=engine, encoding=encoding)
    report, used = analyse(
        source, outcome, driver or [], framework, scale, by or [], weight, replicates, seed
    )
    derived = None
    if write_framework is not None:
        from cxscore.keydrivers import DEFAULT_FRAMEWORK
        from cxscore.loader import FrameworkCatalog

        base = used or FrameworkCatalog().load_reference(DEFAULT_FRAMEWORK)
        derived = derived_framework_text(report, base, datetime.date.today())
    for warning in report.warnings:
        sys.stderr.write(printable(warning) + "\n")
    chosen = format_for("drivers", output_format, output_name(output))
    with report_facts(chosen, report_config):
        emit(renderer("drivers", chosen)(report), output)
    if derived is not None:
        write_report(write_framework, derived)


def _same_file(first: Path, second: Path) -> bool:
    """Whether two output paths name one file (as written, once resolved, or as one existing inode)."""
    try:
        if first.resolve() == second.resolve():
            return True
        return first.exists() and second.exists() and first.samefile(second)
    except (OSError, RuntimeError):
        return False
