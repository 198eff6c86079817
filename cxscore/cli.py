"""The ``cxscore`` command line: thin adapters from options to the core and a renderer.

Only typer is imported at start-up; each command imports what it needs, so ``cxscore --help`` stays
fast and the rating path never loads data engines or unused renderers.
"""

import contextlib
import errno
import functools
import os
import sys
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TypeVar

import typer

from cxscore import __version__
from cxscore.customer_lists import CustomerList, VipBy
from cxscore.render import (
    CustomersFormat,
    DriversFormat,
    FrameworkFormat,
    HistoryFormat,
    MeasureFormat,
    OutputFormat,
    PlanFormat,
    format_for,
    renderer,
)

if TYPE_CHECKING:
    from cxscore.gating import GateFailure

EXIT_INPUT = 2

_APP_SETTINGS: dict[str, Any] = {
    "name": "cxscore",
    "help": "Customer-experience scorecards: validate, score and report brands' CX from YAML.",
    "no_args_is_help": True,
    "add_completion": False,
    "pretty_exceptions_show_locals": False,
    "context_settings": {"help_option_names": ["-h", "--help"]},
}
EXIT_CODES = "Exit codes: 0 ok, 1 a gate failed, 2 bad input, 3 unexpected (a bug)."


def _epilog(*examples: str) -> str:
    """The end of a command's --help: a few real examples, then the exit codes."""
    lines = "\n\n".join(f"  {example}" for example in examples)
    return f"Examples:\n\n{lines}\n\n{EXIT_CODES}"


# Only the whole app has --install-completion and --show-completion: a shell asks for completions by
# running `cxscore` with no arguments (the whole app), and the one-command apps of app_for skip building
# the two options, so `cxscore rate` pays nothing for them.
app = typer.Typer(**{**_APP_SETTINGS, "add_completion": True})
frameworks_app = typer.Typer(
    help="List the bundled frameworks, or show one.",
    epilog=_epilog("cxscore frameworks", "cxscore frameworks -f markdown -o frameworks.md"),
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(frameworks_app, name="frameworks")

F = TypeVar("F", bound=Callable[..., Any])


def handle_user_errors(command: F) -> F:
    """Print a user error as one ``path:line:col: message`` line per problem; exit 2."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from cxscore.errors import CxScoreError, take_notices
        from cxscore.output import forget_inputs

        forget_inputs()  # a report may not replace a file read by this run, not by an earlier one
        take_notices()
        try:
            return command(*args, **kwargs)
        except CxScoreError as error:
            for issue in error.issues:
                sys.stderr.write(_printable(issue.format()) + "\n")
            raise typer.Exit(EXIT_INPUT) from None
        finally:
            for issue in take_notices():
                sys.stderr.write(_printable(issue.with_message(f"warning: {issue.message}").format()) + "\n")

    return wrapper  # type: ignore[return-value]


def _printable(text: str) -> str:
    from cxscore.textsafe import clean_line

    return clean_line(text)


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"cxscore {__version__}\n")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Customer-experience scorecards: validate, score and report brands' CX from YAML."""


Paths = Annotated[
    list[str], typer.Argument(metavar="PATH...", help="Brand files, or directories of *.yaml/*.yml files.")
]
OutputOption = Annotated[
    Path | None,
    typer.Option("--output", "-o", help="Write the report to this file (atomically; - for stdout)."),
]


def emit(report: Any, output: Path | None) -> None:
    """Write a finished report to ``output`` (``-`` or none: standard output), checking every write.

    ``report`` may also be a rich renderable (the table format): laid out for this terminal, or at
    width 100 without colour when it goes to a file. Where a report may be written is
    :func:`cxscore.output.write_report`'s rule.
    """
    from cxscore.output import is_stdout, write_report

    if not isinstance(report, str | bytes):
        console = _terminal_console(is_stdout(output))
        with console.capture() as captured:
            console.print(report)
        report = captured.get()
        if not (is_stdout(output) and console.is_terminal):
            # rich pads lines to the width; in a file or a pipe that is only trailing blanks.
            report = "\n".join(line.rstrip() for line in report.split("\n"))
    write_report(output, report)


def _name(output: Path | None) -> str | None:
    return None if output is None else str(output)


ReportConfig = Annotated[
    Path | None,
    typer.Option(
        "--report-config",
        metavar="FILE",
        help="Report settings (title, organisation, logo, accent, paper) for html, pdf and markdown; "
        "default: cxscore.toml, or [tool.cxscore] in pyproject.toml, here or in a folder above.",
    ),
]
# The formats that show the report settings and the generation line.
_BRANDED = {"html", "pdf", "markdown"}


@contextlib.contextmanager
def report_facts(chosen_format: str, config: Path | None) -> Iterator[None]:
    """While a report renders: its settings (``--report-config`` or the file found upward) and the
    generation time, for the formats that show them (the table and data formats skip the lookup)."""
    if chosen_format not in _BRANDED and config is None:
        yield
        return
    from cxscore.report_settings import build_report_meta, use_report_meta

    with use_report_meta(build_report_meta(config)):
        yield


def _terminal_console(terminal: bool) -> Any:
    from rich.console import Console

    # Renderers hand rich only Text objects and plain headings, so markup, emoji codes and
    # highlighting have nothing to do; left on, they would cost start-up time on every heading.
    if terminal:
        return Console(markup=False, emoji=False, highlight=False)
    return Console(width=100, color_system=None, markup=False, emoji=False, highlight=False)


AllowOutside = Annotated[
    list[Path] | None,
    typer.Option(
        "--allow-outside",
        metavar="DIR",
        help="Let brand files name frameworks and data under DIR too (repeatable); by default they "
        "must stay in the brand file's directory tree or the current directory's.",
    ),
]
FormatOption = Annotated[
    OutputFormat | None,
    typer.Option(
        "--format",
        "-f",
        metavar="FORMAT",
        help="Report format: table, json, markdown, csv, html, pdf or total (default: from -o's "
        "extension, else table).",
    ),
]
DataEngine = Annotated[
    str | None,
    typer.Option(
        "--engine",
        metavar="URL",
        help="Compute data-sourced metrics on this engine: an Ibis URL, pyspark, pyspark://local[N], "
        "spark://HOST:PORT or sc://HOST:PORT (default: in-memory DuckDB).",
    ),
]
FailUnder = Annotated[
    float | None,
    typer.Option(
        "--fail-under", metavar="PCT", help="Exit 1 after the report if any brand's overall is below PCT."
    ),
]
FailUnderMetric = Annotated[
    float | None,
    typer.Option(
        "--fail-under-metric",
        metavar="PCT",
        help="Exit 1 after the report if any rated metric scores below PCT.",
    ),
]
Confident = Annotated[
    bool,
    typer.Option(
        "--confident",
        help="With --fail-under: gate on the lower end of the overall's 95% interval (where it has one).",
    ),
]
MinCoverage = Annotated[
    float | None,
    typer.Option(
        "--min-coverage",
        metavar="PCT",
        help="Exit 1 after the report if any brand's rated metrics carry less than PCT of the framework's "
        "weight.",
    ),
]
EXIT_GATE = 1
FrameworkWeights = Annotated[
    Path | None,
    typer.Option(
        "--framework-weights",
        metavar="FILE",
        help="Score with the metric weights of this framework file (e.g. from drivers --write-framework).",
    ),
]


def _complete_what_if(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    from cxscore.completion import what_if_choices

    # While completing, click parses leniently and leaves the positional paths in ctx.args.
    return what_if_choices([*(ctx.params.get("paths") or ()), *ctx.args], incomplete)


def _gate(failures: "list[GateFailure]") -> None:
    """After the report: print each failed gate on stderr and exit 1 if any failed."""
    if not failures:
        return
    from cxscore.render.gates import format_gate_failure

    for failure in failures:
        sys.stderr.write(_printable(format_gate_failure(failure)) + "\n")
    raise typer.Exit(EXIT_GATE)


@app.command(
    epilog=_epilog(
        "cxscore rate examples/santa.yaml",
        "cxscore rate examples/ --format html -o portfolio.html",
        "cxscore rate brand.yaml --baseline last-quarter.yaml --fail-on-regression",
    )
)
@handle_user_errors
def rate(
    paths: Paths,
    output_format: FormatOption = None,
    output: OutputOption = None,
    details: Annotated[
        bool, typer.Option("--details", help="Add each metric's description and note.")
    ] = False,
    what_if: Annotated[
        list[str] | None,
        typer.Option(
            "--what-if",
            metavar="METRIC=RATING",
            help="Also show the overall with this rating (repeatable).",
            autocompletion=_complete_what_if,
        ),
    ] = None,
    baseline: Annotated[
        Path | None,
        typer.Option(
            "--baseline",
            metavar="LAST.yaml|DIR",
            help="Show the change of every score since this assessment; for a directory, since the "
            "latest assessment of the same brand dated before this one.",
        ),
    ] = None,
    fail_under: FailUnder = None,
    confident: Confident = False,
    fail_under_metric: FailUnderMetric = None,
    fail_on_regression: Annotated[
        bool,
        typer.Option(
            "--fail-on-regression", help="With --baseline: exit 1 if any score fell by more than --tolerance."
        ),
    ] = False,
    tolerance: Annotated[
        float | None,
        typer.Option(
            "--tolerance", metavar="POINTS", help="Points a score may fall under --fail-on-regression (0)."
        ),
    ] = None,
    min_coverage: MinCoverage = None,
    allow_outside: AllowOutside = None,
    engine: DataEngine = None,
    framework_weights: FrameworkWeights = None,
    report_config: ReportConfig = None,
) -> None:
    """Score brand files and show the scorecard."""
    from cxscore.gating import Gates
    from cxscore.report import build_rate_report

    gates = Gates(fail_under, fail_under_metric, fail_on_regression, tolerance, min_coverage, confident)
    report = build_rate_report(
        paths,
        what_if or [],
        baseline,
        details,
        fail_on_regression,
        allow_outside or [],
        engine=engine,
        framework_weights=framework_weights,
    )
    chosen = format_for("rate", output_format, _name(output))
    with report_facts(chosen, report_config):
        emit(renderer("rate", chosen)(report), output)
    _gate(gates.check(report.results, report.change))


@app.command(
    epilog=_epilog(
        "cxscore compare examples/santa.yaml examples/grinch.yaml",
        "cxscore compare a.yaml b.yaml c.yaml -o comparison.md",
    )
)
@handle_user_errors
def compare(
    paths: Annotated[
        list[str],
        typer.Argument(metavar="PATH...", help="Two or more brand files (or directories), in order."),
    ],
    output_format: FormatOption = None,
    output: OutputOption = None,
    fail_under: FailUnder = None,
    confident: Confident = False,
    fail_under_metric: FailUnderMetric = None,
    min_coverage: MinCoverage = None,
    allow_outside: AllowOutside = None,
    engine: DataEngine = None,
    framework_weights: FrameworkWeights = None,
    report_config: ReportConfig = None,
) -> None:
    """Compare brands side by side: the best per metric marked; for two brands, the change from the first."""
    from cxscore.compare import compare_results
    from cxscore.gating import Gates
    from cxscore.scorecard import load_weights, score_files

    gates = Gates(fail_under, fail_under_metric, min_coverage=min_coverage, confident=confident)
    weights = None if framework_weights is None else load_weights(framework_weights)
    comparison = compare_results(score_files(paths, allow_outside or [], engine=engine, weights=weights))
    chosen = format_for("compare", output_format, _name(output))
    with report_facts(chosen, report_config):
        emit(renderer("compare", chosen)(comparison), output)
    _gate(gates.check(comparison.results))


@app.command(epilog=_epilog("cxscore rank examples/", "cxscore rank brands/ --top 10 --fail-under 50"))
@handle_user_errors
def rank(
    paths: Paths,
    output_format: FormatOption = None,
    output: OutputOption = None,
    top: Annotated[
        int | None, typer.Option("--top", metavar="N", help="List only the first N (gates still check all).")
    ] = None,
    fail_under: FailUnder = None,
    confident: Confident = False,
    fail_under_metric: FailUnderMetric = None,
    min_coverage: MinCoverage = None,
    allow_outside: AllowOutside = None,
    engine: DataEngine = None,
    report_config: ReportConfig = None,
) -> None:
    """Rank brands by overall score: band, coverage, strongest and weakest metric."""
    from cxscore.gating import Gates
    from cxscore.rank import rank_files

    gates = Gates(fail_under, fail_under_metric, min_coverage=min_coverage, confident=confident)
    board = rank_files(paths, top, allow_outside or [], engine=engine)
    chosen = format_for("rank", output_format, _name(output))
    with report_facts(chosen, report_config):
        emit(renderer("rank", chosen)(board), output)
    _gate(gates.check(board.entries))


@app.command(
    epilog=_epilog(
        "cxscore history examples/history/",
        "cxscore history q1.yaml q2.yaml q3.yaml q4.yaml -o history.html",
    )
)
@handle_user_errors
def history(
    paths: Paths,
    output_format: Annotated[
        HistoryFormat | None,
        typer.Option(
            "--format",
            "-f",
            metavar="FORMAT",
            help="Report format: table, json, markdown, csv, html or pdf (default: from -o's extension, "
            "else table).",
        ),
    ] = None,
    output: OutputOption = None,
    allow_outside: AllowOutside = None,
    engine: DataEngine = None,
    report_config: ReportConfig = None,
) -> None:
    """Follow brands through their assessments, by date: every score with its change since the one before."""
    from cxscore.history import build_history

    report = build_history(paths, allow_outside or [], engine=engine)
    chosen = format_for("history", output_format, _name(output))
    with report_facts(chosen, report_config):
        emit(renderer("history", chosen)(report), output)


@app.command(epilog=_epilog("cxscore validate examples/santa.yaml", "cxscore validate brands/"))
@handle_user_errors
def validate(paths: Paths, allow_outside: AllowOutside = None, engine: DataEngine = None) -> None:
    """Check brand files (and their frameworks) without scoring: exit 0 when all are valid."""
    from cxscore.scorecard import check_files

    count = check_files(paths, allow_outside or [], engine=engine)
    sys.stderr.write(f"{count} file{'s' if count != 1 else ''} valid\n")


def _complete_framework(incomplete: str) -> list[tuple[str, str]]:
    from cxscore.completion import framework_choices

    return framework_choices(incomplete)


def _framework_option(help_text: str) -> Any:
    return typer.Option(
        "--framework", metavar="ID_OR_FILE", help=help_text, autocompletion=_complete_framework
    )


@app.command(
    epilog=_epilog(
        "cxscore schema -o cxscore.schema.json",
        "cxscore schema --framework cx-kpis -o cxscore-cx-kpis.schema.json",
    )
)
@handle_user_errors
def schema(
    framework: Annotated[
        str | None,
        _framework_option("Narrow ratings and weights to this framework's metric ids, scale and measures."),
    ] = None,
    output: OutputOption = None,
) -> None:
    """Print the JSON Schema of the brand file (for editor completion and validation)."""
    from cxscore.schema import schema_for

    emit(schema_for(framework), output)


@app.command(
    epilog=_epilog(
        "cxscore init -o brand.yaml",
        "cxscore init --framework cx-kpis --brand Acme -o acme.yaml",
        "cxscore init --framework frameworks/mine.yaml -o brands/acme.yaml",
    )
)
@handle_user_errors
def init(
    framework: Annotated[
        str | None, _framework_option("The framework to rate on: a bundled id or a file (default cx-six).")
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Write to this new file (never over an existing file; - for stdout)."
        ),
    ] = None,
    brand: Annotated[str | None, typer.Option("--brand", metavar="NAME", help="The brand's name.")] = None,
    schema_file: Annotated[
        str | None,
        typer.Option(
            "--schema",
            metavar="PATH_OR_URL",
            help="The JSON Schema the first line points editors to (default cxscore-ID.schema.json).",
        ),
    ] = None,
) -> None:
    """Write a starter brand file: every metric of a framework, what its ratings mean, nothing rated."""
    import datetime

    from cxscore.starter import build_starter, write_starter

    starter = build_starter(framework, output, datetime.date.today(), brand, schema_file)
    hint = write_starter(starter, output)
    if hint:
        sys.stderr.write(_printable(hint) + "\n")


FrameworkFormatOption = Annotated[
    FrameworkFormat | None,
    typer.Option(
        "--format",
        "-f",
        metavar="FORMAT",
        help="Output format: table, json or markdown (default: from -o's extension, else table).",
    ),
]


@frameworks_app.callback()
@handle_user_errors
def frameworks_list(
    ctx: typer.Context,
    output_format: FrameworkFormatOption = None,
    output: OutputOption = None,
) -> None:
    """List the bundled frameworks."""
    if ctx.invoked_subcommand is not None:
        return
    from cxscore.loader import load_bundled_frameworks

    chosen = format_for("frameworks", output_format, _name(output))
    emit(renderer("frameworks", chosen)(load_bundled_frameworks()), output)


@frameworks_app.command(
    "show",
    epilog=_epilog("cxscore frameworks show cx-kpis", "cxscore frameworks show my-framework.yaml -f json"),
)
@handle_user_errors
def frameworks_show(
    framework: Annotated[
        str,
        typer.Argument(
            help="A bundled framework id or a framework file.", autocompletion=_complete_framework
        ),
    ],
    output_format: FrameworkFormatOption = None,
    output: OutputOption = None,
) -> None:
    """Show one framework: scale, scoring, bands and weighted metrics."""
    from cxscore.loader import FrameworkCatalog

    chosen = format_for("framework", output_format, _name(output))
    emit(renderer("framework", chosen)(FrameworkCatalog().load_reference(framework)), output)


Columns = list[str] | None


@app.command(
    epilog=_epilog(
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
        sys.stderr.write(_printable(warning) + "\n")
    emit(renderer("measure", format_for("measure", output_format, _name(output)))(report), output)


@app.command(
    epilog=_epilog(
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
    emit(renderer("plan", format_for("plan", output_format, _name(output)))(report), output)


@app.command(
    epilog=_epilog(
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
    name = _name(output)
    chosen = (
        "parquet" if output_format is None and (name or "").lower().endswith(".parquet") else output_format
    )
    shown = format_for("customers", chosen, name)
    report = compute_customers(
        DataSource(paths=tuple(data or ()), table=table, engine=engine), spec, output, shown
    )
    for warning in report.warnings:
        sys.stderr.write(_printable(warning) + "\n")
    if shown not in ("csv", "parquet"):
        with report_facts(shown, report_config):
            emit(renderer("customers", shown)(report), output)


@app.command(
    epilog=_epilog(
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
        sys.stderr.write(_printable(warning) + "\n")
    chosen = format_for("drivers", output_format, _name(output))
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


def app_for(args: list[str]) -> typer.Typer:
    """The app holding only the command about to run, so typer builds that command alone.

    Turning a typed function into a click command (signature, type hints, one parameter object per
    option) is most of typer's start-up, and paying it for every command on each run would slow
    `cxscore rate` noticeably. ``--help``, no command or an unknown one get the whole app, so help and
    "no such command" still list everything.
    """
    from cxscore.compat import app_with_only

    single = app_with_only(app, args[0], _APP_SETTINGS) if args else None
    return app if single is None else single


EXIT_BUG = 3


def main() -> None:
    """Entry point of the ``cxscore`` console script: every failure is one line on stderr.

    Exit codes: 0 success; 1 a gate the user asked for failed (``--fail-under`` and kin); 2 bad
    input or a usage error (one ``path:line:col: message`` line per problem); 3 anything unexpected,
    a bug in cxscore (one line; the traceback with ``CXSCORE_DEBUG=1``); 130 interrupted.
    """
    # Third-party pydantic plugins have no business observing the validation of a user's files, and
    # discovering them scans the metadata of every installed distribution on each run. A user who
    # wants them can still set PYDANTIC_DISABLE_PLUGINS to something else.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    try:
        code = app_for(sys.argv[1:])(standalone_mode=False, prog_name="cxscore")
    except BrokenPipeError:
        # Output piped into `head` and closed early: not an error worth a traceback.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(0)
    except OSError as error:
        if error.errno not in _OUTPUT_ERRNOS:
            _report_bug(error)
        sys.stderr.write(f"cxscore: cannot write the output: {error.strerror}\n")
        sys.exit(EXIT_INPUT)
    except Exception as error:
        from cxscore.compat import help_requested_context

        context = help_requested_context(error)
        if context is not None:
            context.get_help()  # typer prints its rich help itself; it returns what is left to print
            sys.exit(0)
        usage = _usage_error_line(error)
        if usage is None:
            _report_bug(error)
        sys.stderr.write(_printable(usage) + "\n")
        sys.exit(EXIT_INPUT)
    except KeyboardInterrupt:
        sys.stderr.write("cxscore: interrupted\n")
        sys.exit(130)
    sys.exit(code if isinstance(code, int) else 0)


def _report_bug(error: BaseException) -> NoReturn:
    """An unexpected exception: one line naming where it happened, never its message, and exit 3.

    The message of an unexpected exception may carry text from the input files, so the line names only
    the exception's type and cxscore's innermost frame; ``CXSCORE_DEBUG=1`` prints the traceback.
    """
    import traceback

    if os.environ.get("CXSCORE_DEBUG", "") not in ("", "0"):
        traceback.print_exception(error)
    frames = traceback.extract_tb(error.__traceback__)
    package = Path(__file__).resolve().parent
    inside = [frame for frame in frames if Path(frame.filename).resolve().is_relative_to(package)]
    where = ""
    if inside:
        frame = inside[-1]
        where = f" at {Path(frame.filename).resolve().relative_to(package.parent).as_posix()}:{frame.lineno}"
    sys.stderr.write(
        f"cxscore: internal error ({type(error).__name__}{where}); this is a bug in cxscore: please "
        "report it with the traceback that CXSCORE_DEBUG=1 shows\n"
    )
    sys.exit(EXIT_BUG)


# Writing the report failed for reasons outside cxscore (a full disk, a closed terminal).
_OUTPUT_ERRNOS = {errno.ENOSPC, errno.EIO, errno.EDQUOT, errno.EFBIG}


def _usage_error_line(error: Exception) -> str | None:
    """A command-line usage error (unknown option, bad value) as one line, or None for anything else."""
    if isinstance(error, typer.Abort):
        return "cxscore: aborted"
    from cxscore.compat import usage_error_message

    text = usage_error_message(error)
    if text is None:
        return None
    context = getattr(error, "ctx", None)
    command = context.command_path if context is not None else "cxscore"
    hint = f" (see '{command} --help')" if context is not None else ""
    message = " ".join(text.split())
    return f"{command}: {message}{hint}"
