"""Starter brand files for ``cxscore init``: every metric of a framework, explained in comments, unrated.

The file is valid in every respect but one: nothing is rated yet, which ``cxscore validate`` says in one
line until any rating is filled in. Each metric's comment says what its ratings mean, taken from the
framework itself: for a rated metric, what a rating at the bottom and at the top of the scale look like
(the "A 1 means ...; a 5 means ..." sentences of its description, or the whole description); for a
measured metric, what is measured and how the curve maps the value onto a score.
"""

from __future__ import annotations

import contextlib
import datetime
import errno
import os
import re
import shlex
import textwrap
from pathlib import Path
from typing import NamedTuple

from cxscore.errors import Issue, UsageError
from cxscore.loader import DEFAULT_FRAMEWORK, YAML_SUFFIXES, FrameworkCatalog
from cxscore.models import MEASURE_RANGES, Framework, Measure, Metric
from cxscore.output import STDOUT, write_stdout
from cxscore.schema import needs_column
from cxscore.textsafe import clean_line
from cxscore.yamlsafe import resolve_scalar

DEFAULT_BRAND = "Your brand"
WIDTH = 100


class Starter(NamedTuple):
    """A starter brand file and what it was written for."""

    text: str
    framework: Framework
    framework_argument: str  # the framework as named on the command line
    schema: str  # the JSON Schema its first line names


def default_schema_name(framework: Framework) -> str:
    """The schema file a starter names unless told otherwise: one per framework, beside the file."""
    return f"cxscore-{framework.id}.schema.json"


def build_starter(
    framework_argument: str | None,
    output: Path | None,
    today: datetime.date,
    brand: str | None = None,
    schema: str | None = None,
) -> Starter:
    """The starter brand file for a framework named on the command line (a bundled id or a file).

    A framework file is named in the starter by its path relative to where the starter is written
    (``output``'s folder, or the current one for standard output), as the loader resolves it.
    """
    argument = DEFAULT_FRAMEWORK if framework_argument is None else framework_argument
    catalog = FrameworkCatalog()
    framework = catalog.load_reference(argument)
    target = catalog.resolve(argument, Path())
    if isinstance(target, str):
        reference = target
    else:
        if not argument.endswith(YAML_SUFFIXES):
            message = "a brand file can name only a .yaml or .yml framework file: rename the file"
            raise UsageError(Issue(argument, message))
        folder = Path() if output is None or str(output) == STDOUT else output.parent
        reference = Path(os.path.relpath(target.resolve(), folder.resolve())).as_posix()
    schema = default_schema_name(framework) if schema is None else schema
    text = starter_text(framework, reference, today, DEFAULT_BRAND if brand is None else brand, schema)
    return Starter(text, framework, argument, schema)


def write_starter(starter: Starter, output: Path | None) -> str | None:
    """Print the starter, or write it to a new file; return a hint for the user, if any.

    The hint, after a file is written, says how to write the schema its first line names when that
    is a local file that does not exist yet.
    """
    if output is None or str(output) == STDOUT:
        write_stdout(starter.text)
        return None
    try:  # a new brand file may start a new folder of them (brands/acme.yaml in a fresh repository)
        output.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UsageError(Issue(str(output), f"cannot write: {error.strerror or error}")) from None
    write_new_file(output, starter.text)
    schema = starter.schema
    if "://" in schema or (output.parent / schema).exists():
        return None
    framework, target = shlex.quote(starter.framework_argument), shlex.quote(str(output.parent / schema))
    return f"{output}: written; for completion in editors: cxscore schema --framework {framework} -o {target}"


def starter_text(framework: Framework, reference: str, today: datetime.date, brand: str, schema: str) -> str:
    """The text of a starter brand file for ``framework`` (named ``reference`` in the file)."""
    low, high = framework.scale.min, framework.scale.max
    rated = [metric for metric in framework.metrics if not metric.measured]
    first = framework.metrics[0].id
    mixed = 0 < len(rated) < len(framework.metrics)
    todo = []
    if rated:
        todo.append(f"rate each {'rated ' if mixed else ''}metric from {low:g} to {high:g}")
    if len(rated) < len(framework.metrics):
        kind = "measured " if mixed else ""
        todo.append(f"give each {kind}metric its value, or a data file to compute it from")
    lines = [
        f"# yaml-language-server: $schema={clean_line(schema)}",
        *_comment(
            f"A brand file on {framework.name} ({framework.id}), written by `cxscore init`: "
            f"{' and '.join(todo)} (null: not rated yet). Then check it with `cxscore validate FILE` "
            "and score it with `cxscore rate FILE`.",
            "",
        ),
        f"brand: {yaml_scalar(brand)}",
        f"framework: {yaml_scalar(reference)}",
        f"assessed: {today.isoformat()}",
        "# assessor: who assessed the brand",
        *_several_assessors(rated, low, high),
        "# notes: anything a reader of the scores should know",
        *_industry_lines(framework),
        "# weights:  # to weigh a metric differently for this brand than the framework does, e.g.",
        f"#   {first}: 2",
        "ratings:",
    ]
    for metric in framework.metrics:
        lines += _metric_lines(metric, framework)
    return "\n".join(lines) + "\n"


def _industry_lines(framework: Framework) -> list[str]:
    """``# industry: ...`` with the industries the framework's curves have anchors for, if any."""
    from cxscore.loader import framework_industries

    known = framework_industries(framework)
    if not known:
        return []
    return _comment(f"industry: to score on an industry's curve anchors, one of: {', '.join(known)}", "")


def _metric_lines(metric: Metric, framework: Framework) -> list[str]:
    weight = f"weight {metric.weight:g}"
    body: list[tuple[str, str]]
    if metric.measure is None or metric.curve is None:
        heading = f"{metric.name} · {weight} · rated {framework.scale.min:g}–{framework.scale.max:g}"
        body = _rating_anchors(metric.description, framework)
    else:
        heading = f"{metric.name} · {weight} · measured"
        source = "{from: DATA.csv, column: COLUMN}" if needs_column(metric) else "{from: DATA.csv}"
        body = [
            ("", _first_sentence(metric.description)),
            ("measure: ", describe_measure(metric.measure)),
            ("curve: ", describe_curve(metric)),
            ("give: ", f"a value, {{value: V, n: N, ci_low: L, ci_high: H}} or a data source {source}"),
        ]
    lines = _comment(heading, "  ")
    for label, paragraph in body:
        if paragraph:
            lines += _comment(label + paragraph, "  ", hanging=len(label))
    return [*lines, f"  {metric.id}: null"]


def _rating_anchors(description: str, framework: Framework) -> list[tuple[str, str]]:
    """What the bottom and the top rating mean, from an "A 1 means ...; a 5 means ..." description,
    as (label, text) pairs; a description in another form is given whole."""
    text = " ".join(description.split())
    low, high = f"{framework.scale.min:g}", f"{framework.scale.max:g}"
    found = re.search(
        rf"\bA {re.escape(low)} means (?P<low>.+?); an? {re.escape(high)} means (?P<high>.+?)\.(?:\s|$)",
        text,
    )
    if found is None:
        return [("", text)]
    return [("", text[: found.start()].strip()), (f"{low}: ", found["low"]), (f"{high}: ", found["high"])]


def _first_sentence(text: str) -> str:
    text = " ".join(text.split())
    end = text.find(". ")
    return text if end < 0 else text[: end + 1]


def describe_measure(measure: Measure) -> str:
    """What a measure computes, in a few words: ``NPS of column ltr (points; -100 to 100)``."""
    if measure.name == "share":
        what = f"share of rows where {measure.where}"
    elif measure.name == "ratio":
        what = f"ratio of sums, {measure.numerator} / {measure.denominator}"
    elif measure.name == "net_box" and measure.top and measure.bottom:
        top = ", ".join(f"{v:g}" for v in measure.top)
        bottom = ", ".join(f"{v:g}" for v in measure.bottom)
        column = f" of column {measure.column}" if measure.column else ""
        what = f"net box{column}: % answering {top} minus % answering {bottom}"
    elif measure.name == "difference" and measure.between:
        inner = "share" if measure.of == "share" else f"{measure.of}"
        condition = f" where {measure.where}" if measure.where else ""
        column = f" of column {measure.column}" if measure.column else ""
        first, second = measure.between
        what = f"difference in {inner}{column}{condition} between {first} and {second}"
    else:
        what = measure.label + (f" of column {measure.column}" if measure.column else "")
        if measure.where:
            what += f" where {measure.where}"
    low, high = MEASURE_RANGES[measure.name]
    about = [measure.unit] if measure.unit else []
    if low is not None and high is not None:
        about.append(f"{low:g} to {high:g}")
    elif low is not None:
        about.append(f"at least {low:g}")
    return f"{what} ({'; '.join(about)})" if about else what


def describe_curve(metric: Metric) -> str:
    """How the curve scores a value: ``linear, 6 scores 0% and 66 scores 100% (higher is better)``."""
    curve = metric.curve
    if curve is None:
        return "none"
    if curve.type == "linear" and curve.worst is not None and curve.best is not None:
        direction = "higher" if curve.best > curve.worst else "lower"
        return f"linear, {curve.worst:g} scores 0% and {curve.best:g} scores 100% ({direction} is better)"
    return f"lognormal, {curve.p10:g} scores 90% and {curve.median:g} scores 50% (lower is better)"


def _several_assessors(rated: list[Metric], low: float, high: float) -> list[str]:
    """How several assessors rate one metric: a list of their ratings, on this framework's scale."""
    if not rated:
        return []
    example = ", ".join(f"{max(low, high - step):g}" for step in (1, 2, 0))
    return [f"#   (several assessors: a list of their ratings, e.g. {rated[0].id}: [{example}])"]


def _comment(text: str, indent: str, hanging: int | None = None) -> list[str]:
    """``text`` as comment lines of at most WIDTH characters, control characters made visible.

    With ``hanging``, the paragraph is indented under its heading and its later lines by ``hanging``
    more (past a label such as ``1: ``).
    """
    first = f"{indent}# " if hanging is None else f"{indent}#   "
    return textwrap.wrap(
        clean_line(text),
        WIDTH,
        initial_indent=first,
        subsequent_indent=first + " " * (hanging or 0),
        break_long_words=False,
        break_on_hyphens=False,
    )


# A plain scalar is written as it is only when it is plainly text to any YAML reader.
_PLAIN = re.compile(r"(?:\.\.?/)*[A-Za-z0-9_][A-Za-z0-9 _.,&()'/+-]*")
_WORDS = {"yes", "no", "on", "off", "y", "n", "true", "false", "null"}


def yaml_scalar(text: str) -> str:
    """``text`` as a YAML scalar that reads back as the same text: plain where that is safe, else
    double-quoted with every character that is not printable escaped."""
    plain = (
        _PLAIN.fullmatch(text) is not None
        and text == text.strip()
        and ": " not in text
        and " #" not in text
        and text.lower() not in _WORDS
        and resolve_scalar(text, True, None) == text
    )
    if plain:
        return text
    escaped = "".join(_ESCAPES.get(char) or (char if char.isprintable() else _escape(char)) for char in text)
    return f'"{escaped}"'


_ESCAPES = {"\\": "\\\\", '"': '\\"'}


def _escape(char: str) -> str:
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def write_new_file(path: Path, text: str) -> None:
    """Create ``path`` holding ``text``; never replace anything that stands there.

    The text goes to a temporary file in the same folder first, which is then hard-linked to ``path``
    (a link, unlike a rename, fails when the name is taken), so nobody sees half a file. Where the file
    system has no hard links, the file is created exclusively and written in place.
    """
    import tempfile

    if os.path.lexists(path):
        raise UsageError(Issue(str(path), _exists_message(path)))
    folder = path.parent
    if not folder.is_dir():
        raise UsageError(Issue(str(path), "cannot write: the directory does not exist"))
    data = text.encode("utf-8")
    try:
        descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as error:
        raise UsageError(Issue(str(path), f"cannot write: {error.strerror or error}")) from None
    try:
        os.fchmod(descriptor, _new_file_mode())
        _write_all(descriptor, data)
        os.fsync(descriptor)
        os.close(descriptor)
        descriptor = -1
        try:
            os.link(temporary, path)
        except OSError as error:
            if error.errno not in {errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK}:
                raise
            _create_exclusively(path, data)
    except FileExistsError:
        raise UsageError(Issue(str(path), _exists_message(path))) from None
    except OSError as error:
        raise UsageError(Issue(str(path), f"cannot write: {error.strerror or error}")) from None
    finally:
        if descriptor >= 0:
            os.close(descriptor)
        with contextlib.suppress(FileNotFoundError):
            Path(temporary).unlink()


def _exists_message(path: Path) -> str:
    if path.is_dir():
        return "is a directory: name a new file"
    return "already exists, and cxscore init never overwrites a file: name a new one"


def _create_exclusively(path: Path, data: bytes) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        _write_all(descriptor, data)
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _write_all(descriptor: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(descriptor, view)
        if written <= 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        view = view[written:]


def _new_file_mode() -> int:
    """What a new file gets under the umask (a temporary file starts owner-only)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask
