"""The use cases behind the commands: load, validate and score files, collecting every problem."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TypeVar

from cxscore.errors import CxScoreError, InputError, Issue
from cxscore.loader import FrameworkCatalog, LoadedBrand, iter_files, load_brand
from cxscore.models import Framework
from cxscore.scoring import ScoreResult, score_brand

T = TypeVar("T")


def map_brands(
    arguments: Iterable[str],
    keep: Callable[[LoadedBrand], T],
    allow_outside: Sequence[Path] = (),
    *,
    engine: str | None = None,
) -> list[T]:
    """Load every brand file named and keep only ``keep(loaded)`` of each, in the order given.

    Only what ``keep`` returns stays in memory; :func:`each_brand` says the rest.
    """
    kept: list[T] = []
    each_brand(arguments, lambda loaded: kept.append(keep(loaded)), allow_outside, engine=engine)
    return kept


def each_brand(
    arguments: Iterable[str],
    use: Callable[[LoadedBrand], object],
    allow_outside: Sequence[Path] = (),
    *,
    engine: str | None = None,
    ordered: bool = True,
) -> None:
    """Hand every brand :func:`iter_brands` loads to ``use``, one at a time."""
    for loaded in iter_brands(arguments, allow_outside, engine=engine, ordered=ordered):
        use(loaded)


def iter_brands(
    arguments: Iterable[str],
    allow_outside: Sequence[Path] = (),
    *,
    engine: str | None = None,
    ordered: bool = True,
) -> Iterator[LoadedBrand]:
    """Load every brand file named, one at a time, in the order given.

    Directories expand to their YAML files, sorted. All files are read even after one fails, so the
    user sees every problem at once; if any failed, one :class:`InputError` carries all their issues,
    raised once the last file is read (and no file after the first failure is yielded). A loaded
    brand is dropped once the next is asked for, so whatever the caller keeps is all a run of 100,000
    files holds. Files a brand file names (its framework, its data) must lie in its own directory
    tree or the current directory's, or under one of ``allow_outside``. Data-sourced metrics are
    computed on ``engine`` (an engine URL; the default is an in-memory DuckDB). Without ``ordered``
    (a caller that orders what it keeps itself), a directory's files come in the directory's own
    order and its names are not kept; the issues are still reported in the order of their paths.
    """
    missing: list[Issue] = []  # arguments that name nothing: reported first
    issues: list[Issue] = []
    catalog = FrameworkCatalog(allow_outside, engine=engine)
    # What is alive now (modules, validators, the command line) lives for the whole run: set aside
    # from the garbage collector, it is not walked again at every collection of a brand's leftovers.
    gc.freeze()
    try:
        for path in iter_files(arguments, missing, ordered):
            try:
                loaded = load_brand(path, catalog)
            except CxScoreError as error:
                issues.extend(error.issues)
                continue
            if not issues and not missing:  # once anything failed only the errors are reported
                yield loaded
    finally:
        gc.unfreeze()
        catalog.close()
    if missing or issues:
        if not ordered:
            issues.sort(key=lambda issue: issue.path)  # stable: a file's own issues keep their order
        raise InputError(missing + issues)


def load_brands(
    arguments: Iterable[str], allow_outside: Sequence[Path] = (), *, engine: str | None = None
) -> list[LoadedBrand]:
    """Load every brand file named (directories expand to their YAML files, sorted)."""
    return map_brands(arguments, lambda loaded: loaded, allow_outside, engine=engine)


def score_loaded(loaded: LoadedBrand) -> ScoreResult:
    """Score one loaded brand against its framework."""
    return score_brand(loaded.brand, loaded.framework, loaded.path)


def iter_scored(
    arguments: Iterable[str],
    allow_outside: Sequence[Path] = (),
    *,
    engine: str | None = None,
    weights: Framework | None = None,
) -> Iterator[ScoreResult]:
    """:func:`score_files` one brand at a time (for a report written as the brands are scored)."""
    for loaded in iter_brands(arguments, allow_outside, engine=engine):
        yield score_loaded(loaded if weights is None else with_weights(loaded, weights))


def score_files(
    arguments: Iterable[str],
    allow_outside: Sequence[Path] = (),
    *,
    engine: str | None = None,
    weights: Framework | None = None,
) -> list[ScoreResult]:
    """Load and score every brand file named, in the order given (with ``weights``' metric weights)."""
    return list(iter_scored(arguments, allow_outside, engine=engine, weights=weights))


def load_weights(reference: Path) -> Framework:
    """The framework file ``--framework-weights`` names (one ``drivers --write-framework`` wrote)."""
    return FrameworkCatalog().load_reference(str(reference))


def with_weights(loaded: LoadedBrand, weights: Framework) -> LoadedBrand:
    """``loaded`` scored on its framework with the weights of the metrics ``weights`` also has.

    The framework takes ``weights``' id and name, so every report says which weights it used. Every
    metric of ``weights`` must be in the brand's framework (its other metrics keep their weights).
    """
    framework = loaded.framework
    unknown = [metric.id for metric in weights.metrics if framework.metric(metric.id) is None]
    if unknown:
        message = (
            f"--framework-weights: metric '{unknown[0]}' of {weights.id} is not in the brand's framework "
            f"{framework.id} (its metrics: {', '.join(m.id for m in framework.metrics)})"
        )
        raise InputError(Issue(loaded.path, message))
    document = framework.model_dump()
    document["id"], document["name"] = weights.id, weights.name
    for metric in document["metrics"]:
        other = weights.metric(metric["id"])
        if other is not None:
            metric["weight"] = other.weight
    # Validated again rather than copied: the copy must not keep the original's cached metric index.
    return loaded._replace(framework=Framework.model_validate(document))


def is_single_file(arguments: list[str]) -> bool:
    """Whether the arguments name exactly one file (JSON then gives one object, not a list)."""
    return len(arguments) == 1 and not Path(arguments[0]).is_dir()


def check_files(
    arguments: Iterable[str], allow_outside: Sequence[Path] = (), *, engine: str | None = None
) -> int:
    """Validate files without scoring; returns how many were checked, raising on any problem (each
    brand is dropped once checked: 100,000 files validate in the memory of one)."""
    count = 0
    for _ in iter_brands(arguments, allow_outside, engine=engine, ordered=False):
        count += 1
    return count
