"""TikTok's FILE_UPLOAD chunk rules (media transfer guide), MB read as MiB."""

from __future__ import annotations

MIB = 1024 * 1024
MIN_CHUNK = 5 * MIB
MAX_CHUNK = 64 * MIB
MAX_FINAL_CHUNK = 128 * MIB
MAX_VIDEO = 4 * 1024 * MIB
MAX_CHUNKS = 1000


def chunk_plan_error(video_size: int, chunk_size: int, total_chunk_count: int) -> str | None:
    """Return the violated rule as a message, or None when the plan is valid."""
    if video_size < 1 or chunk_size < 1:
        return "video_size and chunk_size must be positive."
    if video_size > MAX_VIDEO:
        return "video_size must be at most 4 GB."
    if not 1 <= total_chunk_count <= MAX_CHUNKS:
        return "total_chunk_count must be between 1 and 1000."
    if total_chunk_count != video_size // chunk_size:
        return "total_chunk_count must equal floor(video_size / chunk_size)."
    if video_size < MIN_CHUNK:
        if chunk_size != video_size:
            return "A video under 5 MB must be uploaded whole (chunk_size == video_size)."
        return None
    if chunk_size == video_size:
        if video_size > MAX_CHUNK:
            return "A video over 64 MB must be uploaded in multiple chunks."
        return None
    return _multi_chunk_error(video_size, chunk_size, total_chunk_count)


def _multi_chunk_error(video_size: int, chunk_size: int, total_chunk_count: int) -> str | None:
    """Rules for a chunk_size smaller than the whole video."""
    if not MIN_CHUNK <= chunk_size <= MAX_CHUNK:
        return "chunk_size must be between 5 MB and 64 MB."
    if video_size > MAX_CHUNK and total_chunk_count < 2:
        return "A video over 64 MB must be uploaded in multiple chunks."
    final = video_size - chunk_size * (total_chunk_count - 1)
    if final > MAX_FINAL_CHUNK:
        return "The final chunk must be at most 128 MB."
    return None
