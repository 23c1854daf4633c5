"""Per-client rate limits on the whole API and a stricter one on the sign-in routes.

Each client address (the ASGI `client`, i.e. what uvicorn resolved, `X-Forwarded-For` from a
trusted proxy included) has a token bucket per rule: `limit` requests at once, refilled at
`limit / window_s` per second. `SENTINEL_API_RATE_LIMIT` per `SENTINEL_API_RATE_WINDOW_S`
covers every route; `SENTINEL_API_AUTH_RATE_LIMIT` per `SENTINEL_API_AUTH_RATE_WINDOW_S` also
covers `POST /api/auth/login` and `/api/auth/change-pin` (argon2 makes each one costly, and the
badge/address lockout of the login itself answers only after a failure). `/health`, `/ready`
and `/metrics` are exempt. Over a limit the answer is 429 `rate_limited` with `Retry-After`
(whole seconds) and `details.retry_after_s`.

The buckets live in this process (`InMemoryRateLimiter`), so N API processes allow N times the
limit. To share them, implement `RateLimiter.acquire` on a shared store, e.g. Redis: one Lua
script per call that reads the bucket hash `{rule}:{key}` (tokens, updated-at), refills it,
takes a token and sets a TTL of one window, with the server's `TIME` as the clock; then pass it
to `create_app(..., rate_limiter=...)`. Nothing else changes.
"""

import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

from starlette.types import ASGIApp, Receive, Scope, Send

from api.errors import error_response

EXEMPT_PATHS = frozenset({"/health", "/ready", "/metrics"})
AUTH_PATHS = frozenset({"/api/auth/login", "/api/auth/change-pin"})


@dataclass(frozen=True, slots=True)
class Rule:
    """At most `limit` requests per `window_s` seconds per client, with bursts up to `limit`."""

    name: str
    limit: int
    window_s: float


class RateLimiter(Protocol):
    """Where the buckets live; the in-process one below, or a shared store."""

    async def acquire(self, rule: Rule, key: str) -> float:
        """Take one request for `key` under `rule`: 0 if allowed, else seconds until one is."""
        ...


@dataclass(slots=True)
class _Bucket:
    tokens: float
    at: float


class InMemoryRateLimiter:
    """Token buckets in a dict, least recently used first, at most `max_keys` of them.

    When full, the least recently used bucket is forgotten (that client starts afresh): memory
    stays bounded whatever the number of addresses.
    """

    def __init__(
        self, *, clock: Callable[[], float] = time.monotonic, max_keys: int = 100_000
    ) -> None:
        self._clock = clock
        self._max_keys = max_keys
        self._buckets: dict[tuple[str, str], _Bucket] = {}

    async def acquire(self, rule: Rule, key: str) -> float:
        """Take one request for `key` under `rule` (no await inside: atomic on the loop)."""
        return self.take(rule, key)

    def take(self, rule: Rule, key: str) -> float:
        """Synchronous `acquire`."""
        now = self._clock()
        rate = rule.limit / rule.window_s
        bucket = self._buckets.pop((rule.name, key), None)
        if bucket is None:
            bucket = _Bucket(float(rule.limit), now)
        else:
            elapsed = max(0.0, now - bucket.at)
            bucket.tokens = min(float(rule.limit), bucket.tokens + elapsed * rate)
            bucket.at = now
        wait = 0.0
        if bucket.tokens >= 1:
            bucket.tokens -= 1
        else:
            wait = (1 - bucket.tokens) / rate
        self._buckets[(rule.name, key)] = bucket
        if len(self._buckets) > self._max_keys:
            del self._buckets[next(iter(self._buckets))]
        return wait


def retry_after_s(wait: float) -> int:
    """`Retry-After` in whole seconds: rounded up, at least 1."""
    return max(1, math.ceil(wait))


class RateLimitMiddleware:
    """Answers 429 when the client's bucket for the whole API (or the auth routes) is empty."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        limiter: RateLimiter,
        general: Rule | None,
        auth: Rule | None,
        auth_paths: Iterable[str] = AUTH_PATHS,
        exempt_paths: Iterable[str] = EXEMPT_PATHS,
    ) -> None:
        self.app = app
        self.limiter = limiter
        self.general = general
        self.auth = auth
        self.auth_paths = frozenset(auth_paths)
        self.exempt_paths = frozenset(exempt_paths)

    def rules_for(self, path: str) -> list[Rule]:
        """The rules a request to `path` counts against."""
        if path in self.exempt_paths:
            return []
        rules = [self.general] if self.general else []
        if self.auth and path in self.auth_paths:
            rules.append(self.auth)
        return rules

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Take a token from each applicable bucket, or answer 429."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        key = client[0] if client else "unknown"
        for rule in self.rules_for(scope["path"]):
            wait = await self.limiter.acquire(rule, key)
            if wait > 0:
                seconds = retry_after_s(wait)
                response = error_response(
                    429,
                    "rate_limited",
                    "Too many requests; retry later",
                    {"retry_after_s": seconds, "limit": rule.limit, "window_s": rule.window_s},
                    headers={"Retry-After": str(seconds)},
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def rule(name: str, limit: int, window_s: float) -> Rule | None:
    """A rule, or None when `limit` is 0 (off)."""
    return Rule(name, limit, window_s) if limit > 0 else None
