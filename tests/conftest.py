"""Shared fixtures: writing YAML files and running the CLI in-process."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from cxscore.cli import app_for

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="Rewrite the golden files under tests/golden from the current output.",
    )


#: The generation time every report states, fixed so golden files stay stable (2024-12-20 09:30 UTC).
FIXED_EPOCH = "1734687000"


@pytest.fixture(autouse=True)
def fixed_generation_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reports say when they were generated: pin that time with the reproducible-builds variable."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", FIXED_EPOCH)


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., Path]:
    """Write dedented text (or raw bytes) to a file under tmp_path and return its path."""

    def _write(text: str | bytes, name: str = "brand.yaml") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    return _write


@pytest.fixture
def cli() -> Callable[..., Result]:
    """Invoke the cxscore app in-process as the console script does (only the command run is built);
    exceptions that are not user errors propagate."""
    runner = CliRunner()

    def _invoke(*args: str | Path) -> Result:
        argv = [str(a) for a in args]
        return runner.invoke(app_for(argv), argv, catch_exceptions=False)

    return _invoke
