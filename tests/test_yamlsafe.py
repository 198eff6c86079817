"""cxscore's YAML reader against PyYAML, its bounds, merge keys and byte-order marks."""

from __future__ import annotations

import datetime
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import Result

from cxscore import yamlsafe
from cxscore.errors import InputError
from cxscore.yamlsafe import (
    MAX_ALIASED_NODES,
    MAX_BYTES,
    MAX_NODES,
    Node,
    Scalar,
    Sequence,
    load_yaml,
    locate,
    parse_yaml,
    resolve_scalar,
)

BILLION_LAUGHS = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{name}: &{name} [{', '.join(['*' + prev] * 9)}]\n"
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True)
)


def issues_of(text: str) -> list[str]:
    """The located messages cxscore gives for ``text`` (none when it loads)."""
    try:
        parse_yaml(text, "f.yaml")
    except InputError as error:
        return [issue.format() for issue in error.issues]
    return []


# -- Differential test: the same data as yaml.safe_load ---------------------------------------------

# Plain words both read as text: YAML 1.1's booleans and null are left out (see the documented
# differences below); starting with a letter keeps numbers, dates and `1:30` out.
YAML11_WORDS = {"yes", "no", "on", "off", "true", "false", "null", "y", "n"}
WORD = re.compile(r"[a-z][a-z0-9_]{0,5}( [a-z0-9_.]{1,4})?")
words = st.builds(
    lambda first, rest, second: first + rest + (f" {second}" if second else ""),
    st.sampled_from("abcdefnoxyz"),
    st.text("abcefnoxyz019_", max_size=5),
    st.text("abz09_.", max_size=4),
).filter(lambda word: word not in YAML11_WORDS)
integers = st.integers(-(10**30), 10**30).map(str) | st.integers(0, 99).map(lambda n: f"+{n}")
# PyYAML's YAML 1.1 floats need a point, and a sign on the exponent: these forms agree.
floats = st.builds(
    lambda sign, whole, fraction, exponent: f"{sign}{whole}.{fraction}{exponent}",
    st.sampled_from(["", "-", "+"]),
    st.integers(0, 10**6),
    st.from_regex(r"[0-9]{0,4}", fullmatch=True),
    st.sampled_from(["", "e+3", "e-7", "E+12"]),
)
agreed_words = st.sampled_from(
    ["true", "True", "TRUE", "false", "False", "FALSE", "null", "Null", "NULL", "~"]
    + [".inf", "-.inf", "+.inf", ".Inf", "-.INF"]
)
# Quoted text may hold anything printable, U+FEFF included (legal inside quotes).
quoted_text = st.text(
    st.sampled_from(list("ab z09'\"\\#:,-[]{}&*!|>%@`<") + ["é", "中", "😀", "\ufeff", "\t"]),
    max_size=8,
)


def single_quoted(text: str) -> str:
    """``text`` as a single-quoted scalar."""
    return "'" + text.replace("'", "''") + "'"


def double_quoted(text: str) -> str:
    """``text`` as a double-quoted scalar (a tab escaped, a U+FEFF left as it is)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t") + '"'


def is_word(text: str) -> bool:
    """Whether ``text`` is one of the plain words both readers take as text."""
    return WORD.fullmatch(text) is not None and text not in YAML11_WORDS


scalars = st.one_of(
    words,
    integers,
    floats,
    agreed_words,
    quoted_text.map(single_quoted),
    quoted_text.map(double_quoted),
)


class DocumentWriter:
    """Writes one random YAML document: block and flow collections, anchors, aliases, merges.

    Aliases name only anchors of finished nodes (so none refers to itself), merges only mappings,
    and each mapping has one ``<<`` at most: the documents are ones both readers must accept.
    Merges also stay where PyYAML 6.0.4 keeps to the merge-key specification (see the merge tests
    below): the mappings a ``<<`` lists share no key, and a mapping that merges is merged nowhere.
    """

    def __init__(self, draw: Callable[..., Any]) -> None:
        self.draw = draw
        self.budget = 20  # collections and aliases left to write: keeps documents (and expansions) small
        # Finished anchored nodes: the name, and the keys of a mapping that may be merged (else None).
        self.anchors: list[tuple[str, frozenset[str] | None]] = []
        self.anchoring = True
        self.anchor_count = 0

    def document(self) -> str:
        """A block mapping at the top level, as a scorecard has."""
        lines, _ = self.block_mapping(0)
        return "\n".join(lines) + "\n"

    def pick(self, *kinds: str) -> str:
        if self.budget <= 0:
            return "scalar"
        self.budget -= 1
        kind: str = self.draw(st.sampled_from(kinds))
        return "scalar" if kind == "alias" and not self.anchors else kind

    def new_anchor(self) -> str | None:
        if not self.anchoring or self.draw(st.integers(0, 3)):  # one node in four has an anchor
            return None
        self.anchor_count += 1
        return f"a{self.anchor_count}"

    def alias(self) -> str:
        name, _ = self.draw(st.sampled_from(self.anchors))
        return f"*{name}"

    def keys(self, most: int) -> list[tuple[str, str]]:
        """Unique keys: each key's text, and the text written plain when it can be, else quoted."""
        texts = self.draw(st.lists(words | quoted_text, min_size=1, max_size=most, unique=True))
        return [
            (text, text if is_word(text) and self.draw(st.booleans()) else double_quoted(text))
            for text in texts
        ]

    def merge_value(self) -> str | None:
        """What follows ``<<:``, or None for no merge in this mapping."""
        sources = [(name, keys) for name, keys in self.anchors if keys is not None]
        choice = self.draw(st.sampled_from(["none", "none", "inline", "alias", "list"]))
        if choice == "inline":
            # Written now but placed anywhere among the keys: it may alias, not anchor.
            anchoring, self.anchoring = self.anchoring, False
            inline, _ = self.flow_mapping(merge=False)
            self.anchoring = anchoring
            return inline
        if choice == "alias" and sources:
            return "*" + self.draw(st.sampled_from(sources))[0]
        if choice == "list" and sources:
            names: list[str] = []
            taken: frozenset[str] = frozenset()
            for name, keys in self.draw(st.lists(st.sampled_from(sources), min_size=1, max_size=3)):
                if not keys & taken:
                    names.append(name)
                    taken |= keys
            return "[" + ", ".join(f"*{name}" for name in names) + "]"
        return None

    def block_mapping(self, indent: int) -> tuple[list[str], frozenset[str] | None]:
        pad = " " * indent
        lines = []
        merge = self.merge_value()
        keys = self.keys(4)
        for position, (_, written) in enumerate(keys):
            if merge is not None and self.draw(st.integers(0, len(keys) - position)) == 0:
                lines.append(f"{pad}<<: {merge}")
                merge = None
            head, after = self.block_node(indent + 2)
            lines.append(f"{pad}{written}:{head}")
            lines.extend(after)
        if merge is not None:
            lines.append(f"{pad}<<: {merge}")
        return lines, self.mergeable(keys, merge)

    def block_sequence(self, indent: int) -> list[str]:
        lines = []
        for _ in range(self.draw(st.integers(1, 3))):
            head, after = self.block_node(indent + 2)
            lines.append(f"{' ' * indent}-{head}")
            lines.extend(after)
        return lines

    def block_node(self, indent: int) -> tuple[str, list[str]]:
        """A node after ``key:`` or ``-``: the rest of that line, and the lines below it."""
        kind = self.pick("scalar", "alias", "flow", "block_mapping", "block_sequence")
        if kind == "alias":
            return f" {self.alias()}", []
        anchor = self.new_anchor()
        head = f" &{anchor}" if anchor else ""
        after: list[str] = []
        keys = None
        if kind == "block_mapping":
            after, keys = self.block_mapping(indent)
        elif kind == "block_sequence":
            after = self.block_sequence(indent)
        elif kind == "flow":
            text, keys = self.flow_collection()
            head = f"{head} {text}"
        else:
            head = f"{head} {self.draw(scalars | st.just(''))}".rstrip()
        if anchor:
            self.anchors.append((anchor, keys))
        return head, after

    def flow_collection(self) -> tuple[str, frozenset[str] | None]:
        if self.draw(st.booleans()):
            return self.flow_mapping(merge=True)
        items = [self.flow_node() for _ in range(self.draw(st.integers(0, 3)))]
        return "[" + ", ".join(items) + "]", None

    def flow_mapping(self, merge: bool) -> tuple[str, frozenset[str] | None]:
        value = self.merge_value() if merge else None  # before the entries: it names finished nodes
        keys = self.keys(3)
        entries = [f"{written}: {self.flow_node()}" for _, written in keys]
        if value is not None:
            entries.insert(self.draw(st.integers(0, len(entries))), f"<<: {value}")
        return "{" + ", ".join(entries) + "}", self.mergeable(keys, value)

    def flow_node(self) -> str:
        kind = self.pick("scalar", "alias", "flow")
        if kind == "alias":
            return self.alias()
        anchor = self.new_anchor()
        text, keys = self.flow_collection() if kind == "flow" else (self.draw(scalars), None)
        if anchor is None:
            return text
        self.anchors.append((anchor, keys))
        return f"&{anchor} {text}"

    @staticmethod
    def mergeable(keys: list[tuple[str, str]], merge: str | None) -> frozenset[str] | None:
        """A mapping's keys when it may be merged into another: when it merges nothing itself."""
        return frozenset(text for text, _ in keys) if merge is None else None


@st.composite
def documents(draw: Callable[..., Any]) -> str:
    """A YAML document both readers accept."""
    return DocumentWriter(draw).document()


def data_of(node: Node) -> Any:
    """The plain data a node tree describes (what the data sink builds straight from events)."""
    if isinstance(node, Scalar):
        return resolve_scalar(node.value, node.plain, node.tag)
    if isinstance(node, Sequence):
        return [data_of(item) for item in node.items]
    return {name: data_of(value) for name, (_, value) in node.entries.items()}


@settings(max_examples=100, derandomize=True, database=None, deadline=None)
@given(documents())
def test_same_data_as_pyyaml(text: str) -> None:
    expected = yaml.safe_load(text)
    document = parse_yaml(text, "f.yaml")
    assert document.data == expected, text
    assert data_of(document.root) == document.data, text


@pytest.mark.parametrize(
    ("text", "ours", "pyyaml"),
    [
        # YAML 1.1 typing that cxscore leaves as text, for the models to read or refuse.
        ("yes", "yes", True),
        ("NO", "NO", False),
        ("on", "on", True),
        ("Off", "Off", False),
        ("1:30", "1:30", 90),
        ("0755", "0755", 493),
        ("0x1F", "0x1F", 31),
        ("1_000", "1_000", 1000),
        ("2024-12-17", "2024-12-17", datetime.date(2024, 12, 17)),
        # Decimals YAML 1.2 reads as numbers and PyYAML's YAML 1.1 patterns miss.
        ("1e3", 1000.0, "1e3"),
        ("-.5", -0.5, "-.5"),
    ],
)
def test_documented_differences_from_pyyaml(text: str, ours: Any, pyyaml: Any) -> None:
    assert repr(parse_yaml(f"v: {text}\n", "f.yaml").data["v"]) == repr(ours)
    assert repr(yaml.safe_load(f"v: {text}\n")["v"]) == repr(pyyaml)


# The decimal grammar resolve_scalar implements, as regular expressions: the specification it is
# checked against (it avoids compiling them itself, for start-up time).
DECIMAL_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
DECIMAL_FLOAT = re.compile(r"[-+]?(?:(?:\.[0-9]+|[0-9]+\.[0-9]*)(?:[eE][-+]?[0-9]+)?|[0-9]+[eE][-+]?[0-9]+)")


@settings(max_examples=300, derandomize=True, database=None)
@given(st.text(st.sampled_from("0123456789+-.eE_x \u0661\u00b2"), max_size=8))
def test_plain_numbers_follow_the_decimal_grammar(text: str) -> None:
    value = resolve_scalar(text, True, None)
    if DECIMAL_INT.fullmatch(text):
        assert (type(value), value) == (int, int(text))
    elif DECIMAL_FLOAT.fullmatch(text):
        assert (type(value), value) == (float, float(text))
    elif text not in {"", "-.inf", "+.inf"}:  # null and the infinities have their own words
        assert value == text


# -- Merge keys -------------------------------------------------------------------------------------


def test_merge_keys_own_keys_win_then_earlier_mappings() -> None:
    # The merge-key specification; PyYAML 6.0.4 lets the *later* mapping win a shared key of two
    # letters or more (its merge skips repeated keys by object identity, which only one-letter
    # strings share).
    text = "a: &a {xx: 1, yy: 1}\nb: &b {xx: 2, zz: 2}\nc:\n  <<: [*a, *b]\n  yy: 3\n"
    assert parse_yaml(text, "f.yaml").data["c"] == {"xx": 1, "yy": 3, "zz": 2}


def test_a_merged_mapping_that_merges_keeps_its_own_keys() -> None:
    # PyYAML 6.0.4 gives {'a': 1} here: it merges y as it rewrote it, the merged value first.
    text = "x: &x {a: 1}\ny: &y {<<: *x, a: 2}\nz: {<<: *y}\n"
    assert parse_yaml(text, "f.yaml").data == {"x": {"a": 1}, "y": {"a": 2}, "z": {"a": 2}}


def test_a_quoted_merge_key_is_an_ordinary_key() -> None:
    text = "a: &a {x: 1}\nb: {'<<': *a}\n"
    assert parse_yaml(text, "f.yaml").data["b"] == yaml.safe_load(text)["b"] == {"<<": {"x": 1}}


def test_an_empty_merge_list_merges_nothing() -> None:
    assert parse_yaml("b: {<<: [], x: 1}\n", "f.yaml").data == {"b": {"x": 1}}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "a: &a {x: 1}\nb:\n  <<: *a\n  <<: *a\n",
            "f.yaml:4:3: duplicate key '<<' (first defined at line 3): "
            "merge several mappings with one '<<: [*a, *b]'",
        ),
        ("a: &a [1]\nb:\n  <<: *a\n", "f.yaml:3:3: a '<<' merge needs a mapping or a list of mappings"),
        ("b: {<<: [{x: 1}, 2]}\n", "f.yaml:1:5: a '<<' merge needs a mapping or a list of mappings"),
        ("b:\n  x: 1\n  'x': 2\n", "f.yaml:3:3: duplicate key 'x' (first defined at line 2)"),
    ],
)
def test_merge_and_duplicate_errors(text: str, message: str) -> None:
    assert issues_of(text) == [message]


def test_an_anchored_key_with_a_bad_tag_is_located_when_aliased_as_a_value() -> None:
    assert issues_of("&k !!int abc : 1\nb: *k\n") == ["f.yaml:1:1: 'abc' is not a valid !!int"]


def test_locate_finds_a_merged_value_where_its_mapping_sets_it() -> None:
    text = "base: &base\n  weight: 2\n  name: Base\nmetric:\n  <<: *base\n  name: Own\n"
    root = parse_yaml(text, "f.yaml").root
    value = locate(root, ("metric", "weight"))
    key = locate(root, ("metric", "weight"), at_key=True)
    own = locate(root, ("metric", "name"))
    assert [(node.line, node.col) for node in (value, key, own)] == [(2, 11), (2, 3), (6, 9)]


# -- Budgets: aliases, and the document's own nodes -------------------------------------------------


def test_a_mapping_of_10000_keys_without_aliases_loads() -> None:
    text = "ratings:\n" + "".join(f"  metric_{i:05d}: {i % 5 + 1}\n" for i in range(10_000))
    assert len(parse_yaml(text, "f.yaml").data["ratings"]) == 10_000


def test_a_framework_of_10000_metrics_validates(
    write: Callable[..., Path], cli: Callable[..., Result]
) -> None:
    metrics = "".join(
        f"  - {{id: m{i:05d}, name: Metric {i}, weight: 1, description: What metric {i} looks at}}\n"
        for i in range(10_000)
    )
    framework = write(
        f"id: big\nname: Big\nbands:\n  - {{name: All, min: 0}}\nmetrics:\n{metrics}", "big.yaml"
    )
    ratings = "".join(f"  m{i:05d}: {i % 5 + 1}\n" for i in range(10_000))
    brand = write(f"brand: B\nframework: big.yaml\nratings:\n{ratings}")
    assert framework.stat().st_size < MAX_BYTES
    result = cli("validate", brand)
    assert result.exit_code == 0, result.output


def test_billion_laughs_is_refused_quickly_with_the_alias_message() -> None:
    started = time.perf_counter()
    assert issues_of(BILLION_LAUGHS) == [
        f"f.yaml:5:12: aliases repeat more than {MAX_ALIASED_NODES} nodes: refusing to read it"
    ]
    assert time.perf_counter() - started < 1


def test_aliases_and_own_nodes_have_separate_budgets() -> None:
    block = "[" + ", ".join(["0"] * 999) + "]"  # 1,000 nodes
    own = "".join(f"r{i}: {block}\n" for i in range(21))
    assert len(parse_yaml(own, "f.yaml").data) == 21
    repeated = f"base: &b {block}\n" + "".join(f"r{i}: *b\n" for i in range(21))
    assert issues_of(repeated) == ["f.yaml:22:6: aliases repeat more than 20000 nodes: refusing to read it"]


def test_a_document_over_the_node_budget_is_refused_under_the_byte_cap(tmp_path: Path) -> None:
    path = tmp_path / "dense.yaml"
    path.write_text("[" + ",".join(["0"] * MAX_NODES) + "]\n", encoding="utf-8")
    assert path.stat().st_size < MAX_BYTES
    with pytest.raises(InputError) as caught:
        load_yaml(path, "dense.yaml")
    assert [issue.format() for issue in caught.value.issues] == [
        f"dense.yaml:1:{2 * MAX_NODES + 1}: document has more than 262144 nodes "
        "(keys, values and collections): refusing to read it"
    ]


# -- Byte-order marks -------------------------------------------------------------------------------


def test_a_byte_order_mark_opening_the_file_is_only_that(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbfbrand: A\n")
    document = load_yaml(path, "bom.yaml")
    key = locate(document.root, ("brand",), at_key=True)
    assert (document.data, key.line, key.col) == ({"brand": "A"}, 1, 1)


@pytest.mark.parametrize(
    "text",
    ["a: 'x\ufeffy'\n", 'a: "x\ufeffy"\n', 'a: "x\\ufeffy"\n', "{a: 'x\ufeffy'}\n", "'a': 'x\ufeffy'\n"],
)
def test_a_byte_order_mark_inside_quotes_is_kept(text: str) -> None:
    assert parse_yaml(text, "f.yaml").data == {"a": "x\ufeffy"}


def test_a_quoted_key_keeps_its_byte_order_mark() -> None:
    assert parse_yaml("'r\ufeffatings': 1\n", "f.yaml").data == {"r\ufeffatings": 1}


@pytest.mark.parametrize(
    ("text", "position"),
    [
        ("a: x\ufeffy\n", "1:5"),  # plain text: YAML allows it only in quotes
        ("r\ufeffatings: 1\n", "1:2"),  # a plain key, which would not match `ratings`
        ("b: 1\n\ufeffa: 1\n", "2:1"),  # libyaml skips one at a line's start, and misreads the indent
        ("a: [1, \ufeff2]\n", "1:8"),
        ("a: |\n  x\ufeff\n", "2:4"),  # a block scalar is not quoted either
        ("a: 1  # note\ufeff\n", "1:13"),
        ("\ufeff\ufeffa: 1\n", "1:1"),  # only the first at the start is a byte-order mark
    ],
)
def test_a_byte_order_mark_outside_quotes_is_refused(text: str, position: str) -> None:
    message = "contains a byte-order mark (U+FEFF) outside quoted text; remove it"
    assert issues_of(text) == [f"f.yaml:{position}: {message}"]


def test_a_syntax_error_speaks_before_a_byte_order_mark_it_may_hide_in_quotes() -> None:
    [issue] = issues_of("a: 'x\ufeff\n")
    assert issue.startswith("f.yaml:2:1: YAML syntax error: "), issue


# -- Without libyaml ---------------------------------------------------------------------------------


def outcome(text: str) -> Any:
    """The data cxscore reads from ``text``, or its messages."""
    try:
        return parse_yaml(text, "f.yaml").data
    except InputError as error:
        return [issue.format() for issue in error.issues]


@pytest.mark.parametrize(
    "text",
    [
        BILLION_LAUGHS,
        "a: &a {xx: 1, yy: 1}\nb: &b {xx: 2, zz: 2}\nc:\n  <<: [*a, *b]\n  yy: 3\n",
        "b:\n  x: 1\n  x: 2\n",
        "a: 'x\ufeffy'\n",
        "b: 1\n\ufeffa: 1\n",
        "a: " + "[" * 70 + "]" * 70 + "\n",
        "brand: A\n---\nbrand: B\n",
        "a: !!python/name:os.system x\n",
        "a: 0755\nb: 1e3\nc: yes\nd: ~\n",
    ],
)
def test_the_pure_python_parser_gives_the_same_answers(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with_libyaml = outcome(text)
    monkeypatch.setattr(yamlsafe, "_Parser", yaml.SafeLoader)
    assert outcome(text) == with_libyaml


def test_an_integer_too_long_to_convert_is_a_located_error(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text("brand: A\nratings: {empathy: " + "9" * 5000 + "}\n")
    with pytest.raises(InputError) as caught:
        load_yaml(path, "big.yaml")
    assert [issue.format() for issue in caught.value.issues] == [
        "big.yaml:2:20: a number of 5,000 digits is too large to read"
    ]
