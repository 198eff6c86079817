"""Engine connection URLs: parsed once, shown with every secret masked, and scrubbed from driver text.

A URL such as ``postgres://alice:p@ss:w0rd@host/db?sslpassword=x`` holds secrets in two places: the
password of its user information and key-like query parameters. :func:`parse_engine` finds both
once; :attr:`EngineUrl.shown` is the URL with each replaced by ``***`` and :meth:`EngineUrl.scrub`
removes them from a driver's message. Plain Python: parsing a URL needs no engine.

The user information ends at the *last* ``@`` of the URL, so a password may contain ``@``, ``:``,
``/`` or ``?``. When a query value also holds an ``@`` (``?user=a@b``), more than the password is
masked; masking too much is the safe way to be wrong.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, unquote_plus

MASK = "***"
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
# Query parameters whose value is a credential (password, sslpassword, pwd, token, api_key, secret...).
_SECRET_NAME = re.compile(r"pass|pwd|token|secret|key|credential|auth|signature|private", re.IGNORECASE)
# Engines whose URL names a database file (Ibis reads netloc + path as the file's path).
FILE_ENGINES = ("duckdb", "sqlite")
# Bare paths (no scheme) Ibis would open, by suffix.
_FILE_SUFFIXES = {
    ".duckdb": "duckdb",
    ".ddb": "duckdb",
    ".sqlite": "sqlite",
    ".sqlite3": "sqlite",
    ".db": "sqlite",
}
# A secret this short found inside a longer word is a coincidence, not a disclosure.
_SHORTEST_SECRET_IN_WORDS = 4


@dataclass(frozen=True, slots=True)
class EngineUrl:
    """A connection URL as given, as shown, with its secrets and (for file databases) its path."""

    text: str
    scheme: str
    shown: str
    secrets: tuple[str, ...] = ()
    parameters: tuple[tuple[str, str], ...] = ()
    database: Path | None = None  # the file of a duckdb/sqlite URL; None for in-memory or a server
    absolute_by_slashes: bool = False  # `sqlite:///x.db`: the third slash made the path absolute

    @property
    def file_engine(self) -> str | None:
        """``duckdb`` or ``sqlite`` when the URL names a database file, else None."""
        return self.scheme if self.scheme in FILE_ENGINES and self.database is not None else None

    def scrub(self, text: str) -> str | None:
        """``text`` with every whole occurrence of a secret replaced by ``***``; None if it still leaks.

        Whole occurrences only: a password ``on`` must not turn "connection" into "c***nection". A
        secret of four characters or more that is still found inside a longer word means the driver
        quoted it in a way we cannot cut out, and the text must not be shown at all.
        """
        for secret in sorted(self.secrets, key=len, reverse=True):
            text = re.sub(rf"(?<![0-9A-Za-z]){re.escape(secret)}(?![0-9A-Za-z])", MASK, text)
        leaks = any(len(secret) >= _SHORTEST_SECRET_IN_WORDS and secret in text for secret in self.secrets)
        return None if leaks else text


def parse_engine(url: str) -> EngineUrl:
    """Parse an engine URL (or a bare database path) once: scheme, masked form, secrets, file path."""
    match = _SCHEME.match(url)
    scheme = match.group(1).lower() if match else ""
    rest = url[match.end() :] if match else url
    secrets: list[str] = []
    head = url[: match.end()] if match else ""
    # A database file's path may hold an "@"; only server URLs have user information.
    at = rest.rfind("@") if match and scheme not in (*FILE_ENGINES, "file") else -1
    if at >= 0:
        user, colon, password = rest[:at].partition(":")
        if colon:
            secrets += _forms(password, unquote)
            head += f"{user}:{MASK}@"
        else:
            head += rest[: at + 1]
        rest = rest[at + 1 :]
    location, question, query = rest.partition("?")
    parameters: list[tuple[str, str]] = []
    shown_query: list[str] = []
    for part in query.split("&") if question else ():
        name, equals, value = part.partition("=")
        if equals and _SECRET_NAME.search(unquote_plus(name)):
            secrets += _forms(value, unquote_plus)
            shown_query.append(f"{name}={MASK}")
        else:
            shown_query.append(part)
        if equals:
            parameters.append((unquote_plus(name), unquote_plus(value)))
    shown = head + location + (question + "&".join(shown_query) if question else "")
    database, absolute = _database(scheme, location, bool(match))
    if scheme in ("", "file"):
        scheme = _bare_engine(database) if database is not None else ""
    return EngineUrl(
        url,
        scheme,
        shown,
        tuple(dict.fromkeys(secrets)),
        tuple(parameters),
        database,
        absolute,
    )


def _forms(secret: str, decode: Callable[[str], str]) -> list[str]:
    """A secret as written and as decoded (a driver may quote either); empty ones are no secret."""
    return [form for form in dict.fromkeys((secret, decode(secret))) if form]


def _database(scheme: str, location: str, has_scheme: bool) -> tuple[Path | None, bool]:
    """The database file a duckdb/sqlite URL or a bare path names, the way Ibis reads it.

    ``duckdb:///x.db`` is the absolute ``/x.db``; ``duckdb://x.db`` and ``duckdb://dir/x.db`` are
    relative to the current folder; ``duckdb://`` and ``duckdb://:memory:`` are in memory, and
    ``md:``/``motherduck:`` databases live on a server.
    """
    if has_scheme and scheme not in (*FILE_ENGINES, "file"):
        return None, False
    if not has_scheme:
        return (Path(location), False) if location else (None, False)
    netloc, slash, path = location.partition("/")
    # `sqlite:////tmp/x.db` has the path "//tmp/x.db": one leading slash is the same folder.
    parts = [part for part in (netloc, path if netloc else slash + path.lstrip("/")) if part]
    if not parts or parts == [":memory:"] or parts[0].startswith(("md:", "motherduck:")):
        return None, False
    # Three slashes (not four) may be a relative path mistaken for `scheme:///`: worth a hint.
    return Path(*parts), not netloc and not path.startswith("/")


def _bare_engine(path: Path) -> str:
    """The engine a bare path (or ``file://`` URL) names by its suffix, or "" when none does."""
    return _FILE_SUFFIXES.get(path.suffix.lower(), "")
