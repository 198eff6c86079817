"""Load brand and framework files into validated models, turning every problem into a located Issue.

Pydantic's ValidationError never leaves this module: each error's ``loc`` is followed down the YAML
node tree to the line and column the user has to fix.
"""

from __future__ import annotations

import math
import os
from array import array
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar, get_args

from pydantic import BaseModel, ValidationError

from cxscore.errors import CxScoreError, InputError, Issue, did_you_mean, notice
from cxscore.models import (
    MEASURE_RANGES,
    BrandFile,
    Framework,
    Measure,
    RatingEntry,
)
from cxscore.spool import sorted_in_chunks
from cxscore.yamlsafe import Document, load_yaml, locate

if TYPE_CHECKING:
    from cxscore.data.customer_report import CustomersSpec

DEFAULT_FRAMEWORK = "cx-six"
YAML_SUFFIXES = (".yaml", ".yml")
#: The CX measures: each reads its answers from one column of the data.
COMPUTED_MEASURES = ("nps", "csat", "ces", "fcr", "response_time")
#: The measures that read one column of answers (so a data source must name it).
COLUMN_MEASURES = (*COMPUTED_MEASURES, "mean", "net_box")

ModelT = TypeVar("ModelT", bound=BaseModel)


class LoadedBrand(NamedTuple):
    """A validated brand file with the framework it is scored against."""

    path: str
    brand: BrandFile
    framework: Framework


def bundled_frameworks_dir() -> Path:
    """Where the bundled ``metrics/*.yaml`` frameworks live (inside the wheel, or the source tree).

    The wheel ships them as ``cxscore/metrics`` (hatchling force-include); an editable install
    reads the source tree's ``metrics/``. A plain path avoids importing importlib.resources on
    the start-up path.
    """
    package = Path(__file__).resolve().parent
    packaged = package / "metrics"
    return packaged if packaged.is_dir() else package.parent / "metrics"


def bundled_framework_ids() -> list[str]:
    """Ids of the bundled frameworks, sorted."""
    directory = bundled_frameworks_dir()
    return sorted(path.stem for path in directory.glob("*.yaml"))


def load_bundled_frameworks() -> list[Framework]:
    """Every bundled framework, validated, in id order."""
    catalog = FrameworkCatalog()
    return [catalog.load_bundled(framework_id) for framework_id in bundled_framework_ids()]


# A file counts as a brand or framework file, and may have its values quoted in messages, only when its
# top level is a mapping with one of these keys. Anything else (a `.env`, /etc/passwd, a CSV named by
# mistake) gets a message that says what was expected and quotes nothing of what the file holds.
_SIGNATURE_KEYS = {"brand": ("brand", "ratings"), "framework": ("metrics",)}
_EXPECTED = {
    "brand": "a YAML mapping with brand and ratings",
    "framework": "a YAML mapping with id, name, scale and metrics",
}


def validate_document(document: Document, model: type[ModelT], what: str) -> ModelT:
    """Validate a parsed document against a model, raising located issues.

    A document that is not recognisably a ``what`` file (see ``_SIGNATURE_KEYS``) is refused with one
    message that quotes none of its content.
    """
    data = document.data
    signature = _SIGNATURE_KEYS.get(what, ())
    if not isinstance(data, dict) or (signature and not any(key in data for key in signature)):
        got = f", got {_kind_of(data)}" if not isinstance(data, dict) else ""
        message = f"not a cxscore {what} file: expected {_EXPECTED.get(what, 'a YAML mapping')}{got}"
        raise InputError(Issue(document.path, message, document.root.line, document.root.col))
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InputError(list(_issues_from(exc, document, model))) from None


def _kind_of(value: Any) -> str:
    """What a value is, without quoting it: ``text``, ``a list``, ``a number``."""
    if value is None:
        return "nothing (an empty file)"
    if isinstance(value, str):
        return "text"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


def _issues_from(exc: ValidationError, document: Document, model: type[BaseModel]) -> Iterator[Issue]:
    for error in exc.errors(include_url=False):
        # Several assessors' ratings are validated as ``assessments`` but written as ``rating``.
        loc = tuple("rating" if step == "assessments" else step for step in error["loc"] if step != "[key]")
        at_key = error["type"] == "extra_forbidden" or "[key]" in error["loc"]
        written = _as_written(loc, document.data)
        node = locate(document.root, written, at_key=at_key)
        message = _message(error, written, _fields_at(model, loc))
        yield Issue(document.path, message, node.line, node.col)


def _fields_at(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """The fields (by the names written in files) of the model holding the last step of ``loc``.

    A "did you mean" suggests only what may stand where the unknown key stands: a ``framework:``
    line in a framework file is unknown there, not a misspelling of the brand file's field.
    """
    current: Any = model
    for step in loc[:-1]:
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(step) if isinstance(step, str) else None
            current = None if field is None else field.annotation
        else:
            args = get_args(current)
            current = args[-1] if args else None  # list[X] and dict[str, X]: X
        members = [arg for arg in get_args(current) if arg is not type(None)]
        if type(None) in get_args(current) and len(members) == 1:
            current = members[0]  # X | None: X
    if isinstance(current, type) and issubclass(current, BaseModel):
        return [field.alias or name for name, field in current.model_fields.items()]
    return []


def _as_written(loc: tuple[Any, ...], data: Any) -> tuple[Any, ...]:
    """The error's path as the user wrote it: ``ratings.empathy``, not ``ratings.empathy.rating``,
    when the rating was given as a bare value rather than a ``{rating: ...}`` mapping (and
    ``ratings.empathy.1`` for the second of several assessors' ratings written bare)."""
    if len(loc) >= 3 and loc[0] == "ratings" and loc[2] == "rating" and isinstance(data, dict):
        entries = data.get("ratings")
        if isinstance(entries, dict) and not isinstance(entries.get(loc[1]), dict):
            return loc[:2] + loc[3:]
    return loc


def _message(error: Any, loc: tuple[Any, ...], fields: list[str]) -> str:
    kind, value = error["type"], error.get("input")
    field = ".".join(str(step) for step in loc) or "document"
    last = str(loc[-1]) if loc else field
    if kind == "missing":
        return f"missing required field '{last}'"
    if kind == "extra_forbidden":
        return f"unknown field '{last}'{did_you_mean(last, fields)}"
    if kind in {"float_type", "int_type", "float_parsing", "int_parsing", "int_from_float"}:
        return f"{field}: expected a number, got {_describe(value)}"
    if kind == "finite_number":
        return f"{field}: must be a finite number, got {_describe(value)}"
    if kind in {"string_type"}:
        return f"{field}: expected text, got {_describe(value)}"
    if kind in {"dict_type", "model_type"}:
        return f"{field}: expected a mapping, got {_describe(value)}"
    if kind == "list_type":
        return f"{field}: expected a list, got {_describe(value)}"
    if kind.startswith("date"):
        return f"{field}: expected a date like 2024-12-17, got {_describe(value)}"
    if kind == "value_error":
        return f"{field}: {error['ctx']['error']}"
    if kind in {"greater_than_equal", "greater_than", "less_than_equal", "less_than"}:
        bound = next(iter(error["ctx"].values()))
        words = {
            "greater_than_equal": "at least",
            "greater_than": "more than",
            "less_than_equal": "at most",
            "less_than": "less than",
        }
        return f"{field}: must be {words[kind]} {bound:g}, got {_describe(value)}"
    if kind == "too_short":
        return f"{field}: expected at least one rating in the list"
    if kind == "string_too_short":
        return f"{field}: must not be empty"
    if kind == "string_pattern_mismatch":
        return f"{field}: {_describe(value)} is not a valid id (lower-case letters, digits, _ . -)"
    message = str(error["msg"])
    return f"{field}: {message[0].lower()}{message[1:]}"


def _describe(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, str):
        return f"the text {value!r}"
    if isinstance(value, int | float):
        return f"the number {value!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


class FrameworkCatalog:
    """Resolves framework references (bundled ids or paths) and loads each one only once.

    A framework file named in a brand file must be a ``.yaml``/``.yml`` file inside the brand file's
    directory tree or the current directory's (symlinks resolved first), or under a directory given
    with ``--allow-outside``: a brand file that arrives in a pull request must not make cxscore read
    files elsewhere on the machine.
    """

    def __init__(self, allow_outside: Iterable[Path] = (), *, engine: str | None = None) -> None:
        self._by_path: dict[Path, Framework] = {}
        # A portfolio names the same framework thousands of times: remember each reference as
        # written (with the folder it is relative to) so it is resolved and checked only once.
        self._by_reference: dict[tuple[str, Path], Framework] = {}
        self.allow_outside = tuple(Path(directory).resolve() for directory in allow_outside)
        self._files_by_id: dict[str, Path] = {}
        self._data_session: Any = None  # a cxscore.data.DataSession, made when data is first read
        #: The engine URL data-sourced metrics are computed on (None: an in-memory DuckDB).
        self.engine = engine

    def data_session(self) -> Any:
        """The run's data session: each engine and data file opened once, however often it is named."""
        if self._data_session is None:
            from cxscore.data import DataSession  # only data-sourced metrics need it

            self._data_session = DataSession()
        return self._data_session

    def close(self) -> None:
        """Close what the run opened (engines of the data session)."""
        if self._data_session is not None:
            self._data_session.close()
            self._data_session = None

    def roots_for(self, brand_path: Path) -> tuple[Path, ...]:
        """The directory trees files named in the brand file at ``brand_path`` must stay inside."""
        return (brand_path.parent.resolve(), Path.cwd().resolve(), *self.allow_outside)

    def load_path(self, path: Path, shown: str | None = None) -> Framework:
        """Load and validate one framework file (cached by resolved path)."""
        key = path.resolve()
        cached = self._by_path.get(key)
        if cached is None:
            document = load_yaml(path, shown)
            cached = validate_document(document, Framework, "framework")
            self._by_path[key] = cached
            self._check_id(cached, key, document.path)
        return cached

    def _check_id(self, framework: Framework, key: Path, shown: str) -> None:
        """Warn when two different framework files of this run share an id (a bundled one included).

        Reports name frameworks by id; two frameworks under one id would read as the same one.
        """
        if key.parent == bundled_frameworks_dir().resolve():
            self._files_by_id.setdefault(framework.id, key)
            return
        other = self._files_by_id.setdefault(framework.id, key)
        bundled = framework.id in bundled_framework_ids()
        if other != key or bundled:
            clash = "a bundled framework" if bundled else "another framework file in this run"
            message = (
                f"framework id '{framework.id}' is also the id of {clash}: reports will show both "
                "under one name; give this one an id of its own"
            )
            notice(Issue(shown, message))

    def load_bundled(self, framework_id: str) -> Framework:
        """Load a bundled framework by id; raise with the available ids when it is unknown."""
        path = bundled_frameworks_dir() / f"{framework_id}.yaml"
        if not path.is_file():
            raise InputError(Issue(framework_id, unknown_framework_message(framework_id)))
        return self.load_path(path, f"metrics/{framework_id}.yaml")

    def load_reference(self, reference: str, base_dir: Path | None = None) -> Framework:
        """Load a framework named on the command line: a bundled id or a file path (not confined)."""
        target = self.resolve(reference, base_dir or Path())
        if isinstance(target, str):
            return self.load_bundled(target)
        return self.load_path(target, reference if base_dir is None else None)

    def resolve(self, reference: str, base_dir: Path) -> Path | str:
        """A bundled id as-is, or a framework file path resolved against the brand file's folder."""
        looks_like_path = "/" in reference or "\\" in reference or reference.endswith(YAML_SUFFIXES)
        return base_dir / reference if looks_like_path else reference

    def for_reference(self, reference: str, document: Document, path: Path) -> Framework:
        """The framework ``reference`` (as written in ``document``, a file at ``path``) names."""
        key = (reference, path.parent)
        cached = self._by_reference.get(key)
        if cached is None:
            cached = self._find(reference, document, path)
            self._by_reference[key] = cached
        return cached

    def _find(self, reference: str, document: Document, path: Path) -> Framework:
        target = self.resolve(reference, path.parent)
        node = locate(document.root, ("framework",))

        def refuse(message: str) -> InputError:
            return InputError(Issue(document.path, message, node.line, node.col))

        if isinstance(target, str):
            if target not in bundled_framework_ids():
                raise refuse(unknown_framework_message(target))
            return self.load_bundled(target)
        if not reference.endswith(YAML_SUFFIXES):
            raise refuse(
                f"framework '{reference}' is not a YAML file: give a .yaml or .yml file, or a bundled id"
            )
        if not is_inside(target, self.roots_for(path)):
            raise refuse(f"framework file {outside_message(reference)}")
        if not target.is_file():
            raise refuse(f"framework file '{reference}' not found next to this file")
        if target.resolve() == path.resolve():
            raise refuse(
                "framework: a brand file cannot be its own framework; name a framework file or a bundled id"
            )
        return self.load_path(target)


def is_inside(path: Path, roots: Iterable[Path]) -> bool:
    """Whether ``path``, with symlinks and ``..`` resolved, lies inside one of ``roots`` (resolved)."""
    try:
        resolved = path.resolve()
    except (OSError, RuntimeError, ValueError):  # a symlink loop, or a NUL in the name: nowhere to read
        return False
    return any(resolved.is_relative_to(root) for root in roots)


def outside_message(reference: str) -> str:
    """Why a file named in a brand file is refused, and how to allow it."""
    return (
        f"'{reference}' is outside the brand file's directory and the current directory; "
        "allow its directory with --allow-outside DIR"
    )


def unknown_framework_message(reference: str) -> str:
    """The message for a framework id that is not bundled."""
    available = bundled_framework_ids()
    hint = did_you_mean(reference, available)
    return f"unknown framework '{reference}'{hint} (bundled: {', '.join(available)})"


def load_brand(path: Path, catalog: FrameworkCatalog, shown: str | None = None) -> LoadedBrand:
    """Read, validate and cross-check one brand file against its framework."""
    shown = str(path) if shown is None else shown
    document = load_yaml(path, shown)
    try:
        brand = validate_document(document, BrandFile, "brand")
    except InputError as error:
        extra = list(_framework_issues_in_invalid(document, catalog, path))
        issues = sorted([*error.issues, *extra], key=lambda issue: (issue.line or 0, issue.col or 0))
        raise InputError(issues) from None
    framework = catalog.for_reference(brand.framework, document, path)
    issues = list(check_against_framework(brand, framework, document))
    if issues:
        raise InputError(issues)
    if any(entry.source is not None for entry in brand.ratings.values()):
        brand = compute_data_sources(brand, framework, document, path.parent, catalog)
    return LoadedBrand(shown, brand, framework)


def compute_data_sources(
    brand: BrandFile, framework: Framework, document: Document, base: Path, catalog: FrameworkCatalog
) -> BrandFile:
    """Replace each ``{from: file, column: ...}`` entry by the value, interval and n computed from it.

    Files are resolved against ``base`` (the brand file's folder) and measured with
    :func:`cxscore.data.compute_metric_value` (the CX measures and the generic share, mean, ratio and
    difference), imported here so that rating-only files never load the engine. Every file must lie
    inside the brand file's directory tree, the current directory's or an ``--allow-outside``
    directory (the data layer checks each path and glob match against the root chosen here), and
    one data session per run opens each file once however many metrics and brands read it.
    """
    from cxscore.data import DataSource, MetricMeasure, compute_metric_value

    ratings = dict(brand.ratings)
    for metric_id, entry in brand.ratings.items():
        metric = framework.metric(metric_id)
        if entry.source is None or metric is None or metric.measure is None:
            continue
        measure = metric.measure
        wanted = MetricMeasure(
            name=measure.name,
            column=entry.column or measure.column,
            where=measure.where,
            numerator=measure.numerator,
            denominator=measure.denominator,
            of=measure.of,
            between=tuple(measure.between or ()),
            unit=measure.unit,
            top=tuple(measure.top or ()),
            bottom=tuple(measure.bottom or ()),
            weight=entry.weight,
        )
        try:
            root = _data_root(entry.source, base, catalog.roots_for(base / "brand"))
            source = DataSource(paths=(entry.source,), base=str(base), root=root, engine=catalog.engine)
            result = compute_metric_value(wanted, source, catalog.data_session(), _customers(entry))
        except CxScoreError as exc:
            # Positions come from the node tree, composed only now that an error needs one.
            node = locate(document.root, ("ratings", metric_id, "from"))
            message = f"ratings.{metric_id}: cannot compute {measure.label} from '{entry.source}'"
            raise InputError([Issue(document.path, message, node.line, node.col), *exc.issues]) from None
        update = {"value": result.value, "n": result.n, "ci_low": result.ci_low, "ci_high": result.ci_high}
        if entry.weight is not None:
            update["n_effective"] = result.n_effective
        ratings[metric_id] = entry.model_copy(update=update)
    return brand.model_copy(update={"ratings": ratings})


def _customers(entry: RatingEntry) -> CustomersSpec | None:
    """What ``customers:`` asks of an orders file, as the data layer's spec (None without it)."""
    if entry.customers is None:
        return None
    from cxscore.customer_lists import VipBy
    from cxscore.data.customer_report import CustomersSpec

    wanted = entry.customers
    given = {
        "as_of": wanted.as_of,
        "active_within": wanted.active_within,
        "margin": wanted.margin,
        "horizon": wanted.horizon,
        "vip_by": None if wanted.vip_by is None else VipBy(wanted.vip_by),
    }
    chosen: dict[str, Any] = {key: value for key, value in given.items() if value is not None}
    return CustomersSpec(wanted.customer, wanted.date, wanted.amount, **chosen)


def _data_root(pattern: str, base: Path, roots: tuple[Path, ...]) -> str:
    """The allowed root that holds the fixed folders of ``pattern`` (the part before any wildcard).

    The data layer confines every path and glob match to one root; of the brand file's roots, it
    gets the one the pattern starts in (the brand file's own when none does, which then refuses it).
    """
    fixed: list[str] = []
    for part in Path(pattern).parts:
        if any(wildcard in part for wildcard in "*?["):
            break
        fixed.append(part)
    start = base.joinpath(*fixed)
    return str(next((root for root in roots if is_inside(start, (root,))), roots[0]))


def _framework_issues_in_invalid(
    document: Document, catalog: FrameworkCatalog, path: Path
) -> Iterator[Issue]:
    """Unknown metric ids and off-scale ratings in a file that failed validation, so one run
    reports them too.

    Best effort: when the framework itself cannot be found, the validation errors stand alone.
    """
    data = document.data
    reference = data.get("framework", DEFAULT_FRAMEWORK) if isinstance(data, dict) else None
    if not isinstance(reference, str):
        return
    try:
        framework = catalog.for_reference(reference, document, path)
    except CxScoreError:
        return
    ids = [metric.id for metric in framework.metrics]
    for section in ("ratings", "weights"):
        entries = data.get(section)
        for metric_id in entries if isinstance(entries, dict) else ():
            if metric_id not in ids:
                yield _unknown_metric(document, section, metric_id, framework.id, ids)
    ratings = data.get("ratings")
    for metric in framework.metrics if isinstance(ratings, dict) else ():
        entry = ratings.get(metric.id)
        given = entry.get("rating") if isinstance(entry, dict) else entry
        items = list(enumerate(given)) if isinstance(given, list) else [(None, given)]
        for index, item in items if metric.measure is None else ():
            rating = _finite_number(item)
            if rating is not None and not framework.scale.min <= rating <= framework.scale.max:
                yield _off_scale(document, framework, metric.id, rating, index)


def _finite_number(value: object) -> float | None:
    """``value`` as a finite float when it is a YAML number that has one, else None.

    An integer too large for a float (a 400-digit rating) has none: it is no rating to compare.
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


def _off_scale(
    document: Document, framework: Framework, metric_id: str, rating: float, index: int | None = None
) -> Issue:
    """A rating off the scale, located at the rating (at the assessor's item of a list)."""
    loc: tuple[str | int, ...] = ("ratings", metric_id, "rating", *(() if index is None else (index,)))
    node = locate(document.root, _as_written(loc, document.data))
    low, high = framework.scale.min, framework.scale.max
    message = f"ratings.{metric_id}: {rating:g} is outside the {framework.id} scale {low:g}–{high:g}"
    return Issue(document.path, message, node.line, node.col)


def _unknown_metric(
    document: Document, section: str, metric_id: str, framework_id: str, ids: list[str]
) -> Issue:
    node = locate(document.root, (section, metric_id), at_key=True)
    message = f"{section}: unknown metric '{metric_id}' in {framework_id}{did_you_mean(metric_id, ids)}"
    return Issue(document.path, message, node.line, node.col)


def check_against_framework(brand: BrandFile, framework: Framework, document: Document) -> Iterator[Issue]:
    """Problems that need the framework to see: unknown ids, off-scale ratings, nothing to score."""
    known = framework.metrics_by_id  # built once per framework: every brand of a portfolio checks it
    ids = list(known)
    for section in ("ratings", "weights"):
        for metric_id in getattr(brand, section):
            if metric_id not in known:
                yield _unknown_metric(document, section, metric_id, framework.id, ids)
    low, high = framework.scale.min, framework.scale.max
    for metric_id, entry in brand.ratings.items():
        metric = framework.metric(metric_id)
        if metric is not None and metric.measure is not None:
            yield from _check_measured(metric_id, entry, metric.measure, document)
            continue
        if metric is not None and not _only_rated(entry):
            yield from _check_rated(metric_id, entry, framework, document)
        if entry.assessments is not None:
            yield from (
                _off_scale(document, framework, metric_id, rating, index)
                for index, rating in enumerate(entry.assessments)
                if not low <= rating <= high
            )
        elif entry.rating is not None and not low <= entry.rating <= high:
            yield _off_scale(document, framework, metric_id, entry.rating)
    if brand.industry is not None:
        yield from _check_industry(brand.industry, framework, document)
    unknown = any(metric_id not in known for metric_id in brand.ratings)
    rated = [m for m in framework.metrics if m.id in brand.ratings and brand.ratings[m.id].given]
    if not rated and not unknown:
        node = locate(document.root, ("ratings",))
        message = "nothing is rated, so there is no score: rate at least one metric"
        yield Issue(document.path, message, node.line, node.col)
    elif rated and all(brand.weights.get(m.id, m.weight) == 0 for m in rated):
        node = locate(document.root, ("weights",))
        message = "every rated metric has weight 0, so there is no score"
        yield Issue(document.path, message, node.line, node.col)


def framework_industries(framework: Framework) -> dict[str, str]:
    """The industries some curve of ``framework`` has anchors for, by id, with their names."""
    found: dict[str, str] = {}
    for metric in framework.metrics:
        for key, anchors in (metric.curve.industries if metric.curve else {}).items():
            found.setdefault(key, anchors.name)
    return dict(sorted(found.items()))


def _check_industry(industry: str, framework: Framework, document: Document) -> Iterator[Issue]:
    """An ``industry:`` must name one the framework's curves give anchors for."""
    known = framework_industries(framework)
    if industry in known:
        return
    node = locate(document.root, ("industry",))
    if known:
        listing = f"{did_you_mean(industry, list(known))} (known: {', '.join(known)})"
    else:
        listing = ": it gives none, so leave 'industry' out"
    message = f"industry: {framework.id} has no curve anchors for industry '{industry}'{listing}"
    yield Issue(document.path, message, node.line, node.col)


def _only_rated(entry: RatingEntry) -> bool:
    """Whether an entry gives none of the fields that belong to measured metrics (the usual case)."""
    return (
        entry.value is None
        and entry.source is None
        and entry.n is None
        and entry.ci_low is None
        and entry.weight is None
        and entry.n_effective is None
    )


def _check_rated(
    metric_id: str, entry: RatingEntry, framework: Framework, document: Document
) -> Iterator[Issue]:
    """A rated metric takes a rating on the scale, not a measured value, interval or data source."""
    for field, key in (
        ("value", "value"),
        ("source", "from"),
        ("n", "n"),
        ("ci_low", "ci_low"),
        ("weight", "weight"),
        ("n_effective", "n_effective"),
    ):
        if getattr(entry, field) is not None:
            node = locate(document.root, ("ratings", metric_id, key), at_key=True)
            scale = f"{framework.scale.min:g}–{framework.scale.max:g}"
            message = (
                f"ratings.{metric_id}: '{key}' is for measured metrics; "
                f"{metric_id} is rated on the {framework.id} scale {scale}: give a rating"
            )
            yield Issue(document.path, message, node.line, node.col)
            return


def _check_measured(
    metric_id: str, entry: RatingEntry, measure: Measure, document: Document
) -> Iterator[Issue]:
    """A measured value must lie in its measure's range; a data source needs a column."""
    if entry.assessments is not None:
        node = locate(document.root, _as_written(("ratings", metric_id, "rating"), document.data))
        message = (
            f"ratings.{metric_id}: a list of assessors' ratings is for rated metrics; "
            f"{metric_id} is measured ({measure.label}): give one value"
        )
        yield Issue(document.path, message, node.line, node.col)
        return
    value = entry.measured_value
    if value is not None:
        low, high = MEASURE_RANGES[measure.name]
        if (low is not None and value < low) or (high is not None and value > high):
            key = "value" if entry.value is not None else "rating"
            node = locate(document.root, ("ratings", metric_id, key))
            if high is None:
                shown = f"at least {low:g}"
            elif low is None:
                shown = f"at most {high:g}"
            else:
                shown = f"{low:g} to {high:g}"
            message = f"ratings.{metric_id}: {value:g} is outside the range of {measure.label}: {shown}"
            yield Issue(document.path, message, node.line, node.col)
    reads_column = measure.name in COLUMN_MEASURES or (
        measure.name == "difference" and measure.of in COLUMN_MEASURES
    )
    if entry.source is not None and reads_column and entry.column is None and measure.column is None:
        node = locate(document.root, ("ratings", metric_id, "from"))
        message = f"ratings.{metric_id}: a data source needs 'column': the column holding the answers"
        yield Issue(document.path, message, node.line, node.col)


def iter_files(arguments: Iterable[str], issues: list[Issue], ordered: bool = True) -> Iterator[Path]:
    """Files as given, and every ``*.yaml``/``*.yml`` inside directories, one at a time; problems go
    to ``issues``.

    A directory's names are sorted, kept packed (:func:`_sorted_yaml_names`): a portfolio's paths are
    never all in memory as objects. Without ``ordered``, for a caller that orders what it makes
    itself, they come in the directory's own order and not even the names are kept.
    """
    for argument in arguments:
        path = Path(argument)
        if path.is_dir():
            found = 0
            try:
                for name in _sorted_yaml_names(path) if ordered else _yaml_names(path):
                    found += 1
                    yield Path(os.path.join(path, name))  # noqa: PTH118 -- not path / name: _sorted_yaml_names
            except OSError as error:
                issues.append(Issue(argument, f"cannot read the directory: {error.strerror or error}"))
                continue
            if not found:
                issues.append(Issue(argument, "directory has no *.yaml or *.yml files"))
        elif path.exists():
            yield path
        else:
            issues.append(Issue(argument, "no such file or directory"))


def _yaml_names(directory: Path) -> Iterator[str]:
    """The names of a directory's YAML files in the directory's own order (scandir knows each entry's
    type without a stat)."""
    with os.scandir(directory) as entries:
        for entry in entries:
            if entry.name.endswith(YAML_SUFFIXES) and entry.is_file():
                yield entry.name


def _sorted_yaml_names(directory: Path) -> Iterator[str]:
    """:func:`_yaml_names`, sorted as :func:`sorted` sorts them, with the names packed in one buffer.

    A list of 100,000 names costs 7 MB; packed as UTF-8 (undecodable bytes kept as the surrogates
    ``os.scandir`` gives them), with a start per name, they cost 2.5. The caller joins each name to its
    folder as a string: ``path / name`` would ``sys.intern`` the name (pathlib does, in Python 3.11),
    keeping every name of the folder in the interpreter's table of interned strings.
    """
    packed = bytearray()
    starts = array("q")
    for name in _yaml_names(directory):
        starts.append(len(packed))
        packed += name.encode("utf-8", "surrogatepass")
    starts.append(len(packed))

    def name_at(index: int) -> str:
        return packed[starts[index] : starts[index + 1]].decode("utf-8", "surrogatepass")

    for index in sorted_in_chunks(range(len(starts) - 1), name_at):
        yield name_at(index)
