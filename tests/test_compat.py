"""One test per private API of a dependency that cxscore relies on (all wrapped in cxscore.compat).

When a release of typer changes one of them, the test named after it fails, not a command in the field.
"""

from __future__ import annotations

import pytest
import typer
from typer.testing import CliRunner

from cxscore import compat


def _app() -> typer.Typer:
    app = typer.Typer(no_args_is_help=True)

    @app.callback()
    def root() -> None:
        """A group, as cxscore's app is (a callback keeps a single command a subcommand)."""

    @app.command()
    def first(count: int) -> None:
        """The first command."""

    @app.command("second-one")
    def second() -> None:
        """The second command."""

    return app


def test_app_with_only_keeps_just_the_named_command() -> None:
    app = _app()
    single = compat.app_with_only(app, "first", {"no_args_is_help": True})
    assert single is not None
    result = CliRunner().invoke(single, ["first", "--help"])
    assert result.exit_code == 0, result.output
    assert "second-one" not in CliRunner().invoke(single, ["--help"]).output
    # A function name with underscores is typed with dashes; an explicit name is typed as given.
    assert compat.app_with_only(app, "second-one", {}) is not None
    assert compat.app_with_only(app, "missing", {}) is None


def test_usage_error_message_recognises_typers_parsing_errors() -> None:
    app = _app()
    single = compat.app_with_only(app, "first", {})
    assert single is not None
    caught: list[BaseException] = []
    for argv in (["first", "not-a-number"], ["first", "--bogus", "1"], ["first"]):
        try:
            single(argv, standalone_mode=False)
        except Exception as error:
            caught.append(error)
    assert len(caught) == 3
    messages = [compat.usage_error_message(error) for error in caught]
    assert all(message for message in messages), messages
    assert "not-a-number" in str(messages[0])
    assert "--bogus" in str(messages[1])
    assert compat.usage_error_message(ValueError("not a usage error")) is None


def test_help_requested_context_recognises_no_arguments(capsys: pytest.CaptureFixture[str]) -> None:
    app = _app()
    try:
        app([], standalone_mode=False)
    except Exception as error:
        context = compat.help_requested_context(error)
    else:  # pragma: no cover - the shim's premise is that typer raises here
        raise AssertionError("typer no longer raises when a no_args_is_help group gets no arguments")
    assert context is not None
    # typer's rich help prints itself and returns what is left to print; plain click returns it all.
    shown = context.get_help() + capsys.readouterr().out
    assert "first" in shown
    assert compat.help_requested_context(ValueError("x")) is None
