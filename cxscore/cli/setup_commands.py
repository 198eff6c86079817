"""``cxscore schema``, ``init`` and ``frameworks``: the commands that set a project up.

Imported only when one of them runs or the whole app is listed (``cxscore --help``), so defining
them costs ``cxscore rate`` nothing.
"""

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from cxscore.cli import (
    OutputOption,
    app,
    emit,
    examples_epilog,
    handle_user_errors,
    output_name,
    printable,
)
from cxscore.render import FrameworkFormat, format_for, renderer

frameworks_app = typer.Typer(
    help="List the bundled frameworks, or show one.",
    epilog=examples_epilog("cxscore frameworks", "cxscore frameworks -f markdown -o frameworks.md"),
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(frameworks_app, name="frameworks")


def _complete_framework(incomplete: str) -> list[tuple[str, str]]:
    from cxscore.completion import framework_choices

    return framework_choices(incomplete)


def _framework_option(help_text: str) -> Any:
    return typer.Option(
        "--framework", metavar="ID_OR_FILE", help=help_text, autocompletion=_complete_framework
    )


@app.command(
    epilog=examples_epilog(
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
    epilog=examples_epilog(
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
        sys.stderr.write(printable(hint) + "\n")


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

    chosen = format_for("frameworks", output_format, output_name(output))
    emit(renderer("frameworks", chosen)(load_bundled_frameworks()), output)


@frameworks_app.command(
    "show",
    epilog=examples_epilog(
        "cxscore frameworks show cx-kpis", "cxscore frameworks show my-framework.yaml -f json"
    ),
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

    chosen = format_for("framework", output_format, output_name(output))
    emit(renderer("framework", chosen)(FrameworkCatalog().load_reference(framework)), output)
