"""The spool keeps records in memory, then on disk, and gives back exactly what went in."""

from __future__ import annotations

import datetime
import os
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cxscore.spool
from cxscore.errors import InputError
from cxscore.rank import MetricMark, RankEntry, _decode, _encode, rank_entries
from cxscore.spool import Spool

plain = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.tuples(inner, inner) | st.tuples(inner),
    max_leaves=8,
)


def _same(item: tuple[Any, ...]) -> tuple[Any, ...]:
    return item


@settings(max_examples=60, deadline=None)
@given(records=st.lists(st.tuples(plain, plain), max_size=40), in_memory=st.sampled_from([1, 64, 1 << 20]))
def test_records_come_back_as_they_went_in(records: list[tuple[Any, ...]], in_memory: int) -> None:
    spool: Spool[tuple[Any, ...]] = Spool(_same, _same, in_memory=in_memory)
    for record in records:
        spool.append(record)
    assert len(spool) == len(records)
    assert list(spool) == records
    assert [spool.get(index) for index in reversed(range(len(records)))] == records[::-1]
    spool.close()


def test_beyond_the_memory_limit_records_go_to_a_file_in_batches() -> None:
    spool: Spool[tuple[Any, ...]] = Spool(_same, _same, in_memory=1000)
    records = [(index, "brand " * (index % 7), float(index) / 3) for index in range(30_000)]
    for record in records:
        spool.append(record)
    assert spool._descriptor is not None  # on disk now
    assert len(spool._pending) < (1 << 20) + 100  # only the last batch waits in memory
    assert list(spool) == records
    assert spool.get(12_345) == records[12_345]
    spool.close()


def test_a_temporary_folder_without_room_is_said_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "gone"))
    spool: Spool[tuple[Any, ...]] = Spool(_same, _same, in_memory=10)
    with pytest.raises(InputError) as raised:
        spool.append(("x" * 20,))
    [issue] = raised.value.issues
    assert "temporary file" in issue.message
    assert "TMPDIR" in issue.message


def _entry(index: int, overall: float, brand: str) -> RankEntry:
    mark = MetricMark("empathy", "Empathy", overall)
    return RankEntry(
        path=f"brands/{index:05}.yaml",
        brand=brand,
        framework_id="cx-six",
        overall_percent=overall,
        band="OK",
        coverage_percent=100.0,
        rated_count=1,
        metric_count=1,
        strongest=mark,
        weakest=mark,
        metric_scores=(("Empathy", overall),),
        assessed=datetime.date(2024, 1 + index % 12, 1) if index % 3 else None,
        assessor=None if index % 2 else f"assessor {index}",
    )


def test_a_rank_entry_survives_the_spool() -> None:
    entry = _entry(7, 66.5, "Acme")
    assert _decode(_encode(entry)) == entry
    assert type(_decode(_encode(entry)).strongest) is MetricMark


@pytest.mark.parametrize("in_memory", [1 << 30, 2000])
def test_ranking_matches_a_plain_sort(in_memory: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """The spooled ranking (sort on the overall, ties read back) against the obvious sort of objects."""
    monkeypatch.setattr(cxscore.spool, "IN_MEMORY", in_memory)
    entries = [
        _entry(index, float((index * 7919) % 23) * 4.5, ["b", "A", "a", "C", "é"][index % 5])
        for index in range(3_000)
    ]
    board = rank_entries(entries)
    expected = sorted(entries, key=lambda e: (-e.overall_percent, e.brand.casefold(), e.path))
    assert [e.path for e in board.entries] == [e.path for e in expected]
    # Competition ranks, computed independently: 1 + how many brands score strictly higher.
    overalls = sorted((e.overall_percent for e in entries), reverse=True)
    higher = {value: overalls.index(value) for value in set(overalls)}
    assert [e.rank for e in board.entries] == [1 + higher[e.overall_percent] for e in expected]
    assert board.frameworks == {"cx-six": 3_000}
    assert [e.path for e in board.entries[10:20]] == [e.path for e in expected[10:20]]


def test_a_folder_lists_as_sorted_lists_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Packed and sorted in merged chunks, the names come out as sorted() gives them (odd ones too)."""
    from cxscore import loader

    monkeypatch.setattr(cxscore.spool, "SORT_CHUNK", 7)  # many chunks to merge
    names = [f"b{index:03}.yaml" for index in range(0, 60, 3)] + ["Ä.yaml", "a.yml", "z é.yaml", "_.yaml"]
    for name in names:
        (tmp_path / name).write_text("brand: x\n", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("", encoding="utf-8")
    raw = bytes(tmp_path) + b"/\xff-undecodable.yaml"
    with open(raw, "wb") as handle:  # noqa: PTH123 -- a name no str path can spell
        handle.write(b"brand: x\n")
    expected = sorted([*names, os.fsdecode(b"\xff-undecodable.yaml")])
    assert list(loader._sorted_yaml_names(tmp_path)) == expected
    assert sorted(loader._yaml_names(tmp_path)) == expected
    issues: list[object] = []
    assert [p.name for p in loader.iter_files([str(tmp_path)], issues)] == expected  # type: ignore[arg-type]
    assert issues == []
