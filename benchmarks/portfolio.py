"""Portfolio: ``cxscore rate DIR --format json`` and ``cxscore rank DIR`` over many brand files.

The floor parses the same files with libyaml (``yaml.load(f, yaml.CSafeLoader)``) and dumps them
as JSON in one Python process: the least any YAML-to-report tool must do.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

from benchmarks.harness import Case
from benchmarks.startup import cxscore_command

METRICS = (
    "first_contact_resolution",
    "empathy",
    "responsiveness",
    "feedback_capture",
    "consistency",
    "personalization",
)
FLOOR_SCRIPT = """
import json, sys
from pathlib import Path
import yaml
docs = []
for path in sorted(Path(sys.argv[1]).iterdir()):
    with path.open("rb") as handle:
        docs.append(yaml.load(handle, Loader=yaml.CSafeLoader))
sys.stdout.write(json.dumps(docs, default=str, indent=2))
"""


def generate(directory: Path, count: int, seed: int = 20241217) -> Path:
    """Write ``count`` seeded brand files with six rated metrics each (reused when present)."""
    marker = directory / ".complete"
    if marker.exists():
        return directory
    directory.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    for index in range(count):
        lines = [
            f"brand: Brand {index:05d}",
            "framework: cx-six",
            f"assessed: 2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            "ratings:",
        ]
        for metric in METRICS:
            rating = rng.randint(1, 5)
            if rng.random() < 0.3:
                lines += [f"  {metric}:", f"    rating: {rating}", f"    note: Observed in wave {index % 7}."]
            else:
                lines.append(f"  {metric}: {rating}")
        (directory / f"brand-{index:05d}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    marker.touch()
    return directory


def cases(smoke: bool, workdir: Path) -> list[Case]:
    """rate --format json and rank over 10,000 files (target 2.0x the libyaml floor), 1,000 to show
    the growth, and 100,000 against 10,000 (at most 10.5x the time, peak memory at most 1.2x).

    At 1,000 files both sides are still dominated by start-up, so that size is reported without a
    target; the marginal cost per file is (t10k - t1k) / 9,000 on each side.
    """
    sizes: tuple[tuple[int, float | None], ...] = ((20, None),) if smoke else ((1_000, None), (10_000, 2.0))
    repeats = 2 if smoke else 5
    command = cxscore_command()
    result = []
    for size, target in sizes:
        directory = str(generate(workdir / f"portfolio-{size}", size))
        floor = [sys.executable, "-c", FLOOR_SCRIPT, directory]
        result += [
            Case(
                f"portfolio: rate json {size:,} files",
                [*command, "rate", directory, "-f", "json"],
                floor,
                target,
                repeats,
            ),
            Case(f"portfolio: rank {size:,} files", [*command, "rank", directory], floor, target, repeats),
        ]
    # Growth: the bigger portfolio against the smaller one, both cxscore (10x the files).
    small, large = (20, 200) if smoke else (10_000, 100_000)
    small_dir = str(generate(workdir / f"portfolio-{small}", small))
    large_dir = str(generate(workdir / f"portfolio-{large}", large))
    growth_target = None if smoke else 10.5
    memory_target = None if smoke else 1.2
    for name, arguments in (("rate json", ["rate", "-f", "json"]), ("rank", ["rank"])):
        result.append(
            Case(
                f"growth: {name} {large:,} vs {small:,}",
                [*command, *arguments[:1], large_dir, *arguments[1:]],
                [*command, *arguments[:1], small_dir, *arguments[1:]],
                growth_target,
                2 if smoke else 3,
                max_peak_ratio=memory_target,
            )
        )
    return result
