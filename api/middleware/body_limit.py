"""Refuses request bodies over a size limit with 413 `payload_too_large`.

The limit is `SENTINEL_API_MAX_BODY_BYTES` (1 MiB), or a larger one for path prefixes that need
it (the nominal-roll CSV import: `SENTINEL_API_IMPORT_MAX_BODY_BYTES`, 16 MiB). A declared
`Content-Length` over the limit is refused before the app runs; a body without one (chunked) is
counted as it arrives and refused once the count passes the limit: the app's read then fails,
whatever it would have answered is dropped and the 413 is sent instead.
"""

from collections.abc import Sequence

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import error_response


class BodyTooLarge(Exception):
    """Raised from `receive` once the body passes the limit (the app may turn it into a 400)."""


class BodyLimitMiddleware:
    """Enforces the per-path body size limit."""

    def __init__(
        self, app: ASGIApp, *, max_bytes: int, overrides: Sequence[tuple[str, int]] = ()
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.overrides = sorted(overrides, key=lambda o: len(o[0]), reverse=True)

    def limit_for(self, path: str) -> int:
        """The limit for `path`: the longest matching override prefix, else the default."""
        return next((n for prefix, n in self.overrides if path.startswith(prefix)), self.max_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse on the declared length, or count the streamed body."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        declared = _content_length(Headers(scope=scope))
        if declared is not None and declared > limit:
            await _too_large(limit)(scope, receive, send)
            return
        received = 0
        exceeded = started = False

        async def counting_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise BodyTooLarge(f"request body over {limit} bytes")
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if exceeded and not started:
                return  # the app's answer to the failed read is replaced by the 413 below
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except Exception:
            if not exceeded:
                raise
        if exceeded and not started:
            await _too_large(limit)(scope, receive, send)


def _content_length(headers: Headers) -> int | None:
    value = headers.get("content-length")
    if value is None or not value.strip().isdigit():
        return None  # absent or malformed (the server refuses those): count the stream instead
    return int(value)


def _too_large(limit: int) -> JSONResponse:
    return error_response(
        413,
        "payload_too_large",
        f"The request body is larger than {limit} bytes",
        {"max_bytes": limit},
    )
