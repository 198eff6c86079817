"""Generate examples/data/orders.csv: a year and a half of a small shop's orders, seeded.

Customers follow the BG/NBD story (Fader, Hardie & Lee 2005): each joins on a day of the first
year, buys at a Gamma-distributed weekly rate while alive and may drop out after each purchase with
a Beta-distributed probability; order values are Gamma with a customer-level scale (the
Gamma-Gamma model). A few rows carry what real exports carry: refunds, two orders on one day, a
blank customer, a date that is not one, an amount that is not a number.

    python examples/data/make_orders.py   # rewrites orders.csv next to this file
"""

import csv
import datetime
import random
from pathlib import Path

SEED = 14
CUSTOMERS = 700
START = datetime.date(2024, 1, 1)
END = datetime.date(2025, 6, 30)


def orders(rng: random.Random) -> list[tuple[str, str, str]]:
    """Rows of (customer_id, order_date, amount), sorted by date then customer."""
    rows: list[tuple[str, str, str]] = []
    days = (END - START).days
    for number in range(1, CUSTOMERS + 1):
        customer = f"C{number:04d}"
        rate = rng.gammavariate(0.6, 1 / 3.0)  # orders per week while alive (r=0.6, alpha=3)
        dropout = rng.betavariate(1.0, 3.0)
        scale = 1 / rng.gammavariate(4.0, 1 / 150.0)  # Gamma-Gamma: nu ~ Gamma(q=4, gamma=150)
        day = rng.randrange(0, 365)
        while day <= days:
            amount = round(rng.gammavariate(3.0, scale), 2)
            rows.append((customer, (START + datetime.timedelta(days=day)).isoformat(), f"{amount:.2f}"))
            if rng.random() < 0.04:  # a second order the same day
                rows.append((customer, (START + datetime.timedelta(days=day)).isoformat(), "12.50"))
            if rng.random() < 0.03:  # a partial refund a few days later
                refund = START + datetime.timedelta(days=min(day + rng.randrange(1, 20), days))
                rows.append((customer, refund.isoformat(), f"-{amount / 2:.2f}"))
            if rng.random() < dropout or rate <= 0:
                break
            day += max(1, round(rng.expovariate(rate / 7.0)))
    rows.sort(key=lambda row: (row[1], row[0]))
    rows[10] = ("", rows[10][1], rows[10][2])
    rows[20] = (rows[20][0], "soon", rows[20][2])
    rows[30] = (rows[30][0], rows[30][1], "n/a")
    return rows


def write(target: Path, rows: list[tuple[str, str, str]]) -> None:
    """The rows as a CSV file with its header."""
    with target.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["customer_id", "order_date", "amount"])
        writer.writerows(rows)


def main() -> None:
    write(Path(__file__).with_name("orders.csv"), orders(random.Random(SEED)))


if __name__ == "__main__":
    main()
