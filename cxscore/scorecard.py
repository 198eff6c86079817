"""The use cases behind the commands: load, validate and score files, collecting every problem."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from cxscore.errors import CxScoreError, InputError
from cxscore.loader import FrameworkCatalog, LoadedBrand, expand_paths, load_brand
from cxscore.scoring import ScoreResult, score_brand


def load_brands(arguments: Iterable[str]) -> list[LoadedBrand]:
    """Load every brand file named (directories expand to their YAML files, sorted).

    All files are read even after one fails, so the user sees every problem at once; if any failed,
    one :class:`InputError` carries all their issues.
    """
    files, issues = expand_paths(arguments)
    catalog = FrameworkCatalog()
    loaded: list[LoadedBrand] = []
    for path in files:
        try:
            loaded.append(load_brand(path, catalog))
        except CxScoreError as error:
            issues.extend(error.issues)
    if issues:
        raise InputError(issues)
    return loaded


def score_files(arguments: Iterable[str]) -> list[ScoreResult]:
    """Load and score every brand file named, in the order given."""
    return [score_brand(item.brand, item.framework, item.path) for item in load_brands(arguments)]


def is_single_file(arguments: list[str]) -> bool:
    """Whether the arguments name exactly one file (JSON then gives one object, not a list)."""
    return len(arguments) == 1 and not Path(arguments[0]).is_dir()


def check_files(arguments: Iterable[str]) -> int:
    """Validate files without scoring; returns how many were checked, raising on any problem."""
    return len(load_brands(arguments))
