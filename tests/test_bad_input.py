"""Every bad input gives one located line per problem on stderr, exit 2, and nothing on stdout."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import Result

BILLION_LAUGHS = "brand: x\nratings: {}\na: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{name}: &{name} [{', '.join(['*' + prev] * 9)}]\n"
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True)
)

NOT_A_BRAND_FILE = (
    "brand.yaml:1:1: not a cxscore brand file: expected a YAML mapping with brand and ratings, "
)

CASES: list[tuple[str, str | bytes, list[str]]] = [
    ("syntax", "brand: A\nratings: [1, 2\n", ["brand.yaml:3:1: YAML syntax error: "]),
    ("empty", "", ["brand.yaml:1:1: the file is empty: expected a YAML mapping"]),
    ("comment only", "# nothing\n", ["brand.yaml:1:1: the file is empty: expected a YAML mapping"]),
    (
        "list",
        "- brand: A\n",
        [NOT_A_BRAND_FILE + "got a list"],
    ),
    (
        "scalar",
        "just text\n",
        [NOT_A_BRAND_FILE + "got text"],
    ),
    (
        "two documents",
        "brand: A\n---\nbrand: B\n",
        ["brand.yaml:2:1: a second YAML document ('---'): cxscore reads one document a file"],
    ),
    (
        "duplicate key",
        "brand: A\nratings:\n  empathy: 3\n  empathy: 4\n",
        ["brand.yaml:4:3: duplicate key 'empathy' (first defined at line 3)"],
    ),
    (
        "unknown metric",
        "brand: A\nratings:\n  empathie: 3\n  consistency: 2\n",
        ["brand.yaml:3:3: ratings: unknown metric 'empathie' in cx-six; did you mean 'empathy'?"],
    ),
    (
        "unknown weight id",
        "brand: A\nweights:\n  consistancy: 2\nratings:\n  empathy: 3\n",
        ["brand.yaml:3:3: weights: unknown metric 'consistancy' in cx-six; did you mean 'consistency'?"],
    ),
    (
        "unknown field",
        "brand: A\nratngs:\n  empathy: 3\n",
        ["brand.yaml:2:1: unknown field 'ratngs'; did you mean 'ratings'?"],
    ),
    (
        "unknown framework",
        "brand: A\nframework: cx-sx\nratings:\n  empathy: 3\n",
        [
            "brand.yaml:2:12: unknown framework 'cx-sx'; did you mean 'cx-six'? "
            "(bundled: "
            "closed-loop, cx-index, cx-kpis, cx-maturity, cx-six, delight-practice, loyalty-design, "
            "loyalty-program, retention, six-pillars)"
        ],
    ),
    (
        "rating above scale",
        "brand: A\nratings:\n  empathy: 6\n",
        ["brand.yaml:3:12: ratings.empathy: 6 is outside the cx-six scale 1–5"],
    ),
    (
        "rating below scale",
        "brand: A\nratings:\n  empathy: {rating: 0.5}\n",
        ["brand.yaml:3:21: ratings.empathy: 0.5 is outside the cx-six scale 1–5"],
    ),
    (
        "non-numeric rating",
        "brand: A\nratings:\n  empathy: good\n",
        ["brand.yaml:3:12: ratings.empathy: expected a number, got the text 'good'"],
    ),
    (
        "yaml 1.1 boolean rating",
        "brand: A\nratings:\n  empathy: yes\n",
        ["brand.yaml:3:12: ratings.empathy: expected a number, got the text 'yes'"],
    ),
    (
        "true rating",
        "brand: A\nratings:\n  empathy: true\n",
        ["brand.yaml:3:12: ratings.empathy: expected a number, got the boolean true"],
    ),
    (
        "nan",
        "brand: A\nratings:\n  empathy: .nan\n",
        ["brand.yaml:3:12: ratings.empathy: must be a finite number, got the number nan"],
    ),
    (
        "infinity",
        "brand: A\nratings:\n  empathy: -.inf\n",
        ["brand.yaml:3:12: ratings.empathy: must be a finite number, got the number -inf"],
    ),
    (
        "nan text",
        "brand: A\nratings:\n  empathy: 'NaN'\n",
        ["brand.yaml:3:12: ratings.empathy: expected a number, got the text 'NaN'"],
    ),
    (
        "negative weight",
        "brand: A\nweights:\n  empathy: -1\nratings:\n  empathy: 3\n",
        ["brand.yaml:3:12: weights.empathy: must be at least 0, got the number -1"],
    ),
    (
        "huge weight",
        "brand: A\nweights:\n  empathy: 1e308\nratings:\n  empathy: 3\n",
        ["brand.yaml:3:12: weights.empathy: must be at most 1e+06, got the number 1e+308"],
    ),
    (
        "weight yes",
        "brand: A\nweights:\n  empathy: yes\nratings:\n  empathy: 3\n",
        ["brand.yaml:3:12: weights.empathy: expected a number, got the text 'yes'"],
    ),
    (
        "all rated weights zero",
        "brand: A\nweights:\n  empathy: 0\nratings:\n  empathy: 3\n",
        ["brand.yaml:3:3: every rated metric has weight 0, so there is no score"],
    ),
    (
        "nothing rated",
        "brand: A\nratings:\n  empathy: null\n  consistency:\n",
        ["brand.yaml:3:3: nothing is rated, so there is no score: rate at least one metric"],
    ),
    (
        "no ratings at all",
        "brand: A\n",
        ["brand.yaml:1:1: nothing is rated, so there is no score: rate at least one metric"],
    ),
    ("missing brand", "ratings:\n  empathy: 3\n", ["brand.yaml:1:1: missing required field 'brand'"]),
    ("empty brand", "brand: ''\nratings:\n  empathy: 3\n", ["brand.yaml:1:8: brand: must not be empty"]),
    (
        "boolean brand",
        "brand: true\nratings:\n  empathy: 3\n",
        ["brand.yaml:1:8: brand: expected text, got the boolean true: put it in quotes"],
    ),
    (
        "tab indentation",
        "brand: A\nratings:\n\tempathy: 3\n",
        ["brand.yaml:3:1: YAML syntax error: tab character here: YAML indents with spaces, not tabs"],
    ),
    (
        "latin-1 bytes",
        "brand: Caf\xe9\nratings:\n  empathy: 3\n".encode("latin-1"),
        ["brand.yaml:1:11: not UTF-8 at byte 10: save the file as UTF-8"],
    ),
    (
        "NUL byte",
        b"brand: A\x00\nratings:\n  empathy: 3\n",
        ["brand.yaml:1:9: contains a NUL byte; remove it"],
    ),
    (
        "BOM inside",
        "brand: A\nr\ufeffatings:\n  empathy: 3\n",
        ["brand.yaml:2:2: contains a byte-order mark (U+FEFF) outside quoted text; remove it"],
    ),
    (
        "python tag",
        'brand: !!python/object/apply:os.system ["echo pwned"]\n',
        [
            "brand.yaml:1:8: tag !!python/object/apply:os.system is not allowed: "
            "cxscore reads plain YAML data only"
        ],
    ),
    (
        "custom tag",
        "brand: !secret A\n",
        ["brand.yaml:1:8: tag !secret is not allowed: cxscore reads plain YAML data only"],
    ),
    (
        "alias bomb",
        BILLION_LAUGHS,
        ["brand.yaml:7:12: aliases repeat more than 20000 nodes: refusing to read it"],
    ),
    (
        "recursive alias",
        "brand: A\nratings: &r\n  <<: *r\n",
        ["brand.yaml:3:7: alias *r refers to itself"],
    ),
    ("undefined alias", "brand: *nope\n", ["brand.yaml:1:8: alias *nope has no anchor before it"]),
    (
        # Shallow enough that cxscore's own bound speaks under every PyYAML release: libyaml refuses
        # flow nesting past 1,000 levels by itself since PyYAML 6.0.4 (see the test below).
        "deep flow nesting",
        "brand: " + "[" * 100 + "]" * 100 + "\n",
        ["brand.yaml:1:71: nesting deeper than 64 levels"],
    ),
    (
        "deep block nesting",
        "brand: A\nnotes:\n" + "".join("  " * i + "-\n" for i in range(1, 100)),
        ["brand.yaml:66:129: nesting deeper than 64 levels"],
    ),
    (
        "bad date",
        "brand: A\nassessed: 2024-13-45\nratings:\n  empathy: 3\n",
        ["brand.yaml:2:11: assessed: expected a date like 2024-12-17, got the text '2024-13-45'"],
    ),
]


@pytest.mark.parametrize(("content", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_is_located(
    content: str | bytes,
    expected: list[str],
    write: Callable[..., Path],
    cli: Callable[..., Result],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = write(content)
    monkeypatch.chdir(path.parent)
    for command in ("rate", "validate"):
        result = cli(command, "brand.yaml")
        assert result.exit_code == 2, result.output
        assert result.stdout == ""
        lines = result.stderr.splitlines()
        assert len(lines) == len(expected), result.stderr
        for line, start in zip(lines, expected, strict=True):
            assert line.startswith(start), line


def test_several_problems_in_one_file_each_get_a_line(
    write: Callable[..., Path], cli: Callable[..., Result]
) -> None:
    path = write("brand: A\nratings:\n  empathy: 9\n  consistency: 0\n  responsivness: 3\n")
    result = cli("rate", path)
    assert result.exit_code == 2
    assert [line.split(": ", 1)[1] for line in result.stderr.splitlines()] == [
        "ratings: unknown metric 'responsivness' in cx-six; did you mean 'responsiveness'?",
        "ratings.empathy: 9 is outside the cx-six scale 1–5",
        "ratings.consistency: 0 is outside the cx-six scale 1–5",
    ]


def test_problems_in_several_files_are_all_reported(
    write: Callable[..., Path], cli: Callable[..., Result]
) -> None:
    good = write("brand: A\nratings: {empathy: 3}\n", "a.yaml")
    bad1 = write("brand: B\nratings: {empathy: 7}\n", "b.yaml")
    bad2 = write("ratings: {empathy: 3}\n", "c.yaml")
    result = cli("rate", good, bad1, bad2, "missing.yaml")
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert lines[0] == "missing.yaml: no such file or directory"
    assert lines[1].endswith("b.yaml:2:20: ratings.empathy: 7 is outside the cx-six scale 1–5")
    assert lines[2].endswith("c.yaml:1:1: missing required field 'brand'")
    assert result.stdout == ""


def test_directory_without_yaml(tmp_path: Path, cli: Callable[..., Result]) -> None:
    result = cli("rate", tmp_path)
    assert result.exit_code == 2
    assert result.stderr == f"{tmp_path}: directory has no *.yaml or *.yml files\n"


def test_file_too_large(write: Callable[..., Path], cli: Callable[..., Result]) -> None:
    path = write("brand: A\nnotes: '" + "x" * (1024 * 1024) + "'\n")
    result = cli("validate", path)
    assert result.exit_code == 2
    assert result.stderr.endswith(":1:1: file is larger than 1024 KiB\n")


def test_failed_run_writes_nothing(write: Callable[..., Path], cli: Callable[..., Result]) -> None:
    path = write("brand: A\nratings: {empathy: 9}\n")
    report = path.parent / "report.json"
    report.write_text("previous report\n")
    result = cli("rate", path, "--format", "json", "--output", report)
    assert result.exit_code == 2
    assert report.read_text() == "previous report\n"
    assert [p.name for p in path.parent.iterdir() if p.name.endswith(".tmp")] == []


def test_yaml_11_scalars_stay_text(write: Callable[..., Path], cli: Callable[..., Result]) -> None:
    for raw, text in (("NO", "NO"), ("on", "on"), ("1:30", "1:30"), ("0755", "0755"), ("1999", "1999")):
        path = write(f"brand: {raw}\nassessor: {raw}\nratings:\n  empathy: 4\n")
        result = cli("rate", path, "--format", "json")
        assert result.exit_code == 0, result.output
        assert f'"brand": "{text}"' in result.stdout
        assert f'"assessor": "{text}"' in result.stdout


def test_merge_keys_keep_working(write: Callable[..., Path], cli: Callable[..., Result]) -> None:
    path = write(
        """
        brand: A
        weights: &defaults
          empathy: 2
        ratings:
          <<: {empathy: 3, consistency: 4}
          consistency: 5
        """
    )
    result = cli("rate", path, "--format", "json")
    assert result.exit_code == 0, result.output
    # empathy 3 (weight 2), consistency 5 (explicit key wins over the merge): (2*3 + 5) / (3*5).
    assert '"overall_percent": 73.33333333333333' in result.stdout


@pytest.mark.parametrize("depth", [1_000, 200_000])
def test_deep_nesting_does_not_crash_the_process(tmp_path: Path, depth: int) -> None:
    # 200,000 '[' would kill the process inside libyaml's recursive C composer. Which layer refuses
    # first (cxscore's depth bound, or libyaml's own limit in newer releases) is not the point: the
    # behaviour is, under every release pyproject allows.
    path = tmp_path / "deep.yaml"
    path.write_text("brand: " + "[" * depth)
    done = subprocess.run(
        [sys.executable, "-m", "cxscore", "validate", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert re.fullmatch(re.escape(str(path)) + r":1:\d+: .*(nesting|depth).*", lines[0]), lines[0]


def test_unexpected_exceptions_are_not_swallowed(
    write: Callable[..., Path], cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Bugs must surface as tracebacks in tests, not be dressed up as user errors."""
    import cxscore.scorecard

    def broken(*_: object) -> None:
        raise RuntimeError("bug")

    monkeypatch.setattr(cxscore.scorecard, "score_brand", broken)
    with pytest.raises(RuntimeError, match="bug"):
        cli("rate", write("brand: A\nratings: {empathy: 3}\n"))


def test_unknown_ids_are_reported_with_validation_errors(
    write: Callable[..., Path], cli: Callable[..., Result]
) -> None:
    path = write("brand: A\nratings:\n  empathie: 4\n  consistency: yes\n")
    result = cli("validate", path)
    assert result.exit_code == 2
    assert [line.split(": ", 1)[1] for line in result.stderr.splitlines()] == [
        "ratings: unknown metric 'empathie' in cx-six; did you mean 'empathy'?",
        "ratings.consistency: expected a number, got the text 'yes'",
    ]
