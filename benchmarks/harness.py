"""Timing harness: run a target and its floor alternately (A B A B ...) and compare medians.

Targets are ratios against a floor measured in the same run, so they hold on any machine. Each
case is a pair of shell commands (run as subprocesses, so start-up is included where it matters);
peak memory is the maximum resident set size of the child processes, read from ``wait4``.

Wall time on a shared or virtual machine wanders (here a start-up ratio read 1.31 and 1.58 for the
same code on the same afternoon), so start-up cases can also be counted in instructions under
valgrind (:func:`count_instructions`): one run each, and the count barely moves between runs.
"""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Case:
    """A benchmark: ``target`` must take at most ``max_ratio`` x the time of ``floor``.

    A case with ``max_ratio=None`` is reported but has no target (e.g. the smaller size that shows
    how cost grows with input).
    """

    name: str
    target: Sequence[str]
    floor: Sequence[str]
    max_ratio: float | None
    repeats: int = 7
    env: dict[str, str] = field(default_factory=dict)
    #: Also a bound on peak memory: target peak over floor peak (None: memory is reported only).
    max_peak_ratio: float | None = None


class _Compared:
    """A case's target set against its floor; subclasses say what is compared."""

    case: Case

    @property
    def ratio(self) -> float:
        raise NotImplementedError

    @property
    def passed(self) -> bool:
        """Whether the ratio is within the case's target (always, for a case without one)."""
        return self.case.max_ratio is None or self.ratio <= self.case.max_ratio


@dataclass(frozen=True)
class Measurement(_Compared):
    """The outcome of one timed case."""

    case: Case
    target_seconds: float
    floor_seconds: float
    target_peak_mib: float
    floor_peak_mib: float

    @property
    def ratio(self) -> float:
        """Median target time over median floor time."""
        return self.target_seconds / self.floor_seconds

    @property
    def peak_ratio(self) -> float:
        """Target peak memory over floor peak memory."""
        return self.target_peak_mib / self.floor_peak_mib

    @property
    def passed(self) -> bool:
        """Within the time target and, where the case has one, the memory target."""
        bound = self.case.max_peak_ratio
        return super().passed and (bound is None or self.peak_ratio <= bound)


def run_once(command: Sequence[str], env: dict[str, str]) -> tuple[float, float]:
    """Run a command to completion; return (wall seconds, peak RSS in MiB). Fails loudly."""
    started = time.perf_counter()
    process = subprocess.Popen(
        list(command),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, **env},
    )
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    stderr = process.stderr.read().decode("utf-8", "replace") if process.stderr else ""
    if process.stderr:
        process.stderr.close()
    if process.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(command)} exited {process.returncode}: {stderr[-500:]}")
    return elapsed, usage.ru_maxrss / 1024


def measure(case: Case) -> Measurement:
    """Alternate target and floor ``repeats`` times (after one warm-up each); report medians."""
    run_once(case.floor, case.env)
    run_once(case.target, case.env)
    targets: list[float] = []
    floors: list[float] = []
    target_peak = floor_peak = 0.0
    for _ in range(case.repeats):
        seconds, peak = run_once(case.target, case.env)
        targets.append(seconds)
        target_peak = max(target_peak, peak)
        seconds, peak = run_once(case.floor, case.env)
        floors.append(seconds)
        floor_peak = max(floor_peak, peak)
    return Measurement(case, statistics.median(targets), statistics.median(floors), target_peak, floor_peak)


def count_instructions(command: Sequence[str], env: dict[str, str]) -> int:
    """Instructions one run of ``command`` executes, counted by valgrind (``--tool=callgrind``)."""
    done = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *command],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, **env},
        text=True,
        check=False,
    )
    if done.returncode not in (0, 1):
        raise RuntimeError(f"valgrind {' '.join(command)} exited {done.returncode}: {done.stderr[-500:]}")
    for line in done.stderr.splitlines():
        if "Collected :" in line:
            return int(line.rsplit(":", 1)[1])
    raise RuntimeError(f"valgrind printed no instruction count: {done.stderr[-500:]}")


@dataclass(frozen=True)
class Count(_Compared):
    """A case counted in instructions: one run of the target and one of its floor."""

    case: Case
    target: int
    floor: int

    @property
    def ratio(self) -> float:
        """Target instructions over floor instructions."""
        return self.target / self.floor


def counted(case: Case) -> Count:
    """Count a case's target and floor in instructions."""
    return Count(case, count_instructions(case.target, case.env), count_instructions(case.floor, case.env))


def count_table(counts: list[Count]) -> str:
    """A plain-text table of instruction counts."""
    header = f"{'case':<34} {'instructions':>14} {'floor':>14} {'ratio':>6} {'target':>7}  result"
    lines = [header, "-" * len(header)]
    for c in counts:
        target = "-" if c.case.max_ratio is None else f"{c.case.max_ratio:.2f}x"
        verdict = "info" if c.case.max_ratio is None else ("pass" if c.passed else "FAIL")
        lines.append(
            f"{c.case.name:<34} {c.target:>14,} {c.floor:>14,} {c.ratio:>6.2f} {target:>7}  {verdict}"
        )
    return "\n".join(lines)


def machine() -> str:
    """The machine the figures were taken on."""
    return f"{os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"


def table(measurements: list[Measurement]) -> str:
    """A plain-text table of the results."""
    header = (
        f"{'case':<34} {'median s':>9} {'floor s':>9} {'ratio':>6} {'target':>7} "
        f"{'peak MiB':>9} {'floor MiB':>9}  result"
    )
    lines = [header, "-" * len(header)]
    for m in measurements:
        target = "-" if m.case.max_ratio is None else f"{m.case.max_ratio:.2f}x"
        verdict = "info" if m.case.max_ratio is None else ("pass" if m.passed else "FAIL")
        memory = (
            ""
            if m.case.max_peak_ratio is None
            else f" (peak {m.peak_ratio:.2f}x, target {m.case.max_peak_ratio:.2f}x)"
        )
        lines.append(
            f"{m.case.name:<34} {m.target_seconds:>9.3f} {m.floor_seconds:>9.3f} {m.ratio:>6.2f} "
            f"{target:>7} {m.target_peak_mib:>9.1f} {m.floor_peak_mib:>9.1f}  {verdict}{memory}"
        )
    return "\n".join(lines)
