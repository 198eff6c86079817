"""Report settings and the facts every report states about itself: who it is for, when and by what.

A consultant puts the agency's or client's name and logo on the HTML and PDF reports with a small
settings file, found upward from the current directory (``cxscore.toml``, or ``[tool.cxscore]`` in a
``pyproject.toml``) or named with ``--report-config FILE``::

    title = "Customer experience review, Q4"
    organisation = "Acme Consulting"
    logo = "brand/logo.svg"        # a local PNG or SVG beside this file, inlined into the report
    accent = "#0a3069"             # headings and the top rule; must be readable on the page (4.5:1)
    paper = "A4"                   # or "Letter": the printed and PDF page size

The file is validated like every input: an unknown key, a value of the wrong type, an unreadable or
oversized logo, an accent too pale to read are each one located ``path:line:col: message`` line. The
logo is read once, checked to be a PNG or an SVG by its bytes, and inlined as a ``data:`` URI: a
report never fetches anything, and an SVG is shown through ``<img>``, where it cannot run scripts.

:class:`ReportMeta` carries those settings with the generation time and the cxscore version to the
renderers. The command line sets it for the run (:func:`use_report_meta`); renderers read it with
:func:`report_meta`, so the renderer registry keeps one typed argument per command. The generation
time is now, or ``SOURCE_DATE_EPOCH`` when set (the reproducible-builds convention), which keeps
golden files stable.
"""

from __future__ import annotations

import base64
import contextlib
import datetime
import os
import re
from collections.abc import Iterator
from contextvars import ContextVar
from pathlib import Path
from typing import Annotated, Any, Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from cxscore import __version__
from cxscore.errors import Issue, UsageError

SETTINGS_FILE = "cxscore.toml"
PYPROJECT = "pyproject.toml"
#: A settings file or pyproject.toml larger than this is not one (they are a few hundred bytes).
MAX_SETTINGS_BYTES = 1 << 20
#: A logo is inlined into every report; a larger file is almost certainly the wrong one.
MAX_LOGO_BYTES = 256 * 1024
#: WCAG 2.1 AA's minimum contrast for body text (success criterion 1.4.3).
MIN_TEXT_CONTRAST = 4.5
#: The darkest background the accent is drawn on (the grey around the report's white cards).
PAGE_BACKGROUND = "#eef1f4"
DEFAULT_ACCENT = "#0a3069"

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_HEX_COLOUR = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
_TOML_PLACE = re.compile(r"\(at line (\d+), column (\d+)\)")

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class ReportSettings(BaseModel):
    """The settings file's keys, as written (the logo still a path)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    title: Text | None = None
    organisation: Text | None = None
    logo: Annotated[str, StringConstraints(min_length=1, max_length=4096)] | None = None
    accent: str | None = Field(default=None, description="A #rrggbb or #rgb colour")
    paper: Literal["A4", "Letter"] | None = None


class Branding(NamedTuple):
    """Settings ready for a report: the logo inlined, the accent checked."""

    title: str | None = None
    organisation: str | None = None
    logo_uri: str | None = None
    accent: str = DEFAULT_ACCENT
    paper: str = "A4"


class ReportMeta(NamedTuple):
    """What a report says about itself: branding, when it was generated, by which cxscore."""

    branding: Branding
    generated_at: datetime.datetime
    version: str = __version__

    @property
    def generated_date(self) -> str:
        """The generation date, ISO 8601 (UTC)."""
        return self.generated_at.date().isoformat()

    @property
    def generated_time(self) -> str:
        """The generation time to the minute, UTC."""
        return self.generated_at.strftime("%Y-%m-%d %H:%M UTC")


def generated_at(environ: dict[str, str] | None = None) -> datetime.datetime:
    """Now in UTC, or the time ``SOURCE_DATE_EPOCH`` names (seconds since 1970, an integer).

    The variable is the reproducible-builds standard (https://reproducible-builds.org/specs/
    source-date-epoch/); a value that is not a non-negative integer is an error, as the spec asks.
    """
    environ = dict(os.environ) if environ is None else environ
    epoch = environ.get("SOURCE_DATE_EPOCH")
    if epoch is None or epoch == "":
        return datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    if not epoch.isascii() or not epoch.isdigit() or len(epoch) > 12:
        raise UsageError(Issue("SOURCE_DATE_EPOCH", "must be a whole number of seconds since 1970-01-01 UTC"))
    return datetime.datetime.fromtimestamp(int(epoch), datetime.UTC)


def contrast_ratio(first: str, second: str) -> float:
    """WCAG 2.1 contrast ratio of two ``#rgb``/``#rrggbb`` colours, ``(L1 + 0.05) / (L2 + 0.05)``.

    ``L`` is the relative luminance ``0.2126 R + 0.7152 G + 0.0722 B`` of the linearised sRGB
    channels, ``c / 12.92`` up to 0.04045 and ``((c + 0.055) / 1.055) ** 2.4`` above (WCAG 2.1,
    "relative luminance" and "contrast ratio" definitions); ``L1`` is the lighter colour's.
    """
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _luminance(colour: str) -> float:
    digits = colour.lstrip("#")
    if len(digits) == 3:
        digits = "".join(2 * digit for digit in digits)
    channels = [int(digits[index : index + 2], 16) / 255 for index in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


# Finding and reading the settings --------------------------------------------------------------------


def find_settings(start: Path | None = None) -> tuple[Path, tuple[str, ...]] | None:
    """The settings file that applies in ``start`` (default: the current directory), with the table
    its keys live in: the nearest ``cxscore.toml`` (top level), or the nearest ``pyproject.toml`` with
    a ``[tool.cxscore]`` table, looking in ``start`` and then each folder above it."""
    folder = (start or Path.cwd()).absolute()
    for candidate in (folder, *folder.parents):
        settings = candidate / SETTINGS_FILE
        if settings.is_file():
            return settings, ()
        pyproject = candidate / PYPROJECT
        if pyproject.is_file() and _has_tool_table(pyproject):
            return pyproject, ("tool", "cxscore")
    return None


def _has_tool_table(pyproject: Path) -> bool:
    """Whether a pyproject.toml holds ``[tool.cxscore]`` (an unreadable one is reported when read)."""
    try:
        text = _read_text(pyproject, _shown(pyproject))
    except UsageError:
        return True  # say what is wrong with it rather than silently look further up
    return re.search(r"^\s*\[\s*tool\s*\.\s*cxscore\s*[\].]", text, re.MULTILINE) is not None


def load_branding(config: Path | None = None, start: Path | None = None) -> Branding:
    """The branding for this run: from ``config`` (``--report-config``) when given, else from the
    settings file found upward from ``start``; no file at all is no branding."""
    if config is not None:
        table: tuple[str, ...] = ("tool", "cxscore") if config.name == PYPROJECT else ()
        found: tuple[Path, tuple[str, ...]] | None = (config, table)
    else:
        found = find_settings(start)
    if found is None:
        return Branding()
    path, table = found
    shown = str(path) if config is not None else _shown(path)
    text = _read_text(path, shown)
    settings = _parse(text, shown, table)
    return _brand(settings, path, shown, text, table)


def _shown(path: Path) -> str:
    """A found file's name as a user would type it from here: relative to the current directory."""
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive (Windows): the path as it is
        return str(path)


def _read_text(path: Path, shown: str) -> str:
    from cxscore.output import note_input

    try:
        if path.exists() and not path.is_file():  # a folder, or a FIFO that would block the run
            raise UsageError(Issue(shown, "not a regular file"))
        with path.open("rb") as handle:
            status = os.fstat(handle.fileno())
            data = handle.read(MAX_SETTINGS_BYTES + 1)
    except OSError as error:
        raise UsageError(Issue(shown, f"cannot read: {error.strerror or error}")) from None
    note_input(status)
    if len(data) > MAX_SETTINGS_BYTES:
        raise UsageError(Issue(shown, f"larger than {MAX_SETTINGS_BYTES // 1024} KiB: not a settings file"))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise UsageError(Issue(shown, f"not UTF-8 at byte {error.start}")) from None


def _parse(text: str, shown: str, table: tuple[str, ...]) -> ReportSettings:
    import tomllib

    try:
        document: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        place = _TOML_PLACE.search(str(error))
        message = _TOML_PLACE.sub("", str(error)).strip().rstrip(".")
        line, col = (int(place[1]), int(place[2])) if place else (None, None)
        raise UsageError(Issue(shown, f"not valid TOML: {message}", line, col)) from None
    except RecursionError:  # tomllib parses nested arrays and tables recursively, with no bound
        raise UsageError(Issue(shown, "not a settings file: its values nest too deeply")) from None
    values: Any = document
    for key in table:
        if not isinstance(values, dict) or key not in values:
            raise UsageError(Issue(shown, f"has no [{'.'.join(table)}] table of report settings"))
        values = values[key]
    if not isinstance(values, dict):
        raise UsageError(Issue(shown, f"[{'.'.join(table)}] must be a table"))
    try:
        return ReportSettings.model_validate(values)
    except ValidationError as error:
        issues = []
        for problem in error.errors():
            key = str(problem["loc"][0]) if problem["loc"] else ""
            line, col = _key_place(text, table, key)
            if problem["type"] == "extra_forbidden":
                from cxscore.errors import did_you_mean

                message = f"unknown setting '{key}'{did_you_mean(key, ReportSettings.model_fields)}"
            else:
                message = f"{key}: {_reason(problem)}"
            issues.append(Issue(shown, message, line, col))
        raise UsageError(issues) from None


def _reason(problem: Any) -> str:
    kind = problem["type"]
    if kind == "string_type":
        return "must be a string in quotes"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "literal_error":
        return f"must be one of {problem['ctx']['expected']}"
    if kind == "string_too_long":
        return f"is too long (at most {problem['ctx']['max_length']} characters)"
    return str(problem["msg"]).lower()


def _key_place(text: str, table: tuple[str, ...], key: str) -> tuple[int | None, int | None]:
    """Line and column of ``key = ...`` inside ``table`` (top level for ``()``), found by reading
    the lines (tomllib gives values, not places); the table's header line when the key is not seen."""
    current: tuple[str, ...] = ()
    header_line: int | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        header = re.match(r"\s*\[\s*([^\]\[]+?)\s*\]\s*(#.*)?$", line)
        if header:
            current = tuple(part.strip().strip("\"'") for part in header[1].split("."))
            if current == table:
                header_line = number
            continue
        if current == table:
            match = re.match(rf"(\s*)[\"']?{re.escape(key)}[\"']?\s*=", line)
            if match and key:
                return number, len(match[1]) + 1
    return header_line, 1 if header_line else None


def _brand(settings: ReportSettings, path: Path, shown: str, text: str, table: tuple[str, ...]) -> Branding:
    accent = DEFAULT_ACCENT
    if settings.accent is not None:
        line, col = _key_place(text, table, "accent")
        if not _HEX_COLOUR.fullmatch(settings.accent):
            raise UsageError(
                Issue(shown, "accent: must be a colour written #rrggbb or #rgb, e.g. #0a3069", line, col)
            )
        ratio = contrast_ratio(settings.accent, PAGE_BACKGROUND)
        if ratio < MIN_TEXT_CONTRAST:
            raise UsageError(
                Issue(
                    shown,
                    f"accent: {settings.accent} has a contrast of {ratio:.2f}:1 against the page background "
                    f"{PAGE_BACKGROUND}; text needs at least {MIN_TEXT_CONTRAST}:1 (WCAG 2.1 AA): choose a "
                    "darker colour",
                    line,
                    col,
                )
            )
        accent = settings.accent.lower()
    logo_uri = None
    if settings.logo is not None:
        logo_uri = _logo_uri(settings.logo, path, shown, _key_place(text, table, "logo"))
    return Branding(settings.title, settings.organisation, logo_uri, accent, settings.paper or "A4")


def _logo_uri(logo: str, settings_path: Path, shown: str, place: tuple[int | None, int | None]) -> str:
    """The logo as a ``data:`` URI: a PNG or SVG file in the settings file's folder tree, at most
    :data:`MAX_LOGO_BYTES`, its kind read from its bytes (never from the network: a URL is refused)."""
    from cxscore.output import note_input

    def fail(message: str) -> UsageError:
        return UsageError(Issue(shown, f"logo: {message}", *place))

    if "://" in logo or logo.startswith("data:"):
        raise fail("must be a local PNG or SVG file, not a URL")
    if "\x00" in logo:
        raise fail("the path holds a NUL character")
    folder = settings_path.absolute().parent
    target = (folder / logo).resolve()
    if not target.is_relative_to(folder.resolve()):
        raise fail(f"must be inside the folder of {settings_path.name} (or below it)")
    if target.exists() and not target.is_file():  # a folder, or a FIFO that would block the run
        raise fail(f"{logo} is not a regular file")
    try:
        with target.open("rb") as handle:
            status = os.fstat(handle.fileno())
            data = handle.read(MAX_LOGO_BYTES + 1)
    except OSError as error:
        raise fail(f"cannot read {logo}: {error.strerror or error}") from None
    note_input(status)
    if len(data) > MAX_LOGO_BYTES:
        raise fail(f"{logo} is larger than {MAX_LOGO_BYTES // 1024} KiB")
    if data.startswith(_PNG_SIGNATURE):
        kind = "image/png"
    elif _looks_like_svg(data):
        kind = "image/svg+xml"
    else:
        raise fail(f"{logo} is neither a PNG nor an SVG image")
    return f"data:{kind};base64,{base64.b64encode(data).decode('ascii')}"


def _looks_like_svg(data: bytes) -> bool:
    """UTF-8 text whose first element is ``<svg``, after an optional declaration and comments."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    prologue = r"\s*(<\?xml[^>]*\?>\s*)?(<!--.*?-->\s*|<!DOCTYPE[^>\[]*>\s*)*"
    return re.match(prologue + r"<svg[\s>]", text, re.DOTALL) is not None


# The run's report facts ------------------------------------------------------------------------------

_current: ContextVar[ReportMeta | None] = ContextVar("cxscore_report_meta", default=None)


@contextlib.contextmanager
def use_report_meta(meta: ReportMeta) -> Iterator[ReportMeta]:
    """Make ``meta`` what :func:`report_meta` returns while the block runs (one command's rendering)."""
    token = _current.set(meta)
    try:
        yield meta
    finally:
        _current.reset(token)


def report_meta() -> ReportMeta:
    """The facts of the report being rendered: those set by :func:`use_report_meta`, else no branding
    and the generation time now (or ``SOURCE_DATE_EPOCH``)."""
    meta = _current.get()
    return meta if meta is not None else ReportMeta(Branding(), generated_at())


def build_report_meta(config: Path | None = None, start: Path | None = None) -> ReportMeta:
    """Branding from the settings (see :func:`load_branding`) with the generation time."""
    return ReportMeta(load_branding(config, start), generated_at())
