"""`cxscore init`: a starter brand file that is valid except that nothing is rated yet."""

from __future__ import annotations

import datetime
import errno
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import Result

from cxscore import starter
from cxscore.errors import CxScoreError
from cxscore.loader import FrameworkCatalog, bundled_framework_ids
from cxscore.models import MEASURE_RANGES, Framework, Metric
from cxscore.starter import build_starter, starter_text, write_new_file, yaml_scalar
from cxscore.yamlsafe import parse_yaml

CATALOG = FrameworkCatalog()
TODAY = datetime.date.today().isoformat()
NOTHING_RATED = "nothing is rated, so there is no score: rate at least one metric"


def frameworks() -> list[Framework]:
    return [CATALOG.load_bundled(framework_id) for framework_id in bundled_framework_ids()]


def a_value(metric: Metric, framework: Framework) -> float:
    """A rating (the top of the scale) or a measured value (within the measure's range)."""
    if metric.measure is None:
        return framework.scale.max
    low, high = MEASURE_RANGES[metric.measure.name]
    return high if high is not None else (low or 0) + 1


def test_init_prints_the_starter(cli: Callable[..., Result]) -> None:
    result = cli("init")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "# yaml-language-server: $schema=cxscore-cx-six.schema.json"
    assert "brand: Your brand" in lines
    assert "framework: cx-six" in lines
    assert f"assessed: {TODAY}" in lines
    assert result.stderr == ""


@pytest.mark.parametrize("framework", frameworks(), ids=lambda f: f.id)
def test_every_metric_is_there_unrated_with_its_name_and_weight(
    cli: Callable[..., Result], framework: Framework
) -> None:
    text = cli("init", "--framework", framework.id).stdout
    data = parse_yaml(text, "starter").data
    assert data["ratings"] == {metric.id: None for metric in framework.metrics}
    for metric in framework.metrics:
        assert f"  # {metric.name} · weight {metric.weight:g} · " in text


def test_rated_metrics_say_what_the_bottom_and_top_ratings_look_like(cli: Callable[..., Result]) -> None:
    text = cli("init").stdout
    block = text.split("  # Empathy · weight 1 · rated 1–5\n", 1)[1].split("  empathy: null", 1)[0]
    assert block == (
        "  #   Whether staff recognise each customer's situation and act on it.\n"
        "  #   1: contacts follow a script whatever the customer says and survey comments describe feeling\n"
        "  #      processed\n"
        "  #   5: reviewed contacts show staff restating the customer's situation, adapting the solution to\n"
        "  #      it and, when they cannot give what was asked, explaining why and offering an alternative,\n"
        "  #      and most customers agree that they were understood\n"
    )


def test_measured_metrics_say_what_is_measured_and_how_it_scores(cli: Callable[..., Result]) -> None:
    text = cli("init", "--framework", "cx-kpis").stdout
    block = text.split("  # Net Promoter Score · weight 1 · measured\n", 1)[1].split("  nps: null", 1)[0]
    assert "  #   measure: NPS of column likelihood_to_recommend (points; -100 to 100)\n" in block
    assert "  #   curve: linear, 9 scores 0% and 66 scores 100% (higher is better)\n" in block
    assert "lognormal, 1 scores 90% and 12 scores 50% (lower is better)" in text


def test_a_description_in_another_form_is_given_whole(write: Callable[..., Path]) -> None:
    framework = Framework.model_validate(
        {
            "id": "plain",
            "name": "Plain",
            "scale": {"min": 0, "max": 10},
            "bands": [{"name": "All", "min": 0}],
            "metrics": [{"id": "speed", "name": "Speed", "description": "How fast\nanswers come."}],
        }
    )
    text = starter_text(framework, "plain.yaml", datetime.date(2025, 1, 31), "B", "s.json")
    assert "  # Speed · weight 1 · rated 0–10\n  #   How fast answers come.\n  speed: null\n" in text


@pytest.mark.parametrize("framework", frameworks(), ids=lambda f: f.id)
def test_validate_says_only_that_nothing_is_rated_until_one_rating_is_filled_in(
    cli: Callable[..., Result], tmp_path: Path, framework: Framework
) -> None:
    path = tmp_path / "brand.yaml"
    assert cli("init", "--framework", framework.id, "-o", path).exit_code == 0
    text = path.read_text(encoding="utf-8")
    result = cli("validate", path)
    assert result.exit_code == 2
    line = next(i for i, row in enumerate(text.splitlines(), 1) if row.endswith(": null"))
    assert result.stderr == f"{path}:{line}:3: {NOTHING_RATED}\n"
    for metric in framework.metrics:
        value = a_value(metric, framework)
        path.write_text(
            text.replace(f"  {metric.id}: null\n", f"  {metric.id}: {value:g}\n"), encoding="utf-8"
        )
        rated = cli("validate", path)
        assert rated.exit_code == 0, (metric.id, rated.output)


def test_init_never_overwrites(cli: Callable[..., Result], tmp_path: Path) -> None:
    path = tmp_path / "brand.yaml"
    path.write_text("brand: Mine\n", encoding="utf-8")
    before = path.stat()
    result = cli("init", "-o", path)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"{path}: already exists, and cxscore init never overwrites a file: name a new one\n"
    )
    assert path.read_text(encoding="utf-8") == "brand: Mine\n"
    assert path.stat().st_mtime_ns == before.st_mtime_ns
    assert sorted(p.name for p in tmp_path.iterdir()) == ["brand.yaml"]  # no temporary file left


@pytest.mark.parametrize("kind", ["directory", "dangling symlink", "symlink to a file"])
def test_init_never_writes_through_what_stands_there(
    cli: Callable[..., Result], tmp_path: Path, kind: str
) -> None:
    path = tmp_path / "brand.yaml"
    target = tmp_path / "elsewhere.yaml"
    if kind == "directory":
        path.mkdir()
    elif kind == "dangling symlink":
        path.symlink_to(target)
    else:
        target.write_text("keep\n", encoding="utf-8")
        path.symlink_to(target)
    result = cli("init", "-o", path)
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 1
    assert not target.exists() or target.read_text(encoding="utf-8") == "keep\n"


def test_init_writes_a_new_file_and_says_how_to_get_its_schema(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    path = tmp_path / "brand.yaml"
    result = cli("init", "--framework", "six-pillars", "--brand", "Acme", "-o", path)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert result.stderr == (
        f"{path}: written; for completion in editors: cxscore schema --framework six-pillars "
        f"-o {tmp_path / 'cxscore-six-pillars.schema.json'}\n"
    )
    assert path.read_text(encoding="utf-8") == starter_text(
        CATALOG.load_bundled("six-pillars"),
        "six-pillars",
        datetime.date.today(),
        "Acme",
        "cxscore-six-pillars.schema.json",
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["brand.yaml"]
    again = cli("init", "--schema", "https://example.org/s.json", "-o", tmp_path / "other.yaml")
    assert again.stderr == ""  # the schema is not a local file to write
    assert (
        (tmp_path / "other.yaml")
        .read_text(encoding="utf-8")
        .startswith("# yaml-language-server: $schema=https://example.org/s.json\n")
    )


def test_a_framework_file_is_named_relative_to_the_new_file(
    cli: Callable[..., Result], write: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(
        "id: mine\nname: Mine\nbands: [{name: All, min: 0}]\nmetrics: [{id: speed, name: Speed}]\n",
        "frameworks/mine.yaml",
    )
    (tmp_path / "brands").mkdir()
    monkeypatch.chdir(tmp_path)
    result = cli("init", "--framework", "frameworks/mine.yaml", "-o", "brands/acme.yaml")
    assert result.exit_code == 0, result.output
    text = Path("brands/acme.yaml").read_text(encoding="utf-8")
    assert "framework: ../frameworks/mine.yaml\n" in text
    assert cli("validate", "brands/acme.yaml").stderr.endswith(f": {NOTHING_RATED}\n")
    Path("brands/acme.yaml").write_text(text.replace("speed: null", "speed: 4"), encoding="utf-8")
    assert cli("validate", "brands/acme.yaml").exit_code == 0


def test_a_framework_file_must_be_yaml(cli: Callable[..., Result], write: Callable[..., Path]) -> None:
    framework = write(
        "id: mine\nname: Mine\nbands: [{name: All, min: 0}]\nmetrics: [{id: a, name: A}]\n", "fw/mine.txt"
    )
    result = cli("init", "--framework", framework)
    assert result.exit_code == 2
    assert result.stderr == (
        f"{framework}: a brand file can name only a .yaml or .yml framework file: rename the file\n"
    )


def test_an_unknown_framework_is_one_line(cli: Callable[..., Result], tmp_path: Path) -> None:
    result = cli("init", "--framework", "cx-sx", "-o", tmp_path / "b.yaml")
    assert result.exit_code == 2
    assert result.stderr.startswith("cx-sx: unknown framework 'cx-sx'; did you mean 'cx-six'?")
    assert list(tmp_path.iterdir()) == []


def test_without_hard_links_the_file_is_created_exclusively(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_links(*_: object) -> None:
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    path = tmp_path / "brand.yaml"
    write_new_file(path, "brand: A\n")
    assert path.read_text(encoding="utf-8") == "brand: A\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["brand.yaml"]


def test_a_file_that_appears_meanwhile_is_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "brand.yaml"
    link = os.link

    def someone_else_first(source: str, target: Path) -> None:
        path.write_text("theirs\n", encoding="utf-8")
        link(source, target)

    monkeypatch.setattr(os, "link", someone_else_first)
    with pytest.raises(CxScoreError, match="already exists"):
        write_new_file(path, "mine\n")
    assert path.read_text(encoding="utf-8") == "theirs\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["brand.yaml"]


def test_the_new_file_gets_the_usual_permissions(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        write_new_file(tmp_path / "brand.yaml", "brand: A\n")
    finally:
        os.umask(umask)
    assert (tmp_path / "brand.yaml").stat().st_mode & 0o777 == 0o644


@given(st.text(st.characters(exclude_categories=("Cs",)), min_size=1).filter(str.strip))
def test_any_brand_name_reads_back_as_written(name: str) -> None:
    text = starter_text(CATALOG.load_bundled("cx-six"), "cx-six", datetime.date(2025, 1, 31), name, "s.json")
    assert parse_yaml(text, "starter").data["brand"] == name


@pytest.mark.parametrize(
    "text", ["Acme", "NO", "on", "0755", "1e5", "1:30", "a: b", "x #y", " pad", "null", "'q"]
)
def test_yaml_scalar_is_plain_only_where_that_is_safe(text: str) -> None:
    assert parse_yaml(f"k: {yaml_scalar(text)}\n", "t").data == {"k": text}
    assert yaml_scalar("Acme") == "Acme"


def test_build_starter_defaults() -> None:
    built = build_starter(None, None, datetime.date(2025, 1, 31))
    assert built.framework.id == "cx-six"
    assert built.schema == "cxscore-cx-six.schema.json"
    assert "brand: Your brand\n" in built.text
    assert starter.DEFAULT_BRAND == "Your brand"


def test_init_starts_a_new_folder_of_brand_files(cli: Callable[..., Result], tmp_path: Path) -> None:
    target = tmp_path / "brands" / "acme.yaml"
    result = cli("init", "-o", target)
    assert result.exit_code == 0, result.output
    assert target.is_file()
