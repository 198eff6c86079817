"""The choices of ``cxscore customers`` that its options name (cheap to import: the command line's
options are built from them before any engine is loaded)."""

from __future__ import annotations

from enum import StrEnum


class CustomerList(StrEnum):
    """Which customers the report lists (and ``-o x.csv|x.parquet`` writes)."""

    delight = "delight"
    vip = "vip"
    all = "all"


class VipBy(StrEnum):
    """What makes a VIP: past value (``ltv``) or the model's predicted value (``clv``)."""

    ltv = "ltv"
    clv = "clv"
