"""Write the seeded example exports for ``cxscore measure``: a quarterly survey and a loyalty members file.

Run ``python examples/data/make_data.py``; the same seed writes the same files.

- ``survey-by-region.csv``: 800 post-contact survey answers over three regions and four quarters,
  with NPS improving quarter on quarter (so ``--trend quarter`` has something to find), a few blank
  cells and a few invalid ones ("n/a", "11", "-3") as real exports have. Try
  ``cxscore measure examples/data/survey-by-region.csv --nps likelihood_to_recommend --by region``.
- ``members.csv``: 600 customers of a loyalty programme: member or not, enrolment date, points
  earned and redeemed, retained after a year, customer lifetime value and an NPS answer, with
  members more loyal than non-members (the uplifts the ``loyalty-program`` metrics look for).

(``make_survey.py`` beside this file writes ``survey.csv``, the export the scorecard examples use.)
"""

from __future__ import annotations

import csv
import datetime
import random
from pathlib import Path

SEED = 20241217
HERE = Path(__file__).resolve().parent
REGIONS = ("EU", "NA", "APAC")
QUARTERS = ("2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4")
INVALID = ("n/a", "11", "-3", "?")


def _nps_answer(rng: random.Random, lift: float) -> int:
    """A 0–10 answer; ``lift`` shifts weight from detractors to promoters."""
    weights = [3, 2, 2, 3, 3, 5, 7, 12, 18, 22 + 10 * lift, 23 + 10 * lift]
    return rng.choices(range(11), weights)[0]


def _messy(rng: random.Random, value: object) -> object:
    """Mostly the value; sometimes blank (2%) or an invalid entry (1%), as in real exports."""
    draw = rng.random()
    if draw < 0.02:
        return ""
    if draw < 0.03:
        return rng.choice(INVALID)
    return value


def survey_rows(rng: random.Random, rows: int = 800) -> list[dict[str, object]]:
    """The quarterly survey, one dict per respondent."""
    result = []
    for number in range(1, rows + 1):
        quarter = rng.randrange(len(QUARTERS))
        region = rng.choice(REGIONS)
        result.append(
            {
                "respondent_id": f"S{number:05d}",
                "region": region,
                "quarter": QUARTERS[quarter],
                "likelihood_to_recommend": _messy(rng, _nps_answer(rng, quarter / 3)),
                "csat": _messy(rng, rng.choices(range(1, 6), [5, 7, 12, 36, 40])[0]),
                "ces": _messy(rng, rng.choices(range(1, 8), [3, 4, 7, 11, 22, 31, 22])[0]),
                "resolved_first_contact": _messy(rng, "yes" if rng.random() < 0.72 else "no"),
                "first_response_hours": _messy(rng, round(rng.lognormvariate(1.2, 1.0), 2)),
            }
        )
    return result


def member_rows(rng: random.Random, rows: int = 600) -> list[dict[str, object]]:
    """The loyalty export, one dict per customer; members earn, redeem, stay and spend more."""
    start = datetime.date(2023, 1, 1)
    result = []
    for number in range(1, rows + 1):
        member = rng.random() < 0.45
        earned = round(rng.lognormvariate(6.5, 0.8)) if member else 0
        result.append(
            {
                "customer_id": f"C{number:05d}",
                "member": "yes" if member else "no",
                "enrolled": (start + datetime.timedelta(days=rng.randrange(365))).isoformat()
                if member
                else "",
                "points_earned": earned,
                "points_redeemed": round(earned * rng.betavariate(3, 4)) if member else 0,
                "retained": "yes" if rng.random() < (0.82 if member else 0.64) else "no",
                "clv": round(rng.lognormvariate(6.2 if member else 5.8, 0.6), 2),
                "nps": _messy(rng, _nps_answer(rng, 0.8 if member else 0.0)),
            }
        )
    # CLV as an index where the average non-member is 100, as the loyalty-program framework reads it.
    non_members = [row["clv"] for row in result if row["member"] == "no"]
    baseline = sum(non_members) / len(non_members)  # type: ignore[arg-type]
    for row in result:
        row["clv_index"] = round(100 * row["clv"] / baseline, 1)  # type: ignore[operator]
    return result


def write(path: Path, rows: list[dict[str, object]]) -> None:
    """Write rows as a CSV file with a header (LF line ends, UTF-8)."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def main() -> None:
    """Write both files next to this script."""
    rng = random.Random(SEED)
    write(HERE / "survey-by-region.csv", survey_rows(rng))
    write(HERE / "members.csv", member_rows(rng))


if __name__ == "__main__":
    main()
