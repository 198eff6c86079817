"""The ``cxscore`` command line: thin adapters from options to the core and a renderer.

This module holds the app, the options commands share, the entry point and the scorecard commands
(``rate``, ``compare``, ``rank``, ``history``, ``validate``); the set-up commands are in
:mod:`cxscore.cli.setup_commands` and the data commands in :mod:`cxscore.cli.data_commands`, imported
only when one of theirs runs or the whole app is listed. Only typer is imported at start-up; each
command imports what it needs, so the rating path never loads data engines or unused renderers.
"""

import contextlib
import errno
import functools
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TypeVar

import typer

from cxscore import __version__
from cxscore.render import HistoryFormat, OutputFormat, format_for, renderer

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


def examples_epilog(*examples: str) -> str:
    """The end of a command's --help: a few real examples, then the exit codes."""
    lines = "\n\n".join(f"  {example}" for example in examples)
    return f"Examples:\n\n{lines}\n\n{EXIT_CODES}"


# Only the whole app has --install-completion and --show-completion: a shell asks for completions by
# running `cxscore` with no arguments (the whole app), and the one-command apps of app_for skip building
# the two options, so `cxscore rate` pays nothing for them.
app = typer.Typer(**{**_APP_SETTINGS, "add_completion": True})

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
                sys.stderr.write(printable(issue.format()) + "\n")
            raise typer.Exit(EXIT_INPUT) from None
        finally:
            for issue in take_notices():
                sys.stderr.write(printable(issue.with_message(f"warning: {issue.message}").format()) + "\n")

    return wrapper  # type: ignore[return-value]


def printable(text: str) -> str:
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

    ``report`` may also be :class:`cxscore.render.Pieces`, written as they come, or a rich renderable
    (the table format): laid out for this terminal, or at width 100 without colour when it goes to a
    file. Anywhere but a terminal (a file, a pipe) its lines are written as rich makes them, so a
    100,000-brand leaderboard is never held whole. Where a report may be written is
    :func:`cxscore.output.write_report`'s rule.
    """
    from cxscore.output import is_stdout, write_pieces, write_report
    from cxscore.render import Pieces

    if isinstance(report, Pieces):
        write_pieces(output, report, report.settled)
        return
    if isinstance(report, str | bytes):
        write_report(output, report)
        return
    console = _terminal_console(is_stdout(output))
    if is_stdout(output) and console.is_terminal:
        with console.capture() as captured:
            console.print(report)
        write_report(output, captured.get())
        return
    write_pieces(output, _plain_lines(console, report))


def _plain_lines(console: Any, renderable: Any) -> Iterator[str]:
    """What ``console.print(renderable)`` would print without colour, line by line as rich renders it,
    each line without the trailing blanks rich pads it with (they are only noise in a file or pipe)."""
    line: list[str] = []
    for segment in console.render(renderable):
        if segment.control:
            continue
        text = segment.text
        if "\n" not in text:
            line.append(text)
            continue
        *ends, rest = text.split("\n")
        for end in ends:
            line.append(end)
            yield "".join(line).rstrip() + "\n"
            line = []
        line = [rest] if rest else []
    if line:
        yield "".join(line).rstrip()


def output_name(output: Path | None) -> str | None:
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
        sys.stderr.write(printable(format_gate_failure(failure)) + "\n")
    raise typer.Exit(EXIT_GATE)


@app.command(
    epilog=examples_epilog(
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
    from cxscore.report import build_rate_report, stream_rate_report, streams

    gates = Gates(fail_under, fail_under_metric, fail_on_regression, tolerance, min_coverage, confident)
    chosen = format_for("rate", output_format, output_name(output))
    if streams(chosen, paths, what_if or [], baseline):  # a portfolio written as its brands are scored
        stream = stream_rate_report(
            paths, allow_outside or [], engine=engine, framework_weights=framework_weights
        )
        failures: list[GateFailure] = []
        watched = stream._replace(results=gates.watch(stream.results, failures))
        with report_facts(chosen, report_config):
            emit(renderer("rate_stream", chosen)(watched), output)
        _gate(failures)
        return
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
    with report_facts(chosen, report_config):
        emit(renderer("rate", chosen)(report), output)
    _gate(gates.check(report.results, report.change))


@app.command(
    epilog=examples_epilog(
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
    chosen = format_for("compare", output_format, output_name(output))
    with report_facts(chosen, report_config):
        emit(renderer("compare", chosen)(comparison), output)
    _gate(gates.check(comparison.results))


@app.command(
    epilog=examples_epilog("cxscore rank examples/", "cxscore rank brands/ --top 10 --fail-under 50")
)
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
    chosen = format_for("rank", output_format, output_name(output))
    with report_facts(chosen, report_config):
        emit(renderer("rank", chosen)(board), output)
    _gate(gates.check(board.entries))


@app.command(
    epilog=examples_epilog(
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
    chosen = format_for("history", output_format, output_name(output))
    with report_facts(chosen, report_config):
        emit(renderer("history", chosen)(report), output)


@app.command(epilog=examples_epilog("cxscore validate examples/santa.yaml", "cxscore validate brands/"))
@handle_user_errors
def validate(paths: Paths, allow_outside: AllowOutside = None, engine: DataEngine = None) -> None:
    """Check brand files (and their frameworks) without scoring: exit 0 when all are valid."""
    from cxscore.scorecard import check_files

    count = check_files(paths, allow_outside or [], engine=engine)
    sys.stderr.write(f"{count} file{'s' if count != 1 else ''} valid\n")


#: The commands defined outside this module, and the module that registers each on ``app``.
_COMMAND_MODULES = {
    "schema": "cxscore.cli.setup_commands",
    "init": "cxscore.cli.setup_commands",
    "frameworks": "cxscore.cli.setup_commands",
    "measure": "cxscore.cli.data_commands",
    "plan": "cxscore.cli.data_commands",
    "customers": "cxscore.cli.data_commands",
    "drivers": "cxscore.cli.data_commands",
}


def app_for(args: list[str]) -> typer.Typer:
    """The app holding only the command about to run, so typer builds that command alone.

    Turning a typed function into a click command (signature, type hints, one parameter object per
    option) is most of typer's start-up, and paying it for every command on each run would slow
    `cxscore rate` noticeably; so would defining every command (each option's annotation is built when
    its function is defined), hence the modules of :data:`_COMMAND_MODULES` are imported only when one
    of their commands runs. ``--help``, no command or an unknown one get the whole app, so help and
    "no such command" still list everything.
    """
    import importlib

    from cxscore.compat import app_with_only

    wanted = args[0] if args else None
    if wanted == "--version":
        return app  # answered by the eager option before any command is looked at
    if wanted in _COMMAND_MODULES:
        importlib.import_module(_COMMAND_MODULES[wanted])
    single = app_with_only(app, wanted, _APP_SETTINGS) if wanted is not None else None
    if single is not None:
        return single
    for module in dict.fromkeys(_COMMAND_MODULES.values()):
        importlib.import_module(module)
    return app


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
        sys.stderr.write(printable(usage) + "\n")
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
    package = Path(__file__).resolve().parent.parent  # cxscore/, above this cli/ package
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
