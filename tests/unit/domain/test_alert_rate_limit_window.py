"""The alert rate limit: at most `threshold` alerts per (type, subject) inside the window.

Found by mutation testing (`uv run python -m tools.mutation`): the rule was only exercised
through the database-backed alert store, never by the domain tests.
"""

from datetime import UTC, datetime, timedelta

from shared.domain.alerts import RateLimit, is_suppressed

NOW = datetime(2026, 11, 24, 22, tzinfo=UTC)
HOUR = RateLimit(threshold=1, window=timedelta(minutes=60))


def test_nothing_recent_is_never_suppressed() -> None:
    assert not is_suppressed([], now=NOW, limit=HOUR)


def test_an_alert_inside_the_window_suppresses_the_next() -> None:
    assert is_suppressed([NOW - timedelta(minutes=59)], now=NOW, limit=HOUR)


def test_an_alert_exactly_one_window_ago_no_longer_counts() -> None:
    assert not is_suppressed([NOW - timedelta(minutes=60)], now=NOW, limit=HOUR)
    assert is_suppressed(
        [NOW - timedelta(minutes=60) + timedelta(microseconds=1)], now=NOW, limit=HOUR
    )


def test_the_threshold_is_how_many_may_be_raised() -> None:
    three = RateLimit(threshold=3, window=timedelta(minutes=60))
    recent = [NOW - timedelta(minutes=m) for m in (5, 10)]
    assert not is_suppressed(recent, now=NOW, limit=three)
    assert is_suppressed([*recent, NOW - timedelta(minutes=15)], now=NOW, limit=three)


def test_alerts_from_before_the_window_do_not_count_towards_the_threshold() -> None:
    two = RateLimit(threshold=2, window=timedelta(minutes=60))
    recent = [NOW - timedelta(minutes=5), NOW - timedelta(hours=3)]
    assert not is_suppressed(recent, now=NOW, limit=two)
