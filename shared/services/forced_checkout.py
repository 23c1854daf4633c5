"""Bulk check-out of members and visitors for lockup execution and the daily rollover.

One use case for both (domain.md §6.5, §0.2 rule 7): lock the members' state rows, write an
`out` per member still in through `checkin_writes.record_checkins` (rows, `member_states`,
check-in events and retained presence in the outbox), record missed check-outs, end live duty
coverage and sign visitors out, all in the caller's transaction (Appendix B.9, B.10: members
without a badge are checked out too).
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from shared.domain.checkin import Direction, Method
from shared.domain.duty_watch import LiveEndReason
from shared.services import checkin_writes
from shared.store import authority, states


@dataclass(frozen=True, slots=True)
class Checkout:
    """How the check-outs are recorded."""

    at: datetime
    now: datetime
    on: date
    source: str
    method: Method
    live_end_reason: LiveEndReason
    resolved_by: str | None = None  # missed-checkout `resolved_by`; None records none
    lockup_execution_id: uuid.UUID | None = None
    notes: str | None = None
    correlation_id: str | None = None
    only_before: bool = False  # leave members who checked in at or after `at` (rollover)
    sources: dict[uuid.UUID, str] | None = None  # per-member source override


@dataclass(frozen=True, slots=True)
class Person:
    """Someone checked out."""

    id: uuid.UUID
    name: str


async def check_out_members(
    session: AsyncSession, member_ids: Sequence[uuid.UUID], how: Checkout
) -> list[Person]:
    """Check out those of `member_ids` who are still in; return them in id order."""
    locked = await states.lock_member_states(session, list(member_ids))
    writes: list[checkin_writes.CheckinWrite] = []
    originals: dict[uuid.UUID, datetime | None] = {}
    for state in sorted(locked.values(), key=lambda s: s.member_id):
        if state.direction is not Direction.IN:
            continue
        at = how.at
        if state.at is not None and state.at >= how.at:
            if how.only_before:
                continue
            at = state.at + timedelta(milliseconds=1)  # never write an out before the in
        originals[state.member_id] = state.at
        source = (how.sources or {}).get(state.member_id, how.source)
        writes.append(
            checkin_writes.CheckinWrite(state.member_id, Direction.OUT, at, source, how.method)
        )
    if not writes:
        return []
    await checkin_writes.record_checkins(
        session, writes, now=how.now, correlation_id=how.correlation_id
    )
    ids = [w.member_id for w in writes]
    if how.resolved_by is not None:
        await _missed(session, writes, originals, how)
    await end_live_duty(session, ids, at=how.at, reason=how.live_end_reason)
    names = await authority.labels(session, ids)
    return [Person(i, names.get(i, "")) for i in ids]


async def check_out_visitors(
    session: AsyncSession, *, at: datetime, only_before: bool
) -> list[Person]:
    """Sign out every visitor still in (those who arrived before `at` when `only_before`)."""
    condition = "check_in_at < :at" if only_before else "true"
    rows = await session.execute(
        text(
            "UPDATE visitors SET check_out_at = GREATEST(:at, check_in_at)"
            f" WHERE check_out_at IS NULL AND {condition} RETURNING id, display_name"
        ),
        {"at": at},
    )
    return sorted((Person(r.id, r.display_name) for r in rows), key=lambda p: p.id)


async def end_live_duty(
    session: AsyncSession, member_ids: Sequence[uuid.UUID], *, at: datetime, reason: LiveEndReason
) -> None:
    """End the members' active live duty coverage (domain.md §5.5)."""
    if member_ids:
        await session.execute(
            text(
                "UPDATE live_duty_assignments SET ended_at = :at, ended_reason = :reason"
                " WHERE ended_at IS NULL AND member_id = ANY(:ids)"
            ),
            {"at": at, "reason": reason.value, "ids": list(member_ids)},
        )


async def queue_presence(session: AsyncSession, *, now: datetime) -> None:
    """Queue the retained presence summary (after visitors alone were signed out)."""
    await checkin_writes.queue_presence(session, [], now=now)


async def _missed(
    session: AsyncSession,
    writes: list[checkin_writes.CheckinWrite],
    originals: dict[uuid.UUID, datetime | None],
    how: Checkout,
) -> None:
    ids = [w.member_id for w in writes]
    await session.execute(
        text(
            "INSERT INTO missed_checkouts (member_id, missed_on, original_checkin_at,"
            " forced_checkout_at, resolved_by, lockup_execution_id, notes)"
            " SELECT u.m, :on, u.orig, u.at, :by, :execution, :notes"
            " FROM unnest(CAST(:ids AS uuid[]), CAST(:origs AS timestamptz[]),"
            " CAST(:ats AS timestamptz[])) AS u(m, orig, at)"
        ),
        {
            "ids": ids,
            "origs": [originals.get(i) for i in ids],
            "ats": [w.at for w in writes],
            "on": how.on,
            "by": how.resolved_by,
            "execution": how.lockup_execution_id,
            "notes": how.notes,
        },
    )
    await session.execute(
        text(
            "UPDATE members SET missed_checkout_count = missed_checkout_count + 1,"
            " last_missed_checkout = :at WHERE id = ANY(:ids)"
        ),
        {"at": how.at, "ids": ids},
    )
