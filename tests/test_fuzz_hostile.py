"""Fuzzing with hostile alphabets: brand files and CSV exports built from quotes, SQL, YAML syntax,
control characters and path tricks never crash cxscore, never write a file, and never reach outside.

Each example runs the real command in-process (exceptions that are not user errors propagate here,
so a traceback fails the test) against real DuckDB; success is exit 0 or 2 with nothing created
anywhere but the report the run was asked for.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import Result

Cli = Callable[..., Result]

# Characters that break naive quoting in SQL, YAML, CSV, markdown, HTML and terminals.
HOSTILE_CHARS = "'\"`;()[]{}<>|&$#%*?!=+-,.:/\\ \t\n\r\x1b\u202e\u200b\ufeffé中🙂"
HOSTILE_WORDS = [
    "select",
    "from",
    "COPY",
    "TO",
    "ATTACH",
    "DROP TABLE x",
    "--",
    "/*",
    "*/",
    "NULL",
    "..",
    "~",
    "/etc/passwd",
    "*",
    "**",
    "!!python/object",
    "&a",
    "*a",
    "<<",
]


def hostile_text(outside: Path) -> st.SearchStrategy[str]:
    """Text mixing hostile characters, SQL and YAML words, and an injection aimed at ``outside``."""
    target = outside / "pwned.csv"
    # Closes the quoted column name inside the text of a DuckDB relation's SQL, then runs a statement.
    injections = [
        f"a': 'VARCHAR'}})); COPY (SELECT 42) TO '{target}'; --",
        f"x'); COPY (SELECT 42) TO '{target}' (HEADER); --",
        f"x\"; COPY (SELECT 42) TO '{target}'; --",
    ]
    piece = st.one_of(
        st.text(alphabet=HOSTILE_CHARS, min_size=1, max_size=6),
        st.sampled_from([*HOSTILE_WORDS, *injections]),
        st.sampled_from(injections),
        st.text(min_size=1, max_size=4).filter(lambda text: "\x00" not in text),
    )
    return st.lists(piece, min_size=1, max_size=5).map("".join)


def files_under(root: Path) -> set[Path]:
    return {path for path in root.rglob("*") if path.is_file()}


@pytest.fixture
def sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """``work`` (the current directory, where inputs are written) and ``outside`` (must stay empty)."""
    work, outside = tmp_path / "work", tmp_path / "outside"
    work.mkdir()
    outside.mkdir()
    monkeypatch.chdir(work)
    return work, outside


CSV_BRAND = """\
brand: Fuzz
framework: cx-kpis
ratings:
  nps: {{from: data.csv, column: {column}}}
"""


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_hostile_csv_headers_and_cells(cli: Cli, sandbox: tuple[Path, Path], data: st.DataObject) -> None:
    work, outside = sandbox
    text = hostile_text(outside)
    header = data.draw(st.lists(text, min_size=1, max_size=4, unique=True), label="header")
    cells = data.draw(st.lists(st.lists(text, min_size=len(header), max_size=len(header)), max_size=4))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(cells)
    (work / "data.csv").write_text(buffer.getvalue(), encoding="utf-8")
    column = header[data.draw(st.integers(0, len(header) - 1), label="column")]
    (work / "brand.yaml").write_text(CSV_BRAND.format(column=_yaml_string(column)), encoding="utf-8")
    before = files_under(work)

    for args in (
        ["validate", "brand.yaml"],
        ["measure", "data.csv", "--nps", column, "--by", header[0], "--format", "json"],
    ):
        result = cli(*args)
        assert result.exit_code in (0, 2), result.output
        if result.exit_code == 2:
            assert result.stdout == ""
            assert all(line.strip() for line in result.stderr.splitlines())
    assert files_under(outside) == set()
    assert files_under(work) == before


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_hostile_brand_files(cli: Cli, sandbox: tuple[Path, Path], data: st.DataObject) -> None:
    work, outside = sandbox
    text = hostile_text(outside)
    (outside / "secret.yaml").write_text("token: s3cr3t-value\n")
    fields = {
        "brand": data.draw(text, label="brand"),
        "framework": data.draw(
            st.one_of(
                st.sampled_from(["cx-six", "../outside/secret.yaml", "/etc/passwd", "brand.yaml"]), text
            ),
            label="framework",
        ),
        "notes": data.draw(text, label="notes"),
    }
    note = data.draw(text, label="note")
    quoted = data.draw(st.booleans(), label="quoted")
    lines = [f"{key}: {_yaml_string(value) if quoted else value}" for key, value in fields.items()]
    lines += ["ratings:", f"  empathy: {{rating: 3, note: {_yaml_string(note)}}}"]
    if data.draw(st.booleans(), label="data source"):
        lines.append(f"  nps: {{from: {_yaml_string(data.draw(text, label='from'))}, column: x}}")
    (work / "brand.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = files_under(work)

    for output_format in ("table", "json", "markdown", "csv", "html"):
        result = cli("rate", "brand.yaml", "--format", output_format)
        assert result.exit_code in (0, 2), result.output
        assert "s3cr3t-value" not in result.output
        assert "root:x:0" not in result.output
    assert files_under(outside) == {outside / "secret.yaml"}
    assert files_under(work) == before


def _yaml_string(text: str) -> str:
    """``text`` as a double-quoted YAML scalar (every character escaped that YAML would read)."""
    escaped = []
    for char in text:
        code = ord(char)
        if char in '"\\':
            escaped.append("\\" + char)
        elif code < 0x20 or code == 0x7F or 0x80 <= code < 0xA0 or code in (0x2028, 0x2029, 0xFEFF):
            escaped.append(f"\\u{code:04x}")
        else:
            escaped.append(char)
    return '"' + "".join(escaped) + '"'
