"""Holds: park an API call at a chosen point until the test releases it (faults by event)."""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field
from typing import Any, Protocol

from flask import g, request


class HoldState(Protocol):
    """What holds need of a sandbox state (TikTok's or YouTube's)."""

    lock: Any
    hold_rules: list[dict[str, Any]]
    held: dict[int, Any]


# Where a call can be parked: on arrival (nothing done yet), half of a chunk's body read, or
# with its effect done and its answer not yet sent.
PHASES = ("before", "mid_body", "after")
LIMIT = 300.0  # a forgotten hold lets go by itself: a test never hangs the server for good
_ids = itertools.count(1)


@dataclass
class Held:
    """One parked call; `port` is the client's TCP port (which process sent it)."""

    id: int
    method: str
    path: str
    port: int
    phase: str = "before"
    stop_at: str | None = "before"
    go: threading.Event = field(default_factory=threading.Event)

    def public(self) -> dict[str, Any]:
        """JSON-friendly view."""
        fields = ("id", "method", "path", "port", "phase")
        return {name: getattr(self, name) for name in fields}


def arm(state: HoldState, endpoints: list[str], skip: int = 0) -> None:
    """Park the call after the next `skip` calls whose path starts with one of `endpoints`."""
    with state.lock:
        state.hold_rules.append({"endpoints": tuple(endpoints), "skip": skip})


def match(state: HoldState, path: str) -> None:
    """On arrival: if a rule picks this call, mark it held (parked by `pause` at `before`)."""
    with state.lock:
        for rule in state.hold_rules:
            if path.startswith(rule["endpoints"]):
                if rule["skip"] > 0:
                    rule["skip"] -= 1
                    return
                state.hold_rules.remove(rule)
                port = int(request.environ.get("REMOTE_PORT") or 0)
                g.sandbox_held = Held(next(_ids), request.method, path, port)
                return


def pause(state: HoldState, phase: str) -> None:
    """Park the current call here if it is held and meant to stop at `phase`."""
    held: Held | None = g.get("sandbox_held")
    if held is None or held.stop_at != phase:
        return
    with state.lock:
        held.phase = phase
        held.go.clear()
        state.held[held.id] = held
    held.go.wait(LIMIT)
    with state.lock:
        state.held.pop(held.id, None)


def parked(state: HoldState) -> list[Held]:
    """The calls parked right now, oldest first."""
    with state.lock:
        return sorted(state.held.values(), key=lambda h: h.id)


def release(state: HoldState, held_id: int, then: str | None = None) -> bool:
    """Let a parked call go on; with `then` ("mid_body", "after") park it again there."""
    if then is not None and then not in PHASES:
        raise ValueError(f"unknown phase {then!r}; use one of {PHASES}")
    with state.lock:
        held = state.held.pop(held_id, None)
        if held is None:
            return False
        held.stop_at = then
        held.go.set()
    return True


def release_all(state: HoldState) -> None:
    """Forget the rules and let every parked call go on (reset, shutdown)."""
    with state.lock:
        state.hold_rules.clear()
        for held in list(state.held.values()):
            release(state, held.id)
