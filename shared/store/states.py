"""Member current state: one row per member, locked to serialise that member's check-ins."""

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from shared.domain.checkin import Direction
from shared.domain.scan import LastCheckin


@dataclass(slots=True)
class StateRow:
    """A member's latest check-in as the state table records it."""

    member_id: uuid.UUID
    direction: Direction | None
    at: datetime | None
    checkin_id: uuid.UUID | None

    def stored(self) -> tuple[uuid.UUID, str | None, datetime | None, uuid.UUID | None]:
        """(member_id, direction, at, checkin_id) as the state table stores them."""
        direction = self.direction.value if self.direction is not None else None
        return (self.member_id, direction, self.at, self.checkin_id)

    def last(self) -> LastCheckin | None:
        """The state as the decision's `last` input."""
        if self.direction is None or self.at is None:
            return None
        return LastCheckin(self.direction, self.at)


async def lock_member_states(
    session: AsyncSession, member_ids: list[uuid.UUID]
) -> dict[uuid.UUID, StateRow]:
    """Create missing state rows and lock all of them, in member-id order."""
    if not member_ids:
        return {}
    ordered = sorted(member_ids)
    # One round trip: missing rows are created, existing ones locked by the no-op update
    # (ON CONFLICT DO UPDATE takes the row lock, like FOR UPDATE), in member-id order.
    rows = await session.execute(
        text(
            "INSERT INTO member_states (member_id) SELECT unnest(CAST(:ids AS uuid[]))"
            " ON CONFLICT (member_id) DO UPDATE SET member_id = EXCLUDED.member_id"
            " RETURNING member_id, direction, at, checkin_id"
        ),
        {"ids": ordered},
    )
    return {
        row.member_id: StateRow(
            row.member_id,
            Direction(row.direction) if row.direction else None,
            row.at,
            row.checkin_id,
        )
        for row in rows
    }


async def save_member_states(session: AsyncSession, states: list[StateRow]) -> None:
    """Write back the given states (one statement; the rows exist, `lock_member_states`).

    An upsert finds each row by its key; an `UPDATE ... FROM unnest()` was planned as a scan of
    the whole table.
    """
    if not states:
        return
    await session.execute(
        text(
            """
            INSERT INTO member_states (member_id, direction, at, checkin_id)
            SELECT * FROM unnest(CAST(:ids AS uuid[]), CAST(:dirs AS text[]),
                                 CAST(:ats AS timestamptz[]), CAST(:cids AS uuid[]))
            ON CONFLICT (member_id) DO UPDATE SET direction = EXCLUDED.direction,
                at = EXCLUDED.at, checkin_id = EXCLUDED.checkin_id, updated_at = now()
            """
        ),
        {
            "ids": [s.member_id for s in states],
            "dirs": [s.direction.value if s.direction else None for s in states],
            "ats": [s.at for s in states],
            "cids": [s.checkin_id for s in states],
        },
    )


async def latest_checkin_before(
    session: AsyncSession, member_id: uuid.UUID, at: datetime
) -> LastCheckin | None:
    """Return the member's latest check-in at or before `at` (for out-of-order replays)."""
    row = (
        await session.execute(
            text(
                "SELECT direction, at FROM checkins WHERE member_id = :m AND at <= :at"
                " ORDER BY at DESC LIMIT 1"
            ),
            {"m": member_id, "at": at},
        )
    ).first()
    return LastCheckin(Direction(row.direction), row.at) if row else None


async def earliest_checkin_after(
    session: AsyncSession, member_id: uuid.UUID, at: datetime
) -> datetime | None:
    """Return the time of the member's first check-in after `at`, if any."""
    found: datetime | None = await session.scalar(
        text("SELECT min(at) FROM checkins WHERE member_id = :m AND at > :at"),
        {"m": member_id, "at": at},
    )
    return found


async def recompute_member_state(session: AsyncSession, member_id: uuid.UUID) -> None:
    """Rebuild a member's state row from the check-in history (after edits or backdating)."""
    await session.execute(
        text(
            """
            INSERT INTO member_states (member_id, direction, at, checkin_id, updated_at)
            SELECT :m, c.direction, c.at, c.id, now()
            FROM (SELECT 1) one
            LEFT JOIN LATERAL (
                SELECT direction, at, id FROM checkins WHERE member_id = :m
                ORDER BY at DESC LIMIT 1
            ) c ON true
            ON CONFLICT (member_id) DO UPDATE
            SET direction = EXCLUDED.direction, at = EXCLUDED.at,
                checkin_id = EXCLUDED.checkin_id, updated_at = now()
            """
        ),
        {"m": member_id},
    )
