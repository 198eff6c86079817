"""``cxscore drivers`` on the command line: the JSON contract, formats, exit codes and one-line
errors, and the loop drivers → derived framework → rate / compare."""

from __future__ import annotations

import csv
import io
import json
import math
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from typer.testing import Result

ROOT = Path(__file__).resolve().parent.parent
SURVEY = ROOT / "examples/data/drivers-survey.csv"
METRICS = [
    "first_contact_resolution",
    "empathy",
    "responsiveness",
    "feedback_capture",
    "consistency",
    "personalization",
]
MAPPED = [arg for metric in METRICS for arg in ("--driver", f"{metric}={metric}")]
CONTRACT = ["schema_version", "outcome", "n", "invalid", "r_squared", "adjusted_r_squared", "drivers"]
DRIVER_FIELDS = [
    "driver",
    "metric",
    "relative_weight",
    "share_percent",
    "ci_low",
    "ci_high",
    "shapley",
    "beta",
    "r",
    "vif",
    "mean",
    "performance_percent",
    "quadrant",
]


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.output
    return result


def refused(result: Result) -> list[str]:
    assert result.exit_code == 2, result.output
    return result.stderr.strip().splitlines()


def test_json_contract(cli: Callable[..., Result]) -> None:
    result = ok(
        cli(
            "drivers",
            SURVEY,
            "--outcome",
            "likelihood_to_recommend",
            *MAPPED,
            "--replicates",
            "40",
            "-f",
            "json",
        )
    )
    document = json.loads(result.stdout)
    assert list(document) == CONTRACT
    assert document["schema_version"] == 1
    assert (document["n"], document["invalid"]) == (567, 33)
    drivers = document["drivers"]
    assert [list(entry) for entry in drivers] == [DRIVER_FIELDS] * 6
    assert sum(d["relative_weight"] for d in drivers) == pytest.approx(document["r_squared"])
    assert sum(d["shapley"] for d in drivers) == pytest.approx(document["r_squared"])
    assert sum(d["share_percent"] for d in drivers) == pytest.approx(100)
    shares = [d["share_percent"] for d in drivers]
    assert shares == sorted(shares, reverse=True)
    # The example survey was drawn with first-contact resolution and empathy weighing most.
    assert {drivers[0]["driver"], drivers[1]["driver"]} == {"first_contact_resolution", "empathy"}
    assert drivers[0]["metric"] == drivers[0]["driver"]
    # cx-six rates 1..5: performance is the mean's position on that scale.
    assert drivers[0]["performance_percent"] == pytest.approx(100 * (drivers[0]["mean"] - 1) / 4)
    assert "warning: 33 of 600 rows are left out (listwise)" in result.stderr


def test_by_gives_groups(cli: Callable[..., Result]) -> None:
    args = ["--outcome", "likelihood_to_recommend", "--driver", "empathy", "--driver", "consistency"]
    result = ok(cli("drivers", SURVEY, *args, "--by", "region", "--replicates", "20", "-f", "json"))
    document = json.loads(result.stdout)
    assert list(document) == ["schema_version", "groups"]
    assert [group["group"] for group in document["groups"]] == [{"region": "north"}, {"region": "south"}]
    assert all(list(group)[1:] == CONTRACT[1:] for group in document["groups"])
    assert sum(group["n"] for group in document["groups"]) == 567 + 33 - sum(
        group["invalid"] for group in document["groups"]
    )


@pytest.mark.parametrize("output_format", ["table", "markdown", "csv", "html"])
def test_every_format_escapes_user_text(
    cli: Callable[..., Result], write: Callable[..., Path], output_format: str
) -> None:
    lines = ["y,<script>x</script>,=HYPERLINK(1),[bold]c[/]"]
    for i in range(40):
        lines.append(f"{(i * 7) % 11},{i % 5},{(i * 3) % 4},{(i * i) % 6}")
    data = write("\n".join(lines) + "\n", "hostile.csv")
    drivers = ["--driver", "<script>x</script>", "--driver", "=HYPERLINK(1)", "--driver", "[bold]c[/]"]
    result = ok(cli("drivers", data, "--outcome", "y", *drivers, "--replicates", "10", "-f", output_format))
    text = result.stdout
    if output_format == "html":
        assert "<script>" not in text
        assert "&lt;script&gt;" in text
        assert "<svg" in text
        assert "fix first" in text
    if output_format == "csv":
        rows = list(csv.DictReader(io.StringIO(text)))
        assert {row["driver"] for row in rows} == {"<script>x</script>", "'=HYPERLINK(1)", "[bold]c[/]"}
    if output_format in ("table", "markdown"):
        assert "c[/]" in text.replace("\\", "")


def test_bad_input_exits_2_with_located_lines(cli: Callable[..., Result], write: Callable[..., Path]) -> None:
    lines = ["ltr,speed,flat,comment,twice,speed2"]
    for i in range(30):
        lines.append(f"{i % 11},{i % 5},3,fine,{(i % 5) * 2},{i % 3}")
    data = write("\n".join(lines) + "\n", "bad.csv")
    base = ["drivers", data, "--outcome", "ltr", "--replicates", "0"]
    [line] = refused(cli(*base, "--driver", "speed", "--driver", "flat"))
    assert line.startswith(f"{data}:1:11: column 'flat' has the same value (3)")
    [line] = refused(cli(*base, "--driver", "speed", "--driver", "comment"))
    assert line.startswith(f"{data}:1:16: column 'comment' has no numeric value")
    [line] = refused(cli(*base, "--driver", "speed", "--driver", "twice", "--driver", "speed2"))
    assert "drivers 'speed', 'twice' are perfectly collinear" in line
    [line] = refused(cli(*base, "--driver", "speed", "--driver", "ltr"))
    assert line == "--driver: 'ltr' is the --outcome: a driver must be another column"
    [line] = refused(cli(*base, "--driver", "speed=speedy"))
    assert line.startswith("--driver: speed=speedy: no metric 'speedy' in framework cx-six")
    [line] = refused(cli(*base, "--driver", "nope"))
    assert line.startswith(f"{data}:1:1: no column 'nope'")
    result = ok(cli(*base, "--driver", "speed", "--driver", "speed2"))
    assert "fewer than 10 per driver" not in result.stderr


def test_too_few_rows_are_flagged_not_refused(cli: Callable[..., Result], write: Callable[..., Path]) -> None:
    lines = ["ltr,a,b,c"] + [f"{(i * 7) % 11},{i % 5},{(i * 3) % 4},{(i * i) % 6}" for i in range(25)]
    data = write("\n".join(lines) + "\n", "few.csv")
    drivers = ["--driver", "a", "--driver", "b", "--driver", "c"]
    result = ok(cli("drivers", data, "--outcome", "ltr", *drivers, "--replicates", "0", "-f", "json"))
    assert "rests on 25 complete rows, fewer than 10 per driver (30 for 3)" in result.stderr
    assert json.loads(result.stdout)["n"] == 25


def test_the_loop_derived_framework_then_rate_and_compare(cli: Callable[..., Result], tmp_path: Path) -> None:
    derived = tmp_path / "cx-six-derived.yaml"
    args = ["--outcome", "likelihood_to_recommend", "--driver", "empathy=empathy"]
    args += ["--driver", "responsiveness=responsiveness", "--driver", "consistency"]
    result = ok(
        cli(
            "drivers",
            SURVEY,
            *args,
            "--replicates",
            "0",
            "-f",
            "json",
            "--write-framework",
            derived,
            "--from",
            "cx-six",
        )
    )
    document = json.loads(result.stdout)
    shares = {d["metric"]: d["share_percent"] for d in document["drivers"] if d["metric"]}
    text = derived.read_text(encoding="utf-8")
    assert text.startswith("# Derived from framework 'cx-six' by `cxscore drivers` on ")
    assert f"n = {document['n']} complete rows ({document['invalid']} left out)" in text
    assert (
        "# Unmapped metrics keep their stated weights: first_contact_resolution, feedback_capture, " in text
    )
    framework = yaml.safe_load(text)
    assert framework["id"] == "cx-six-derived"
    weights = {metric["id"]: metric["weight"] for metric in framework["metrics"]}
    # The two mapped metrics share the 2 points of weight they had, in proportion to their shares.
    assert weights["empathy"] == pytest.approx(2 * shares["empathy"] / 100, rel=1e-5)
    assert weights["responsiveness"] == pytest.approx(2 * shares["responsiveness"] / 100, rel=1e-5)
    assert weights["consistency"] == 1.0
    assert weights["personalization"] == 1.0

    santa = ROOT / "examples/santa.yaml"
    rated = json.loads(ok(cli("rate", santa, "--framework-weights", derived, "-f", "json")).stdout)
    ratings = {
        "first_contact_resolution": 5,
        "empathy": 4,
        "responsiveness": 3,
        "feedback_capture": 2,
        "consistency": 3,
    }
    expected = sum(weights[m] * (r / 5) for m, r in ratings.items()) / sum(weights[m] for m in ratings)
    assert rated["overall_percent"] == pytest.approx(100 * expected)
    assert rated["framework"] == "cx-six-derived"

    # The written file is a framework in its own right: a brand file can name it.
    brand = tmp_path / "santa.yaml"
    shutil.copy(santa, brand)
    brand.write_text(
        brand.read_text(encoding="utf-8").replace("framework: cx-six", "framework: cx-six-derived.yaml"),
        encoding="utf-8",
    )
    named = json.loads(ok(cli("rate", brand, "-f", "json")).stdout)
    assert named["overall_percent"] == pytest.approx(rated["overall_percent"])
    assert not math.isclose(named["overall_percent"], 68.0)

    grinch = ROOT / "examples/grinch.yaml"
    compared = json.loads(
        ok(cli("compare", santa, grinch, "--framework-weights", derived, "-f", "json")).stdout
    )
    assert [b["overall_percent"] for b in compared["brands"]][0] == pytest.approx(rated["overall_percent"])


def test_framework_weights_must_fit_the_brands_framework(cli: Callable[..., Result]) -> None:
    pillars = ROOT / "metrics/six-pillars.yaml"
    [line] = refused(cli("rate", ROOT / "examples/santa.yaml", "--framework-weights", pillars))
    assert "--framework-weights: metric " in line
    assert "is not in the brand's framework cx-six" in line


def test_write_framework_needs_a_mapped_driver_and_no_by(cli: Callable[..., Result], tmp_path: Path) -> None:
    target = tmp_path / "out.yaml"
    base = ["drivers", SURVEY, "--outcome", "likelihood_to_recommend", "--replicates", "0"]
    [line] = refused(
        cli(*base, "--driver", "empathy", "--driver", "consistency", "--write-framework", target)
    )
    assert line.startswith("--write-framework: map at least one driver to a metric")
    [line] = refused(
        cli(
            *base,
            "--driver",
            "empathy=empathy",
            "--driver",
            "consistency",
            "--by",
            "region",
            "--write-framework",
            target,
        )
    )
    assert line.startswith("--write-framework: needs one model over all rows")
    assert not target.exists()


@pytest.mark.skipif(
    shutil.which("chromium") is None,
    reason="headless Chromium is not installed (Debian: apt-get install chromium); .ci/run installs it",
)
def test_html_map_renders_in_chromium(cli: Callable[..., Result], tmp_path: Path) -> None:
    import subprocess

    page = tmp_path / "drivers.html"
    args = ["--outcome", "likelihood_to_recommend", *MAPPED, "--replicates", "20", "-o", page]
    ok(cli("drivers", SURVEY, *args))
    command = [
        str(shutil.which("chromium")), "--headless", "--no-sandbox", "--disable-gpu",
        f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", page.as_uri(),
    ]  # fmt: skip
    dom = subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)
    assert dom.returncode == 0, dom.stderr
    assert dom.stdout.count("<circle") == 6
    assert "importance: share of R²" in dom.stdout
    assert "<script" not in dom.stdout


def test_the_example_survey_is_what_its_seeded_generator_writes(tmp_path: Path) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_drivers", ROOT / "examples/data/make_drivers.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    rows = module.survey_rows()
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    assert buffer.getvalue() == SURVEY.read_bytes().decode("utf-8")
