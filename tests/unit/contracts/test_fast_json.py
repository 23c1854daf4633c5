"""The hot path's message encoders write exactly the bytes the contract models write."""

import json
from datetime import UTC, datetime, timedelta, timezone
from uuid import UUID

from hypothesis import given, settings
from hypothesis import strategies as st

from shared.contracts import fast_json
from shared.contracts.checkin import CheckinEvent
from shared.contracts.feedback import Feedback
from shared.contracts.presence import MemberPresence
from shared.domain.checkin import Direction, Method
from shared.domain.scan import ScanResult

# Any text, control characters, quotes, backslashes and non-ASCII included; no lone surrogates
# (neither a database string nor a validated scan can hold one).
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
OPTIONAL_TEXT = st.none() | TEXT
ZONES = st.sampled_from(
    [UTC, timezone(timedelta(hours=-6)), timezone(timedelta(hours=5, minutes=30))]
)
# hypothesis takes naive bounds; the zone is added to each value drawn.
EARLIEST, LATEST = datetime(1, 1, 2), datetime(9999, 12, 30)  # noqa: DTZ001
TIMES = st.builds(
    lambda at, tz: at.replace(tzinfo=UTC).astimezone(tz),
    st.datetimes(min_value=EARLIEST, max_value=LATEST),
    ZONES,
)
EVENT_IDS = st.none() | st.text(max_size=100)


@settings(max_examples=150)
@given(
    event_id=EVENT_IDS,
    result=st.sampled_from(ScanResult),
    display=OPTIONAL_TEXT,
    reason=OPTIONAL_TEXT,
)
def test_feedback(
    event_id: str | None, result: ScanResult, display: str | None, reason: str | None
) -> None:
    model = Feedback(event_id=event_id, result=result, display=display, reason=reason)
    fast = fast_json.feedback(
        event_id=event_id, result=result.value, display=display, reason=reason
    )
    assert fast == model.to_bytes()


@settings(max_examples=150)
@given(
    id=st.uuids(),
    member_id=st.none() | st.uuids(),
    visitor_id=st.none() | st.uuids(),
    display_name=TEXT,
    division=OPTIONAL_TEXT,
    direction=st.sampled_from(Direction),
    at=TIMES,
    source=TEXT,
    method=st.sampled_from(Method),
    device_id=OPTIONAL_TEXT,
    event_id=OPTIONAL_TEXT,
    replayed=st.booleans(),
    corrected=st.booleans(),
)
def test_checkin_event(**fields: object) -> None:
    model = CheckinEvent.model_validate(fields)
    values = {k: v.value if isinstance(v, Direction | Method) else v for k, v in fields.items()}
    assert fast_json.checkin_event(**values) == model.to_bytes()  # type: ignore[arg-type]


@settings(max_examples=150)
@given(
    member_id=st.uuids(),
    state=st.sampled_from(["in", "out"]),
    since=st.none() | TIMES,
    display_name=TEXT,
    division=OPTIONAL_TEXT,
)
def test_member_presence(**fields: object) -> None:
    model = MemberPresence.model_validate(fields)
    assert fast_json.member_presence(**fields) == model.to_bytes()  # type: ignore[arg-type]


def test_the_escaping_the_models_do_is_matched() -> None:
    """The characters JSON escapes, spelled out (the property tests may draw few of them)."""
    tricky = 'a"b\\c\nd\re\tf\bg\fh\x00i\x1fj\x7fkéł😀'
    model = Feedback(event_id=None, result=ScanResult.CHECKED_IN, display=tricky, reason=None)
    fast = fast_json.feedback(event_id=None, result="checked_in", display=tricky, reason=None)
    assert fast == model.to_bytes()
    assert json.loads(fast)["display"] == tricky


@settings(max_examples=50)
@given(times=st.lists(TIMES, min_size=1, max_size=6))
def test_a_time_is_written_right_whether_or_not_it_was_the_last_one_written(
    times: list[datetime],
) -> None:
    """The encoders remember the last time they formatted (a scan's event and presence share
    one): the same object again, another one, and back, each is written as the model writes it."""
    member_id = UUID(int=7)
    for at in [*times, times[0], *reversed(times)]:
        model = MemberPresence(
            member_id=member_id, state="in", since=at, display_name="A", division=None
        )
        fast = fast_json.member_presence(
            member_id=member_id, state="in", since=at, display_name="A", division=None
        )
        assert fast == model.to_bytes()
