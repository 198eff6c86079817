"""Opening a data source as an Ibis table: files read by the engine's own readers, or an engine table.

Nothing here reads rows into Python: files are handed to the backend (``read_csv``, ``read_parquet``,
``read_json``), which scans them where they are. The only bytes Python reads itself are a header line,
to point an error at the column it is about.
"""

from __future__ import annotations

import csv
import glob
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ibis
import ibis.common.exceptions as ibis_errors
import ibis.expr.operations as ops
from ibis.backends import BaseBackend
from ibis.expr.types import Table

from cxscore.data.model import DataSource
from cxscore.errors import InputError, Issue, UsageError

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
_COMPRESSED = (".gz", ".zst")
_GLOB_CHARS = re.compile(r"[*?\[]")
# user:password@ in a connection URL (a regex rather than urlsplit, which refuses some URLs).
_PASSWORD = re.compile(r"(?<=://)([^/@:]*):([^/@]*)@")
_HEADER_BYTES = 65_536


@dataclass(frozen=True)
class Dataset:
    """An opened source: the Ibis table, its backend, and how to name and locate it in messages."""

    table: Table
    backend: BaseBackend
    label: str
    first_file: Path | None = None
    file_format: str | None = None

    def issue(self, message: str, column: str | None = None) -> Issue:
        """An :class:`Issue` about this source, at the column's header cell when the file shows one."""
        position = None
        if column is not None and self.first_file is not None and self.file_format is not None:
            position = header_position(self.first_file, column, self.file_format)
        if position is None or self.first_file is None:
            return Issue(self.label, message)
        # A position is in one file: name that file, even when the source is several.
        return Issue(str(self.first_file), message, *position)


def open_source(source: DataSource) -> Dataset:
    """Connect to the engine and open the files or table of ``source`` as an Ibis table."""
    if source.paths and source.table:
        raise UsageError(Issue("--table", "give data files or --table, not both"))
    if not source.paths and not source.table:
        raise UsageError(Issue("measure", "no data: give data files (or a glob) or --table NAME"))
    backend = connect(source.engine)
    if source.table:
        return _open_table(backend, source.table)
    files = resolve_files(source.paths, source.base)
    file_format = _format_of(files)
    if len(files) == 1:
        label = str(files[0])
    elif len(source.paths) == 1:
        label = source.paths[0]  # the glob pattern as the user wrote it
    else:
        label = f"{files[0]} and {len(files) - 1} more files"
    table = _read_files(backend, files, file_format, label)
    return Dataset(table, backend, label, files[0], file_format)


def connect(engine: str | None) -> BaseBackend:
    """An Ibis backend for the connection URL ``engine``, or an in-memory DuckDB when it is ``None``."""
    backend = ibis.duckdb.connect() if engine is None else _connect_url(engine)
    if backend.name == "duckdb":
        # DuckDB draws a progress bar on long scans, which would land in the middle of a report.
        backend.raw_sql("SET enable_progress_bar = false")
    return backend


def _connect_url(engine: str) -> BaseBackend:
    try:
        return ibis.connect(engine)
    # The URL chooses the driver, and each driver fails in its own way (unknown scheme, driver not
    # installed, server unreachable, bad credentials): all of them are the user's request failing.
    except Exception as error:
        match = _PASSWORD.search(engine)
        password = match.group(2) if match else None
        reason = first_line(error).replace(password, "***") if password else first_line(error)
        raise UsageError(Issue("--engine", f"cannot connect to {redact(engine)}: {reason}")) from None


def redact(url: str) -> str:
    """The URL with any password replaced by ``***``, so it can be shown in a message."""
    return _PASSWORD.sub(r"\1:***@", url)


def first_line(error: BaseException) -> str:
    """The first non-empty line of an exception's message (engines write several)."""
    for line in str(error).splitlines():
        if line.strip():
            return line.strip()
    return type(error).__name__


def resolve_files(patterns: tuple[str, ...], base: str | None = None) -> list[Path]:
    """Expand paths and glob patterns into existing, non-empty files, in a stable order."""
    files: list[Path] = []
    root = Path(base) if base else None
    for pattern in patterns:
        full = str(root / pattern) if root is not None and not Path(pattern).is_absolute() else pattern
        if _GLOB_CHARS.search(full) and not Path(full).is_file():
            # glob.glob, not Path.glob: the pattern may be absolute and have wildcards in any part.
            matches = sorted(Path(match) for match in glob.glob(full, recursive=True))  # noqa: PTH207
            matches = [match for match in matches if match.is_file()]
            if not matches:
                raise InputError(Issue(pattern, "no file matches this pattern"))
            files.extend(matches)
            continue
        path = Path(full)
        if path.is_dir():
            raise InputError(Issue(pattern, "is a directory: give files, or a glob such as DIR/*.csv"))
        if not path.is_file():
            raise InputError(Issue(pattern, "no such file"))
        files.append(path)
    for path in files:
        if path.stat().st_size == 0:
            raise InputError(Issue(str(path), "the file is empty"))
    return list(dict.fromkeys(files))


def _format_of(files: list[Path]) -> str:
    formats = set()
    for path in files:
        name = path.name.lower()
        for suffix in _COMPRESSED:
            name = name.removesuffix(suffix)
        file_format = FORMATS.get(Path(name).suffix)
        if file_format is None:
            known = ", ".join(sorted(FORMATS))
            raise UsageError(Issue(str(path), f"unknown data format: expected a file ending in {known}"))
        formats.add(file_format)
    if len(formats) > 1:
        raise UsageError(Issue(str(files[0]), "the files mix formats: give files of one format at a time"))
    return formats.pop()


def _read_files(backend: BaseBackend, files: list[Path], file_format: str, label: str) -> Table:
    names = [str(path) for path in files]
    try:
        if backend.name == "duckdb":
            return _duckdb_view(backend, names, file_format)
        reader = getattr(backend, f"read_{file_format}", None)
        if reader is None:
            raise UsageError(
                Issue("--engine", f"the {backend.name} engine cannot read files: load them, then use --table")
            )
        table: Table = reader(names)
        return table
    except engine_errors(backend) as error:
        raise InputError(located_engine_error(label, error)) from None


def _duckdb_view(backend: BaseBackend, names: list[str], file_format: str) -> Table:
    """The files as a temporary DuckDB view over DuckDB's own reader, described without Arrow.

    Ibis's ``read_csv`` builds the same view, but fetches its schema as an Arrow table, which
    imports pyarrow and numpy: 0.15-0.3 s, a tenth of the 10M-row benchmark, for a list of names.
    """
    options: dict[str, Any] = {}
    if file_format == "csv":
        # Every column as text: DuckDB sniffs types from a sample, and a stray "n/a" past the sample
        # would then abort the whole scan. The measures parse the text themselves, counting failures.
        options = {"header": True, "all_varchar": True}
        if len(names) > 1:
            options["union_by_name"] = True
    elif file_format == "json":
        options["format"] = "newline_delimited"
    relation = getattr(backend.con, f"read_{file_format}")(names, **options)
    view = ibis.util.gen_name(f"cxscore_{file_format}")
    # The relation's SQL carries the dialect DuckDB sniffed, so the scan does not sniff again. The
    # view is TEMPORARY: with --engine duckdb:///file.db nothing is written into the user's database.
    backend.con.execute(f'CREATE TEMPORARY VIEW "{view}" AS {relation.sql_query()}')
    types = backend.compiler.type_mapper
    schema = ibis.schema(
        {
            column: types.from_string(str(kind))
            for column, kind in zip(relation.columns, relation.types, strict=True)
        }
    )
    return ops.DatabaseTable(view, schema=schema, source=backend, namespace=ops.Namespace()).to_expr()


def _open_table(backend: BaseBackend, name: str) -> Dataset:
    try:
        table = backend.table(name)
    except ibis_errors.TableNotFound:
        tables = backend.list_tables()
        listing = ", ".join(tables) if tables else "none"
        raise InputError(Issue(name, f"no such table on the engine; tables: {listing}")) from None
    except engine_errors(backend) as error:
        raise InputError(Issue(name, first_line(error))) from None
    return Dataset(table, backend, name)


def engine_errors(backend: BaseBackend) -> tuple[type[BaseException], ...]:
    """The driver exceptions that mean "the data or query was refused", for the backends we know."""
    errors: list[type[BaseException]] = [sqlite3.Error]
    if backend.name == "duckdb":
        import duckdb

        errors.append(duckdb.Error)
    return tuple(errors)


_CSV_LINE = re.compile(r"CSV Error on Line: (\d+)")


def located_engine_error(label: str, error: BaseException) -> Issue:
    """An engine's error as one line, at the file line DuckDB names in CSV errors."""
    text = str(error)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    match = _CSV_LINE.search(text)
    if match is None:
        return Issue(label, lines[0] if lines else type(error).__name__)
    details = [line for line in lines[1:] if not line.startswith(("Original Line", "Possible fix"))]
    message = details[0] if details else lines[0]
    return Issue(label, f"cannot parse: {message}", int(match.group(1)), 1)


def header_position(path: Path, column: str, file_format: str) -> tuple[int, int] | None:
    """Line 1 and the 1-based column where ``column`` is named in the file's first line, if it is."""
    if file_format == "parquet" or path.name.lower().endswith(_COMPRESSED):
        return None
    with path.open("rb") as handle:
        head = handle.read(_HEADER_BYTES)
    line = head.split(b"\n", 1)[0].decode("utf-8", "replace").removeprefix("\ufeff").rstrip("\r")
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
    for field in best[: best.index(column) + 1]:
        position = line.find(field, position)
        found = position
        position += len(field)
    return 1, found + 1
