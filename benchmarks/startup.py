"""Start-up: ``cxscore rate examples/santa.yaml`` against importing what it is built on.

The floor imports typer, PyYAML, rich's console and table, and pydantic, **and defines one pydantic
model with a field validator** in a fresh interpreter: a pydantic-validated command line cannot start
for less. (``from pydantic import BaseModel`` alone loads none of pydantic's model machinery, so it
was no floor for such a program.)

Both run from a non-editable copy of cxscore, installed as ``pip install .`` installs it (the
package's files, byte-compiled, and the console script), in a private virtual environment that
sees this environment's dependencies. An editable install adds an import hook and path entries that
cost every start-up more, which users of a released cxscore never pay.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

from benchmarks.harness import Case

ROOT = Path(__file__).resolve().parent.parent
FLOOR_CODE = (
    "import typer, yaml, rich.console, rich.table\n"
    "from pydantic import BaseModel, field_validator\n"
    "class Rating(BaseModel):\n"
    "    metric: str\n"
    "    value: float\n"
    "    @field_validator('value')\n"
    "    @classmethod\n"
    "    def on_scale(cls, value: float) -> float:\n"
    "        return value\n"
    "Rating(metric='empathy', value=4)\n"
)
# What pip writes as a console script (less its argv[0] clean-up, which costs nothing measurable).
_SCRIPT = (
    "#!{python}\nimport sys\nfrom cxscore.cli import main\nif __name__ == '__main__':\n    sys.exit(main())\n"
)


def installed(workdir: Path) -> Path:
    """A virtual environment with a non-editable, byte-compiled copy of cxscore; its ``bin`` folder.

    The copy is made by pip (``pip install --no-deps --target``), so it holds what a wheel holds;
    the environment reaches this one's dependencies through a ``.pth`` file, not a second install.
    """
    environment = workdir / "installed-venv"
    if environment.exists():
        shutil.rmtree(environment)
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(environment)], check=True)
    copy = environment / "cxscore-copy"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--no-compile",
            "--target",
            str(copy),
            str(ROOT),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(copy / "cxscore")], check=True)
    python = environment / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    dependencies = sysconfig.get_paths()["purelib"]
    Path(site, "cxscore-benchmark.pth").write_text(f"{copy}\n{dependencies}\n", encoding="utf-8")
    script = environment / "bin" / "cxscore"
    script.write_text(_SCRIPT.format(python=python), encoding="utf-8")
    script.chmod(0o755)
    return environment / "bin"


def cases(smoke: bool, workdir: Path) -> list[Case]:
    """Start-up cases: rate (table), --help and --version, from the installed copy."""
    repeats = 3 if smoke else 21
    santa = str(ROOT / "examples" / "santa.yaml")
    bin_dir = installed(workdir)
    command = [str(bin_dir / "cxscore")]
    floor = [str(bin_dir / "python"), "-c", FLOOR_CODE]
    return [
        Case("start-up: rate santa (table)", [*command, "rate", santa], floor, 1.15, repeats),
        Case("start-up: --help", [*command, "--help"], floor, 1.0, repeats),
        Case("start-up: --version", [*command, "--version"], floor, 1.0, repeats),
    ]


def cxscore_command() -> list[str]:
    """The console script next to this interpreter (what the other suites run)."""
    script = Path(sys.executable).parent / "cxscore"
    return [str(script)] if script.exists() else [sys.executable, "-m", "cxscore"]
