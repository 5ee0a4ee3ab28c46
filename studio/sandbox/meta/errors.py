"""Meta's error shapes: Graph `{"error": {...}}` and rupload `{"debug_info": {...}}`."""

from __future__ import annotations

import secrets
from typing import Any

from flask import Blueprint, Response, jsonify


def trace_id() -> str:
    """An fbtrace_id-like opaque string."""
    return secrets.token_urlsafe(8)


class GraphError(Exception):
    """A Graph API failure: message, type, code, error_subcode, is_transient, fbtrace_id."""

    def __init__(
        self,
        code: int,
        message: str,
        subcode: int | None = None,
        status: int = 400,
        kind: str = "OAuthException",
        transient: bool = False,
        user_title: str | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.subcode = subcode
        self.status = status
        self.kind = kind
        self.transient = transient
        self.user_title = user_title

    def body(self) -> dict[str, Any]:
        """The JSON body."""
        error: dict[str, Any] = {
            "message": self.message,
            "type": self.kind,
            "code": self.code,
            "is_transient": self.transient,
            "fbtrace_id": trace_id(),
        }
        if self.subcode is not None:
            error["error_subcode"] = self.subcode
        if self.user_title is not None:
            error["error_user_title"] = self.user_title
            error["error_user_msg"] = self.message
        return {"error": error}

    def response(self) -> Response:
        """The HTTP answer; token errors also carry WWW-Authenticate, as Graph sends them."""
        response = jsonify(self.body())
        response.status_code = self.status
        if self.code in (102, 190):
            response.headers["WWW-Authenticate"] = (
                f'OAuth "Facebook Platform" "invalid_token" "{self.message}"'
            )
        return response


class RuploadError(Exception):
    """A rupload failure: `{"debug_info": {"retriable", "type", "message"}}`."""

    def __init__(self, status: int, kind: str, message: str, retriable: bool = False) -> None:
        super().__init__(message)
        self.status = status
        self.kind = kind
        self.message = message
        self.retriable = retriable

    def response(self) -> Response:
        """The HTTP answer."""
        body = {"debug_info": {"retriable": self.retriable, "type": self.kind}}
        body["debug_info"]["message"] = self.message
        response = jsonify(body)
        response.status_code = self.status
        return response


def install(bp: Blueprint) -> None:
    """Render both error kinds, and crashes, in Meta's shape for this blueprint's views."""

    @bp.errorhandler(GraphError)
    def _graph(exc: GraphError) -> Response:
        return exc.response()

    @bp.errorhandler(RuploadError)
    def _rupload(exc: RuploadError) -> Response:
        return exc.response()

    @bp.errorhandler(500)
    def _crash(_exc: Exception) -> Response:
        return GraphError(
            1, "An unknown error has occurred.", status=500, transient=True
        ).response()


def unknown_object(node_id: str) -> GraphError:
    """Code 100 / subcode 33: the object does not exist, is not visible, or lacks the edge."""
    return GraphError(
        100,
        f"Unsupported get request. Object with ID '{node_id}' does not exist, cannot be loaded "
        "due to missing permissions, or does not support this operation.",
        subcode=33,
        kind="GraphMethodException",
    )
