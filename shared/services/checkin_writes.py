"""Write check-ins outside the reader path: rows, member state and the outbox events, at once.

Used by manual check-ins and corrections (API), and meant for the lockup execution and the
daily reset. One call in the caller's transaction: lock the members' state rows (serialising
with the ingest), insert the rows, move each state forward (or rebuild it when a row is
backdated behind the latest one), and queue the same MQTT messages a reader scan produces:
one `events/checkins` message per row, the retained `presence/members/{id}` of every changed
member and the retained `presence/summary` (style.md §3: only the outbox relay publishes).
"""

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts import topics
from shared.contracts.checkin import CheckinEvent
from shared.domain.checkin import Direction, Method
from shared.store import checkins, presence, states
from shared.store.outbox import Outgoing, enqueue


@dataclass(frozen=True, slots=True)
class CheckinWrite:
    """A check-in to record for a member."""

    member_id: uuid.UUID
    direction: Direction
    at: datetime
    source: str
    method: Method
    badge_id: uuid.UUID | None = None
    device_id: str | None = None


@dataclass(frozen=True, slots=True)
class RecordedCheckins:
    """What `record_checkins` wrote and queued."""

    rows: list[checkins.NewCheckin]
    outbox_ids: list[int]


async def record_checkins(
    session: AsyncSession,
    writes: Sequence[CheckinWrite],
    *,
    now: datetime,
    correlation_id: str | None = None,
) -> RecordedCheckins:
    """Insert check-ins, update member states and queue the check-in and presence events."""
    if not writes:
        return RecordedCheckins([], [])
    locked = await states.lock_member_states(session, [w.member_id for w in writes])
    rows = [
        checkins.NewCheckin(
            id=uuid.uuid4(),
            at=w.at,
            direction=w.direction,
            source=w.source,
            method=w.method,
            member_id=w.member_id,
            badge_id=w.badge_id,
            device_id=w.device_id,
        )
        for w in writes
    ]
    await checkins.insert_checkins(session, rows)
    forward: dict[uuid.UUID, states.StateRow] = {}
    rebuild: set[uuid.UUID] = set()
    for row in sorted(rows, key=lambda r: r.at):
        assert row.member_id is not None
        state = locked[row.member_id]
        if state.at is None or row.at >= state.at:
            state.direction, state.at, state.checkin_id = row.direction, row.at, row.id
            forward[row.member_id] = state
        else:
            rebuild.add(row.member_id)  # backdated behind the latest row (§2.10)
    await states.save_member_states(session, list(forward.values()))
    for member_id in sorted(rebuild):
        await states.recompute_member_state(session, member_id)
    events = await _checkin_events(session, rows, correlation_id)
    retained = await presence_messages(
        session, {r.member_id for r in rows if r.member_id}, now=now, correlation_id=correlation_id
    )
    ids = await enqueue(session, [*events, *retained])
    return RecordedCheckins(rows, ids)


async def _checkin_events(
    session: AsyncSession, rows: list[checkins.NewCheckin], correlation_id: str | None
) -> list[Outgoing]:
    labels = {
        r.id: (r.display_name, r.division)
        for r in await session.execute(
            text(
                "SELECT m.id, m.display_name, d.code AS division FROM members m"
                " LEFT JOIN divisions d ON d.id = m.division_id WHERE m.id = ANY(:ids)"
            ),
            {"ids": sorted({r.member_id for r in rows if r.member_id})},
        )
    }
    out = []
    for row in rows:
        name, division = labels.get(row.member_id, ("", None)) if row.member_id else ("", None)
        event = CheckinEvent(
            id=row.id,
            member_id=row.member_id,
            display_name=name,
            division=division,
            direction=row.direction,
            at=row.at,
            source=row.source,
            method=row.method,
            device_id=row.device_id,
        )
        out.append(Outgoing(topics.CHECKIN_EVENTS, event.to_bytes(), 1, False, correlation_id))
    return out


async def presence_messages(
    session: AsyncSession,
    member_ids: Iterable[uuid.UUID] | None,
    *,
    now: datetime,
    correlation_id: str | None = None,
) -> list[Outgoing]:
    """Return retained presence for `member_ids` (None: every member) and the summary."""
    chosen = None if member_ids is None else sorted(set(member_ids))
    members = await presence.member_presence(session, chosen)
    out = [
        Outgoing(topics.presence_member(m.member_id), m.to_bytes(), 1, True, correlation_id)
        for m in members
    ]
    summary = await presence.presence_summary(session, now=now)
    out.append(Outgoing(topics.PRESENCE_SUMMARY, summary.to_bytes(), 1, True, correlation_id))
    return out


async def queue_presence(
    session: AsyncSession,
    member_ids: Iterable[uuid.UUID],
    *,
    now: datetime,
    correlation_id: str | None = None,
) -> list[int]:
    """Queue the retained presence of `member_ids` and the summary; return the outbox ids.

    Used after edits, deletes, status changes and visitor movements.
    """
    return await enqueue(
        session,
        await presence_messages(session, member_ids, now=now, correlation_id=correlation_id),
    )
