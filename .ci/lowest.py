"""Print pip constraints that pin every direct dependency to the lowest version pyproject allows.

CI installs cxscore a second time under these constraints (a lowest-direct resolution: direct
dependencies at their lower bounds, everything else at its newest), so a lower bound that no longer
works fails CI instead of a user's install.
"""

import re
import sys
import tomllib
from pathlib import Path

EXTRAS = sys.argv[1:] or ["data", "test"]

project = tomllib.loads((Path(__file__).parent.parent / "pyproject.toml").read_text())["project"]
requirements = list(project["dependencies"])
for extra in EXTRAS:
    requirements += project["optional-dependencies"][extra]

pins: dict[str, str] = {}
for requirement in requirements:
    match = re.match(r"\s*([A-Za-z0-9_.-]+)(?:\[[^]]*\])?\s*([^;#]*)", requirement)
    if match is None or match.group(1) == project["name"]:
        continue
    name, specifiers = match.group(1).lower(), match.group(2)
    lower = re.search(r">=\s*([0-9][0-9A-Za-z.]*)", specifiers)
    if lower is None:
        continue
    # The highest of several lower bounds for one package is the lowest version allowed by all.
    version = lower.group(1)
    previous = pins.get(name)
    if previous is None or tuple(map(int, re.findall(r"\d+", version))) > tuple(
        map(int, re.findall(r"\d+", previous))
    ):
        pins[name] = version

for name, version in sorted(pins.items()):
    print(f"{name}=={version}")  # noqa: T201 - the constraints file is this script's output
