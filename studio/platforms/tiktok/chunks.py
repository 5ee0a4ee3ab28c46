"""Chunk plans for TikTok's FILE_UPLOAD (docs/platforms/tiktok.md, "Media transfer")."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

# TikTok writes "MB" without saying whether it means 10**6 or 2**20 bytes, so every bound below
# is the stricter of the two readings and a plan is valid under both.
MIN_CHUNK = 5 * 2**20  # 5 MiB > 5 MB
MAX_CHUNK = 64_000_000  # 64 MB < 64 MiB
MAX_FINAL_CHUNK = 128_000_000  # 128 MB < 128 MiB
SINGLE_CHUNK_MAX = MAX_CHUNK  # above this, TikTok needs several chunks
MAX_CHUNKS = 1000
MAX_VIDEO_SIZE = 4 * 2**30
# 32 MB: half of MAX_CHUNK, so any file above SINGLE_CHUNK_MAX splits into at least two chunks
# and the final chunk (under two chunk sizes) stays below MAX_FINAL_CHUNK. A 4 GiB file needs
# 134 PUTs, which keeps per-request overhead small within the one-hour upload_url, while a
# failed chunk costs at most ~64 MB to resend and a worker holds at most one chunk in memory.
DEFAULT_CHUNK_SIZE = 32_000_000


@dataclass(frozen=True)
class ChunkPlan:
    """How to split one video into the chunks declared at init and sent in order."""

    video_size: int
    chunk_size: int
    total_chunk_count: int

    def chunk_length(self, index: int) -> int:
        """Bytes in chunk `index`; the final chunk absorbs the remainder."""
        if not 0 <= index < self.total_chunk_count:
            raise IndexError(f"chunk {index} outside 0..{self.total_chunk_count - 1}")
        if index < self.total_chunk_count - 1:
            return self.chunk_size
        return self.video_size - self.chunk_size * (self.total_chunk_count - 1)

    def ranges(self) -> Iterator[tuple[int, int, int]]:
        """Yield (index, first_byte, last_byte_inclusive) for every chunk."""
        for index in range(self.total_chunk_count):
            first = index * self.chunk_size
            yield index, first, first + self.chunk_length(index) - 1

    def content_range(self, index: int) -> str:
        """The Content-Range header value for chunk `index`."""
        first = index * self.chunk_size
        last = first + self.chunk_length(index) - 1
        return f"bytes {first}-{last}/{self.video_size}"


def plan_chunks(video_size: int, chunk_size: int = DEFAULT_CHUNK_SIZE) -> ChunkPlan:
    """Plan a FILE_UPLOAD that is valid whether TikTok means MB or MiB."""
    if not 1 <= video_size <= MAX_VIDEO_SIZE:
        raise ValueError(f"video size {video_size} bytes outside 1..{MAX_VIDEO_SIZE}")
    if not MIN_CHUNK <= chunk_size <= MAX_CHUNK:
        raise ValueError(f"chunk size {chunk_size} outside {MIN_CHUNK}..{MAX_CHUNK}")
    if video_size <= SINGLE_CHUNK_MAX:
        return ChunkPlan(video_size, video_size, 1)
    # Halving keeps at least two chunks, hence a final chunk under 2 * MAX_CHUNK; and since
    # video_size > 64 MB, half of it is still above MIN_CHUNK.
    size = min(chunk_size, video_size // 2)
    plan = ChunkPlan(video_size, size, video_size // size)
    problem = is_valid_plan(plan.video_size, plan.chunk_size, plan.total_chunk_count)
    if problem:  # unreachable for the bounds above; kept as a guard against edits to them
        raise AssertionError(problem)
    return plan


def is_valid_plan(video_size: int, chunk_size: int, total_chunk_count: int) -> str | None:
    """The chunk rule a plan breaks under either reading of "MB", or None if it is valid."""
    if not 1 <= video_size <= MAX_VIDEO_SIZE:
        return f"video_size must be 1..{MAX_VIDEO_SIZE} bytes"
    if chunk_size < 1:
        return "chunk_size must be positive"
    if total_chunk_count != video_size // chunk_size:
        return "total_chunk_count must be floor(video_size / chunk_size)"
    if not 1 <= total_chunk_count <= MAX_CHUNKS:
        return f"total_chunk_count must be 1..{MAX_CHUNKS}"
    if video_size < MIN_CHUNK:
        if chunk_size != video_size:
            return "a file under 5 MB must be sent whole: chunk_size = video_size"
        return None
    if not MIN_CHUNK <= chunk_size <= MAX_CHUNK:
        return "chunk_size must be between 5 MB and 64 MB"
    if video_size > SINGLE_CHUNK_MAX and total_chunk_count < 2:
        return "a file over 64 MB must use several chunks"
    # With total = floor(size / chunk) the final chunk is under 2 * chunk <= 128 MB, so this
    # rule cannot break once the ones above hold; it is checked to mirror TikTok's list.
    if video_size - chunk_size * (total_chunk_count - 1) > MAX_FINAL_CHUNK:
        return "the final chunk must be at most 128 MB"
    return None
