"""CORS from `SENTINEL_API_CORS_ORIGINS`: only listed origins may call the API from a browser.

Starlette's `CORSMiddleware`, always installed (with an empty list nothing is open): a listed
origin gets `Access-Control-Allow-Origin` (credentials allowed, so the session cookie works), an
unlisted one gets none, and its preflight is refused with 400, here in the API's error shape.
A `"*"` entry opens the API to every origin without credentials.
"""

from collections.abc import Sequence

from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response
from starlette.types import ASGIApp

from api.errors import error_response

ALLOW_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
ALLOW_HEADERS = ("Authorization", "Content-Type", "X-API-Key", "X-Correlation-ID")
EXPOSE_HEADERS = ("X-Correlation-ID", "Retry-After", "Content-Disposition")
MAX_AGE_S = 600


class Cors(CORSMiddleware):
    """`CORSMiddleware` configured for the API, answering refused preflights as JSON."""

    def __init__(self, app: ASGIApp, *, origins: Sequence[str]) -> None:
        super().__init__(
            app,
            allow_origins=list(origins),
            allow_methods=ALLOW_METHODS,
            allow_headers=ALLOW_HEADERS,
            allow_credentials="*" not in origins,
            expose_headers=EXPOSE_HEADERS,
            max_age=MAX_AGE_S,
        )

    def preflight_response(self, request_headers: Headers) -> Response:
        """Starlette's answer, with a refusal (400) in the `{code, message, details}` shape."""
        response = super().preflight_response(request_headers)
        if response.status_code != 400:
            return response
        headers = {
            k: v
            for k, v in response.headers.items()
            if k.lower() not in {"content-length", "content-type"}
        }
        message = bytes(response.body).decode()
        return error_response(400, "cors_refused", message, headers=headers)
