"""The chunk plan rules as a pure function."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from studio.sandbox.chunks import chunk_plan_error

MIB = 1024 * 1024


@pytest.mark.parametrize(
    ("size", "chunk", "count"),
    [
        (3 * MIB, 3 * MIB, 1),
        (64 * MIB, 64 * MIB, 1),
        (64_000_000, 64_000_000, 1),
        (50_000_123, 10_000_000, 5),
        (11 * MIB, 5 * MIB, 2),
        (200_000_000, 64_000_000, 3),
        (1024 * MIB, 64_000_000, 16),
        (300 * MIB, 5 * MIB + 1, 59),
    ],
)
def test_valid_plans(size: int, chunk: int, count: int) -> None:
    assert chunk_plan_error(size, chunk, count) is None


@pytest.mark.parametrize(
    ("size", "chunk", "count", "words"),
    [
        (8 * MIB, 4 * MIB, 2, "between 5 MB and 64 MB"),
        (4 * MIB, 2 * MIB, 2, "under 5 MB"),
        (50_000_123, 10_000_000, 6, "floor"),
        (1001 * 4 * MIB, 4 * MIB, 1001, "between 1 and 1000"),
        (65 * MIB, 65 * MIB, 1, "multiple chunks"),
        (100 * MIB, 60 * MIB, 1, "multiple chunks"),
        (4 * 1024 * MIB + 1, 64 * MIB, 64, "4 GB"),
    ],
)
def test_invalid_plans(size: int, chunk: int, count: int, words: str) -> None:
    error = chunk_plan_error(size, chunk, count)
    assert error is not None and words in error


@given(st.integers(1, 4 * 1024 * MIB), st.integers(1, 128 * MIB))
def test_accepted_plans_respect_every_rule(size: int, chunk: int) -> None:
    count = size // chunk
    if chunk_plan_error(size, chunk, count) is None:
        final = size - chunk * (count - 1)
        assert 1 <= count <= 1000 and final <= 128 * MIB
        assert size >= 5 * MIB or chunk == size
        assert size <= 64 * MIB or count >= 2
