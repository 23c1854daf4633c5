"""Realign a member's later check-ins when an earlier tap is decided late (domain.md §2.11.7).

Workers of a shared subscription, readers at two doors, or a reader replaying its outbox can
have a member's later tap recorded before an earlier one. The late tap toggles its own
predecessor; every check-in after it must then change direction as needed so the member's
history alternates again in event-time order, and the member's state (so presence) follows the
last one. Stored rows that change are updated here, audited (`checkin_direction_corrected`)
and their check-in event is published again with the same id and `corrected: true`.

Check-ins written with a direction of their own (a daily reset's or a lockup's check-out, a
manual entry) keep it, and the badge check-ins after them alternate from it. A tap whose
decision depended on the old direction keeps it: a duplicate or a lockup holder's blocked
check-out (`lockup_held`) is not re-decided, and the lockup holder's history is not realigned
at all (a realigned `out` would check out the one member who may not leave; step 9).
"""

import dataclasses
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from shared.domain.checkin import Direction, Method, realign, toggle
from shared.store import audit
from shared.store.checkins import NewCheckin

_LATER_SQL = text(
    """
    SELECT c.id, c.at, c.member_id, c.visitor_id, c.badge_id, c.direction, c.source, c.method,
           c.device_id, c.event_id, c.clock_suspect, c.replayed
    FROM unnest(CAST(:members AS uuid[]), CAST(:after AS timestamptz[])) AS s(member_id, after)
    JOIN checkins c ON c.member_id = s.member_id AND c.at > s.after
    ORDER BY c.member_id, c.at, c.id
    """
)

_FLIP_SQL = text(
    """
    UPDATE checkins c SET direction = u.direction
    FROM unnest(CAST(:ids AS uuid[]), CAST(:ats AS timestamptz[]), CAST(:dirs AS text[]))
         AS u(id, at, direction)
    WHERE c.id = u.id AND c.at = u.at
    """
)


@dataclass(frozen=True, slots=True)
class Realigned:
    """What realigning changed."""

    rows: list[NewCheckin]  # the batch's new rows, directions corrected, in the same order
    corrected: list[NewCheckin]  # stored rows whose direction changed (already updated)
    latest: dict[uuid.UUID, NewCheckin]  # each realigned member's latest check-in


async def realign_late(
    session: AsyncSession, starts: dict[uuid.UUID, datetime], rows: Sequence[NewCheckin]
) -> Realigned:
    """Realign each member's check-ins after `starts[member]`, the time of its late tap.

    `rows` are the batch's new (not yet written) rows; the late tap itself is among them and
    keeps its direction, which was decided against its true predecessor.
    """
    result = await session.execute(
        _LATER_SQL, {"members": list(starts), "after": list(starts.values())}
    )
    stored: dict[uuid.UUID, list[NewCheckin]] = {}
    for r in result:
        stored.setdefault(r.member_id, []).append(
            NewCheckin(
                id=r.id,
                at=r.at,
                direction=Direction(r.direction),
                source=r.source,
                method=Method(r.method),
                member_id=r.member_id,
                visitor_id=r.visitor_id,
                badge_id=r.badge_id,
                device_id=r.device_id,
                event_id=r.event_id,
                clock_suspect=r.clock_suspect,
                replayed=r.replayed,
            )
        )
    new = list(rows)
    index_of = {row.id: i for i, row in enumerate(new)}
    corrected: list[NewCheckin] = []
    latest: dict[uuid.UUID, NewCheckin] = {}
    for member_id, start in starts.items():
        sequence = sorted(
            [r for r in new if r.member_id == member_id and r.at >= start]
            + stored.get(member_id, []),
            key=lambda r: (r.at, r.id),
        )
        first, later = sequence[0], sequence[1:]
        changes = realign(
            first.direction,
            [(r.id, r.direction) for r in later],
            fixed={r.id for r in later if r.method is not Method.BADGE},
        )
        for i, row in enumerate(sequence):
            if row.id not in changes:
                continue
            row = dataclasses.replace(row, direction=changes[row.id])
            sequence[i] = row
            if row.id in index_of:
                new[index_of[row.id]] = row
            else:
                corrected.append(row)
        latest[member_id] = sequence[-1]
    if corrected:
        await session.execute(
            _FLIP_SQL,
            {
                "ids": [r.id for r in corrected],
                "ats": [r.at for r in corrected],
                "dirs": [r.direction.value for r in corrected],
            },
        )
        await audit.record(session, [_audit_entry(r) for r in corrected])
    return Realigned(new, corrected, latest)


def _audit_entry(row: NewCheckin) -> audit.AuditEntry:
    return audit.AuditEntry(
        "checkin_direction_corrected",
        "checkin",
        str(row.id),
        details={
            "before": toggle(row.direction).value,
            "after": row.direction.value,
            "reason": "an earlier tap of the member was decided after this check-in",
            "event_id": row.event_id,
        },
        correlation_id=row.event_id,
    )
