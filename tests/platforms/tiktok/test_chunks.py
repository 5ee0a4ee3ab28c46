"""Chunk plans obey TikTok's media transfer rules under both readings of "MB"."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from studio.platforms.tiktok.chunks import (
    DEFAULT_CHUNK_SIZE,
    MAX_CHUNK,
    MIN_CHUNK,
    ChunkPlan,
    is_valid_plan,
    plan_chunks,
)

MB, MIB, GIB = 10**6, 2**20, 2**30
FOUR_GIB = 4 * GIB
EDGE_SIZES = [1, 5 * MB - 1, 5 * MB, 5 * MIB - 1, 5 * MIB, 50_000_123, 64 * MB, 64 * MB + 1]
EDGE_SIZES += [64 * MIB, 64 * MIB + 1, 128 * MB, 1000 * MB, FOUR_GIB - 1, FOUR_GIB]


def valid_under(unit: int, size: int, chunk: int, total: int) -> bool:
    """TikTok's chunk rules (§3.5) read with 1 MB = `unit` bytes, written independently."""
    if chunk <= 0 or total != size // chunk or not 1 <= total <= 1000:
        return False
    if size < 5 * unit:
        return chunk == size
    if size > 64 * unit and total == 1:
        return False
    final = size - chunk * (total - 1)
    return 5 * unit <= chunk <= 64 * unit and final <= 128 * unit


def valid_both(size: int, chunk: int, total: int) -> bool:
    """Valid whether TikTok means decimal megabytes or mebibytes."""
    return valid_under(MB, size, chunk, total) and valid_under(MIB, size, chunk, total)


def assert_covers(plan: ChunkPlan) -> None:
    """The ranges are contiguous, ordered and cover every byte exactly once."""
    ranges = list(plan.ranges())
    assert len(ranges) == plan.total_chunk_count
    expected_first = 0
    for index, first, last in ranges:
        assert first == expected_first
        assert last - first + 1 == plan.chunk_length(index)
        expected_first = last + 1
    assert expected_first == plan.video_size


sizes = st.one_of(st.integers(1, FOUR_GIB), st.sampled_from(EDGE_SIZES))


@settings(max_examples=400, deadline=None)
@given(sizes)
def test_default_plan_is_valid_under_both_readings(size: int) -> None:
    plan = plan_chunks(size)
    args = (plan.video_size, plan.chunk_size, plan.total_chunk_count)
    assert is_valid_plan(*args) is None
    assert valid_under(MB, *args)
    assert valid_under(MIB, *args)
    assert_covers(plan)


@settings(max_examples=300, deadline=None)
@given(sizes, st.integers(MIN_CHUNK, MAX_CHUNK))
def test_any_allowed_chunk_size_gives_a_valid_plan(size: int, chunk: int) -> None:
    plan = plan_chunks(size, chunk)
    assert valid_both(plan.video_size, plan.chunk_size, plan.total_chunk_count)
    assert_covers(plan)


@st.composite
def triples(draw: st.DrawFn) -> tuple[int, int, int]:
    """Plans near the rules' edges, valid or not."""
    size = draw(sizes)
    chunk = draw(
        st.one_of(
            st.just(size),
            st.integers(1, 140 * MB),
            st.sampled_from([5 * MB, 5 * MIB - 1, 5 * MIB, 64 * MB, 64 * MB + 1, 64 * MIB]),
        )
    )
    total = draw(st.one_of(st.just(size // chunk), st.integers(0, 1001)))
    return size, chunk, total


@settings(max_examples=1000, deadline=None)
@given(triples())
def test_is_valid_plan_matches_both_readings(triple: tuple[int, int, int]) -> None:
    assert (is_valid_plan(*triple) is None) == valid_both(*triple)


@pytest.mark.parametrize(
    ("size", "chunk", "total", "final"),
    [
        (1, 1, 1, 1),
        (5 * MIB - 1, 5 * MIB - 1, 1, 5 * MIB - 1),
        (5 * MIB, 5 * MIB, 1, 5 * MIB),
        (50_000_123, 50_000_123, 1, 50_000_123),
        (64 * MB, 64 * MB, 1, 64 * MB),
        (64 * MB + 1, 32 * MB, 2, 32 * MB + 1),
        (64 * MIB, 32 * MB, 2, 64 * MIB - 32 * MB),
        (FOUR_GIB, 32 * MB, 134, FOUR_GIB - 133 * 32 * MB),
    ],
)
def test_edge_sizes(size: int, chunk: int, total: int, final: int) -> None:
    plan = plan_chunks(size)
    assert (plan.chunk_size, plan.total_chunk_count) == (chunk, total)
    assert plan.chunk_length(total - 1) == final


def test_default_chunk_size_is_32_mb() -> None:
    assert DEFAULT_CHUNK_SIZE == 32_000_000


def test_docs_example_is_valid_and_ranged() -> None:
    assert is_valid_plan(50_000_123, 10_000_000, 5) is None
    plan = ChunkPlan(50_000_123, 10_000_000, 5)
    assert plan.chunk_length(4) == 10_000_123
    assert list(plan.ranges())[-1] == (4, 40_000_000, 50_000_122)
    assert plan.content_range(4) == "bytes 40000000-50000122/50000123"


def test_whole_file_content_range() -> None:
    assert plan_chunks(30_567_100).content_range(0) == "bytes 0-30567099/30567100"


def test_chunk_length_out_of_range() -> None:
    with pytest.raises(IndexError):
        plan_chunks(100).chunk_length(1)


@pytest.mark.parametrize("size", [0, -1, FOUR_GIB + 1])
def test_sizes_outside_limits_are_refused(size: int) -> None:
    with pytest.raises(ValueError, match="video size"):
        plan_chunks(size)


@pytest.mark.parametrize("chunk", [MIN_CHUNK - 1, MAX_CHUNK + 1])
def test_chunk_sizes_outside_limits_are_refused(chunk: int) -> None:
    with pytest.raises(ValueError, match="chunk size"):
        plan_chunks(100 * MB, chunk)


@pytest.mark.parametrize(
    ("plan", "message"),
    [
        ((0, 1, 0), "video_size must be 1..4294967296 bytes"),
        ((100, 0, 0), "chunk_size must be positive"),
        ((50_000_123, 10_000_000, 4), "total_chunk_count must be floor(video_size / chunk_size)"),
        ((FOUR_GIB, 4 * MIB, 1024), "total_chunk_count must be 1..1000"),
        ((4 * MB, 2 * MB, 2), "a file under 5 MB must be sent whole: chunk_size = video_size"),
        ((5 * MB, 4 * MB, 1), "a file under 5 MB must be sent whole: chunk_size = video_size"),
        ((100 * MB, 5 * MB, 20), "chunk_size must be between 5 MB and 64 MB"),
        ((65 * MB, 64 * MB, 1), "a file over 64 MB must use several chunks"),
        ((70 * MB, 70 * MB, 1), "chunk_size must be between 5 MB and 64 MB"),
        ((129 * MB, 64 * MB + 1, 2), "chunk_size must be between 5 MB and 64 MB"),
    ],
)
def test_is_valid_plan_names_the_broken_rule(plan: tuple[int, int, int], message: str) -> None:
    assert is_valid_plan(*plan) == message
