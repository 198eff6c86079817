"""Write ``drivers-survey.csv``: a synthetic relationship survey for ``cxscore drivers`` (seeded).

Run ``python examples/data/make_drivers.py`` to regenerate it; the same seed gives the same file.
Each respondent rates the brand 1–5 on every cx-six metric and answers likelihood to recommend
(0–10). The ratings share a general impression (so they correlate, as real ratings do), and the
likelihood to recommend depends on them with known weights: first-contact resolution and empathy
matter most, feedback capture least. About 1% of cells are blank, as in real exports.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

SEED = 20251224
ROWS = 600
HERE = Path(__file__).resolve().parent

#: cx-six metric -> (mean rating tendency, weight in likelihood to recommend)
METRICS = {
    "first_contact_resolution": (3.6, 0.55),
    "empathy": (3.9, 0.45),
    "responsiveness": (2.9, 0.35),
    "feedback_capture": (2.4, 0.05),
    "consistency": (3.1, 0.25),
    "personalization": (3.3, 0.12),
}


def _rating(value: float, low: int, high: int) -> int:
    return max(low, min(high, round(value)))


def _blank_or(rng: random.Random, value: object) -> object:
    return "" if rng.random() < 0.01 else value


def survey_rows(seed: int = SEED, rows: int = ROWS) -> list[dict[str, object]]:
    """The answers, one dict per respondent."""
    rng = random.Random(seed)
    result = []
    for number in range(1, rows + 1):
        impression = rng.gauss(0, 0.6)
        ratings = {
            metric: _rating(mean + impression + rng.gauss(0, 0.8), 1, 5)
            for metric, (mean, _) in METRICS.items()
        }
        score = sum(weight * (ratings[metric] - 3) for metric, (_, weight) in METRICS.items())
        recommend = _rating(6.2 + score + rng.gauss(0, 1.3), 0, 10)
        row: dict[str, object] = {
            "respondent": f"S{number:04d}",
            "region": rng.choice(["north", "south"]),
            "likelihood_to_recommend": _blank_or(rng, recommend),
        }
        row |= {metric: _blank_or(rng, rating) for metric, rating in ratings.items()}
        result.append(row)
    return result


def main() -> None:
    """Write ``drivers-survey.csv`` next to this script."""
    rows = survey_rows()
    with (HERE / "drivers-survey.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


if __name__ == "__main__":
    main()
