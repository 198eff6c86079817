"""Failed gates as the one line each that the commands print on stderr after the report."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from cxscore.render.numbers import format_number

if TYPE_CHECKING:
    from cxscore.gating import GateFailure


def format_gate_failure(failure: GateFailure) -> str:
    """``path: brand: overall 49.96% is below 50% [--fail-under]``, or a fall since the baseline."""
    if failure.kind == "regression":
        drop = shown_keeping(failure.value, lambda shown: shown > failure.limit)
        return (
            f"{failure.path}: {failure.brand}: {failure.what} fell {drop} points since the baseline "
            f"(tolerance {failure.limit:g}) [{failure.option}]"
        )
    shown = shown_keeping(failure.value, lambda text: text < failure.limit)
    return (
        f"{failure.path}: {failure.brand}: {failure.what} {shown}% is below {failure.limit:g}% "
        f"[{failure.option}]"
    )


def shown_keeping(value: float, keeps: Callable[[float], bool]) -> str:
    """The value with enough decimals that the shown figure keeps the relation that failed the gate.

    49.96 below a limit of 50 must not print as "50.0", nor a fall of 2.04 beyond a tolerance of 2 as
    "2.0".
    """
    for decimals in range(1, 7):
        text = format_number(value, decimals)
        if keeps(float(text)):
            return text
    return repr(value)
