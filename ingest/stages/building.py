"""Building consequences of a batch of scans, inside the batch transaction.

After the scans are decided: a refused holder check-out becomes a `lockup_held` building event
(domain.md §6.3); a check-in while the building is secured or no DDS has accepted becomes a
`responsibility_needed` event (§2.11 step 11, §5.6); a check-out ends the member's live Duty
Watch coverage (§2.8, written by the batch write). Events go to the outbox and are published
right after the commit.
"""

import uuid
from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from ingest.outcome import SELF_PUBLISH_GRACE_S, BatchOutcome
from ingest.stages.batch_tx import BatchTx
from shared.contracts import topics
from shared.contracts.building import LockupHeld, MemberRef, ResponsibilityNeeded
from shared.domain.checkin import Direction
from shared.domain.lockup import BuildingStatus, eligible_recipients
from shared.domain.responsibility import Situation, prompt_for
from shared.domain.scan import ScanResult
from shared.services import building_state
from shared.store import authority, outbox
from shared.store import lockup as lockup_store
from shared.store.checkins import NewCheckin
from shared.store.events import StoredDecision
from shared.store.outbox import Outgoing


async def after_scans(
    tx: BatchTx,
    decided: Sequence[StoredDecision],
    rows: Sequence[NewCheckin],
    *,
    now: datetime,
    on: date,
    settled: bool,
    outcome: BatchOutcome,
) -> None:
    """Queue the batch's building events.

    `settled` (the building is open and today's DDS has accepted, as the batch's prefetch read
    it) means no arrival needs a prompt, so the common case costs no query here. Live Duty
    Watch coverage of members who left is ended by the batch write (`scan_io.write_batch`).
    """
    held, arrivals = _work(decided, rows, settled=settled)
    if not held and not arrivals:
        return
    session = tx.session
    messages = [*await _held(session, held, now=now, on=on)]
    messages += await _responsibility(session, arrivals, now=now, on=on)
    ids = await outbox.enqueue(session, messages, relay_delay_s=SELF_PUBLISH_GRACE_S)
    outcome.queue_outbox(ids, messages)


def needs_queries(
    decided: Sequence[StoredDecision], rows: Sequence[NewCheckin], *, settled: bool
) -> bool:
    """True when `after_scans` will query and write (an optimistic batch must not start it)."""
    held, arrivals = _work(decided, rows, settled=settled)
    return bool(held or arrivals)


def _work(
    decided: Sequence[StoredDecision], rows: Sequence[NewCheckin], *, settled: bool
) -> tuple[list[StoredDecision], list[NewCheckin]]:
    """The refused holder check-outs, and the arrivals that need a prompt (none if settled)."""
    held = [d for d in decided if d.result == ScanResult.LOCKUP_HELD.value and d.member_id]
    if settled:
        return held, []
    arrivals = {
        r.member_id: r
        for r in rows
        if r.direction is Direction.IN and r.member_id is not None and not r.replayed
    }
    return held, list(arrivals.values())


async def _held(
    session: AsyncSession, held: list[StoredDecision], *, now: datetime, on: date
) -> list[Outgoing]:
    if not held:
        return []
    present = await authority.present_candidates(session, now=now, on=on)
    out = []
    for decision in held:
        assert decision.member_id is not None
        recipients = eligible_recipients(present, holder_id=decision.member_id)
        refs = await building_state.member_refs(session, [decision.member_id, *recipients])
        event = LockupHeld(
            at=decision.event_at,
            operational_date=on,
            member=refs.get(decision.member_id)
            or MemberRef(member_id=decision.member_id, display_name=decision.display or ""),
            device_id=decision.device_id,
            event_id=decision.event_id,
            available_options=["execute_lockup", *(["transfer_lockup"] if recipients else [])],
            eligible_recipients=[refs[r] for r in recipients if r in refs],
        )
        out.append(
            Outgoing(
                topics.building_event(event.kind.value),
                event.to_bytes(),
                1,
                False,
                decision.event_id,
            )
        )
    return out


async def _responsibility(
    session: AsyncSession, arrivals: list[NewCheckin], *, now: datetime, on: date
) -> list[Outgoing]:
    if not arrivals:
        return []
    cycle = await lockup_store.find_current_cycle(session)
    status = cycle.status if cycle else BuildingStatus.SECURED
    holder = cycle.holder_id if cycle else None
    snapshot = await building_state.dds_snapshot(session, on=on)
    if status is not BuildingStatus.SECURED and snapshot.current.is_active:
        return []
    ids: list[uuid.UUID] = [r.member_id for r in arrivals if r.member_id]
    facts = await authority.candidates(session, ids, now=now, on=on)
    present = await authority.present_count(session)
    codes_of = await authority.active_codes_of(session, ids, now=now)
    refs = await building_state.member_refs(session, [*ids, snapshot.current.member_id])
    out = []
    for row in arrivals:
        assert row.member_id is not None
        if row.member_id not in facts:
            continue
        codes = codes_of.get(row.member_id, frozenset())
        prompt = prompt_for(
            Situation(
                member=facts[row.member_id],
                has_dds_qualification="DDS" in codes,
                building=status,
                holder_id=holder,
                dds=snapshot.current,
                present_count=present,
            )
        )
        event = ResponsibilityNeeded(
            at=row.at,
            operational_date=on,
            member=refs.get(row.member_id) or MemberRef(member_id=row.member_id, display_name=""),
            device_id=row.device_id,
            event_id=row.event_id,
            needs_dds=prompt.needs_dds,
            needs_building_open=prompt.needs_building_open,
            is_first_member=prompt.is_first_member,
            can_accept_dds=prompt.can_accept_dds,
            can_open_building=prompt.can_open_building,
            expected_dds=refs.get(prompt.expected_dds_id) if prompt.expected_dds_id else None,
            prompt_variant=prompt.variant,
        )
        out.append(
            Outgoing(
                topics.building_event(event.kind.value), event.to_bytes(), 1, False, row.event_id
            )
        )
    return out
