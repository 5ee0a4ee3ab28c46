"""The Python handle on a running Meta sandbox (`SandboxServer.meta`)."""

from __future__ import annotations

from typing import Any

from studio.sandbox import holds, kit
from studio.sandbox.meta import callbacks, hooks, lifecycle, tokens
from studio.sandbox.meta.auth import proof
from studio.sandbox.meta.people import person
from studio.sandbox.meta.state import MetaState


class MetaHandle:
    """Configure, inspect and drive the Meta sandbox from tests in the same process."""

    def __init__(self, state: MetaState, url: str) -> None:
        self.state = state
        self.url = url  # the sandbox root; Graph at url + "/meta/graph", rupload at "/meta/rupload"
        self.graph = f"{url}/meta/graph"
        self.rupload = f"{url}/meta/rupload"

    def auth_url(self, version: str | None = None) -> str:
        """The login dialog URL for META_AUTH_URL (with `{version}` left in when None)."""
        return f"{self.url}/meta/{version or '{version}'}/dialog/oauth"

    def configure(self, **changes: Any) -> None:
        """Change MetaConfig keys at runtime."""
        kit.configure(self.state, changes)

    def fail_next(self, endpoint: str, kind: str, count: int = 1, skip: int = 0) -> None:
        """Fail the next `count` calls under `endpoint` (a path prefix) after `skip` good ones."""
        kit.add_rule(self.state, hooks.KINDS, endpoint, kind, count, skip)

    def proof(self, token: str) -> str:
        """appsecret_proof for `token` with the sandbox's app secret."""
        return proof(self.state.config.app_secret, token)

    def deauthorize(self, person_key: str) -> dict[str, Any]:
        """The person removes the app: tokens die, the signed deauthorize callback is sent."""
        who = person(person_key)
        assert who is not None, person_key
        grant = tokens.grant_of(self.state, who.key)
        if grant is not None:
            tokens.revoke_grant(self.state, grant.id)
        return callbacks.send(self.state, "deauthorize", who.user_id)

    def request_deletion(self, person_key: str) -> dict[str, Any]:
        """The person asks for their data to be deleted: the signed callback is sent."""
        who = person(person_key)
        assert who is not None, person_key
        return callbacks.send(self.state, "data_deletion", who.user_id)

    def fail_container(self, container_id: str, subcode: int = 2207026) -> bool:
        """The container goes ERROR."""
        return lifecycle.fail_container(self.state, container_id, subcode)

    def expire_container(self, container_id: str) -> bool:
        """The container reads EXPIRED."""
        return lifecycle.expire_container(self.state, container_id)

    def summary(self) -> dict[str, Any]:
        """Same as GET /_sandbox/meta/state."""
        return self.state.summary()

    def stop(self) -> None:
        """Let parked calls go and cancel pending timers."""
        holds.release_all(self.state)
        self.state.cancel_timers()
