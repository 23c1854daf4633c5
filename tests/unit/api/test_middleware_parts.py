"""Pure parts of the API middleware: correlation id sanity and the body-size limit per path."""

import pytest

from api.middleware.body_limit import BodyLimitMiddleware
from api.middleware.correlation import accepted_id


@pytest.mark.parametrize("value", ["a", "abc-DEF_123.x", "0" * 64, "7f3c" * 8])
def test_sane_ids_are_kept(value: str) -> None:
    assert accepted_id(value) == value


@pytest.mark.parametrize(
    "value", [None, "", "0" * 65, "has space", "semi;colon", "new\nline", "é", "a/b", "<x>"]
)
def test_other_ids_are_refused(value: str | None) -> None:
    assert accepted_id(value) is None


def test_the_longest_matching_prefix_sets_the_limit() -> None:
    async def app(scope: object, receive: object, send: object) -> None:
        raise AssertionError

    middleware = BodyLimitMiddleware(
        app, max_bytes=100, overrides=[("/api/", 200), ("/api/members/import/", 300)]
    )
    assert middleware.limit_for("/health") == 100
    assert middleware.limit_for("/api/members") == 200
    assert middleware.limit_for("/api/members/import/preview") == 300
