"""Gives every request a correlation id: accepted from `X-Correlation-ID` or generated.

A sane incoming id (1–64 characters of `[A-Za-z0-9._-]`) is kept; anything else is replaced by
a new `uuid4().hex`. The id is set in `shared.logging.correlation_id` while the request runs,
so every log line it causes carries it and outbox rows it enqueues store it
(`shared.store.outbox.enqueue`), and it is returned on every response, errors included. This is
outside everything but the security headers: an unhandled error is logged here (with the id)
and answered with a 500 in the API's error shape.
"""

import logging
import re
import time
import uuid

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import error_response
from shared.logging import correlation_id

HEADER = "X-Correlation-ID"
_SANE = re.compile(r"[A-Za-z0-9._-]{1,64}")
log = logging.getLogger(__name__)


def accepted_id(value: str | None) -> str | None:
    """`value` when it is a sane correlation id, else None."""
    if value is not None and _SANE.fullmatch(value):
        return value
    return None


class CorrelationIdMiddleware:
    """Sets the request's correlation id for its duration and returns it on the response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the request with its correlation id set."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cid = accepted_id(Headers(scope=scope).get(HEADER)) or uuid.uuid4().hex
        scope.setdefault("state", {})["correlation_id"] = cid
        started_at = time.perf_counter()
        status: int | None = None  # set when the response starts

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)[HEADER] = cid
            await send(message)

        token = correlation_id.set(cid)
        try:
            try:
                await self.app(scope, receive, send_with_id)
            except Exception:
                log.exception(
                    "request_failed", extra={"method": scope["method"], "path": scope["path"]}
                )
                if status is not None:  # the response has started: nothing left to answer
                    raise
                response = error_response(500, "internal_error", "An unexpected error occurred")
                await response(scope, receive, send_with_id)
            log.info(
                "http_request",
                extra={
                    "method": scope["method"],
                    "path": scope["path"],
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started_at) * 1000, 1),
                },
            )
        finally:
            correlation_id.reset(token)
