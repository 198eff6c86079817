"""The console entry point: usage errors and output failures are one line, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cxscore", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("args", "command", "quoted"),
    [
        (["rate", "examples/santa.yaml", "-f", "xml"], "cxscore rate", ["--format", "xml"]),
        (["rate", "--bogus"], "cxscore rate", ["--bogus"]),
        (["rate"], "cxscore rate", ["PATH..."]),
        (["rank", "examples", "--fail-under", "abc"], "cxscore rank", ["--fail-under", "abc"]),
    ],
)
def test_usage_errors_are_one_line(args: list[str], command: str, quoted: list[str]) -> None:
    # The middle of the line is typer's own wording, which releases change: what is cxscore's is the
    # shape (one line, the command first, a pointer to its help last) and that it names the culprit.
    done = run(*args)
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(f"{command}: "), lines[0]
    assert lines[0].endswith(f" (see '{command} --help')"), lines[0]
    for word in quoted:
        assert word in lines[0]


def test_no_arguments_shows_help() -> None:
    done = run()
    assert done.returncode == 0, done.stderr
    assert "Usage: cxscore" in done.stdout


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full to simulate a full disk")
def test_full_disk_is_one_line() -> None:
    with Path("/dev/full").open("w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "cxscore", "rate", "examples/santa.yaml", "-f", "json"],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            timeout=60,
            check=False,
        )
    assert done.returncode == 2
    assert done.stderr == "cxscore: cannot write the output: No space left on device\n"


def test_missing_data_extra_is_explained() -> None:
    """Without the data extra, a data source is a one-line set-up message, not an ImportError."""
    probe = (
        "import sys; sys.modules['ibis'] = None\n"  # import ibis now raises ImportError(name='ibis')
        "sys.argv = ['cxscore', 'rate', 'examples/data/acme-survey.yaml']\n"
        "from cxscore.cli import main; main()"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, timeout=60, check=False
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.splitlines() == [
        "examples/data/acme-survey.yaml:8:15: ratings.nps: cannot compute NPS from 'survey.csv'",
        "survey.csv: computing measures from data needs the data extra (ibis is not installed): "
        "pip install 'cxscore[data]' (in a source checkout: pip install '.[data]')",
    ]
