"""A rupload run against the sandbox, with what the callbacks and the backoff saw."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from studio.platforms.backoff import Backoff
from studio.platforms.meta.client import MetaClient
from studio.platforms.meta.resume import send_file


@dataclass
class Upload:
    """One file sent to one rupload URL."""

    client: MetaClient
    token: str
    uri: str
    path: Path
    offsets: list[int] = field(default_factory=list)
    waits: list[float] = field(default_factory=list)

    @property
    def size(self) -> int:
        return self.path.stat().st_size

    def send(self, **kwargs: Any) -> int:
        """send_file with fast, recorded backoff."""
        backoff = Backoff(attempts=kwargs.pop("attempts", 5), base=0.001, sleep=self.waits.append)
        return send_file(
            self.client,
            self.uri,
            self.token,
            self.path,
            self.size,
            progress=self.offsets.append,
            backoff=backoff,
            **kwargs,
        )

    def sha256(self) -> str:
        return hashlib.sha256(self.path.read_bytes()).hexdigest()
