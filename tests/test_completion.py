"""Shell completion: commands, options, framework ids and ``--what-if METRIC=RATING``, in bash, zsh, fish."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from cxscore.cli import app_for
from cxscore.completion import framework_choices, what_if_choices
from cxscore.loader import bundled_framework_ids, load_bundled_frameworks

ROOT = Path(__file__).resolve().parent.parent
SANTA = str(ROOT / "examples" / "santa.yaml")
CX_SIX = [
    "consistency=",
    "empathy=",
    "feedback_capture=",
    "first_contact_resolution=",
    "personalization=",
    "responsiveness=",
]
# typer's own switch (used by its tests) that makes --show-completion and --install-completion take the
# shell as a value instead of detecting the shell they run in.
NO_DETECTION = "_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION"


def values(choices: list[tuple[str, str]]) -> list[str]:
    return [value for value, _ in choices]


# --- the completion functions ------------------------------------------------------------------------


def test_framework_ids_complete_with_their_names() -> None:
    assert framework_choices("loyalty") == [
        ("loyalty-design", "Loyalty programme design"),
        ("loyalty-program", "Loyalty programme"),
    ]
    assert values(framework_choices("")) == [framework.id for framework in load_bundled_frameworks()]
    assert values(framework_choices("cx-")) == ["cx-index", "cx-kpis", "cx-maturity", "cx-six"]


def test_a_path_gets_no_framework_ids_so_the_shell_completes_files() -> None:
    assert framework_choices("frameworks/") == []


def test_what_if_offers_the_metrics_of_the_brand_files_framework() -> None:
    choices = what_if_choices([SANTA], "")
    assert values(choices) == CX_SIX
    assert ("empathy=", "Empathy (1–5)") in choices


def test_one_metric_left_offers_its_ratings() -> None:
    expected = [f"empathy={n}" for n in range(1, 6)]
    assert values(what_if_choices([SANTA], "emp")) == expected
    assert values(what_if_choices([SANTA], "empathy=")) == expected
    assert what_if_choices([SANTA], "empathie=") == []


def test_a_measured_metric_offers_its_name_only() -> None:
    acme = str(ROOT / "examples" / "acme-kpis.yaml")
    assert values(what_if_choices([acme], "")) == ["ces=", "csat=", "fcr=", "first_response_time=", "nps="]
    assert what_if_choices([acme], "nps") == [("nps=", "Net Promoter Score (a measured NPS)")]
    assert what_if_choices([acme], "nps=") == []


def test_without_a_readable_brand_file_every_bundled_metric_is_offered(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("brand: [unclosed\n", encoding="utf-8")
    outside = tmp_path / "outside.yaml"
    outside.write_text("brand: A\nframework: ../../../etc/fw.yaml\nratings: {a: 1}\n", encoding="utf-8")
    everything = values(what_if_choices([], ""))
    assert set(CX_SIX) < set(everything)
    assert {"nps=", "integrity=", "enrolment_rate="} < set(everything)
    for arguments in ([str(broken)], [str(outside)], [str(tmp_path)], [str(tmp_path / "missing.yaml")]):
        assert values(what_if_choices(arguments, "")) == everything


# --- through the command line ------------------------------------------------------------------------


def complete(shell: str, line: str) -> str:
    """What cxscore answers the shell's completion request for ``line`` (the word being typed last)."""
    words = line.split(" ")
    env = {"_CXSCORE_COMPLETE": f"complete_{shell}"}
    if shell == "bash":
        env |= {"COMP_WORDS": line, "COMP_CWORD": str(len(words) - 1)}
    else:
        env |= {"_TYPER_COMPLETE_ARGS": line}
    if shell == "fish":
        env["_TYPER_COMPLETE_FISH_ACTION"] = "get-args"
    result = CliRunner().invoke(app_for([]), [], env=env, prog_name="cxscore")
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("cxscore sch", "schema"),
        ("cxscore in", "init"),
        ("cxscore rate --det", "--details"),
        ("cxscore init --fr", "--framework"),
        ("cxscore init --framework cx-", "cx-index\ncx-kpis\ncx-maturity\ncx-six"),
        ("cxscore schema --framework six", "six-pillars"),
        ("cxscore frameworks show loyalty-p", "loyalty-program"),
        (f"cxscore rate {SANTA} --what-if ", "\n".join(CX_SIX)),
        (f"cxscore rate {SANTA} --details --what-if empathy=4 --what-if feed", "feedback_capture=1"),
    ],
)
def test_bash_completes_commands_options_frameworks_and_metrics(line: str, expected: str) -> None:
    assert complete("bash", line).startswith(expected)


def test_zsh_and_fish_get_the_metric_names_too() -> None:
    assert complete("zsh", f"cxscore rate {SANTA} --what-if em") == (
        '_arguments \'*: :(("empathy=1":"Empathy"\n"empathy=2":"Empathy"\n"empathy=3":"Empathy"\n'
        '"empathy=4":"Empathy"\n"empathy=5":"Empathy"))\'\n'
    )
    assert complete("fish", "cxscore init --framework cx-k") == "cx-kpis\tCX KPIs\n"


def test_completion_works_through_the_console_script() -> None:
    """A shell runs `cxscore` with no arguments: main() must hand completion the whole app."""
    env = {**os.environ, "_CXSCORE_COMPLETE": "complete_bash", "COMP_WORDS": "cxscore fr", "COMP_CWORD": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "cxscore"], env=env, capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "frameworks\n", "")


@pytest.mark.parametrize(
    ("shell", "marker"),
    [
        ("bash", "complete -o default -F _cxscore_completion cxscore"),
        ("zsh", "#compdef cxscore"),
        ("fish", "complete --command cxscore"),
    ],
)
def test_show_completion_prints_the_script(
    shell: str, marker: str, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(NO_DETECTION, "1")
    result = CliRunner().invoke(app_for([]), ["--show-completion", shell], prog_name="cxscore")
    assert result.exit_code == 0, result.output
    assert marker in result.stdout
    assert "_CXSCORE_COMPLETE" in result.stdout


@pytest.mark.parametrize(
    ("shell", "script", "startup", "loads"),
    [
        ("bash", ".bash_completions/cxscore.sh", ".bashrc", ".bash_completions/cxscore.sh"),
        ("zsh", ".zfunc/_cxscore", ".zshrc", "fpath+=~/.zfunc"),
        ("fish", ".config/fish/completions/cxscore.fish", None, None),  # fish loads that folder itself
    ],
)
def test_install_completion_writes_the_script_and_loads_it(
    shell: str,
    script: str,
    startup: str | None,
    loads: str | None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(NO_DETECTION, "1")
    monkeypatch.setenv("HOME", str(tmp_path))
    result = CliRunner().invoke(app_for([]), ["--install-completion", shell], prog_name="cxscore")
    assert result.exit_code == 0, result.output
    assert "_CXSCORE_COMPLETE" in (tmp_path / script).read_text(encoding="utf-8")
    if startup is not None and loads is not None:
        assert loads in (tmp_path / startup).read_text(encoding="utf-8")


def test_help_lists_the_completion_options(cli: Callable[..., Result]) -> None:
    text = cli("--help").stdout
    assert "--install-completion" in text
    assert "--show-completion" in text


def test_a_command_alone_is_built_without_them() -> None:
    """`cxscore rate` builds only its command, and not the completion options: no start-up cost."""
    from typer.main import get_command

    assert "install_completion" not in {p.name for p in get_command(app_for(["rate"])).params}
    assert "install_completion" in {p.name for p in get_command(app_for([])).params}


def test_bundled_ids_are_what_completion_lists() -> None:
    assert values(framework_choices("")) == bundled_framework_ids()


def test_rate_loads_none_of_completion_init_or_schema() -> None:
    from test_imports import modules_after

    loaded = modules_after("rate", "examples/santa.yaml")
    assert not loaded & {"cxscore.completion", "cxscore.starter", "cxscore.schema"}
