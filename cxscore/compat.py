"""Every private API of a dependency that cxscore relies on, wrapped once and nowhere else.

A release of typer or Ibis may change any of these without notice. Keeping them here, each behind a
function with its own test in ``tests/test_compat.py``, means such a change fails one named test
instead of breaking a command in the field. Dependencies are imported inside the functions: this
module sits below both the command line and the data layer, and must load nothing for either.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import typer


# --- typer -------------------------------------------------------------------------------------------


def usage_error_message(error: BaseException) -> str | None:
    """The message of an error typer raises for a command line it cannot parse, else None.

    Private: typer vendors click as ``typer._click`` and exports no common base for its usage errors
    (0.28 adds ``typer.TyperException``, 0.27 has none); ``ClickException`` is the base in both, and
    its ``format_message`` is the text click itself would print.
    """
    from typer._click.exceptions import ClickException

    if not isinstance(error, ClickException):
        return None
    message: str = error.format_message()
    return message


def help_requested_context(error: BaseException) -> Any | None:
    """The click context of a "no arguments, so show help" signal, or None for any other error.

    Private: in non-standalone mode typer raises ``typer._click.exceptions.NoArgsIsHelpError`` when a
    group is called with no arguments; its ``ctx`` prints the help.
    """
    from typer._click.exceptions import NoArgsIsHelpError

    if isinstance(error, NoArgsIsHelpError):
        return getattr(error, "ctx", None)
    return None


def app_with_only(app: typer.Typer, name: str, settings: dict[str, Any]) -> typer.Typer | None:
    """A copy of ``app`` that registers only the command or group called ``name``, or None if none is.

    Private: typer keeps its registrations in the undocumented lists ``registered_commands`` and
    ``registered_groups`` (and ``registered_callback``), read when the click command is built.
    """
    import typer

    commands = [info for info in app.registered_commands if _command_name(info) == name]
    groups = [info for info in app.registered_groups if info.name == name]
    if not commands and not groups:
        return None
    single = typer.Typer(**settings)
    single.registered_callback = app.registered_callback
    single.registered_commands = commands
    single.registered_groups = groups
    return single


def _command_name(info: Any) -> str:
    """A registered command's name as typed: its own, or its function's with dashes for underscores."""
    name: str = info.name or info.callback.__name__.replace("_", "-")
    return name
