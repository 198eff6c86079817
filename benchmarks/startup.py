"""Start-up: ``cxscore rate examples/santa.yaml`` against importing the libraries it is built on.

The floor imports typer, PyYAML, rich's console and table, and pydantic's BaseModel (``import
pydantic`` alone is lazy and loads almost nothing) in a fresh interpreter.
"""

from __future__ import annotations

import sys
from pathlib import Path

from benchmarks.harness import Case

ROOT = Path(__file__).resolve().parent.parent
FLOOR = [
    sys.executable,
    "-c",
    "import typer, yaml, rich.console, rich.table; from pydantic import BaseModel",
]


def cxscore_command() -> list[str]:
    """The installed console script next to this interpreter (what users run)."""
    script = Path(sys.executable).parent / "cxscore"
    return [str(script)] if script.exists() else [sys.executable, "-m", "cxscore"]


def cases(smoke: bool, workdir: Path) -> list[Case]:
    """Start-up cases: rate (table), --help and --version."""
    repeats = 3 if smoke else 21
    santa = str(ROOT / "examples" / "santa.yaml")
    command = cxscore_command()
    return [
        Case("start-up: rate santa (table)", [*command, "rate", santa], FLOOR, 1.3, repeats),
        Case("start-up: --help", [*command, "--help"], FLOOR, 1.0, repeats),
        Case("start-up: --version", [*command, "--version"], FLOOR, 1.0, repeats),
    ]
