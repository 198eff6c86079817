"""Opening a data source as an Ibis table: files read by the engine's own readers, or an engine table.

Nothing here reads rows into Python: files are handed to the backend (DuckDB's ``read_csv``,
``read_parquet``, ``read_json``), which scans them where they are. The only bytes Python reads itself
are first lines, to point an error at the column it is about.

No SQL text is ever built here from a name, path or value: DuckDB's reader relations are registered
as views through its Python API and described to Ibis from their column list, and every query is an
Ibis expression, whose compiler quotes identifiers and literals. (The one SQL text executed here, a
table macro reading CSV files in another encoding, is a constant; the files are its arguments.)

Several files are read as one table only when they have the same columns (in any order): a glob
that also matches an older export with other columns is an error naming the files and the columns
that differ, not a table where the missing columns are blank.

Messages quote a data file only when it parsed as what was expected, and then only what identifies
the problem (see :meth:`Dataset.column_names` and :meth:`Dataset.example`): a path pointing at a
password file or a text file must not have its lines printed as "columns" or "examples".
"""

from __future__ import annotations

import codecs
import csv
import gzip
import itertools
import os
import re
import shutil
import sqlite3
import stat
import sys
import tempfile
import zlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import ibis
import ibis.common.exceptions as ibis_errors
from ibis.backends import BaseBackend
from ibis.expr.types import Table

from cxscore import compat
from cxscore.data.model import DataSource
from cxscore.data.paths import MISSING, DataFile, ListingBudget, os_reason, resolve_files
from cxscore.data.session import DataSession
from cxscore.data.spark import PATH_SPECIAL, connect_spark, read_spark_files, spark_errors, spark_target
from cxscore.data.urls import EngineUrl, parse_engine
from cxscore.errors import InputError, Issue, UsageError, did_you_mean
from cxscore.output import note_input
from cxscore.textsafe import clean_line

FORMATS = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".json": "json",
    ".jsonl": "json",
    ".ndjson": "json",
}
#: How each format is named in messages: what the file was expected to be.
KINDS = {"csv": "CSV", "parquet": "Parquet", "json": "newline-delimited JSON"}
_COMPRESSED = (".gz", ".zst")
_HEADER_BYTES = 65_536
# Quoting bounds: a column name or value longer than this is described, not quoted; a listing of
# column names stops after so many; header checks read the first line of at most so many files.
_LONGEST_NAME = 64
_LONGEST_VALUE = 24
_NAMES_LISTED = 30
_HEADER_FILES = 100
_LONGEST_ENGINE_TEXT = 200
# A glob whose files differ in columns: so many groups of files are described, and so many files named
# in each group, before the rest is summed up.
_GROUPS_LISTED = 10
_FILES_LISTED = 3
_views = itertools.count(1)

#: The encodings a CSV file may be in, by the name Python's codecs give each, as cxscore names them.
#: DuckDB reads UTF-8, UTF-16 and Latin-1 itself. Windows-1252 (what Excel on Windows saves as
#: "CSV" in Western Europe) would need DuckDB's encodings extension, which it downloads on request;
#: such files are converted to UTF-8 copies instead, streamed into a private temporary folder that
#: is removed when the run ends.
ENCODINGS = {"utf-8": "utf-8", "utf-8-sig": "utf-8", "ascii": "utf-8", "utf-16": "utf-16"}
ENCODINGS |= {"iso8859-1": "latin-1", "latin-1": "latin-1", "cp1252": "cp1252"}
ENCODING_NAMES = ("utf-8", "utf-16", "latin-1", "cp1252")
_CONVERT_CHUNK = 1 << 20
# Reads CSV files in the encoding given (DuckDB's Python ``read_csv`` accepts only UTF-8). A table
# macro, so that the files and options are arguments, never text: a constant, executed as it is.
_READ_CSV_MACRO = (
    "CREATE OR REPLACE TEMP MACRO cxscore_read_csv(files, file_encoding, by_name) AS TABLE "
    "SELECT * FROM read_csv(files, header = true, all_varchar = true, encoding = file_encoding, "
    "union_by_name = by_name)"
)


@dataclass(frozen=True)
class Engine:
    """A connected backend and the URL it came from (None for the default in-memory DuckDB)."""

    backend: BaseBackend
    url: EngineUrl | None = None
    #: False for a Spark session that was running before cxscore connected: it is left running.
    owned: bool = True

    def close(self) -> None:
        """Disconnect; the data read through it is in the results already."""
        if self.owned:
            self.backend.disconnect()

    def describe(self, error: BaseException) -> str:
        """A driver's error as one short printable line, with no secret of the URL in it."""
        return describe(error, self.url)


@dataclass(frozen=True)
class Dataset:
    """An opened source: the Ibis table, its engine, and how to name and locate it in messages."""

    table: Table
    engine: Engine
    label: str
    files: tuple[DataFile, ...] = ()
    file_format: str | None = None
    #: The encoding of the files as read (a Windows-1252 file is read from its UTF-8 copy).
    encoding: str = "utf-8"
    #: Whether a comma in a number is its decimal mark (``9,94``): asked for, or a semicolon-separated file.
    decimal_comma: bool = False

    @property
    def backend(self) -> BaseBackend:
        """The Ibis backend the table lives on."""
        return self.engine.backend

    @property
    def kind(self) -> str:
        """What the source was expected to be, for messages ("CSV", "Parquet", "table")."""
        return KINDS[self.file_format] if self.file_format else "table"

    def issue(self, message: str, column: str | None = None) -> Issue:
        """An :class:`Issue` about this source, at the column's header cell when the file shows one."""
        position = None
        first = self.files[0] if self.files else None
        if column is not None and first is not None and self.file_format is not None:
            position = header_position(first.real, column, self.file_format, self.encoding)
        if position is None or first is None:
            return Issue(self.label, message)
        # A position is in one file: name that file, even when the source is several.
        return Issue(str(first.shown), message, *position)

    @cached_property
    def column_names(self) -> list[str] | None:
        """The column names a message may quote, or None when the source does not look like a table.

        A CSV reader takes any text file for a table of one column named after its first line (or,
        skipping lines, after a later one). Names are quoted only when there are at least two, each
        short and printable and none holding an ``=`` (a ``KEY=value`` line is a setting, not a
        header), each found in the first line of a file that has more lines: then the file is a
        table with a header, and its header names are not secrets.
        """
        names = [str(name) for name in self.table.columns]
        if not all(0 < len(name) <= _LONGEST_NAME and name.isprintable() for name in names):
            return None
        if self.file_format != "csv":
            return names
        if len(names) < 2 or len(self.files) > _HEADER_FILES or any("=" in name for name in names):
            return None
        header: set[str] = set()
        for file in self.files:
            header |= first_line_fields(file.real, self.encoding)
        generated = re.compile(r"column\d+")  # DuckDB's names for blank header cells
        for name in names:
            base = re.sub(r"_\d+$", "", name)  # ... and for repeated ones (a, a_1)
            if name not in header and base not in header and not generated.fullmatch(name):
                return None
        return names

    def listing(self, column: str) -> str:
        """The tail of a "no column" message: a hint and the columns, when the source may show them."""
        names = self.column_names
        if names is None and self.file_format == "csv" and self._ragged():
            return (
                f": the file's rows have different numbers of fields, so its columns could not be read "
                f"from its first line (the reader found {len(self.table.columns)} columns elsewhere); "
                "give every row as many fields as the header"
            )
        if names is None and self.file_format == "csv":
            return (
                ": expected a CSV file whose first line names its columns (this one does not look like a "
                "table, so its content is not shown)"
            )
        if names is None:
            return " (the column names are not shown: some are too long or not printable)"
        listed = ", ".join(names[:_NAMES_LISTED])
        more = f", and {len(names) - _NAMES_LISTED} more" if len(names) > _NAMES_LISTED else ""
        return f"{did_you_mean(column, names)} (columns: {listed}{more})"

    def _ragged(self) -> bool:
        """Whether DuckDB took its header from a line other than the first: the first line splits into
        another number of fields than the columns it found, with any of the usual delimiters."""
        lines = _first_lines(self.files[0].real, self.encoding) if self.files else None
        if lines is None or not lines[1].strip():
            return False
        found = len(self.table.columns)
        counts = {len(next(csv.reader([lines[0]], delimiter=mark), [])) for mark in ",;\t|"} - {0, 1}
        # A first line of one field is no header at all (a text file): that is the other message.
        return bool(counts) and found not in counts

    def example(self, value: Any) -> str | None:
        """An invalid answer quoted as an example: short and printable, and only from a table.

        Only what identifies the problem ('n/a', '11', '7.5'); a longer value (which could be a note,
        an address or a password in a column measured by mistake) is described by its length.
        """
        if value is None or self.column_names is None:
            return None
        text = clean_line(str(value).strip())
        if not text:
            return None
        if len(text) > _LONGEST_VALUE:
            return f"a text of {len(text)} characters"
        return f"'{text}'"

    def engine_issue(self, error: BaseException) -> Issue:
        """An engine's error while reading or aggregating this source, as one line."""
        if self.file_format is None:
            return Issue(self.label, self.engine.describe(error))
        return read_issue(self.engine, self.files, self.file_format, self.label, error)


def read_issue(
    engine: Engine,
    files: tuple[DataFile, ...],
    file_format: str,
    label: str,
    error: BaseException,
    reading: bool = False,
) -> Issue:
    """An engine's error about data files (``reading``: while opening them), as one line.

    The driver's text about a file is not shown: it may quote a line of a file that is not what was
    expected ("Original Line: ...", "Failed to cast value: ..."). A known problem is said in our
    words, at the line DuckDB names when it names one; any other refusal while opening the files
    is the file's, unnamed. An error of a later query is shown unless it may quote a value.
    """
    text = str(error)
    where = next((file for file in files if str(file.real) in text), None)
    if where is None and len(files) == 1:
        where = files[0]
    shown = str(where.shown) if where is not None else label
    reason = file_problem(text)
    if reason is None and reading:
        reason = "the engine cannot read it"
    if reason is None:
        if _QUOTES_DATA.search(text):
            return Issue(shown, "the engine could not convert one of its values (the value is not shown)")
        return Issue(shown, engine.describe(error))
    line = _CSV_LINE.search(text) if file_format == "csv" and where is not None else None
    message = f"not a readable {KINDS[file_format]} file: {reason}"
    return Issue(shown, message, int(line.group(1)), 1) if line else Issue(shown, message)


def open_source(source: DataSource, session: DataSession) -> Dataset:
    """Connect to the engine and open the files or table of ``source``, once per ``session``."""
    if source.paths and source.table:
        raise UsageError(Issue("--table", "give data files or --table, not both"))
    if not source.paths and not source.table:
        raise UsageError(Issue("measure", "no data: give data files (or a glob) or --table NAME"))
    encoding = encoding_of(source.encoding)
    if source.table and source.encoding is not None:
        raise UsageError(Issue("--encoding", "applies to data files: a table is decoded by its engine"))
    engine = session.remember(("engine", source.engine), lambda: connect(source.engine), Engine.close)
    if source.table:
        name = source.table
        table = session.remember(("table", source.engine, name), lambda: _open_table(engine, name))
        return Dataset(table, engine, name, decimal_comma=bool(source.decimal_comma))
    # Resolved once per run for each (paths, folder, root), and every glob of the run listed within one
    # shared time budget: a brand file naming the same slow pattern for ten metrics waits once.
    budget = session.remember(("listing budget",), ListingBudget)
    where = ("resolved", source.paths, source.base, source.root)
    files = session.remember(where, lambda: resolve_files(source.paths, source.base, source.root, budget))
    file_format = _format_of(files)
    if file_format != "csv" and encoding != "utf-8":
        message = f"applies to CSV files: {KINDS[file_format]} text is UTF-8 by definition"
        raise UsageError(Issue("--encoding", message))
    if len(files) == 1:
        label = str(files[0].shown)
    elif len(source.paths) == 1:
        label = source.paths[0]  # the glob pattern as the user wrote it
    else:
        label = f"{files[0].shown} and {len(files) - 1} more files"
    key = ("files", source.engine, encoding, tuple(file.real for file in files))
    opened = session.remember(key, lambda: _read_files(engine, files, file_format, label, encoding, session))
    decimal_comma = opened.semicolons if source.decimal_comma is None else source.decimal_comma
    return Dataset(opened.table, engine, label, opened.files, file_format, opened.encoding, decimal_comma)


def encoding_of(name: str | None) -> str:
    """The encoding ``name`` stands for, as cxscore names it (``utf-8``, ``utf-16``, ``latin-1``,
    ``cp1252``); any of Python's names for them will do (``latin1``, ``iso-8859-1``, ``windows-1252``)."""
    if name is None:
        return "utf-8"
    try:
        codec = codecs.lookup(name.strip()).name
    except LookupError:
        codec = ""
    if codec in ENCODINGS:
        return ENCODINGS[codec]
    shown = shorten(clean_line(name), _LONGEST_NAME)
    hint = did_you_mean(name.lower(), ENCODING_NAMES)
    message = f"cannot read text encoded as '{shown}'{hint} (known: {', '.join(ENCODING_NAMES)})"
    raise UsageError(Issue("--encoding", message))


# Engines ----------------------------------------------------------------------------------------------


def connect(engine: str | None) -> Engine:
    """The engine for the connection URL ``engine``, or an in-memory DuckDB when it is ``None``.

    A URL naming a DuckDB or SQLite file opens that file read-only, and only if it exists: a typo
    must not leave a new, empty database behind.
    """
    if engine is None:
        opened = Engine(ibis.duckdb.connect())
    elif (target := spark_target(engine)) is not None:
        backend, started = connect_spark(target)
        opened = Engine(backend, parse_engine(engine), owned=started)
    else:
        url = parse_engine(engine)
        opened = Engine(_connect_file(url) if url.database is not None else _connect_url(url), url)
    if opened.backend.name == "duckdb":
        # DuckDB draws a progress bar on long scans, which would land in the middle of a report.
        opened.backend.raw_sql("SET enable_progress_bar = false")
    return opened


def _connect_url(url: EngineUrl) -> BaseBackend:
    try:
        backend: BaseBackend = ibis.connect(url.text)
    # The URL chooses the driver, and each driver fails in its own way (unknown scheme, driver not
    # installed, server unreachable, bad credentials): all of them are the user's request failing.
    except Exception as error:
        reason = describe(error, url)
        raise UsageError(Issue("--engine", f"cannot connect to {url.shown}: {reason}")) from None
    return backend


def _connect_file(url: EngineUrl) -> BaseBackend:
    """A DuckDB or SQLite database file, opened read-only; a missing file is the user's error."""
    path = url.database
    assert path is not None
    if url.file_engine is None:
        message = (
            f"{url.shown} is not a connection URL: give one such as duckdb:///path/to.duckdb, "
            "sqlite:///path/to.db or postgres://user@host/db (data files go before the options)"
        )
        raise UsageError(Issue("--engine", message))
    try:
        status = path.stat()
    except OSError as error:
        if error.errno not in MISSING:
            raise UsageError(Issue("--engine", f"cannot open {path}: {os_reason(error)}")) from None
        status = None
    if status is None:
        hint = ""
        if url.absolute_by_slashes:
            relative = str(path).lstrip("/")
            local = f"{url.scheme}://{relative}"
            hint = f" (three slashes make the path absolute; {local} is in the current folder)"
        raise UsageError(Issue("--engine", f"no database file {path}{hint}"))
    if not stat.S_ISREG(status.st_mode):
        raise UsageError(Issue("--engine", f"{path} is not a database file"))
    note_input(status)  # a report written by this run must not replace the database it reads
    try:
        if url.file_engine == "duckdb":
            options = {name: value for name, value in url.parameters if name != "read_only"}
            backend: BaseBackend = ibis.duckdb.connect(database=str(path), read_only=True, **options)
            return backend
        if url.parameters:
            raise UsageError(Issue("--engine", f"a sqlite URL takes no parameters: {url.shown}"))
        return compat.ibis_sqlite_read_only(path)
    except (UsageError, InputError):
        raise
    except Exception as error:  # as in _connect_url: the driver's own refusal
        reason = describe(error, url)
        raise UsageError(Issue("--engine", f"cannot open {url.shown}: {reason}")) from None


def engine_errors(backend: BaseBackend) -> tuple[type[BaseException], ...]:
    """The driver exceptions that mean "the data or query was refused", for the backend's driver.

    DuckDB, SQLite and Spark by name; any other driver by the DB-API ``Error`` class of its module.
    """
    errors: list[type[BaseException]] = [sqlite3.Error]
    if backend.name == "duckdb":
        import duckdb

        errors.append(duckdb.Error)
    elif backend.name == "pyspark":
        errors.extend(spark_errors())
    else:
        driver = sys.modules.get(type(compat.ibis_driver_connection(backend)).__module__.split(".")[0])
        error = getattr(driver, "Error", None)
        if isinstance(error, type) and issubclass(error, Exception):
            errors.append(error)
    return tuple(errors)


def describe(error: BaseException, url: EngineUrl | None) -> str:
    """A driver's error as one short printable line, with no secret of the URL in it."""
    text = first_line(error)
    scrubbed = url.scrub(text) if url is not None else text
    if scrubbed is None:
        return "the engine's message is not shown because it quotes a secret of the --engine URL"
    return shorten(clean_line(scrubbed), _LONGEST_ENGINE_TEXT)


def first_line(error: BaseException) -> str:
    """The first non-empty line of an exception's message (engines write several)."""
    for line in str(error).splitlines():
        if line.strip():
            return line.strip()
    return type(error).__name__


def shorten(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


# Tables -----------------------------------------------------------------------------------------------


def _open_table(engine: Engine, name: str) -> Table:
    backend = engine.backend
    try:
        table: Table = backend.table(name)
    except ibis_errors.TableNotFound:
        raise InputError(Issue(name, f"no such table on the engine; tables: {_tables(engine)}")) from None
    # IbisError: a table Ibis cannot describe (a column type it has no mapping for, say).
    except (*engine_errors(backend), ibis_errors.IbisError) as error:
        raise InputError(Issue(name, engine.describe(error))) from None
    return table


def _tables(engine: Engine) -> str:
    try:
        tables = [clean_line(str(name)) for name in engine.backend.list_tables()]
    except engine_errors(engine.backend):
        return "cannot be listed"
    listed = ", ".join(tables[:_NAMES_LISTED]) or "none"
    return listed + (f", and {len(tables) - _NAMES_LISTED} more" if len(tables) > _NAMES_LISTED else "")


# Files ------------------------------------------------------------------------------------------------


def _format_of(files: list[DataFile]) -> str:
    formats = set()
    for file in files:
        name = file.real.name.lower()
        for suffix in _COMPRESSED:
            name = name.removesuffix(suffix)
        file_format = FORMATS.get(Path(name).suffix)
        if file_format is None:
            known = ", ".join(sorted(FORMATS))
            message = f"unknown data format: expected a file ending in {known}"
            raise UsageError(Issue(str(file.shown), message))
        formats.add(file_format)
    if len(formats) > 1:
        message = "the files mix formats: give files of one format at a time"
        raise UsageError(Issue(str(files[0].shown), message))
    return formats.pop()


@dataclass(frozen=True)
class _Opened:
    """Files opened as one table: the files read (UTF-8 copies of Windows-1252 ones), their encoding,
    and whether the first one is semicolon-separated."""

    table: Table
    files: tuple[DataFile, ...]
    encoding: str
    semicolons: bool


def _read_files(
    engine: Engine, files: list[DataFile], file_format: str, label: str, encoding: str, session: DataSession
) -> _Opened:
    backend = engine.backend
    if backend.name != "duckdb" and encoding != "utf-8":
        message = f"the {backend.name} engine reads files as UTF-8: --encoding needs the default engine"
        raise UsageError(Issue("--encoding", message))
    try:
        if backend.name == "duckdb" and encoding == "cp1252":
            files, encoding = _converted(files, session), "utf-8"
        spark = backend.name == "pyspark"
        files = _literal(files, session, PATH_SPECIAL if spark else _PATTERN_CHARACTERS)
        if backend.name == "duckdb":
            table = _duckdb_view(backend, files, file_format, encoding)
        elif spark:
            table = read_spark_files(backend, [str(file.real) for file in files], file_format)
        else:
            reader = getattr(backend, f"read_{file_format}", None)
            if reader is None:
                raise NotImplementedError(file_format)
            table = reader([str(file.real) for file in files])
    except NotImplementedError:
        message = f"the {backend.name} engine cannot read files: load them into it, then use --table"
        raise UsageError(Issue("--engine", message)) from None
    except engine_errors(backend) as error:
        raise InputError(read_issue(engine, tuple(files), file_format, label, error, reading=True)) from None
    semicolons = file_format == "csv" and semicolon_separated(files[0].real, table.columns, encoding)
    return _Opened(table, tuple(files), encoding, semicolons)


def _duckdb_view(backend: BaseBackend, files: list[DataFile], file_format: str, encoding: str) -> Table:
    """The files as a temporary DuckDB view over DuckDB's own reader, described without Arrow.

    Ibis's ``read_csv`` builds the same view, but fetches its schema as an Arrow table, which
    imports pyarrow and numpy: 0.15-0.3 s, a tenth of the 10M-row benchmark, for a list of names.
    The reader relation is registered as a view through DuckDB's Python API, which binds the
    relation itself: the column names it sniffed never pass through SQL text (the relation's own
    SQL text does not escape them, and a CSV header could otherwise run any statement).
    The registered view keeps the dialect DuckDB sniffed, so the scan does not sniff again; it is
    temporary, so with ``--engine duckdb:///file.db`` nothing is written into the user's database.
    """
    connection = compat.ibis_driver_connection(backend)
    names = [str(file.real) for file in files]
    if file_format == "csv":
        relation = _csv_relation(connection, files, encoding)
    elif file_format == "parquet":
        if len(names) > 1:  # Parquet maps columns by name; a file without one fails in the middle
            check_same_columns(files, [connection.read_parquet(name).columns for name in names])
        relation = connection.read_parquet(names)
    else:
        relation = connection.read_json(names, format="newline_delimited")
    view = f"cxscore_{file_format}_{next(_views)}_{os.urandom(4).hex()}"
    connection.register(view, relation)
    types = [str(kind) for kind in relation.types]
    return compat.ibis_duckdb_temp_view(backend, view, relation.columns, types)


def _csv_relation(connection: Any, files: list[DataFile], encoding: str) -> Any:
    """DuckDB's reader over CSV files with the same columns, in any order.

    Each file's header is read first (a relation per file: about as much as ``union_by_name`` costs
    on its own), to refuse files with other columns. Files with the same columns in the same order
    are then read as one by position; when the order differs, by name."""
    names = [str(file.real) for file in files]
    if len(names) == 1:
        return _read_csv(connection, names, encoding, by_name=False)
    # Without union_by_name DuckDB would map the columns of every file by position, as in the first.
    columns = [_read_csv(connection, [name], encoding, by_name=False).columns for name in names]
    check_same_columns(files, columns)
    same_order = all(found == columns[0] for found in columns)
    return _read_csv(connection, names, encoding, by_name=not same_order)


def _read_csv(connection: Any, names: list[str], encoding: str, by_name: bool) -> Any:
    """DuckDB's CSV reader relation over ``names``, every column as text.

    Every column as text: DuckDB sniffs types from a sample, and a stray "n/a" past the sample would
    then abort the whole scan. The measures parse the text themselves, counting failures.
    """
    if encoding == "utf-8":
        options: dict[str, Any] = {"header": True, "all_varchar": True}
        if by_name:
            options["union_by_name"] = True
        lines = _first_lines(Path(names[0]), encoding)
        separator = None if lines is None else excel_separator(lines[0])
        if lines is not None and separator is not None:
            # Excel's "sep=;" line names the delimiter and the header follows it. The header is read
            # here and named to DuckDB, whose sniffer misses a one-column header after a skipped line.
            header_line = _after_separator_line(lines)[0]
            columns = next(csv.reader([header_line], delimiter=separator), [])
            options.update(skiprows=2, sep=separator, header=False, names=columns)
        return connection.read_csv(names, **options)
    # Slower to query (the macro's view sniffs the files again on each query), so UTF-8 keeps the
    # Python API's reader.
    connection.execute(_READ_CSV_MACRO)
    return connection.table_function("cxscore_read_csv", [names, encoding, by_name])


def check_same_columns(files: Sequence[DataFile], columns: Sequence[Sequence[str]]) -> None:
    """Files read as one table have the same columns (in any order); else one issue per odd group.

    The usual columns are those most files have (the first file's on a tie); each group of files
    with other columns is named with the columns it lacks and those it has besides.
    """
    sets = [frozenset(found) for found in columns]
    counts = Counter(sets)
    if len(counts) == 1:
        return
    first_with = {found: sets.index(found) for found in reversed(sets)}
    usual = max(counts, key=lambda found: (counts[found], -first_with[found]))
    reference = files[first_with[usual]]
    odd: dict[frozenset[str], list[int]] = {}
    for index, found in enumerate(sets):
        if found != usual:
            odd.setdefault(found, []).append(index)
    issues = []
    for found, indexes in list(odd.items())[:_GROUPS_LISTED]:
        own = columns[indexes[0]]
        if not _table_like(own):
            what = "it does not look like a table with the same columns (its content is not shown)"
        else:
            lacks = [name for name in columns[first_with[usual]] if name not in found]
            extra = [name for name in own if name not in usual]
            parts = [f"lacks {_names_text(lacks)}"] if lacks else []
            parts += [f"has {_names_text(extra)} besides"] if extra else []
            what = "it " + " and ".join(parts)
        others = [str(files[index].shown) for index in indexes[1:]]
        also = ""
        if others:
            listed = ", ".join(others[:_FILES_LISTED])
            more = f" and {len(others) - _FILES_LISTED} more" if len(others) > _FILES_LISTED else ""
            also = f" (and so does {listed})" if len(others) == 1 else f" (and so do {listed}{more})"
        message = (
            f"its columns differ from those of {reference.shown}: {what}{also}; files read together "
            "must have the same columns (in any order)"
        )
        issues.append(Issue(str(files[indexes[0]].shown), message))
    rest = sum(len(indexes) for indexes in list(odd.values())[_GROUPS_LISTED:])
    if rest:
        issues.append(Issue(str(reference.shown), f"and {rest} more files have other columns than this one"))
    raise InputError(issues)


def _table_like(names: Sequence[str]) -> bool:
    """Whether column names may be quoted: a header of two or more short printable names, none a
    ``KEY=value`` setting (a text file read as CSV has one column named after its first line)."""
    return len(names) >= 2 and all(
        0 < len(name) <= _LONGEST_NAME and name.isprintable() and "=" not in name for name in names
    )


def _names_text(names: Sequence[str]) -> str:
    """``'a', 'b' and 'c'``, or the first ones and how many more."""
    quoted = [f"'{name}'" for name in names[:_NAMES_LISTED]]
    if len(names) > _NAMES_LISTED:
        return ", ".join(quoted) + f" and {len(names) - _NAMES_LISTED} more"
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + f" and {quoted[-1]}"


#: What a file reader expands in a name it is given: a file whose resolved path holds one of these is
#: read through a link with a plain name, or the reader would read whatever else the pattern matches.
_PATTERN_CHARACTERS = frozenset("*?[]{}")


def _literal(
    files: list[DataFile], session: DataSession, special: frozenset[str] = _PATTERN_CHARACTERS
) -> list[DataFile]:
    """The files, each under a name no reader takes for a pattern.

    A file (or a folder on its path) called ``*`` or ``wave[1].csv`` is a legal name, but DuckDB's
    readers glob every name they are given: ``*/s.csv`` would also read ``l/s.csv`` through a link
    out of the brand file's tree. Such files are read through a symbolic link with a plain name in a
    private temporary folder, removed with the session; the others are read as they are. ``special``
    is what the engine's reader expands (Spark's Hadoop paths also take ``\\``, ``:`` and more).
    """
    if not any(special.intersection(str(file.real)) for file in files):
        return files
    key = ("literal", tuple(file.real for file in files))
    folder = session.remember(key, lambda: Path(tempfile.mkdtemp(prefix="cxscore-")), _remove_folder)
    literal = []
    for index, file in enumerate(files):
        if not special.intersection(str(file.real)):
            literal.append(file)
            continue
        # The suffixes stay (a reader decompresses .gz by its name), with only plain characters.
        suffix = "".join(char for char in "".join(file.real.suffixes) if char.isalnum() or char == ".")
        link = folder / f"file{index}{suffix}"
        if not link.is_symlink():
            link.symlink_to(file.real)
        literal.append(DataFile(file.shown, link))
    return literal


def _converted(files: list[DataFile], session: DataSession) -> list[DataFile]:
    """Windows-1252 files as UTF-8 copies in a private temporary folder, removed with the session.

    Streamed a megabyte at a time by Python's codec; lines keep their numbers, so a message about a
    copy's line is about the file's. Each copy is named as the file is shown in messages.
    """
    key = ("converted", tuple(file.real for file in files))
    folder = session.remember(key, lambda: Path(tempfile.mkdtemp(prefix="cxscore-")), _remove_folder)
    converted = []
    for index, file in enumerate(files):
        name = file.real.name
        if name.lower().endswith(".zst"):
            message = "--encoding cp1252 cannot read a .zst file: decompress it first"
            raise UsageError(Issue(str(file.shown), message))
        target = folder / f"{index}-{name.removesuffix('.gz').removesuffix('.GZ')}"
        _convert(file, target)
        converted.append(DataFile(file.shown, target))
    return converted


def _convert(file: DataFile, target: Path) -> None:
    """Copy ``file`` from Windows-1252 to UTF-8 text at ``target`` (a ``.gz`` file decompressed)."""
    compressed = file.real.name.lower().endswith(".gz")
    line = 1
    try:
        with (
            gzip.open(file.real, "rb") if compressed else file.real.open("rb") as source,
            target.open("w", encoding="utf-8", newline="") as sink,
        ):
            while chunk := source.read(_CONVERT_CHUNK):
                try:
                    sink.write(chunk.decode("cp1252"))
                except UnicodeDecodeError as error:
                    line += chunk.count(b"\n", 0, error.start)
                    reason = f"byte 0x{chunk[error.start]:02X} is not a Windows-1252 (cp1252) character"
                    message = f"not a readable CSV file: {reason}"
                    raise InputError(Issue(str(file.shown), message, line, 1)) from None
                line += chunk.count(b"\n")
    except (OSError, EOFError, zlib.error) as error:
        reason = os_reason(error) if isinstance(error, OSError) else "the compressed data is damaged"
        raise InputError(Issue(str(file.shown), f"cannot be converted from cp1252: {reason}")) from None


def _remove_folder(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)


_CSV_LINE = re.compile(r"CSV Error on Line: (\d+)")
# What went wrong reading a file, told without quoting it. DuckDB's texts can hold "Original Line: ..."
# or a value ("Failed to cast value to numerical: ..."), so only the kind of problem is taken.
_FILE_PROBLEMS = (
    (re.compile(r"Expected Number of Columns: (\d+) Found: (\d+)"), "expected {0} columns, found {1}"),
    (
        re.compile(r"Invalid unicode|not utf-8 encoded", re.IGNORECASE),
        "the text is not UTF-8 (save it as UTF-8, or give --encoding latin-1 or cp1252)",
    ),
    (
        re.compile(r"not latin-1 encoded", re.IGNORECASE),
        "the text is not Latin-1: it holds bytes 0x80-0x9F, which Windows-1252 uses for characters such "
        "as € and curly quotes (give --encoding cp1252)",
    ),
    (re.compile(r"unterminated quote", re.IGNORECASE), "a quoted value is not closed"),
    (re.compile(r"Maximum line size of (\d+) bytes exceeded"), "a line is longer than {0} bytes"),
    (re.compile(r"Malformed JSON"), "a line is not a JSON object"),
    (
        re.compile(r"JSON transform error"),
        "a field holds values of another type than in the lines sampled before it",
    ),
    (re.compile(r"magic bytes", re.IGNORECASE), "it does not end with Parquet's footer"),
    (re.compile(r"Permission denied", re.IGNORECASE), "permission denied"),
    (re.compile(r"^INTERNAL Error", re.IGNORECASE), "the engine failed on its content (an internal error)"),
)
# Engine texts that may quote a value from the data (a failed conversion names the value).
_QUOTES_DATA = re.compile(r"Original Line|convert|cast", re.IGNORECASE)


def file_problem(text: str) -> str | None:
    """The problem a DuckDB error text reports about a data file, in our words; None if none."""
    for pattern, reason in _FILE_PROBLEMS:
        found = pattern.search(text)
        if found is not None:
            return reason.format(*found.groups())
    return None


def _first_lines(path: Path, encoding: str = "utf-8") -> tuple[str, str] | None:
    """The first line of a text file without its BOM, and what follows it in the first 64 KiB.

    A ``.gz`` file is decompressed that far; None for another compressed or an unreadable file.
    """
    name = path.name.lower()
    try:
        if name.endswith(".gz"):
            with gzip.open(path, "rb") as compressed:
                head = compressed.read(_HEADER_BYTES)
        elif name.endswith(_COMPRESSED):
            return None
        else:
            with path.open("rb") as handle:
                head = handle.read(_HEADER_BYTES)
    except (OSError, EOFError, zlib.error):
        return None
    # Any line break ends the first line: some exports end lines with a bare CR.
    lines = head.decode(encoding, "replace").splitlines(keepends=True)
    first, rest = (lines[0], "".join(lines[1:])) if lines else ("", "")
    return first.removeprefix("\ufeff").rstrip("\r\n"), rest


def semicolon_separated(path: Path, columns: Sequence[str], encoding: str = "utf-8") -> bool:
    """Whether a CSV file's columns are separated by semicolons: then a comma in a number is its
    decimal mark (``9,94``), as in the exports of European spreadsheets.

    DuckDB sniffed the columns; this tells which of its delimiters split the header line into that
    many, reading no more than the first line (or Excel's ``sep=;`` line above the header).
    """
    lines = _first_lines(path, encoding)
    if lines is None:
        return False
    line = lines[0]
    separator = excel_separator(line)
    if separator is not None:
        return separator == ";"

    def fields(delimiter: str) -> int:
        return len(next(csv.reader([line], delimiter=delimiter), []))

    try:
        return len(columns) > 1 and fields(";") == len(columns) != fields(",")
    except csv.Error:
        return False


def excel_separator(first_line: str) -> str | None:
    """The delimiter an Excel ``sep=X`` first line names (the header is the line after it), or None."""
    if len(first_line) != 5 or not first_line.lower().startswith("sep="):
        return None
    return first_line[4]


def _after_separator_line(lines: tuple[str, str]) -> tuple[str, str]:
    """A file's first lines as :func:`_first_lines` gives them, moved past Excel's ``sep=X`` line."""
    following = lines[1].splitlines(keepends=True)
    return (following[0].rstrip("\r\n") if following else "", "".join(following[1:]))


def first_line_fields(path: Path, encoding: str = "utf-8") -> set[str]:
    """Every field of a CSV file's header line, split at each delimiter DuckDB may have sniffed
    (the line after Excel's ``sep=X`` line, when there is one).

    Empty when the file has no line after it: a header names the columns of rows.
    """
    lines = _first_lines(path, encoding)
    if lines is not None and excel_separator(lines[0]) is not None:
        lines = _after_separator_line(lines)
    if lines is None or not lines[1].strip():
        return set()
    line = lines[0]
    fields: set[str] = set()
    for delimiter in (",", ";", "\t", "|"):
        fields.update(next(csv.reader([line], delimiter=delimiter), []))
    return fields


def header_position(
    path: Path, column: str, file_format: str, encoding: str = "utf-8"
) -> tuple[int, int] | None:
    """Line 1 and the 1-based column where ``column`` is named in the file's first line, if it is."""
    if file_format == "parquet":
        return None
    lines = _first_lines(path, encoding)
    if lines is None:
        return None
    line = lines[0]
    if file_format == "json":
        index = line.find(f'"{column}"')
        return (1, index + 1) if index >= 0 else None
    best: list[str] = []
    for delimiter in (",", ";", "\t", "|"):
        fields = next(csv.reader([line], delimiter=delimiter), [])
        if len(fields) > len(best):
            best = fields
    if column not in best:
        return (1, 1)
    position = 0
    found = 0
    for cell in best[: best.index(column) + 1]:
        position = line.find(cell, position)
        found = position
        position += len(cell)
    return 1, found + 1
