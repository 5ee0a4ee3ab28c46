"""The control kit every sandbox shares: `/config`, `/faults` and `/holds`, and fault rules."""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from flask import Blueprint, Response, jsonify, request

from studio.sandbox import holds
from studio.sandbox.timers import Timers

Answer = Response | tuple[Response, int]
FAULT_KEYS = frozenset({"fault_rate", "fault_kinds", "slow_seconds", "seed"})


class Config(Protocol):
    """What the kit needs of a sandbox's configuration."""

    fault_rate: float
    fault_kinds: list[str]
    slow_seconds: float

    @property
    def hooks(self) -> tuple[str, ...]:
        """Keys holding callables: never set over HTTP."""
        ...

    def update(self, changes: dict[str, Any]) -> None: ...

    def public_dict(self) -> dict[str, Any]: ...


class Controlled(holds.HoldState, Protocol):
    """What the kit needs of a sandbox's state (TikTok's, YouTube's or Meta's)."""

    rng: random.Random
    fault_rules: list[dict[str, Any]]

    @property
    def config(self) -> Config: ...

    def reseed(self) -> None: ...

    def count(self, name: str, amount: int = 1) -> None: ...


class State(Timers):
    """Base of every sandbox's state: one lock, timers, counters, fault and hold rules."""

    def __init__(self, config: Any) -> None:
        self.config = config
        self.lock = threading.RLock()
        self.timers: set[threading.Timer] = set()
        self.hold_rules: list[dict[str, Any]] = []
        self.held: dict[int, Any] = {}
        self.reset()

    def reset(self) -> None:
        """Stop timers, let parked calls go on, forget counters and rules; keep the config."""
        with self.lock:
            self.cancel_timers()
            holds.release_all(self)
            self.rng = random.Random(self.config.seed)
            self.counters: Counter[str] = Counter()
            self.fault_rules: list[dict[str, Any]] = []

    def reseed(self) -> None:
        """Restart the fault random stream from the configured seed."""
        with self.lock:
            self.rng = random.Random(self.config.seed)

    def count(self, name: str, amount: int = 1) -> None:
        """Bump a named counter shown in the state summary."""
        with self.lock:
            self.counters[name] += amount


@dataclass(frozen=True)
class Kit:
    """One sandbox's side of the shared control endpoints."""

    state: Callable[[], Controlled]  # the sandbox's state in the current app
    kinds: tuple[str, ...]  # the fault kinds its hooks know how to inject
    fault_keys: frozenset[str] = FAULT_KEYS  # the config keys `/faults` may change


def body() -> dict[str, Any]:
    """The request's JSON object body (empty when absent)."""
    found = request.get_json(silent=True)
    return found if isinstance(found, dict) else {}


def bad(message: str, status: int = 400) -> tuple[Response, int]:
    """A refused control call: `{"error": message}`."""
    return jsonify({"error": message}), status


def configure(state: Controlled, changes: dict[str, Any]) -> None:
    """Change config keys (KeyError for unknown ones); a new `seed` restarts the fault stream."""
    state.config.update(changes)
    if "seed" in changes:
        state.reseed()


def add_rule(
    state: Controlled,
    kinds: tuple[str, ...],
    endpoint: str,
    kind: str,
    count: int = 1,
    skip: int = 0,
    seconds: float | None = None,
) -> None:
    """Fail `count` calls whose path starts with `endpoint`, after letting `skip` pass."""
    if kind not in kinds:
        raise ValueError(f"unknown fault kind {kind!r}; use one of {kinds}")
    rule = {"endpoint": endpoint, "kind": kind, "count": count, "skip": skip, "seconds": seconds}
    with state.lock:
        state.fault_rules.append(rule)


def pick(state: Controlled, path: str) -> dict[str, Any] | None:
    """The fault for this call, from the rules first, then the random rate."""
    with state.lock:
        for rule in state.fault_rules:
            if not path.startswith(rule["endpoint"]):
                continue
            if rule.get("skip", 0) > 0:
                rule["skip"] -= 1
                continue
            rule["count"] -= 1
            if rule["count"] <= 0:
                state.fault_rules.remove(rule)
            return rule
        cfg = state.config
        if cfg.fault_rate > 0 and cfg.fault_kinds and state.rng.random() < cfg.fault_rate:
            return {"kind": state.rng.choice(cfg.fault_kinds), "seconds": None}
    return None


def arrive(state: Controlled, path: str) -> str | None:
    """On a call's arrival: park it if a hold picks it, then pick its fault.

    Counts the fault and sleeps out a `slow` one; returns the kind left for the sandbox's
    own hook to act on (None: the call goes on).
    """
    holds.match(state, path)
    holds.pause(state, "before")
    fault = pick(state, path)
    if fault is None:
        return None
    kind = str(fault["kind"])
    state.count("faults_injected")
    state.count(f"fault_{kind}")
    if kind == "slow":
        time.sleep(fault.get("seconds") or state.config.slow_seconds)
        return None
    return kind


def install(bp: Blueprint, kit: Kit) -> None:
    """Serve `/config`, `/faults`, `/holds` and `/holds/<id>/release` under `bp`."""

    def config() -> Answer:
        """Read or change configuration keys (unknown keys are refused)."""
        state = kit.state()
        if request.method == "POST":
            changes = {k: v for k, v in body().items() if k not in state.config.hooks}
            try:
                configure(state, changes)
            except KeyError as exc:
                return bad(str(exc))
        return jsonify(state.config.public_dict())

    def faults() -> Answer:
        """Fault settings plus `fail_next: [{endpoint, kind, count, skip, seconds}]`, `clear`."""
        state, given = kit.state(), body()
        if given.get("clear"):
            with state.lock:
                state.fault_rules.clear()
        try:
            configure(state, {k: v for k, v in given.items() if k in kit.fault_keys})
            for rule in given.get("fail_next", []):
                add_rule(
                    state,
                    kit.kinds,
                    str(rule["endpoint"]),
                    str(rule["kind"]),
                    int(rule.get("count", 1)),
                    int(rule.get("skip", 0)),
                    rule.get("seconds"),
                )
        except (KeyError, ValueError) as exc:
            return bad(str(exc))
        return jsonify({"config": state.config.public_dict(), "fault_rules": state.fault_rules})

    def hold() -> Answer:
        """GET: the calls parked now; POST `{endpoints, skip}`: park the next matching call."""
        if request.method == "GET":
            return jsonify([held.public() for held in holds.parked(kit.state())])
        given = body()
        endpoints = given.get("endpoints")
        if not isinstance(endpoints, list) or not all(isinstance(e, str) for e in endpoints):
            return bad("endpoints must be a list of path prefixes")
        holds.arm(kit.state(), endpoints, int(given.get("skip", 0)))
        return jsonify({"ok": True})

    def release(held_id: int) -> Answer:
        """Let a parked call go on; `then: "mid_body" | "after"` parks it again there."""
        try:
            released = holds.release(kit.state(), held_id, body().get("then"))
        except ValueError as exc:
            return bad(str(exc))
        return jsonify({"released": released})

    both = ["GET", "POST"]
    bp.add_url_rule("/config", view_func=config, methods=both)
    bp.add_url_rule("/faults", view_func=faults, methods=["POST"])
    bp.add_url_rule("/holds", view_func=hold, methods=both)
    bp.add_url_rule("/holds/<int:held_id>/release", view_func=release, methods=["POST"])
