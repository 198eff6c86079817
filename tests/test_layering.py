"""The package's layers, checked from the code's own imports (ast), so a back-edge fails the suite.

* Presentation stays at the edge: only ``cxscore/cli/`` and ``cxscore/render/`` import rich, typer or
  ``cxscore.render``. (``cxscore/compat.py``, the one home of dependencies' private APIs, may import
  typer inside its functions.)
* Engines stay in the data layer: no module outside ``cxscore/data/`` imports ibis, duckdb, pyarrow or
  pandas at module level (``cxscore/compat.py`` and lazy imports inside a function are allowed).
* Renderers load nothing: no module under ``cxscore/render/`` imports the loader, the YAML reader, the
  output writer or the data engine code; it gets results and returns text.
* The core imports only downwards, in the order of ``CORE_LAYERS``: a module may import one of its own
  layer or below, never above (the loader never reaches for the report, scoring never for gates).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "cxscore"

PRESENTATION = ("rich", "typer", "click", "cxscore.render", "cxscore.cli")
ENGINES = ("ibis", "duckdb", "pyarrow", "pandas", "pyspark", "sqlglot", "numpy", "scipy")
# Renderers turn a result into text; reading files or running queries is the commands' and core's job.
LOADING = (
    "cxscore.loader",
    "cxscore.scorecard",
    "cxscore.yamlsafe",
    "cxscore.output",
    "cxscore.data.sources",
    "cxscore.data.compute",
    "cxscore.data.generic",
)

# Lowest first. The data layer sits just above the models and below the loader, which calls it
# lazily for data-sourced metrics; render and cli are above everything and are checked by the
# presentation rule instead.
CORE_LAYERS: tuple[tuple[str, ...], ...] = (
    ("cxscore", "cxscore.errors", "cxscore.textsafe", "cxscore.compat"),
    ("cxscore.yamlsafe", "cxscore.output", "cxscore.spool"),
    ("cxscore.models", "cxscore.report_settings"),
    ("cxscore.data",),
    ("cxscore.loader", "cxscore.schema", "cxscore.starter", "cxscore.completion", "cxscore.uncertainty"),
    ("cxscore.scoring",),
    ("cxscore.scorecard",),
    ("cxscore.compare", "cxscore.rank", "cxscore.report", "cxscore.history", "cxscore.keydrivers"),
    ("cxscore.gating",),
    ("cxscore.api",),
)


class Import(NamedTuple):
    """One import statement: who imports what, where, and whether it runs when the module loads."""

    importer: str
    imported: str
    line: int
    module_level: bool  # runs when the module loads (not inside a function, not type-checking only)


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path, root: Path) -> Iterator[Import]:
    """Every import in a file, absolute names resolved; ``module_level`` unless inside a function."""
    name = module_name(path, root)
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]

    def visit(node: ast.AST, in_function: bool) -> Iterator[Import]:
        for child in ast.iter_child_nodes(node):
            nested = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            nested = nested or (isinstance(child, ast.If) and ast.unparse(child.test) == "TYPE_CHECKING")
            if isinstance(child, ast.Import):
                for alias in child.names:
                    yield Import(name, alias.name, child.lineno, not in_function)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    anchor = package.rsplit(".", child.level - 1)[0] if child.level > 1 else package
                    base = f"{anchor}.{base}" if base else anchor
                yield Import(name, base, child.lineno, not in_function)
                for alias in child.names:  # `from cxscore import render` imports cxscore.render
                    yield Import(name, f"{base}.{alias.name}", child.lineno, not in_function)
            yield from visit(child, nested)

    yield from visit(tree, False)


def _under(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == prefix or name.startswith(prefix + ".") for prefix in prefixes)


def _layer(name: str) -> int | None:
    best: tuple[int, int] | None = None  # (length of the matching prefix, layer)
    for index, layer in enumerate(CORE_LAYERS):
        for prefix in layer:
            if (name == prefix or name.startswith(prefix + ".")) and (best is None or len(prefix) > best[0]):
                best = (len(prefix), index)
    return None if best is None else best[1]


def violations(root: Path) -> list[str]:
    """Every import that breaks one of the rules in the module docstring, as ``file:line: why``."""
    found: dict[str, None] = {}  # one line per statement and rule, in order
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root.parent).as_posix()
        at_edge = relative.startswith((f"{root.name}/cli/", f"{root.name}/render/"))
        in_data = relative.startswith(f"{root.name}/data/")
        is_compat = relative == f"{root.name}/compat.py"
        is_main = relative == f"{root.name}/__main__.py"
        for item in imports_of(path, root):
            where = f"{relative}:{item.line}"
            if _under(item.imported, PRESENTATION) and not (at_edge or is_main):
                lazy_typer = is_compat and not item.module_level and _under(item.imported, ("typer",))
                if not lazy_typer:
                    edge = _top(item.imported, PRESENTATION)
                    found[f"{where}: imports from {edge}, which belongs to the edge"] = None
            if _under(item.imported, ENGINES) and item.module_level and not in_data:
                found[
                    f"{where}: imports {_top(item.imported, ENGINES)} at module level outside the data layer"
                ] = None
            if relative.startswith(f"{root.name}/render/") and _under(item.imported, LOADING):
                found[
                    f"{where}: a renderer imports {_top(item.imported, LOADING)}; renderers load nothing"
                ] = None
            if at_edge or is_main:
                continue
            if (
                relative == f"{root.name}/__init__.py"
                and not item.module_level
                and item.imported.startswith(f"{root.name}.api")
            ):
                continue  # the package re-exports the Python API, loaded on first use
            mine, theirs = _layer(item.importer), _layer(item.imported)
            if mine is not None and theirs is not None and theirs > mine:
                above = _top(item.imported, CORE_LAYERS[theirs])
                found[f"{where}: {item.importer} imports {above}, a layer above it"] = None
    return list(found)


def _top(name: str, prefixes: tuple[str, ...]) -> str:
    """The longest of ``prefixes`` that ``name`` is under (what a message should name)."""
    return max((p for p in prefixes if _under(name, (p,))), key=len, default=name)


def test_the_package_has_no_back_edges() -> None:
    assert violations(PACKAGE) == []


def test_every_core_module_has_a_layer() -> None:
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE.parent).as_posix()
        if relative.startswith(("cxscore/render/", "cxscore/cli/", "cxscore/__main__.py")):
            continue
        assert _layer(module_name(path, PACKAGE)) is not None, f"{relative} has no place in CORE_LAYERS"


@pytest.mark.parametrize(
    ("file", "source", "expected"),
    [
        ("cxscore/gating.py", "from cxscore.render.numbers import format_number\n", "belongs to the edge"),
        ("cxscore/scoring.py", "import rich.console\n", "belongs to the edge"),
        ("cxscore/loader.py", "import duckdb\n", "at module level outside the data layer"),
        ("cxscore/loader.py", "from cxscore import report\n", "a layer above it"),
        ("cxscore/models.py", "def f():\n    from .scoring import score_brand\n", "a layer above it"),
        ("cxscore/render/frameworks.py", "from cxscore.loader import load_brand\n", "renderers load nothing"),
    ],
)
def test_the_check_catches_a_back_edge(tmp_path: Path, file: str, source: str, expected: str) -> None:
    root = tmp_path / "cxscore"
    for relative in ("__init__.py", "cli/__init__.py", "render/__init__.py", "data/__init__.py", file):
        (tmp_path / relative if relative == file else root / relative).parent.mkdir(
            parents=True, exist_ok=True
        )
    (root / "__init__.py").write_text("")
    edge = "import typer\nimport rich\nfrom cxscore.render import numbers\n"
    (root / "cli" / "__init__.py").write_text(edge)
    (root / "data" / "__init__.py").write_text("import ibis\n")
    (tmp_path / file).write_text(source)
    found = violations(root)
    assert len(found) == 1, found
    assert found[0].startswith(f"{file}:")
    assert expected in found[0]


def test_lazy_engine_imports_are_allowed_outside_the_data_layer(tmp_path: Path) -> None:
    root = tmp_path / "cxscore"
    root.mkdir()
    (root / "loader.py").write_text("def f():\n    import ibis\n    from cxscore.data import x\n")
    assert violations(root) == []
