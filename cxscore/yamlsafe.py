"""A bounded, safe YAML reader that keeps every node's position for error messages.

PyYAML's loaders are convenient but unsafe for untrusted files in ways that matter here: the C
composer recurses on the C stack (a deep enough file kills the process), aliases let a tiny file
expand into billions of nodes once something walks it, duplicate keys are silently last-wins and
YAML 1.1 typing turns ``NO`` into ``False`` and ``1:30`` into ``90``.

So cxscore takes only libyaml's *parser* (an iterative state machine, fast, in C when available) and
walks its event stream itself, once per thing it builds: plain data on every load, and the node
tree that locates it only when an error needs a position. The one walk:

* bounds nesting depth while reading, before anything recurses;
* bounds the nodes a document repeats through aliases (the "billion laughs" defence), and,
  separately, the nodes it has at all;
* rejects any tag but the core ``!!str/int/float/bool/null/map/seq`` (so ``!!python/...`` never runs);
* resolves plain scalars with a strict YAML 1.2 core-like schema: only ``true``/``false`` are
  booleans, only ``null``/``~``/empty are null, numbers are decimal; everything else (``NO``, ``on``,
  ``1:30``, ``0755``, ``2024-12-17``) stays text for the models to interpret;
* reports duplicate keys with both lines, and applies ``<<`` merge keys.

A byte-order mark is allowed at the start of the file and, as YAML allows, inside quoted text;
anywhere else it is refused with its position.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import yaml

from cxscore.errors import InputError, Issue
from cxscore.output import note_input

MAX_BYTES = 1024 * 1024
MAX_DEPTH = 64
#: Python's default limit on converting decimal text to int (CVE-2020-10735).
MAX_INT_DIGITS = 4300
#: Nodes a document may repeat through aliases. A few hundred bytes of nested aliases expand to
#: billions of nodes for whatever walks the data next (pydantic took seconds); scorecards reuse a
#: block or two at most.
MAX_ALIASED_NODES = 20_000
#: Nodes a document may have, aliases aside. A scorecard or framework spends more than four bytes a
#: node (a key or item, its punctuation and a line break), so any such file under MAX_BYTES fits,
#: 10,000 metrics and more; only data packed denser (``[0,0,0,...]``) reaches it, or text over
#: MAX_BYTES handed to parse_yaml directly.
MAX_NODES = MAX_BYTES // 4

# libyaml's parser when PyYAML was built with it (CBaseLoader is that parser plus unused base
# classes); the pure-Python loader otherwise. Only their event streams are used.
_Parser: Any = getattr(yaml, "CBaseLoader", None) or yaml.SafeLoader

_SIGNS = ("+", "-")
_FLOAT_CHARACTERS = frozenset("0123456789+-.eE")
_SPECIAL_FLOATS = {
    ".inf": float("inf"),
    "+.inf": float("inf"),
    "-.inf": float("-inf"),
    ".nan": float("nan"),
}
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_TRUE = frozenset({"true", "True", "TRUE"})
_FALSE = frozenset({"false", "False", "FALSE"})
_CORE = "tag:yaml.org,2002:"
_ALLOWED_TAGS = {f"{_CORE}{name}" for name in ("str", "int", "float", "bool", "null", "map", "seq")}
_ALLOWED_TAGS |= {"!"}  # the non-specific tag on a quoted scalar written as `! "x"`
_BOM = "\ufeff"
_QUOTED_STYLES = ("'", '"')


class _Located:
    """A node's position: the parser's 0-based mark, shown 1-based."""

    __slots__ = ("mark",)

    mark: Any

    @property
    def line(self) -> int:
        """1-based line of the node's first character."""
        return int(self.mark.line) + 1

    @property
    def col(self) -> int:
        """1-based column of the node's first character."""
        return int(self.mark.column) + 1


class Scalar(_Located):
    """A scalar node: its source text, whether it was written plain, its tag and where."""

    __slots__ = ("value", "plain", "tag")

    def __init__(self, value: str, plain: bool, tag: str | None, mark: Any) -> None:
        self.value, self.plain, self.tag, self.mark = value, plain, tag, mark


class Sequence(_Located):
    """A sequence node with its items."""

    __slots__ = ("items",)

    def __init__(self, items: list[Node], mark: Any) -> None:
        self.items, self.mark = items, mark


class Mapping(_Located):
    """A mapping node: each key's text to its (key node, value node), ``<<`` merges applied."""

    __slots__ = ("entries",)

    def __init__(self, entries: dict[str, tuple[Scalar, Node]], mark: Any) -> None:
        self.entries, self.mark = entries, mark


Node = Scalar | Sequence | Mapping


class Document:
    """A parsed YAML file: its plain Python data, and a node tree that locates it.

    The node tree is composed only when something asks where a value stands (an error message):
    the happy path builds the data straight from the parser's events, and the tree comes from the
    same walk over them later.
    """

    __slots__ = ("path", "data", "_text", "_root")

    def __init__(self, path: str, data: Any, text: str) -> None:
        self.path, self.data, self._text = path, data, text
        self._root: Node | None = None

    @property
    def root(self) -> Node:
        """The node tree of the document (composed on first use)."""
        if self._root is None:
            self._root = _read(self._text, self.path, _NODES)
        return self._root


def read_text(path: Path, shown: str) -> str:
    """Read a file as UTF-8 text, bounded in size, with located errors for bad bytes."""
    try:
        # Non-blocking, so a FIFO or a terminal named as a brand file is refused instead of waiting
        # forever for a writer; only regular files are read.
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        try:
            status = os.fstat(descriptor)
            if stat.S_ISDIR(status.st_mode):
                raise IsADirectoryError
            if not stat.S_ISREG(status.st_mode):
                raise InputError(Issue(shown, "is not a regular file: give a YAML file"))
            note_input(status)  # a report written by this run must not replace it
            raw = _read_bounded(descriptor, status.st_size)
        finally:
            os.close(descriptor)
    except FileNotFoundError:
        raise InputError(Issue(shown, "no such file or directory")) from None
    except IsADirectoryError:
        raise InputError(Issue(shown, "is a directory, not a YAML file")) from None
    except OSError as exc:
        raise InputError(Issue(shown, f"cannot read: {exc.strerror or exc}")) from None
    if len(raw) > MAX_BYTES:
        raise InputError(Issue(shown, f"file is larger than {MAX_BYTES // 1024} KiB", 1, 1))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = _position(raw[: exc.start].decode("utf-8", "replace").removeprefix(_BOM))
        message = f"not UTF-8 at byte {exc.start}: save the file as UTF-8"
        raise InputError(Issue(shown, message, line, col)) from None
    at = text.find("\x00")
    if at >= 0:
        line, col = _position(text[:at].removeprefix(_BOM))
        raise InputError(Issue(shown, "contains a NUL byte; remove it", line, col))
    return text


def _read_bounded(descriptor: int, size: int) -> bytes:
    """At most ``MAX_BYTES + 1`` bytes of the regular file open at ``descriptor``, ``size`` bytes long.

    Read straight from the descriptor (no buffered file object: a portfolio reads thousands of small
    files); a file no larger than the bound is asked for whole, plus one byte that shows whether it
    grew since it was measured, and only anything else is read against the bound.
    """
    remaining = size + 1 if 0 < size <= MAX_BYTES else MAX_BYTES + 1
    chunks: list[bytes] = []
    while remaining > 0:
        chunk = os.read(descriptor, remaining)
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def _position(before: str) -> tuple[int, int]:
    line = before.count("\n") + 1
    return line, len(before) - (before.rfind("\n") + 1) + 1


def load_yaml(path: Path, shown: str | None = None) -> Document:
    """Read, parse and construct one YAML file with every bound applied."""
    shown = str(path) if shown is None else shown
    return parse_yaml(read_text(path, shown), shown)


def parse_yaml(text: str, shown: str) -> Document:
    """Parse YAML text into a :class:`Document`; raise :class:`InputError` with a located issue."""
    # A byte-order mark opening the text only says how it is encoded; editors show no column for it.
    text = text.removeprefix(_BOM)
    if _BOM in text:
        _refuse_stray_byte_order_mark(text, shown)
    return Document(shown, _read(text, shown, _DATA), text)


def _read(text: str, shown: str, sink: _Sink) -> Any:
    """What ``sink`` builds from the text's events, with parser errors located."""
    parser = _Parser(text)
    try:
        return _walk(parser, shown, sink)
    except yaml.MarkedYAMLError as exc:
        raise InputError(_syntax_issue(exc, shown, text)) from None
    except yaml.YAMLError as exc:
        raise InputError(Issue(shown, f"YAML error: {exc}", 1, 1)) from None
    finally:
        parser.dispose()


def _syntax_issue(exc: yaml.MarkedYAMLError, shown: str, text: str) -> Issue:
    mark = exc.problem_mark or exc.context_mark
    problem = exc.problem or exc.context or "invalid YAML"
    if mark is not None and _char_at(text, mark.line, mark.column) == "\t":
        problem = "tab character here: YAML indents with spaces, not tabs"
    elif exc.context and exc.problem:
        problem = f"{problem} ({exc.context})"
    if mark is None:
        return Issue(shown, f"YAML syntax error: {problem}", 1, 1)
    return Issue(shown, f"YAML syntax error: {problem}", mark.line + 1, mark.column + 1)


def _char_at(text: str, line: int, column: int) -> str:
    lines = text.split("\n", line + 1)
    return lines[line][column : column + 1] if line < len(lines) else ""


def _fail(shown: str, mark: Any, message: str) -> InputError:
    return InputError(Issue(shown, message, mark.line + 1, mark.column + 1))


def _refuse_stray_byte_order_mark(text: str, shown: str) -> None:
    """Refuse a U+FEFF anywhere but inside a quoted scalar, where YAML allows it (for JSON's sake).

    Elsewhere it is invisible and not YAML: libyaml skips one at the start of a line (misreading the
    indentation) and keeps one inside plain text (``r\\ufeffatings`` is then an unknown field). Only
    text that has one pays for this second pass over the parser's events.
    """
    at = _first_stray_byte_order_mark(text)
    if at is not None:
        line, col = _position(text[:at])
        message = "contains a byte-order mark (U+FEFF) outside quoted text; remove it"
        raise InputError(Issue(shown, message, line, col))


def _first_stray_byte_order_mark(text: str) -> int | None:
    """The index of the first U+FEFF that no quoted scalar holds, or None."""
    pending = []
    at = text.find(_BOM)
    while at >= 0:
        pending.append(at)
        at = text.find(_BOM, at + 1)
    parser = _Parser(text)
    try:
        while pending:
            event = parser.get_event()
            kind = type(event)
            # Events come in source order: once one starts past a mark, no quoted scalar holds it.
            if kind is yaml.StreamEndEvent or event.start_mark.index > pending[0]:
                return pending[0]
            if kind is yaml.ScalarEvent and event.style in _QUOTED_STYLES:
                start, end = event.start_mark.index, event.end_mark.index
                pending = [at for at in pending if not start < at < end]
    except yaml.MarkedYAMLError as exc:
        # libyaml skips a mark at the start of a line and then misreads the indentation: one there,
        # before the syntax error, is its likelier cause. Any other may sit in a quoted scalar the
        # error cut short, so the syntax error speaks first.
        mark = exc.problem_mark or exc.context_mark
        at = pending[0]
        if mark is not None and at <= mark.index and text[at - 1 : at] in ("", "\n"):
            return at
    except yaml.YAMLError:
        return None
    finally:
        parser.dispose()
    return None


# The two sinks' common shape, for the type checker only: a Protocol class costs start-up time.
if TYPE_CHECKING:

    class _Sink(Protocol):
        """What the walk builds from each node: plain data, or the node tree that locates it."""

        #: Whether a mapping's entries keep their key nodes (for locating keys) or only the values.
        keeps_keys: bool

        def scalar(self, value: str, plain: bool, tag: str | None, mark: Any) -> Any:
            """A scalar (not a mapping key); raise ValueError when its tag does not fit its text."""

        def sequence(self, items: list[Any], mark: Any) -> Any:
            """A finished sequence."""

        def mapping(self, entries: dict[str, Any], mark: Any) -> Any:
            """A finished mapping, from its entries with merges applied."""

        def entries_of(self, item: Any) -> dict[str, Any] | None:
            """The entries of a mapping this sink built, or None when ``item`` is not one."""

        def items_of(self, item: Any) -> list[Any] | None:
            """The items of a sequence this sink built, or None when ``item`` is not one."""


class _DataSink:
    """Builds plain data (dicts with text keys, lists, scalars): what every load returns."""

    keeps_keys = False

    def scalar(self, value: str, plain: bool, tag: str | None, mark: Any) -> Any:
        return resolve_scalar(value, plain, tag)

    def sequence(self, items: list[Any], mark: Any) -> Any:
        return items

    def mapping(self, entries: dict[str, Any], mark: Any) -> Any:
        return entries

    def entries_of(self, item: Any) -> dict[str, Any] | None:
        return item if type(item) is dict else None

    def items_of(self, item: Any) -> list[Any] | None:
        return item if type(item) is list else None


class _NodeSink:
    """Builds the node tree, which keeps every node's position for error messages."""

    keeps_keys = True

    def scalar(self, value: str, plain: bool, tag: str | None, mark: Any) -> Any:
        return Scalar(value, plain, tag, mark)

    def sequence(self, items: list[Any], mark: Any) -> Any:
        return Sequence(items, mark)

    def mapping(self, entries: dict[str, Any], mark: Any) -> Any:
        return Mapping(entries, mark)

    def entries_of(self, item: Any) -> dict[str, Any] | None:
        return item.entries if type(item) is Mapping else None

    def items_of(self, item: Any) -> list[Any] | None:
        return item.items if type(item) is Sequence else None


_DATA = _DataSink()
_NODES = _NodeSink()


class _Frame:
    """A collection being read: its items so far (keys and values alternate in a mapping)."""

    __slots__ = ("is_mapping", "anchor", "mark", "items", "counted_before")

    def __init__(self, is_mapping: bool, anchor: str | None, mark: Any, counted_before: int) -> None:
        self.is_mapping, self.anchor, self.mark = is_mapping, anchor, mark
        self.items: list[Any] = []
        # Nodes and alias repeats counted before it opened: what is counted by the time it closes
        # is its expanded size, which an alias to it repeats.
        self.counted_before = counted_before


def _walk(parser: Any, shown: str, sink: _Sink) -> Any:
    """Build what ``sink`` makes of the parser's one document, with every bound checked here.

    Depth is checked as collections open, so nothing deeper than ``MAX_DEPTH`` is ever built.
    Every node counts once towards ``MAX_NODES``; each alias also counts the expanded size of what
    it refers to towards ``MAX_ALIASED_NODES``, so an alias bomb stops however small the file is.
    Mapping keys are always :class:`Scalar` nodes, whatever the sink: their text and position are
    what duplicate and merge checks need. This loop runs once per event of every file of a
    portfolio, so it keeps the open collection in a local rather than looking it up each time.
    """
    anchors: dict[str, tuple[Any, int]] = {}  # what each anchor names, and its expanded size
    stack: list[_Frame] = []
    frame: _Frame | None = None  # the innermost open collection, stack[-1]
    open_anchors: set[str] = set()
    root: Any = None
    has_root = False
    documents = nodes = repeated = 0
    make_scalar = sink.scalar
    scalar_event, alias_event = yaml.ScalarEvent, yaml.AliasEvent
    mapping_start, sequence_start = yaml.MappingStartEvent, yaml.SequenceStartEvent
    mapping_end, sequence_end = yaml.MappingEndEvent, yaml.SequenceEndEvent
    while True:
        event = parser.get_event()
        kind = type(event)
        if kind is scalar_event:
            tag = event.tag
            if tag is not None and tag not in _ALLOWED_TAGS:
                raise _fail(shown, event.start_mark, _tag_message(tag))
            plain = tag is None and event.implicit[0]
            if frame is not None and frame.is_mapping and not len(frame.items) % 2:
                item: Any = Scalar(event.value, plain, tag, event.start_mark)
            else:
                try:
                    item = make_scalar(event.value, plain, tag, event.start_mark)
                except ValueError as exc:
                    raise _fail(shown, event.start_mark, str(exc)) from None
            if event.anchor is not None:
                # As written, so that an alias can stand for it as a key or as a value.
                written = item if type(item) is Scalar else Scalar(event.value, plain, tag, event.start_mark)
                anchors[event.anchor] = (written, 1)
        elif kind is mapping_start or kind is sequence_start:
            if event.tag is not None and event.tag not in _ALLOWED_TAGS:
                raise _fail(shown, event.start_mark, _tag_message(event.tag))
            if len(stack) >= MAX_DEPTH:
                raise _fail(shown, event.start_mark, f"nesting deeper than {MAX_DEPTH} levels")
            if frame is not None and frame.is_mapping and not len(frame.items) % 2:
                raise _fail(shown, event.start_mark, "a mapping key must be plain text")
            if event.anchor is not None:
                open_anchors.add(event.anchor)
            frame = _Frame(kind is mapping_start, event.anchor, event.start_mark, nodes + repeated)
            stack.append(frame)
            continue
        elif kind is mapping_end or kind is sequence_end:
            done = stack.pop()
            frame = stack[-1] if stack else None
            if done.is_mapping:
                item = sink.mapping(_entries(done.items, sink, shown), done.mark)
            else:
                item = sink.sequence(done.items, done.mark)
            if done.anchor is not None:
                open_anchors.discard(done.anchor)
                anchors[done.anchor] = (item, nodes + repeated - done.counted_before + 1)
        elif kind is alias_event:
            if event.anchor in open_anchors:
                raise _fail(shown, event.start_mark, f"alias *{event.anchor} refers to itself")
            target = anchors.get(event.anchor)
            if target is None:
                raise _fail(shown, event.start_mark, f"alias *{event.anchor} has no anchor before it")
            item, size = target
            if frame is not None and frame.is_mapping and not len(frame.items) % 2:
                if type(item) is not Scalar:
                    raise _fail(shown, event.start_mark, "a mapping key must be plain text")
                # A key written as an alias is never a merge key, however its anchor was written.
                item = Scalar(item.value, False, item.tag, event.start_mark)
            elif type(item) is Scalar:
                try:
                    item = make_scalar(item.value, item.plain, item.tag, item.mark)
                except ValueError as exc:  # an anchored key's tag, checked only now it is a value
                    raise _fail(shown, item.mark, str(exc)) from None
            repeated += size
            if repeated > MAX_ALIASED_NODES:
                message = f"aliases repeat more than {MAX_ALIASED_NODES} nodes: refusing to read it"
                raise _fail(shown, event.start_mark, message)
        elif kind is yaml.DocumentStartEvent:
            documents += 1
            if documents > 1:
                raise _fail(
                    shown,
                    event.start_mark,
                    "a second YAML document ('---'): cxscore reads one document a file",
                )
            continue
        elif kind is yaml.StreamEndEvent:
            break
        else:
            continue
        # One finished node (a scalar, an alias or a closed collection) joins its parent.
        if frame is not None:
            frame.items.append(item)
        elif not has_root:
            root, has_root = item, True
        nodes += 1
        if nodes > MAX_NODES:
            message = f"document has more than {MAX_NODES} nodes (keys, values and collections)"
            raise _fail(shown, event.start_mark, f"{message}: refusing to read it")
    if not has_root:
        raise InputError(Issue(shown, "the file is empty: expected a YAML mapping", 1, 1))
    return root


def _entries(items: list[Any], sink: _Sink, shown: str) -> dict[str, Any]:
    """A closed mapping's entries by key text, its ``<<`` merge applied (the one implementation).

    Duplicate keys are errors naming both lines, a second ``<<`` included (several mappings merge
    through one ``<<`` with a list). The merge fills in only keys the mapping does not set itself,
    and earlier mappings in its list win over later ones, as YAML's merge key specifies.
    """
    entries: dict[str, Any] = {}
    merge: tuple[Scalar, Any] | None = None
    keeps_keys = sink.keeps_keys
    for index in range(0, len(items), 2):
        key, value = items[index], items[index + 1]
        name = key.value
        if _is_merge_key(key):
            if merge is not None:
                raise _duplicate(shown, key, merge[0], ": merge several mappings with one '<<: [*a, *b]'")
            merge = (key, value)
        elif name in entries:
            first = next(k for k in items[0:index:2] if k.value == name and not _is_merge_key(k))
            raise _duplicate(shown, key, first)
        else:
            entries[name] = (key, value) if keeps_keys else value
    if merge is not None:
        for source in _merge_sources(merge, sink, shown):
            for name, entry in source.items():
                entries.setdefault(name, entry)
    return entries


def _is_merge_key(key: Scalar) -> bool:
    # Only a plain `<<` merges: a quoted '<<' is an ordinary key, as in PyYAML.
    return key.plain and key.value == "<<"


def _duplicate(shown: str, key: Scalar, first: Scalar, hint: str = "") -> InputError:
    message = f"duplicate key '{key.value}' (first defined at line {first.line}){hint}"
    return _fail(shown, key.mark, message)


def _merge_sources(merge: tuple[Scalar, Any], sink: _Sink, shown: str) -> list[dict[str, Any]]:
    """The entries of each mapping a ``<<`` names: one mapping, or a list of them."""
    key, value = merge
    items = sink.items_of(value)
    sources = [sink.entries_of(item) for item in ([value] if items is None else items)]
    mappings = [entries for entries in sources if entries is not None]
    if len(mappings) < len(sources):
        raise _fail(shown, key.mark, "a '<<' merge needs a mapping or a list of mappings")
    return mappings


def _tag_message(tag: str) -> str:
    shown_tag = tag.replace(_CORE, "!!")
    return f"tag {shown_tag} is not allowed: cxscore reads plain YAML data only"


def resolve_scalar(value: str, plain: bool, tag: str | None) -> Any:
    """Give a scalar its Python value under cxscore's strict schema (see module docstring)."""
    if tag is None or tag == "!":
        if not plain:
            return value
        if value in _NULLS:
            return None
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
        number = _decimal_number(value)
        if number is not None:
            return number
        special = _SPECIAL_FLOATS.get(value.lower())
        return value if special is None else special
    name = tag[len(_CORE) :]
    if name == "str":
        return value
    if name == "null":
        return None
    resolved = resolve_scalar(value, True, None)
    if name == "bool" and isinstance(resolved, bool):
        return resolved
    if name == "int" and isinstance(resolved, int) and not isinstance(resolved, bool):
        return resolved
    if name == "float" and isinstance(resolved, int | float) and not isinstance(resolved, bool):
        return float(resolved)
    raise ValueError(f"{value!r} is not a valid !!{name}")


def _decimal_number(text: str) -> int | float | None:
    """The number ``text`` writes in decimal, or None.

    An integer has no leading zero, so ``0755`` (an octal in YAML 1.1) stays text; a float needs a
    point or an exponent (``1.5``, ``.5``, ``2e3``). Checked without a regular expression: compiling
    one costs more at start-up than resolving every scalar of a file.
    """
    digits = text[1:] if text[:1] in _SIGNS else text
    if digits.isascii() and digits.isdigit():
        if len(digits) > MAX_INT_DIGITS:
            # Python refuses to convert it with a message about sys.set_int_max_str_digits; no
            # value of a scorecard comes anywhere near this anyway.
            raise ValueError(f"a number of {len(digits):,} digits is too large to read")
        return int(text) if digits[0] != "0" or digits == "0" else None
    if ("." in text or "e" in text or "E" in text) and _FLOAT_CHARACTERS.issuperset(text):
        try:
            return float(text)  # the characters leave only decimal forms: no inf, nan or `_`
        except ValueError:
            return None
    return None


def locate(root: Node, loc: tuple[str | int, ...], at_key: bool = False) -> Node:
    """Follow a validation error's ``loc`` down the node tree; stop at the deepest node found.

    With ``at_key`` the last step returns the mapping *key* node (for "unknown field" errors); a key
    that came in through a ``<<`` merge is found where the merged mapping sets it.
    """
    node = root
    for depth, step in enumerate(loc):
        if isinstance(node, Mapping) and isinstance(step, str):
            entry = node.entries.get(step)
            if entry is None:
                return node
            if at_key and depth == len(loc) - 1:
                return entry[0]
            node = entry[1]
        elif isinstance(node, Sequence) and isinstance(step, int) and 0 <= step < len(node.items):
            node = node.items[step]
        else:
            return node
    return node
