"""Write ``survey.csv``: a small synthetic post-contact survey export for the examples (seeded).

Run ``python examples/data/make_survey.py`` to regenerate it; the same seed gives the same file. The
answers are drawn from fixed distributions chosen to look like a good contact centre: an NPS
around +50, top-2-box CSAT around 80%, CES around 5.4 of 7, FCR around 72% and a long-tailed first
response time with a median of a few hours. About 2% of each answer is left blank, as in real exports.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

SEED = 20250331
ROWS = 400
HERE = Path(__file__).resolve().parent

NPS_WEIGHTS = [2, 1, 1, 2, 2, 3, 4, 9, 15, 25, 36]  # answers 0..10
CSAT_WEIGHTS = [4, 6, 10, 38, 42]  # answers 1..5
CES_WEIGHTS = [2, 3, 6, 10, 22, 33, 24]  # answers 1..7


def _blank_or(rng: random.Random, value: object) -> object:
    return "" if rng.random() < 0.02 else value


def survey_rows(seed: int = SEED, rows: int = ROWS) -> list[dict[str, object]]:
    """The survey answers, one dict per respondent, drawn from the distributions above."""
    rng = random.Random(seed)
    result = []
    for number in range(1, rows + 1):
        result.append(
            {
                "response_id": f"R{number:04d}",
                "channel": rng.choice(["email", "chat", "phone"]),
                "likelihood_to_recommend": _blank_or(rng, rng.choices(range(11), NPS_WEIGHTS)[0]),
                "satisfaction": _blank_or(rng, rng.choices(range(1, 6), CSAT_WEIGHTS)[0]),
                "effort": _blank_or(rng, rng.choices(range(1, 8), CES_WEIGHTS)[0]),
                "resolved_first_contact": _blank_or(rng, "yes" if rng.random() < 0.72 else "no"),
                "first_response_hours": _blank_or(rng, round(rng.lognormvariate(1.3, 1.1), 2)),
            }
        )
    return result


def main() -> None:
    """Write ``survey.csv`` next to this script."""
    rows = survey_rows()
    with (HERE / "survey.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


if __name__ == "__main__":
    main()
