"""The exceptions cxscore raises for users, and the located problem records they carry.

Every error a user can cause derives from :class:`CxScoreError`; its message is written for the user.
The command line catches it in one place and prints one line per problem on stderr.
"""

from collections.abc import Iterable
from typing import NamedTuple


class Issue(NamedTuple):
    """One problem in one input file, at a 1-based line and column when it has a place."""

    path: str
    message: str
    line: int | None = None
    col: int | None = None

    def format(self) -> str:
        """Render as ``path:line:col: message`` (or ``path: message`` with no position)."""
        if self.line is None:
            return f"{self.path}: {self.message}"
        return f"{self.path}:{self.line}:{self.col or 1}: {self.message}"

    def with_message(self, message: str) -> "Issue":
        """The same place with another message."""
        return self._replace(message=message)


class CxScoreError(Exception):
    """Root of every error caused by the user's input or request; the message is user-facing."""

    def __init__(self, issues: list[Issue] | Issue) -> None:
        self.issues = [issues] if isinstance(issues, Issue) else list(issues)
        super().__init__("\n".join(issue.format() for issue in self.issues))


class InputError(CxScoreError):
    """An input file (brand, framework, data) is unreadable or invalid."""


class UsageError(CxScoreError):
    """A command-line request cannot be carried out as given (bad option value, unknown id)."""


# Warnings gathered during one command (a framework id that clashes, say), printed on stderr by the
# command line after the report; cleared when a command starts.
_notices: list[Issue] = []


def notice(issue: Issue) -> None:
    """Record a warning for the user: the run goes on, and the command line prints it on stderr."""
    if issue not in _notices:
        _notices.append(issue)


def take_notices() -> list[Issue]:
    """The warnings recorded since the last call, oldest first (and forget them)."""
    taken = list(_notices)
    _notices.clear()
    return taken


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """A ``; did you mean 'x'?`` suffix when a close candidate exists, else the empty string."""
    import difflib  # only errors need it; not worth its import on every run

    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""
