"""Run the benchmark suite: ``python -m benchmarks [--smoke] [--only NAME] [--instructions]``.

Each module listed in SUITES exposes ``cases(smoke: bool, workdir: Path) -> list[Case]`` and
generates its own inputs with seeded generators under ``benchmarks/.data`` (or a temporary
directory at smoke size). Full size fails (exit 1) when a target is missed; smoke size only checks
that every case runs, since ratios on tiny inputs mean little. ``--instructions`` counts the start-up
cases in instructions under valgrind instead of timing them (a figure that does not wander with the
machine's load; valgrind runs programs some 50 times slower, so only start-up is counted).
"""

from __future__ import annotations

import argparse
import importlib
import sys
import tempfile
from pathlib import Path

from benchmarks.harness import count_table, counted, machine, measure, table

SUITES = (
    "benchmarks.startup",
    "benchmarks.portfolio",
    "benchmarks.measure",
    "benchmarks.groups",
    "benchmarks.drivers",
    "benchmarks.customers",
    "benchmarks.engines",
)


def compile_package() -> None:
    """Byte-compile cxscore as ``pip install`` does, so start-up is measured as users get it.

    An editable install has no bytecode, and with PYTHONDONTWRITEBYTECODE set Python would
    recompile every module on every run, which is not what an installed cxscore does.
    """
    import compileall

    import cxscore

    compileall.compile_dir(str(Path(cxscore.__file__).parent), quiet=1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="tiny inputs, few repeats (CI)")
    parser.add_argument("--only", action="append", default=[], help="run suites whose name has this")
    parser.add_argument(
        "--instructions", action="store_true", help="count start-up in instructions with valgrind"
    )
    args = parser.parse_args(argv)
    compile_package()
    if args.instructions:
        return count_startup(args.smoke)
    with tempfile.TemporaryDirectory(prefix="cxscore-bench-") as scratch:
        workdir = Path(scratch) if args.smoke else Path(__file__).parent / ".data"
        workdir.mkdir(parents=True, exist_ok=True)
        measurements = []
        for suite in SUITES:
            if args.only and not any(word in suite for word in args.only):
                continue
            module = importlib.import_module(suite)
            for case in module.cases(args.smoke, workdir):
                print(f"running {case.name} ...", file=sys.stderr, flush=True)
                measurements.append(measure(case))
    print(f"machine: {machine()}; size: {'smoke' if args.smoke else 'full'}")
    print(table(measurements))
    if args.smoke:
        print("smoke size checks that every case runs; its ratios are not the targets' measure")
        return 0
    return 0 if all(m.passed for m in measurements) else 1


def count_startup(smoke: bool) -> int:
    """Count the start-up cases in instructions; exit 1 when a target is missed (at full size)."""
    import benchmarks.startup

    with tempfile.TemporaryDirectory(prefix="cxscore-bench-") as scratch:
        counts = []
        for case in benchmarks.startup.cases(smoke, Path(scratch)):
            print(f"counting {case.name} ...", file=sys.stderr, flush=True)
            counts.append(counted(case))
    print(f"machine: {machine()}; instructions counted by valgrind, one run each")
    print(count_table(counts))
    return 0 if smoke or all(c.passed for c in counts) else 1


if __name__ == "__main__":
    sys.exit(main())
