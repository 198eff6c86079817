"""``cxscore measure`` end to end on real engines: DuckDB over files, and Ibis's SQLite backend.

Every expected number is computed here from the raw rows, by the definitions in the issue, without
the package's code; the same data runs on both engines.
"""

from __future__ import annotations

import csv
import json
import math
import sqlite3
import statistics
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from scipy.stats import binom
from statsmodels.stats.proportion import confint_proportions_2indep

from cxscore.data import DataSource, MeasureKind, MeasureSpec, compute_measure, compute_measures
from cxscore.errors import InputError

Z = 1.959963984540054
COLUMNS = ["id", "region", "quarter", "ltr", "csat", "ces", "fcr", "hours"]
INVALID_LTR = ["", "n/a", "11", "7.5", "-1"]


def survey_rows() -> list[dict[str, Any]]:
    """400 valid NPS answers (200 P, 120 passive, 80 D) plus five invalid ones, in two regions/quarters."""
    ltr = [9, 10] * 100 + [7, 8] * 60 + [0, 3, 5, 6] * 20 + INVALID_LTR
    rows = []
    for i, answer in enumerate(ltr):
        rows.append(
            {
                "id": i + 1,
                "region": "EU" if i % 3 else "US",
                "quarter": f"2024-Q{1 + i % 2}",
                "ltr": answer,
                "csat": [5, 4, 4, 3, 2, 1, "x", ""][i % 8],
                "ces": [1, 2, 3, 4, 5, 6, 7, 9][i % 8],
                "fcr": ["yes", "No", "TRUE", "false", "1", "0", "maybe", ""][i % 8],
                "hours": ["0.5", "1", "2.25", "12", "48", "-3", "abc", ""][i % 8],
            }
        )
    return rows


def write_csv(path: Path, rows: list[dict[str, Any]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_sqlite(path: Path, rows: list[dict[str, Any]], table: str = "survey") -> str:
    """A SQLite table of text columns holding the same cells (blank cells as NULL, as CSV readers do)."""
    columns = list(rows[0])
    with sqlite3.connect(path) as connection:
        connection.execute(f"CREATE TABLE {table} ({', '.join(f'{c} TEXT' for c in columns)})")
        connection.executemany(
            f"INSERT INTO {table} VALUES ({', '.join('?' for _ in columns)})",
            [[None if row[c] == "" else str(row[c]) for c in columns] for row in rows],
        )
    connection.close()
    return f"sqlite:///{path}"


@pytest.fixture(params=["duckdb", "sqlite"])
def source_of(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[list[dict[str, Any]]], DataSource]:
    """Make a DataSource holding the rows: a CSV read by DuckDB, or a table on SQLite."""

    def make(rows: list[dict[str, Any]]) -> DataSource:
        if request.param == "duckdb":
            return DataSource(paths=(str(write_csv(tmp_path / "survey.csv", rows)),))
        return DataSource(table="survey", engine=write_sqlite(tmp_path / "survey.db", rows))

    return make


# Independent reference computations -------------------------------------------------------------


def as_number(cell: Any) -> float | None:
    try:
        return float(str(cell).strip())
    except ValueError:
        return None


def on_scale(cells: list[Any], low: int, high: int) -> list[int]:
    values = [as_number(cell) for cell in cells]
    return [int(v) for v in values if v is not None and v in {float(k) for k in range(low, high + 1)}]


def wilson(successes: int, n: int) -> tuple[float, float]:
    p = successes / n
    centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    half = Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n)) / (1 + Z * Z / n)
    return 100 * (centre - half), 100 * (centre + half)


def fcr_values(cells: list[Any]) -> list[int]:
    words = {"true": 1, "yes": 1, "1": 1, "false": 0, "no": 0, "0": 0}
    return [words[str(c).strip().lower()] for c in cells if str(c).strip().lower() in words]


def by_kind(results: Any, kind: MeasureKind, group: dict[str, Any] | None = None) -> Any:
    matches = [r for r in results if r.kind is kind and r.group == group]
    assert len(matches) == 1, matches
    return matches[0]


ALL = [
    MeasureSpec(MeasureKind.nps, "ltr"),
    MeasureSpec(MeasureKind.csat, "csat"),
    MeasureSpec(MeasureKind.ces, "ces"),
    MeasureSpec(MeasureKind.fcr, "fcr"),
    MeasureSpec(MeasureKind.response_time, "hours", unit="hours"),
]


# Measures -----------------------------------------------------------------------------------------


def test_every_measure_matches_the_definitions(source_of: Callable[..., DataSource]) -> None:
    rows = survey_rows()
    report = compute_measures(source_of(rows), ALL)
    results = report.results
    assert [r.group for r in results] == [None] * 5

    nps = by_kind(results, MeasureKind.nps)
    assert (nps.value, nps.n, nps.invalid) == (30.0, 400, 5)
    assert (round(nps.ci_low, 1), round(nps.ci_high, 1)) == (22.2, 37.4)

    csat_values = on_scale([r["csat"] for r in rows], 1, 5)
    csat = by_kind(results, MeasureKind.csat)
    top = sum(1 for v in csat_values if v >= 4)
    assert (csat.n, csat.invalid) == (len(csat_values), len(rows) - len(csat_values))
    assert csat.value == pytest.approx(100 * top / len(csat_values))
    assert (csat.ci_low, csat.ci_high) == pytest.approx(wilson(top, len(csat_values)))

    ces_values = on_scale([r["ces"] for r in rows], 1, 7)
    ces = by_kind(results, MeasureKind.ces)
    se = statistics.stdev(ces_values) / math.sqrt(len(ces_values))
    assert ces.n == len(ces_values)
    assert ces.value == pytest.approx(statistics.fmean(ces_values))
    # Large n: the t quantile is within 0.5% of the normal one, and exact to the package's own.
    assert ces.ci_high - ces.value == pytest.approx(Z * se, rel=5e-3)

    fcr_list = fcr_values([r["fcr"] for r in rows])
    fcr = by_kind(results, MeasureKind.fcr)
    assert (fcr.n, fcr.invalid) == (len(fcr_list), len(rows) - len(fcr_list))
    assert fcr.value == pytest.approx(100 * sum(fcr_list) / len(fcr_list))
    assert (fcr.ci_low, fcr.ci_high) == pytest.approx(wilson(sum(fcr_list), len(fcr_list)))

    hours = [v for v in (as_number(r["hours"]) for r in rows) if v is not None and v >= 0]
    cuts = statistics.quantiles(hours, n=10, method="inclusive")
    response = by_kind(results, MeasureKind.response_time)
    assert (response.n, response.invalid) == (len(hours), len(rows) - len(hours))
    assert response.median == pytest.approx(statistics.median(hours))
    assert response.value == response.median
    assert response.p90 == pytest.approx(cuts[8])
    # Distribution-free intervals: the order statistics at the binomial ranks (scipy's quantiles).
    ordered = sorted(hours)
    for q, low, high in (
        (0.5, response.ci_low, response.ci_high),
        (0.9, response.p90_ci_low, response.p90_ci_high),
    ):
        n = len(ordered)
        low_rank = int(binom.ppf(0.025, n, q))  # smallest k with F(k) >= 0.025
        low_rank += binom.cdf(low_rank, n, q) <= 0.025  # l: the smallest k with F(k) > 0.025
        high_rank = int(binom.ppf(0.975, n, q)) + 1
        assert (low, high) == (ordered[low_rank - 1], ordered[high_rank - 1])


def test_invalid_answers_are_warned_about_with_an_example(source_of: Callable[..., DataSource]) -> None:
    report = compute_measures(source_of(survey_rows()), [MeasureSpec(MeasureKind.nps, "ltr")])
    assert len(report.warnings) == 1
    warning = report.warnings[0]
    assert "warning: 5 of 405 rows have no valid NPS answer in 'ltr'" in warning
    assert "e.g. 'n/a'" in warning


def test_small_samples_are_flagged_insufficient_n(source_of: Callable[..., DataSource]) -> None:
    rows = [{"ltr": 10}, {"ltr": 0}, {"ltr": 8}]
    result = compute_measure(MeasureSpec(MeasureKind.nps, "ltr"), source_of(rows))
    assert (result.value, result.n, result.invalid, result.insufficient_n) == (0.0, 3, 0, True)


def test_by_gives_each_segment_and_the_overall(source_of: Callable[..., DataSource]) -> None:
    rows = survey_rows()
    report = compute_measures(source_of(rows), [MeasureSpec(MeasureKind.nps, "ltr")], by=["region"])
    assert [r.group for r in report.results] == [None, {"region": "EU"}, {"region": "US"}]
    for result in report.results[1:]:
        cells = [r["ltr"] for r in rows if r["region"] == result.group["region"]]
        valid = on_scale(cells, 0, 10)
        promoters = sum(1 for v in valid if v >= 9)
        detractors = sum(1 for v in valid if v <= 6)
        assert result.n == len(valid)
        assert result.invalid == len(cells) - len(valid)
        assert result.value == pytest.approx(100 * (promoters - detractors) / len(valid))


def test_trend_reports_changes_with_newcombe_tests(source_of: Callable[..., DataSource]) -> None:
    rows = [{"wave": "2", "csat": 5 if i < 150 else 1} for i in range(200)]
    rows += [{"wave": "10", "csat": 5 if i < 100 else 2} for i in range(200)]
    rows += [{"wave": "1", "csat": 4 if i < 100 else 3} for i in range(200)]
    report = compute_measures(source_of(rows), [MeasureSpec(MeasureKind.csat, "csat")], trend="wave")
    periods = report.results[1:]
    # Text periods that are all numbers sort as numbers: 1, 2, 10 (not "1", "10", "2").
    assert [r.group for r in periods] == [{"wave": "1"}, {"wave": "2"}, {"wave": "10"}]
    assert [r.value for r in periods] == [50.0, 75.0, 50.0]
    assert periods[0].change is None
    assert periods[0].p_value is None

    assert periods[1].change == 25.0
    assert periods[1].base == "1"
    assert periods[2].base == "2"
    # The p-value inverts Newcombe's hybrid interval: at level 1 - p, one of its bounds is 0.
    p_value = periods[1].p_value
    assert p_value is not None
    low, high = confint_proportions_2indep(150, 200, 100, 200, method="newcomb", alpha=p_value)
    assert min(abs(low), abs(high)) == pytest.approx(0, abs=1e-9)
    assert periods[1].significant is True
    assert periods[2].change == -25.0
    # Two tests in the run, Holm-adjusted: the smaller p doubled.
    assert report.tests == 2
    assert report.adjustment == "holm"
    smaller = min(periods[1].p_value or 1, periods[2].p_value or 1)
    assert min(periods[1].p_adjusted or 1, periods[2].p_adjusted or 1) == pytest.approx(2 * smaller)


def test_trend_within_segments_compares_each_segment_with_itself(
    source_of: Callable[..., DataSource],
) -> None:
    rows = [{"region": r, "q": q, "ltr": v} for r in ("EU", "US") for q in ("a", "b") for v in [9, 0] * 60]
    rows += [{"region": "US", "q": "b", "ltr": 10} for _ in range(60)]
    report = compute_measures(
        source_of(rows), [MeasureSpec(MeasureKind.nps, "ltr")], by=["region"], trend="q"
    )
    segment_periods = [r for r in report.results if r.group and len(r.group) == 2]
    assert [(r.group["region"], r.group["q"], r.change) for r in segment_periods] == [
        ("EU", "a", None),
        ("EU", "b", 0.0),
        ("US", "a", None),
        ("US", "b", pytest.approx(100 * (120 - 60) / 180 - 0)),
    ]
    assert segment_periods[1].p_value == pytest.approx(1.0)
    assert segment_periods[1].significant is False


def test_numeric_and_boolean_columns(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table(
        {
            "ltr": pa.array([9, 10, 7, 3, 12, None], pa.int64()),
            "ces": pa.array([1.0, 7.0, 2.5, float("nan"), 4.0, None]),
            "fcr": pa.array([True, False, True, None, True, False]),
            "hours": pa.array([1.0, float("inf"), 2.0, -1.0, 3.0, float("nan")]),
        }
    )
    pq.write_table(table, tmp_path / "typed.parquet")
    source = DataSource(paths=(str(tmp_path / "typed.parquet"),))
    report = compute_measures(source, [MeasureSpec(MeasureKind.nps, "ltr")] + ALL[2:4] + [ALL[4]])
    nps, ces, fcr, hours = report.results
    assert (nps.n, nps.invalid, nps.value) == (4, 2, 25.0)
    assert (ces.n, ces.invalid, ces.value) == (3, 3, 4.0)
    assert (fcr.n, fcr.invalid, fcr.value) == (5, 1, 60.0)
    assert (hours.n, hours.invalid, hours.median) == (3, 3, 2.0)


def test_several_files_and_globs_are_read_together(tmp_path: Path) -> None:
    rows = survey_rows()
    write_csv(tmp_path / "a.csv", rows[:200])
    write_csv(tmp_path / "b.csv", rows[200:])
    spec = MeasureSpec(MeasureKind.nps, "ltr")
    by_glob = compute_measure(spec, DataSource(paths=(str(tmp_path / "*.csv"),)))
    by_list = compute_measure(spec, DataSource(paths=("a.csv", "b.csv"), base=str(tmp_path)))
    assert by_glob == by_list
    assert (by_glob.value, by_glob.n, by_glob.invalid) == (30.0, 400, 5)


def test_ndjson_files(tmp_path: Path) -> None:
    lines = [json.dumps({"csat": v}) for v in [5, 4, 1, "n/a", None]]
    (tmp_path / "answers.ndjson").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = compute_measure(
        MeasureSpec(MeasureKind.csat, "csat"), DataSource(paths=(str(tmp_path / "answers.ndjson"),))
    )
    assert (result.n, result.invalid) == (3, 2)
    assert result.value == pytest.approx(200 / 3)


# Errors -------------------------------------------------------------------------------------------


def error_lines(error: InputError) -> list[str]:
    return [issue.format() for issue in error.issues]


def test_missing_column_lists_the_available_ones(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "survey.csv", survey_rows())
    with pytest.raises(InputError) as caught:
        compute_measure(MeasureSpec(MeasureKind.nps, "ltrr"), DataSource(paths=(str(path),)))
    assert error_lines(caught.value) == [
        f"{path}:1:1: no column 'ltrr'; did you mean 'ltr'? (columns: {', '.join(COLUMNS)})"
    ]


def test_text_column_with_no_valid_answer_points_at_its_header(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "survey.csv", survey_rows())
    with pytest.raises(InputError) as caught:
        compute_measure(MeasureSpec(MeasureKind.nps, "region"), DataSource(paths=(str(path),)))
    assert error_lines(caught.value) == [
        f"{path}:1:4: column 'region' has no valid NPS answer (integers 0–10): e.g. 'US'"
    ]


def test_wrong_column_type_is_located(tmp_path: Path) -> None:
    import datetime

    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"when": [datetime.date(2024, 1, 1)]}), tmp_path / "dates.parquet")
    with pytest.raises(InputError) as caught:
        compute_measure(
            MeasureSpec(MeasureKind.ces, "when"), DataSource(paths=(str(tmp_path / "dates.parquet"),))
        )
    assert error_lines(caught.value) == [
        f"{tmp_path / 'dates.parquet'}: column 'when' holds date, but CES needs integers 1–7"
    ]


def test_missing_table_on_sqlite_lists_tables(tmp_path: Path) -> None:
    engine = write_sqlite(tmp_path / "survey.db", survey_rows())
    with pytest.raises(InputError) as caught:
        compute_measure(MeasureSpec(MeasureKind.nps, "ltr"), DataSource(table="answers", engine=engine))
    assert error_lines(caught.value) == ["answers: no such table on the engine; tables: survey"]


def test_all_blank_column_is_an_error(source_of: Callable[..., DataSource]) -> None:
    with pytest.raises(
        InputError, match=r"column 'csat' has no valid CSAT answer \(integers 1–5\): all 2 rows"
    ):
        compute_measure(
            MeasureSpec(MeasureKind.csat, "csat"), source_of([{"id": 1, "csat": ""}, {"id": 2, "csat": ""}])
        )


def test_columns_named_like_internal_names_are_fine(source_of: Callable[..., DataSource]) -> None:
    rows = [{"rows": "a" if i % 2 else "b", "x": i % 3, "count": i % 11, "hours": i} for i in range(40)]
    report = compute_measures(
        source_of(rows),
        [MeasureSpec(MeasureKind.nps, "count"), MeasureSpec(MeasureKind.response_time, "hours")],
        by=["rows", "x"],
    )
    groups = [r.group for r in report.results if r.kind is MeasureKind.response_time]
    assert groups[0] is None
    assert len(groups) == 1 + 6
    first = [
        r for r in report.results if r.group == {"rows": "a", "x": "0"} or r.group == {"rows": "a", "x": 0}
    ]
    hours = [i for i in range(40) if i % 2 and i % 3 == 0]
    assert first[1].median == pytest.approx(statistics.median(hours))
