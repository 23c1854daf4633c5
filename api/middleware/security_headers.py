"""Adds security headers to every response (a route's own value for a header wins).

- `X-Content-Type-Options: nosniff`, `X-Frame-Options: DENY`, `Referrer-Policy: no-referrer`.
- `Content-Security-Policy`: `default-src 'none'` for everything (JSON needs no sources), except
  the interactive docs pages (`/docs`, `/redoc`, the OAuth2 redirect), which load Swagger UI and
  ReDoc from cdn.jsdelivr.net and run a small inline script, so they get a policy allowing that.
- `Cache-Control: no-store` on everything but the docs pages: answers carry personal data.
- `Strict-Transport-Security` only when the API is served over HTTPS, which the deployment
  declares with `SENTINEL_SESSION_COOKIE_SECURE=true` (the same switch as the secure cookie).
"""

from collections.abc import Iterable

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
DOCS_CSP = (
    "default-src 'none'; "
    "script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com; "
    "font-src https://fonts.gstatic.com; "
    "img-src 'self' data: https://fastapi.tiangolo.com https://cdn.jsdelivr.net https://cdn.redoc.ly; "
    "connect-src 'self'; worker-src blob:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
HSTS = "max-age=31536000"


class SecurityHeadersMiddleware:
    """Sets the headers above on each response start."""

    def __init__(self, app: ASGIApp, *, docs_paths: Iterable[str], hsts: bool) -> None:
        self.app = app
        self.docs_paths = frozenset(docs_paths)
        common = {
            "X-Content-Type-Options": "nosniff",
            "X-Frame-Options": "DENY",
            "Referrer-Policy": "no-referrer",
        }
        if hsts:
            common["Strict-Transport-Security"] = HSTS
        self.api_headers = {
            **common,
            "Content-Security-Policy": API_CSP,
            "Cache-Control": "no-store",
        }
        self.docs_headers = {**common, "Content-Security-Policy": DOCS_CSP}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on; add the headers when the response starts."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = self.docs_headers if scope["path"] in self.docs_paths else self.api_headers

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in extra.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)
