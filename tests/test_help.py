"""Every command's --help ends with real examples and the exit codes."""

from __future__ import annotations

import shlex
from collections.abc import Callable

import pytest
from typer.testing import Result

from cxscore.cli import EXIT_CODES

COMMANDS = [
    ["rate"],
    ["compare"],
    ["rank"],
    ["validate"],
    ["schema"],
    ["init"],
    ["measure"],
    ["drivers"],
    ["frameworks"],
    ["frameworks", "show"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_help_ends_with_examples_and_exit_codes(cli: Callable[..., Result], command: list[str]) -> None:
    result = cli(*command, "--help")
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())
    assert "Examples:" in text
    assert text.endswith(" ".join(EXIT_CODES.split()))
    examples = text.split("Examples:", 1)[1].split("Exit codes:", 1)[0].split("cxscore ")[1:]
    assert len(examples) >= 1
    for example in examples:
        words = shlex.split(example)
        assert words[: len(command)] == command, example  # each example runs the command it documents
