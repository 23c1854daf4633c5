"""Tonight's Duty Watch: the night, the merged roster and who is present (domain.md §5.3)."""

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from shared.domain.duty_watch import Entry, Night, Position, night_for, tonight_roster
from shared.domain.opday import week_start
from shared.store import authority
from shared.store import duty_watch as dw_store


@dataclass(frozen=True, slots=True)
class Tonight:
    """The Duty Watch of one operational date."""

    on: date
    week_start: date
    night: Night | None
    schedule_id: uuid.UUID | None
    schedule_status: str | None
    positions: list[Position]
    roster: list[Entry]
    present: set[uuid.UUID]
    labels: dict[uuid.UUID, str]


async def tonight(session: AsyncSession, *, on: date) -> Tonight:
    """Load the rules, schedule, overrides and live coverage and merge them for `on`."""
    night = night_for(await dw_store.rules(session), on)
    week = week_start(on)
    schedule = await dw_store.schedule_for(session, dw_store.DUTY_WATCH, week)
    positions = await dw_store.positions(session)
    scheduled = await dw_store.scheduled(session, schedule.id) if schedule else []
    overrides = await dw_store.overrides(session, schedule.id, on) if schedule else []
    covers = await dw_store.active_covers(session)
    roster = tonight_roster(scheduled, overrides, covers)
    ids = [e.member_id for e in roster] + [e.cover.member_id for e in roster if e.cover]
    labels = await authority.labels(session, ids)
    codes: dict[uuid.UUID | None, str] = {p.id: p.code for p in positions}
    roster.sort(key=lambda e: (codes.get(e.position_id, "~"), labels.get(e.member_id, "")))
    return Tonight(
        on,
        week,
        night,
        schedule.id if schedule else None,
        schedule.status if schedule else None,
        positions,
        roster,
        await authority.present_ids(session),
        labels,
    )
