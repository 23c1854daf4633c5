"""Sentinel's error hierarchy; `api/errors.py` maps it to HTTP (style.md §6)."""

from typing import Any


class SentinelError(Exception):
    """A refused operation with a stable snake_case `code`."""

    def __init__(self, code: str, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details or {}


class NotFound(SentinelError):
    """The thing asked for does not exist."""


class Conflict(SentinelError):
    """The request conflicts with the current state."""


class Unauthorized(SentinelError):
    """No valid credentials."""


class Forbidden(SentinelError):
    """Credentials are valid but lack the needed level."""


class InvalidInput(SentinelError):
    """The input is well-formed but not acceptable."""


class RuleViolation(SentinelError):
    """A domain rule refuses the command."""


class ServiceUnavailable(SentinelError):
    """A dependency (database, broker) cannot be reached."""


class TooManyRequests(SentinelError):
    """Too many failed attempts; retry after `details["retry_after_s"]` seconds."""
