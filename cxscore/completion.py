"""What the shell offers when a user presses Tab: framework ids, and ``METRIC=RATING`` for ``--what-if``.

Pure functions from what is typed so far to ``(value, help)`` pairs; the command line hands them to
typer. A completion must never fail or print: a file that cannot be read offers what is bundled instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from cxscore.errors import CxScoreError
from cxscore.loader import (
    DEFAULT_FRAMEWORK,
    YAML_SUFFIXES,
    FrameworkCatalog,
    bundled_framework_ids,
    load_bundled_frameworks,
)
from cxscore.models import Framework, Metric
from cxscore.yamlsafe import load_yaml

Choice = tuple[str, str]
#: Ratings offered one by one only on a short scale of whole numbers (1–5, 0–10).
MAX_LISTED_RATINGS = 11


def framework_choices(incomplete: str) -> list[Choice]:
    """Bundled framework ids starting with ``incomplete``, each with its name.

    Nothing when none matches, so the shell falls back to completing a framework file's path.
    """
    ids = [framework_id for framework_id in bundled_framework_ids() if framework_id.startswith(incomplete)]
    if not ids:
        return []
    names = {framework.id: framework.name for framework in _bundled()}
    return [(framework_id, names.get(framework_id, "")) for framework_id in ids]


def what_if_choices(paths: Iterable[str], incomplete: str) -> list[Choice]:
    """``METRIC=`` (or, once one metric is left, ``METRIC=RATING``) for ``--what-if``.

    The metrics are those of the frameworks the brand files in ``paths`` use (files only; directories
    and unreadable files are passed over), else those of every bundled framework.
    """
    frameworks = _frameworks_of(paths) or _bundled()
    metrics: dict[str, tuple[Metric, Framework]] = {}
    for framework in frameworks:
        for metric in framework.metrics:
            metrics.setdefault(metric.id, (metric, framework))
    metric_id, equals, _ = incomplete.partition("=")
    if equals:
        found = metrics.get(metric_id)
        return [] if found is None else _ratings(*found)
    matching = sorted(key for key in metrics if key.startswith(incomplete))
    if len(matching) == 1:
        # One metric left: list its ratings, so the shell completes "metric=" without a space after it.
        listed = _ratings(*metrics[matching[0]])
        if listed:
            return listed
    return [(f"{key}=", _help(*metrics[key])) for key in matching]


def _ratings(metric: Metric, framework: Framework) -> list[Choice]:
    """Every whole rating on a short scale, for a rated metric; nothing for a measured one."""
    low, high = framework.scale.min, framework.scale.max
    if metric.measured or not (low.is_integer() and high.is_integer()) or high - low >= MAX_LISTED_RATINGS:
        return []
    return [(f"{metric.id}={rating}", metric.name) for rating in range(int(low), int(high) + 1)]


def _help(metric: Metric, framework: Framework) -> str:
    if metric.measure is not None:
        return f"{metric.name} (a measured {metric.measure.label})"
    return f"{metric.name} ({framework.scale.min:g}–{framework.scale.max:g})"


def _frameworks_of(paths: Iterable[str]) -> list[Framework]:
    catalog = FrameworkCatalog()
    found: dict[str, Framework] = {}
    for argument in paths:
        path = Path(argument)
        if not argument.endswith(YAML_SUFFIXES) or not path.is_file():
            continue
        try:
            document = load_yaml(path)
            data = document.data
            reference = data.get("framework", DEFAULT_FRAMEWORK) if isinstance(data, dict) else None
            if isinstance(reference, str):
                framework = catalog.for_reference(reference, document, path)
                found.setdefault(framework.id, framework)
        except (CxScoreError, OSError):
            continue
    return list(found.values())


def _bundled() -> list[Framework]:
    try:
        return load_bundled_frameworks()
    except CxScoreError:
        return []
