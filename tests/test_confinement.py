"""Files a brand file names stay inside its tree, and files that are not cxscore files are never quoted."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import Result

Cli = Callable[..., Result]
SECRET = "s3cr3t-t0ken"

FRAMEWORK = """\
id: tiny
name: Tiny
scale: {min: 1, max: 5}
bands: [{name: Good, min: 50}, {name: Poor, min: 0}]
metrics:
  - {id: speed, name: Speed, description: How fast., weight: 1}
"""


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``repo/brands`` is where brand files live and the current directory; ``elsewhere`` is outside."""
    (tmp_path / "repo" / "brands").mkdir(parents=True)
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "fw.yaml").write_text(FRAMEWORK)
    (tmp_path / "elsewhere" / ".env").write_text(f"TOKEN={SECRET}\n")
    (tmp_path / "elsewhere" / "creds.yaml").write_text(f"token: {SECRET}\npassword: {SECRET}\n")
    monkeypatch.chdir(tmp_path / "repo" / "brands")
    return tmp_path


def brand(tree: Path, framework: str) -> Path:
    path = tree / "repo" / "brands" / "acme.yaml"
    path.write_text(f"brand: Acme\nframework: {framework}\nratings: {{speed: 4}}\n")
    return path


def one_error(result: Result) -> str:
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert SECRET not in result.stderr
    return lines[0]


@pytest.mark.parametrize(
    ("reference", "expected"),
    [
        ("/etc/passwd", "framework '/etc/passwd' is not a YAML file"),
        ("../../elsewhere/.env", "framework '../../elsewhere/.env' is not a YAML file"),
        ("../../elsewhere/fw.yaml", "framework file '../../elsewhere/fw.yaml' is outside the brand file's"),
        ("../../elsewhere/creds.yaml", "is outside the brand file's directory"),
    ],
)
def test_framework_paths_outside_the_tree_are_refused(
    cli: Cli, tree: Path, reference: str, expected: str
) -> None:
    path = brand(tree, reference)
    for command in ("validate", "rate"):
        line = one_error(cli(command, path))
        assert line.startswith(f"{path}:2:12: "), line
        assert expected in line
        assert "root:" not in line


def test_allow_outside_widens_the_tree(cli: Cli, tree: Path) -> None:
    path = brand(tree, "../../elsewhere/fw.yaml")
    result = cli("rate", path, "--format", "total", "--allow-outside", tree / "elsewhere")
    assert result.exit_code == 0, result.output
    assert result.stdout == "80.0\n"  # points scoring: 4 of 5


def test_a_symlink_out_of_the_tree_is_refused(cli: Cli, tree: Path) -> None:
    (tree / "repo" / "brands" / "fw.yaml").symlink_to(tree / "elsewhere" / "fw.yaml")
    line = one_error(cli("validate", brand(tree, "fw.yaml")))
    assert "'fw.yaml' is outside the brand file's directory" in line


def test_a_yaml_file_that_is_not_a_framework_is_not_quoted(cli: Cli, tree: Path) -> None:
    (tree / "repo" / "brands" / "creds.yaml").write_text(f"token: {SECRET}\npassword: {SECRET}\n")
    line = one_error(cli("validate", brand(tree, "creds.yaml")))
    expected = "not a cxscore framework file: expected a YAML mapping with id, name, scale and metrics"
    assert line.endswith(f"creds.yaml:1:1: {expected}"), line


@pytest.mark.parametrize("content", [f"TOKEN={SECRET}\n", f"- {SECRET}\n", f"{SECRET}: [1, 2]\n"])
def test_a_file_given_as_a_brand_that_is_not_one_is_not_quoted(cli: Cli, tree: Path, content: str) -> None:
    path = tree / "repo" / "brands" / "settings.yaml"
    path.write_text(content)
    line = one_error(cli("validate", path))
    assert f"{path}:1:1: not a cxscore brand file: expected a YAML mapping with brand and ratings" in line


def test_a_brand_file_cannot_be_its_own_framework(cli: Cli, tree: Path) -> None:
    path = brand(tree, "acme.yaml")
    line = one_error(cli("validate", path))
    assert "a brand file cannot be its own framework" in line
    assert "did you mean" not in line


def test_a_framework_reusing_a_bundled_id_warns_and_compares_as_different(cli: Cli, tree: Path) -> None:
    brands = tree / "repo" / "brands"
    (brands / "custom.yaml").write_text(FRAMEWORK.replace("id: tiny", "id: cx-six"))
    custom = brands / "acme.yaml"
    custom.write_text("brand: Acme\nframework: custom.yaml\nratings: {speed: 4}\n")
    bundled = brands / "santa.yaml"
    bundled.write_text("brand: Santa\nratings: {empathy: 4}\n")
    result = cli("compare", bundled, custom, "--format", "markdown")
    assert result.exit_code == 0, result.output
    assert (
        "custom.yaml: warning: framework id 'cx-six' is also the id of a bundled framework" in result.stderr
    )
    assert "two frameworks both called cx-six" in result.stdout


def test_a_field_of_another_kind_of_file_gets_no_false_hint(cli: Cli, tree: Path) -> None:
    brands = tree / "repo" / "brands"
    (brands / "fw.yaml").write_text(FRAMEWORK + "framework: other.yaml\n")
    line = one_error(cli("validate", brand(tree, "fw.yaml")))
    assert line.endswith("unknown field 'framework'"), line  # not "did you mean 'framework'?"


DATA_BRAND = "brand: Acme\nframework: cx-kpis\nratings:\n  nps: {{from: {source}, column: ltr}}\n"


@pytest.mark.parametrize("source", ["../../elsewhere/survey.csv", "../../elsewhere/*.csv", "/etc/passwd"])
def test_data_sources_outside_the_tree_are_refused(cli: Cli, tree: Path, source: str) -> None:
    (tree / "elsewhere" / "survey.csv").write_text("ltr\n9\n10\n3\n")
    path = tree / "repo" / "brands" / "acme.yaml"
    path.write_text(DATA_BRAND.format(source=source))
    result = cli("validate", path)
    assert result.exit_code == 2, result.output
    assert f"{path}:4:15: ratings.nps: cannot compute NPS from '{source}'" in result.stderr
    assert "outside" in result.stderr
    assert "--allow-outside" in result.stderr
    assert "root:" not in result.stderr


def test_allow_outside_lets_a_data_source_in(cli: Cli, tree: Path) -> None:
    (tree / "elsewhere" / "survey.csv").write_text("ltr\n9\n10\n3\n")
    path = tree / "repo" / "brands" / "acme.yaml"
    path.write_text(DATA_BRAND.format(source="../../elsewhere/survey.csv"))
    result = cli("rate", path, "--format", "json", "--allow-outside", tree / "elsewhere")
    assert result.exit_code == 0, result.output
    assert '"value": 33.33333333333333' in result.stdout  # (2 promoters - 1 detractor) / 3


def test_a_run_opens_each_data_file_once(cli: Cli, tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ten data-sourced metrics over two brand files read one CSV: one DuckDB connection in all."""
    import duckdb

    opened: list[object] = []
    real = duckdb.connect

    def counting(*args: object, **kwargs: object) -> object:
        opened.append(args)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(duckdb, "connect", counting)
    examples = Path(__file__).resolve().parent.parent / "examples" / "data"
    brands = tree / "repo" / "brands"
    (brands / "survey.csv").write_bytes((examples / "survey.csv").read_bytes())
    for name in ("acme.yaml", "acme-again.yaml"):
        (brands / name).write_bytes((examples / "acme-survey.yaml").read_bytes())
    result = cli("rank", brands, "--format", "json")
    assert result.exit_code == 0, result.output
    assert len(opened) == 1


def test_a_nul_in_a_framework_path_is_a_located_error(cli: Cli, tree: Path) -> None:
    path = tree / "repo" / "brands" / "acme.yaml"
    path.write_text('brand: Acme\nframework: "fw\\0.yaml"\nratings: {speed: 4}\n')
    result = cli("validate", path)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"{path}:2:12: ")
