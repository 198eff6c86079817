"""Reports never land on what a run reads, whichever way the output names it, and odd settings or
data-source options are located errors: regressions from a hostile review of this release."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import Result

from tests.conftest import EXAMPLES

SURVEY = EXAMPLES / "data" / "survey.csv"


def test_a_report_is_not_written_over_the_engine_database(cli: Callable[..., Result], tmp_path: Path) -> None:
    database = tmp_path / "answers.sqlite"
    with sqlite3.connect(database) as connection:
        connection.execute("CREATE TABLE t (satisfaction TEXT)")
        connection.executemany("INSERT INTO t VALUES (?)", [("5",), ("4",)])
    before = database.read_bytes()
    result = cli(
        "measure",
        "--engine",
        f"sqlite:///{database}",
        "--table",
        "t",
        "--csat",
        "satisfaction",
        "-o",
        database,
    )
    assert result.exit_code == 2
    assert f"{database}: refusing to write the report over a file this run read" in result.stderr
    assert database.read_bytes() == before


def test_a_stream_open_on_an_input_is_not_written(tmp_path: Path) -> None:
    """``-o /dev/fd/3 3<>brand.yaml``: the descriptor is the brand file itself."""
    brand = tmp_path / "santa.yaml"
    brand.write_bytes((EXAMPLES / "santa.yaml").read_bytes())
    before = brand.read_bytes()
    descriptor = os.open(brand, os.O_RDWR)
    try:
        for name in (f"/dev/fd/{descriptor}", f"/proc/self/fd/{descriptor}"):
            done = subprocess.run(
                [sys.executable, "-m", "cxscore", "rate", str(brand), "-o", name],
                pass_fds=(descriptor,),
                capture_output=True,
                text=True,
                check=False,
            )
            assert done.returncode == 2, done.stderr
            assert "refusing to write the report over a file this run read" in done.stderr
    finally:
        os.close(descriptor)
    assert brand.read_bytes() == before


def test_a_missing_weight_column_in_a_brand_file_is_located(
    cli: Callable[..., Result], write: Callable[..., Path]
) -> None:
    write(SURVEY.read_bytes(), "survey.csv")
    brand = write(
        """
        brand: X
        framework: cx-kpis
        ratings:
          csat: {from: survey.csv, column: satisfaction, weight: nosuch}
        """
    )
    result = cli("rate", brand)
    assert result.exit_code == 2
    assert f"{brand}:4:" in result.stderr
    assert "no column 'nosuch'" in result.stderr


def test_settings_nested_too_deeply_are_refused(
    cli: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "cxscore.toml").write_text("a=" + "[" * 3000 + "]" * 3000 + "\n")
    monkeypatch.chdir(tmp_path)
    result = cli("rate", EXAMPLES / "santa.yaml", "--format", "html")
    assert result.exit_code == 2
    assert result.stderr == "cxscore.toml: not a settings file: its values nest too deeply\n"


def test_drivers_will_not_write_the_report_and_the_framework_to_one_file(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    target = tmp_path / "both.yaml"
    survey = EXAMPLES / "data" / "drivers-survey.csv"
    args = ("drivers", survey, "--outcome", "likelihood_to_recommend", "--driver", "empathy=empathy")
    result = cli(*args, "--driver", "responsiveness", "--write-framework", target, "-o", target)
    assert result.exit_code == 2
    assert result.stderr.startswith("--write-framework: names the same file as -o")
    assert not target.exists()
