"""Maps errors to HTTP responses with one JSON shape: `{code, message, details}`."""

from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException

from shared.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    RuleViolation,
    SentinelError,
    ServiceUnavailable,
    TooManyRequests,
    Unauthorized,
)

STATUS = {
    NotFound: 404,
    Conflict: 409,
    Unauthorized: 401,
    Forbidden: 403,
    InvalidInput: 422,
    RuleViolation: 409,
    ServiceUnavailable: 503,
    TooManyRequests: 429,
}


class ErrorBody(BaseModel):
    """The body of every error response."""

    code: str
    message: str
    details: dict[str, Any] = {}


def _body(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"code": code, "message": message, "details": jsonable_encoder(details or {})}


def error_response(
    status: int,
    code: str,
    message: str,
    details: dict[str, Any] | None = None,
    *,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """An error response in the API's one shape (for middleware, which runs outside FastAPI)."""
    return JSONResponse(_body(code, message, details), status_code=status, headers=headers)


async def _sentinel(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, SentinelError)
    status = next((s for t, s in STATUS.items() if isinstance(exc, t)), 400)
    headers = None
    if status == 401:
        headers = {"WWW-Authenticate": "Bearer"}
    elif status == 429 and "retry_after_s" in exc.details:
        headers = {"Retry-After": str(exc.details["retry_after_s"])}
    return JSONResponse(
        _body(exc.code, exc.message, exc.details), status_code=status, headers=headers
    )


async def _validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
        for e in exc.errors()
    ]
    return JSONResponse(
        _body("invalid_input", "The request is not valid", {"errors": errors}), status_code=422
    )


async def _http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    code = {
        404: "not_found",
        405: "method_not_allowed",
        401: "unauthorized",
        413: "payload_too_large",
    }.get(exc.status_code, "http_error")
    return JSONResponse(
        _body(code, str(exc.detail)), status_code=exc.status_code, headers=exc.headers
    )


async def _data(request: Request, exc: Exception) -> JSONResponse:
    """PostgreSQL refused a value (SQLSTATE class 22, e.g. a NUL byte in text): bad input.

    Any other database error stays a 500 (re-raised to Starlette's error middleware).
    """
    sqlstate = str(getattr(getattr(exc, "orig", None), "sqlstate", None) or "")
    if not sqlstate.startswith("22"):
        raise exc
    return JSONResponse(
        _body("invalid_input", "A value cannot be stored (invalid characters or range)"),
        status_code=422,
    )


def install(app: FastAPI) -> None:
    """Register the handlers on `app`."""
    app.add_exception_handler(DBAPIError, _data)
    app.add_exception_handler(SentinelError, _sentinel)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(HTTPException, _http)
