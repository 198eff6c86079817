"""Start-up guard: the fast paths must not import heavy or unused modules."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

HEAVY = ("ibis", "duckdb", "pyarrow", "pandas", "numpy", "sqlglot", "jinja2")
PROBE = """
import json, sys
sys.argv = ["cxscore", *json.loads(sys.argv[1])]
from cxscore.cli import main
try:
    main()
except SystemExit:
    pass
sys.stdout = sys.__stdout__
print("\\n" + json.dumps(sorted(sys.modules)))
"""


def modules_after(*args: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(list(args))],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def loaded(modules: set[str], prefixes: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in prefixes)


def test_help_imports_no_core_or_heavy_modules() -> None:
    modules = modules_after("--help")
    assert loaded(modules, HEAVY) == []
    assert loaded(modules, ("yaml", "pydantic_core")) == []
    assert "cxscore.scoring" not in modules


def test_version_imports_nothing_heavy() -> None:
    modules = modules_after("--version")
    assert loaded(modules, (*HEAVY, "yaml", "pydantic_core", "rich")) == []


def test_rate_imports_only_what_it_renders() -> None:
    modules = modules_after("rate", "examples/santa.yaml")
    assert loaded(modules, (*HEAVY, "markdown_it")) == []
    renderers = {m for m in modules if m.startswith("cxscore.render.")}
    assert renderers <= {"cxscore.render.terminal", "cxscore.render.grid", "cxscore.render.numbers"}
    assert "cxscore.data" not in modules


SANTA = "examples/santa.yaml"


@pytest.mark.parametrize("args", [["--help"], ["rate", SANTA], ["rate", SANTA, "--format", "json"]])
def test_exports_are_not_imported_unless_asked_for(args: list[str]) -> None:
    modules = modules_after(*args)
    assert not modules & {"cxscore.render.html", "cxscore.render.csv_report", "cxscore.render.markdown"}
    assert "cxscore.rank" not in modules
    assert "cxscore.compare" not in modules  # only a baseline or `compare` needs it


def test_html_is_imported_only_for_html() -> None:
    assert "cxscore.render.html" in modules_after("rate", SANTA, "--format", "html")


def test_only_the_command_being_run_is_built() -> None:
    from cxscore.cli import app, app_for

    def names(typer_app: object) -> list[str]:
        commands = [info.callback.__name__ for info in typer_app.registered_commands]  # type: ignore[attr-defined]
        return commands + [info.name for info in typer_app.registered_groups]  # type: ignore[attr-defined]

    assert names(app_for(["rate", "examples/santa.yaml"])) == ["rate"]
    assert names(app_for(["frameworks", "show", "cx-six"])) == ["frameworks"]
    assert app_for(["measure-everything"]) is app  # unknown: the whole app, for "did you mean"
    assert app_for(["--help"]) is app
    assert app_for([]) is app
    assert len(names(app)) > 5


def test_scorecard_commands_do_not_define_the_others() -> None:
    """`rate` pays nothing for the set-up and data commands: their modules are not even imported."""
    modules = modules_after("rate", SANTA)
    assert not modules & {"cxscore.cli.setup_commands", "cxscore.cli.data_commands"}
    assert "cxscore.cli.data_commands" not in modules_after("--version")


@pytest.mark.parametrize(
    "command", ["schema", "init", "frameworks", "measure", "plan", "customers", "drivers"]
)
def test_each_command_is_found_where_the_registry_says(command: str) -> None:
    """A command moved between modules without the registry following it would vanish from its app."""
    script = (
        "import json, sys\nfrom cxscore.cli import app_for\n"
        "single = app_for([sys.argv[1]])\n"
        "names = [i.name or i.callback.__name__ for i in single.registered_commands]\n"
        "print(json.dumps(names + [i.name for i in single.registered_groups]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, command], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert json.loads(done.stdout) == [command]
