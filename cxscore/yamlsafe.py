"""A bounded, safe YAML reader that keeps every node's position for error messages.

PyYAML's loaders are convenient but unsafe for untrusted files in ways that matter here: the C
composer recurses on the C stack (a deep enough file kills the process), aliases let a tiny file
expand into billions of nodes once something walks it, duplicate keys are silently last-wins and
YAML 1.1 typing turns ``NO`` into ``False`` and ``1:30`` into ``90``.

So cxscore takes only libyaml's *parser* (an iterative state machine, fast, in C when available) and
composes the node graph itself from the event stream, which lets it:

* bound nesting depth while reading, before anything recurses;
* bound the size a document expands to through aliases (counted once per node, memoised);
* reject any tag but the core ``!!str/int/float/bool/null/map/seq`` (so ``!!python/...`` never runs);
* resolve plain scalars with a strict YAML 1.2 core-like schema: only ``true``/``false`` are booleans,
  only ``null``/``~``/empty are null, numbers are decimal; everything else (``NO``, ``on``, ``1:30``,
  ``0755``, ``2024-12-17``) stays text for the models to interpret;
* report duplicate keys with both lines, and keep ``<<`` merge keys working.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, BinaryIO

import yaml

from cxscore.errors import InputError, Issue

MAX_BYTES = 1024 * 1024
MAX_DEPTH = 64
MAX_EXPANDED_NODES = 20_000

# libyaml's parser when PyYAML was built with it (CBaseLoader is that parser plus unused base
# classes); the pure-Python loader otherwise. Only their event streams are used.
_Parser: Any = getattr(yaml, "CBaseLoader", None) or yaml.SafeLoader

_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)\Z")
# A float needs a point or an exponent, so `0755` (an octal in YAML 1.1) stays text.
_FLOAT = re.compile(r"[-+]?(?:(?:\.[0-9]+|[0-9]+\.[0-9]*)(?:[eE][-+]?[0-9]+)?|[0-9]+[eE][-+]?[0-9]+)\Z")
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


class Scalar:
    """A scalar node: its source text, how it was written and where."""

    __slots__ = ("value", "plain", "tag", "line", "col", "size")

    def __init__(self, value: str, plain: bool, tag: str | None, line: int, col: int) -> None:
        self.value, self.plain, self.tag = value, plain, tag
        self.line, self.col, self.size = line, col, 1


class Sequence:
    """A sequence node with its items."""

    __slots__ = ("items", "line", "col", "size")

    def __init__(self, line: int, col: int) -> None:
        self.items: list[Node] = []
        self.line, self.col, self.size = line, col, 1


class Mapping:
    """A mapping node with its (key, value) pairs in source order, merge keys not yet applied."""

    __slots__ = ("pairs", "line", "col", "size")

    def __init__(self, line: int, col: int) -> None:
        self.pairs: list[tuple[Node, Node]] = []
        self.line, self.col, self.size = line, col, 1


Node = Scalar | Sequence | Mapping


class Document:
    """A parsed YAML file: its plain Python data, and a node tree that locates it.

    The node tree is composed only when something asks where a value stands (an error message):
    the happy path builds the data straight from the parser's events.
    """

    __slots__ = ("path", "data", "_text", "_root")

    def __init__(self, path: str, data: Any, text: str) -> None:
        self.path, self.data, self._text = path, data, text
        self._root: Node | None = None

    @property
    def root(self) -> Node:
        """The node tree of the document (composed on first use)."""
        if self._root is None:
            self._root = _compose(self._text)
        return self._root


def read_text(path: Path, shown: str) -> str:
    """Read a file as UTF-8 text, bounded in size, with located errors for bad bytes."""
    try:
        with path.open("rb") as handle:
            raw = _read_bounded(handle)
    except FileNotFoundError:
        raise InputError(Issue(shown, "no such file or directory")) from None
    except IsADirectoryError:
        raise InputError(Issue(shown, "is a directory, not a YAML file")) from None
    except OSError as exc:
        raise InputError(Issue(shown, f"cannot read: {exc.strerror or exc}")) from None
    if len(raw) > MAX_BYTES:
        raise InputError(Issue(shown, f"file is larger than {MAX_BYTES // 1024} KiB", 1, 1))
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = _position(raw[: exc.start].decode("utf-8", "replace"))
        message = f"not UTF-8 at byte {exc.start}: save the file as UTF-8"
        raise InputError(Issue(shown, message, line, col)) from None
    for bad, what in (("\x00", "a NUL byte"), ("\ufeff", "a byte-order mark inside the file")):
        at = text.find(bad)
        if at >= 0:
            line, col = _position(text[:at])
            raise InputError(Issue(shown, f"contains {what}; remove it", line, col))
    return text


def _read_bounded(handle: BinaryIO) -> bytes:
    """At most ``MAX_BYTES + 1`` bytes of the file.

    ``read(n)`` allocates ``n`` bytes before reading, which for a 1 MiB bound costs more than the
    whole of a small file's parsing; so a regular file no larger than the bound is read whole, and
    only anything else (larger, or a pipe) is read against the bound.
    """
    size = os.fstat(handle.fileno()).st_size
    if 0 < size <= MAX_BYTES:
        return handle.read(size + 1)
    return handle.read(MAX_BYTES + 1)


def _position(before: str) -> tuple[int, int]:
    line = before.count("\n") + 1
    return line, len(before) - (before.rfind("\n") + 1) + 1


def load_yaml(path: Path, shown: str | None = None) -> Document:
    """Read, parse and construct one YAML file with every bound applied."""
    shown = str(path) if shown is None else shown
    return parse_yaml(read_text(path, shown), shown)


def parse_yaml(text: str, shown: str) -> Document:
    """Parse YAML text into a :class:`Document`; raise :class:`InputError` with a located issue."""
    parser = _Parser(text)
    try:
        data = _load_events(parser, shown)
    except yaml.MarkedYAMLError as exc:
        raise InputError(_syntax_issue(exc, shown, text)) from None
    except yaml.YAMLError as exc:
        raise InputError(Issue(shown, f"YAML error: {exc}", 1, 1)) from None
    finally:
        parser.dispose()
    return Document(shown, data, text)


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


class _Frame:
    """A collection being built from events: its items, expanded size and where it started."""

    __slots__ = ("is_mapping", "anchor", "items", "size", "mark")

    def __init__(self, is_mapping: bool, anchor: str | None, mark: Any) -> None:
        self.is_mapping, self.anchor, self.mark = is_mapping, anchor, mark
        self.items: list[Any] = []
        self.size = 1


class _Key:
    """A mapping key as written: its text, whether it was plain, and where."""

    __slots__ = ("text", "plain", "mark")

    def __init__(self, text: str, plain: bool, mark: Any) -> None:
        self.text, self.plain, self.mark = text, plain, mark


def _load_events(parser: Any, shown: str) -> Any:
    """Build plain data (dicts with text keys, lists, scalars) from parser events, with every bound.

    Depth is checked as collections open, so nothing deeper than ``MAX_DEPTH`` is ever built;
    each alias adds the expanded size of what it refers to, so an alias bomb stops at
    ``MAX_EXPANDED_NODES`` however small the file is. This loop runs once per event of every file
    of a portfolio, so it keeps the open collection in a local rather than looking it up each time.
    """
    anchors: dict[str, tuple[Any, int]] = {}
    stack: list[_Frame] = []
    frame: _Frame | None = None  # the innermost open collection, stack[-1]
    open_anchors: set[str] = set()
    root: Any = None
    has_root = False
    documents = expanded = 0
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
                item: Any = _Key(event.value, plain, event.start_mark)
            elif not plain and tag is None:
                item = event.value
            else:
                try:
                    item = resolve_scalar(event.value, plain, tag)
                except ValueError as exc:
                    raise _fail(shown, event.start_mark, str(exc)) from None
            if event.anchor is not None:
                anchors[event.anchor] = (item.text if isinstance(item, _Key) else item, 1)
            size = new = 1
        elif kind is mapping_start or kind is sequence_start:
            if event.tag is not None and event.tag not in _ALLOWED_TAGS:
                raise _fail(shown, event.start_mark, _tag_message(event.tag))
            if len(stack) >= MAX_DEPTH:
                raise _fail(shown, event.start_mark, f"nesting deeper than {MAX_DEPTH} levels")
            if frame is not None and frame.is_mapping and not len(frame.items) % 2:
                raise _fail(shown, event.start_mark, "a mapping key must be plain text")
            if event.anchor is not None:
                open_anchors.add(event.anchor)
            frame = _Frame(kind is mapping_start, event.anchor, event.start_mark)
            stack.append(frame)
            continue
        elif kind is mapping_end or kind is sequence_end:
            done = stack.pop()
            frame = stack[-1] if stack else None
            item = _build_mapping(done, shown) if done.is_mapping else done.items
            size = done.size
            new = 1  # its items were counted as they came; only the collection itself is new
            if done.anchor is not None:
                open_anchors.discard(done.anchor)
                anchors[done.anchor] = (item, size)
        elif kind is alias_event:
            if event.anchor in open_anchors:
                raise _fail(shown, event.start_mark, f"alias *{event.anchor} refers to itself")
            target = anchors.get(event.anchor)
            if target is None:
                raise _fail(shown, event.start_mark, f"alias *{event.anchor} has no anchor before it")
            item, size = target
            new = size  # an alias repeats everything it refers to
            if frame is not None and frame.is_mapping and not len(frame.items) % 2:
                if not isinstance(item, str):
                    raise _fail(shown, event.start_mark, "a mapping key must be plain text")
                item = _Key(item, False, event.start_mark)
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
        # One finished item (a scalar, an alias or a closed collection) joins its parent.
        if frame is not None:
            frame.size += size
            frame.items.append(item)
        elif not has_root:
            root, has_root = item, True
        expanded += new
        if expanded > MAX_EXPANDED_NODES:
            _raise_expansion(shown, event)
    if not has_root:
        raise InputError(Issue(shown, "the file is empty: expected a YAML mapping", 1, 1))
    return root


def _raise_expansion(shown: str, event: Any) -> None:
    raise _fail(
        shown,
        event.start_mark,
        f"document expands to more than {MAX_EXPANDED_NODES} nodes (through aliases?): refusing to read it",
    )


def _build_mapping(frame: _Frame, shown: str) -> dict[str, Any]:
    """A finished mapping as a dict: duplicate keys are errors, ``<<`` merges fill in the rest."""
    result: dict[str, Any] = {}
    lines: dict[str, int] = {}
    merges: list[Any] = []
    items = frame.items
    for index in range(0, len(items), 2):
        key, value = items[index], items[index + 1]
        name = key.text
        if key.plain and name == "<<":
            merges.append((key, value))
            continue
        if name in result:
            message = f"duplicate key '{name}' (first defined at line {lines[name]})"
            raise _fail(shown, key.mark, message)
        result[name] = value
        lines[name] = key.mark.line + 1
    for key, value in merges:
        for source in value if isinstance(value, list) else [value]:
            if not isinstance(source, dict):
                raise _fail(shown, key.mark, "a '<<' merge needs a mapping or a list of mappings")
            for name, merged in source.items():
                result.setdefault(name, merged)
    return result


def _compose(text: str) -> Node:
    """The node tree of text that :func:`parse_yaml` has already accepted (so no bounds to check)."""
    parser = _Parser(text)
    try:
        return _compose_events(parser)
    finally:
        parser.dispose()


def _compose_events(parser: Any) -> Node:
    anchors: dict[str, Node] = {}
    stack: list[tuple[Sequence | Mapping, str | None, list[Node]]] = []
    while True:
        event = parser.get_event()
        kind = type(event)
        mark = event.start_mark
        node: Node
        if kind is yaml.ScalarEvent:
            plain = event.tag is None and bool(event.implicit[0])
            node = Scalar(event.value, plain, event.tag, mark.line + 1, mark.column + 1)
            if event.anchor is not None:
                anchors[event.anchor] = node
        elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
            collection = (Mapping if kind is yaml.MappingStartEvent else Sequence)(
                mark.line + 1, mark.column + 1
            )
            stack.append((collection, event.anchor, []))
            continue
        elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            node, anchor, children = stack.pop()
            if isinstance(node, Mapping):
                node.pairs = list(zip(children[0::2], children[1::2], strict=True))
            else:
                node.items = children
            if anchor is not None:
                anchors[anchor] = node
        elif kind is yaml.AliasEvent:
            node = anchors[event.anchor]
        else:
            continue
        if not stack:
            return node
        stack[-1][2].append(node)


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
        if _INT.match(value):
            return int(value)
        if _FLOAT.match(value):
            return float(value)
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


def mapping_items(node: Mapping, shown: str) -> list[tuple[Scalar, Node]]:
    """The mapping's (key, value) pairs with ``<<`` merges applied; explicit keys win."""
    explicit: list[tuple[Scalar, Node]] = []
    merged: list[tuple[Scalar, Node]] = []
    for key, value in node.pairs:
        if not isinstance(key, Scalar):
            raise InputError(Issue(shown, "a mapping key must be plain text", key.line, key.col))
        if key.plain and key.value == "<<":
            sources = value.items if isinstance(value, Sequence) else [value]
            for source in sources:
                if not isinstance(source, Mapping):
                    message = "a '<<' merge needs a mapping or a list of mappings"
                    raise InputError(Issue(shown, message, source.line, source.col))
                merged.extend(mapping_items(source, shown))
        else:
            explicit.append((key, value))
    if not merged:
        return explicit
    seen = {key.value for key, _ in explicit}
    extra: dict[str, tuple[Scalar, Node]] = {}
    for key, value in merged:
        if key.value not in seen and key.value not in extra:
            extra[key.value] = (key, value)
    return explicit + list(extra.values())


def locate(root: Node, loc: tuple[str | int, ...], shown: str, at_key: bool = False) -> Node:
    """Follow a validation error's ``loc`` down the node tree; stop at the deepest node found.

    With ``at_key`` the last step returns the mapping *key* node (for "unknown field" errors).
    """
    node = root
    for depth, step in enumerate(loc):
        if isinstance(node, Mapping) and isinstance(step, str):
            pair = next(((k, v) for k, v in mapping_items(node, shown) if k.value == step), None)
            if pair is None:
                return node
            if at_key and depth == len(loc) - 1:
                return pair[0]
            node = pair[1]
        elif isinstance(node, Sequence) and isinstance(step, int) and 0 <= step < len(node.items):
            node = node.items[step]
        else:
            return node
    return node
