"""cxscore: customer-experience scorecards from YAML.

The functions of :mod:`cxscore.api` are importable from here (``cxscore.score``, ``cxscore.rank_brands``,
...); they load on first use, so ``import cxscore`` stays as light as the command line needs.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
__all__ = [
    "brand_history",
    "compare_brands",
    "drivers",
    "customers",
    "frameworks",
    "measure",
    "rank_brands",
    "rate",
    "score",
]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from cxscore import api

        return getattr(api, name)
    raise AttributeError(f"module 'cxscore' has no attribute {name!r}")
