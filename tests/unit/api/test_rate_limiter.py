"""The in-process token bucket behind the API's rate limits (pure, on a hand-moved clock)."""

import pytest

from api.middleware.rate_limit import (
    InMemoryRateLimiter,
    RateLimitMiddleware,
    Rule,
    retry_after_s,
    rule,
)

API = Rule("api", 3, 60.0)
AUTH = Rule("auth", 1, 30.0)


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def test_allows_the_burst_then_says_how_long_to_wait() -> None:
    clock = Clock()
    limiter = InMemoryRateLimiter(clock=clock)
    assert [limiter.take(API, "a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.take(API, "a") == pytest.approx(20.0)  # one token per 60/3 s


def test_refills_at_limit_per_window() -> None:
    clock = Clock()
    limiter = InMemoryRateLimiter(clock=clock)
    for _ in range(3):
        limiter.take(API, "a")
    clock.t += 19.0
    assert limiter.take(API, "a") == pytest.approx(1.0)
    clock.t += 1.0
    assert limiter.take(API, "a") == 0.0
    clock.t += 3600.0  # a long pause refills to the burst size, not beyond
    assert [limiter.take(API, "a") for _ in range(4)][-1] > 0


def test_clients_and_rules_have_separate_buckets() -> None:
    limiter = InMemoryRateLimiter(clock=Clock())
    for _ in range(3):
        limiter.take(API, "a")
    assert limiter.take(API, "a") > 0
    assert limiter.take(API, "b") == 0.0
    assert limiter.take(AUTH, "a") == 0.0
    assert limiter.take(AUTH, "a") == pytest.approx(30.0)


def test_a_clock_going_backwards_does_not_add_tokens() -> None:
    clock = Clock()
    limiter = InMemoryRateLimiter(clock=clock)
    for _ in range(3):
        limiter.take(API, "a")
    clock.t -= 500.0
    assert limiter.take(API, "a") > 0


def test_memory_is_bounded_by_forgetting_the_least_recently_used() -> None:
    limiter = InMemoryRateLimiter(clock=Clock(), max_keys=2)
    limiter.take(AUTH, "a")
    limiter.take(AUTH, "b")
    limiter.take(AUTH, "a")  # refused, and now the most recently used
    limiter.take(AUTH, "c")  # evicts b
    assert limiter.take(AUTH, "a") > 0
    assert limiter.take(AUTH, "b") == 0.0


async def test_acquire_is_take() -> None:
    limiter = InMemoryRateLimiter(clock=Clock())
    assert await limiter.acquire(AUTH, "a") == 0.0
    assert await limiter.acquire(AUTH, "a") == pytest.approx(30.0)


@pytest.mark.parametrize(("wait", "header"), [(0.01, 1), (1.0, 1), (1.2, 2), (19.999, 20)])
def test_retry_after_is_whole_seconds_rounded_up(wait: float, header: int) -> None:
    assert retry_after_s(wait) == header


def test_a_zero_limit_turns_the_rule_off() -> None:
    assert rule("api", 0, 60) is None
    assert rule("api", 5, 60) == Rule("api", 5, 60)


def test_rules_for_paths() -> None:
    async def app(scope: object, receive: object, send: object) -> None:
        raise AssertionError

    middleware = RateLimitMiddleware(app, limiter=InMemoryRateLimiter(), general=API, auth=AUTH)
    assert middleware.rules_for("/api/members") == [API]
    assert middleware.rules_for("/api/auth/login") == [API, AUTH]
    assert middleware.rules_for("/api/auth/change-pin") == [API, AUTH]
    assert middleware.rules_for("/health") == []
    assert middleware.rules_for("/ready") == []
    assert middleware.rules_for("/metrics") == []
    off = RateLimitMiddleware(app, limiter=InMemoryRateLimiter(), general=None, auth=None)
    assert off.rules_for("/api/auth/login") == []
