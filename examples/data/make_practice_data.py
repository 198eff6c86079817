"""Write the seeded example exports of the closed-loop, retention and cx-index frameworks.

Run ``python examples/data/make_practice_data.py``; the same seed writes the same files.

- ``tickets.csv``: 300 detractor responses and complaints, each with whether a person contacted the
  customer within 48 hours, the hours to resolution and whether the customer had complained about the
  same issue before (``closed-loop``).
- ``customers.csv``: 500 customers active at the start of a year: churned by its end or not, revenue
  at the start and at the end, and whether they bought at least twice (``retention``).
- ``xm-survey.csv``: 400 answers to the three 7-point questions of the XM Institute method, success,
  effort and emotion, with a few blank and invalid cells as real exports have (``cx-index``).
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

SEED = 20250331
HERE = Path(__file__).resolve().parent


def ticket_rows(rng: random.Random, rows: int = 300) -> list[dict[str, object]]:
    """The ticket export, one dict per detractor response or complaint."""
    return [
        {
            "ticket_id": f"T{number:05d}",
            "kind": "complaint" if rng.random() < 0.6 else "detractor",
            "followed_up_48h": "yes" if rng.random() < 0.78 else "no",
            "resolution_hours": round(rng.lognormvariate(3.9, 0.9), 1),
            "repeat_complaint": "yes" if rng.random() < 0.11 else "no",
        }
        for number in range(1, rows + 1)
    ]


def customer_rows(rng: random.Random, rows: int = 500) -> list[dict[str, object]]:
    """The customer export, one dict per customer active at the start of the year."""
    result = []
    for number in range(1, rows + 1):
        churned = rng.random() < 0.14
        start = round(rng.lognormvariate(6.0, 0.7), 2)
        end = 0.0 if churned else round(start * rng.lognormvariate(0.08, 0.25), 2)
        result.append(
            {
                "customer_id": f"K{number:05d}",
                "churned": "yes" if churned else "no",
                "revenue_start": start,
                "revenue_end": end,
                "repeat_buyer": "yes" if rng.random() < (0.15 if churned else 0.5) else "no",
            }
        )
    return result


def _answer(rng: random.Random, weights: list[int]) -> object:
    """A 1-7 answer; sometimes blank (2%) or an invalid entry (1%), as in real exports."""
    draw = rng.random()
    if draw < 0.02:
        return ""
    if draw < 0.03:
        return rng.choice(("n/a", "?"))
    return rng.choices(range(1, 8), weights)[0]


def survey_rows(rng: random.Random, rows: int = 400) -> list[dict[str, object]]:
    """The XM-method survey, one dict per respondent."""
    return [
        {
            "respondent_id": f"X{number:05d}",
            "success": _answer(rng, [1, 2, 3, 6, 13, 35, 40]),
            "effort": _answer(rng, [2, 2, 4, 8, 16, 34, 34]),
            "emotion": _answer(rng, [2, 3, 5, 10, 18, 32, 30]),
        }
        for number in range(1, rows + 1)
    ]


def write(path: Path, rows: list[dict[str, object]]) -> None:
    """Write rows as a CSV file with a header (LF line ends, UTF-8)."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def main() -> None:
    """Write the three files next to this script."""
    rng = random.Random(SEED)
    write(HERE / "tickets.csv", ticket_rows(rng))
    write(HERE / "customers.csv", customer_rows(rng))
    write(HERE / "xm-survey.csv", survey_rows(rng))


if __name__ == "__main__":
    main()
