"""Scan processing inside the batch transaction (domain.md §2.11 steps 2–12).

Reads everything a batch needs in one round trip, or takes it from the worker's mirror
(`scan_io.prefetch`), decides each new event in device-time order while carrying each member's
running state, then writes all rows in one more (`scan_io.write_batch`). Only rare cases add
queries: out-of-order replays, alerts, visitor sign-outs and building prompts while the building
is not settled.
"""

import dataclasses
import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from ingest.outcome import SELF_PUBLISH_GRACE_S, BatchOutcome
from ingest.policy import IngestPolicy
from ingest.stages import building, realign, scan_io
from ingest.stages.batch_tx import BatchTx, NeedsLock
from ingest.stages.parse import Parsed
from shared.contracts import fast_json, topics
from shared.contracts.scan import ScanEvent
from shared.domain.alerts import AlertRequest, AlertType, Severity
from shared.domain.checkin import Direction, Method
from shared.domain.opday import operational_date
from shared.domain.scan import (
    LastCheckin,
    MemberStatus,
    RejectReason,
    ScanDecision,
    ScanResult,
    choose_event_time,
    decide,
)
from shared.store import alerts as alert_store
from shared.store import badges, checkins, events, states
from shared.store import visitors as visitor_store
from shared.store.badges import BadgeHit
from shared.store.outbox import Outgoing

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ScanItem:
    """A new scan with its event time resolved."""

    parsed: Parsed
    scan: ScanEvent
    at: datetime
    clock_suspect: bool
    order: int


def feedback_for(stored: events.StoredDecision) -> Outgoing:
    """Return the reader feedback for a stored decision (also used for redeliveries)."""
    payload = fast_json.feedback(  # Feedback(...).to_bytes(), without building the model
        event_id=stored.event_id,
        result=stored.result,
        display=stored.display,
        reason=stored.reason,
    )
    return Outgoing(topics.feedback(stored.device_id), payload, 1, False, stored.event_id)


def _device_time(scan: ScanEvent) -> datetime | None:
    return datetime.fromtimestamp(scan.ts / 1000, UTC) if scan.ts is not None else None


class _History:
    """Check-ins of this batch per member, to answer "latest at or before t" for replays."""

    def __init__(self) -> None:
        self.rows: dict[uuid.UUID, list[LastCheckin]] = {}

    def add(self, member_id: uuid.UUID, row: LastCheckin) -> None:
        self.rows.setdefault(member_id, []).append(row)

    def earliest_after(self, member_id: uuid.UUID, at: datetime) -> datetime | None:
        later = [r.at for r in self.rows.get(member_id, []) if r.at > at]
        return min(later) if later else None

    def latest(self, member_id: uuid.UUID, at: datetime) -> LastCheckin | None:
        earlier = [r for r in self.rows.get(member_id, []) if r.at <= at]
        return max(earlier, key=lambda r: r.at) if earlier else None


async def process_scans(
    tx: BatchTx,
    parsed: list[Parsed],
    *,
    now: datetime,
    policy: IngestPolicy,
    outcome: BatchOutcome,
) -> None:
    """Decide and write every scan of the batch; fill `outcome` with what to publish."""
    scans = [(p, p.model) for p in parsed if isinstance(p.model, ScanEvent)]
    if not scans:
        return
    candidates = {
        scan.event_id: badges.serial_candidates(scan.uid, policy.uid_formats) for _, scan in scans
    }
    on = operational_date(now, tz=policy.timezone, rollover=policy.day_rollover)
    context = await scan_io.prefetch(
        tx,
        event_ids=[scan.event_id for _, scan in scans],
        device_ids=[p.device_id for p, _ in scans],
        serials=[s for serials in candidates.values() for s in serials],
        now=now,
        on=on,
    )
    stored = context.stored
    fresh: list[ScanItem] = []
    seen: set[str] = set()
    for order, (p, scan) in enumerate(scans):
        if scan.event_id in stored or scan.event_id in seen:
            continue
        seen.add(scan.event_id)
        at, suspect = choose_event_time(
            _device_time(scan),
            synced=scan.ts_src == "ntp",
            received_at=p.inbound.received_at,
            policy=policy.clock,
        )
        fresh.append(ScanItem(p, scan, at, suspect, order))
        if not suspect and not scan.replayed:
            outcome.tapped_at.append(at)
    hits = context.hits
    hit_of: dict[str, BadgeHit | None] = {
        i.scan.event_id: next((hits[s] for s in candidates[i.scan.event_id] if s in hits), None)
        for i in fresh
    }
    locked = context.locked
    history = _History()
    decided: list[events.StoredDecision] = []
    new_rows: list[checkins.NewCheckin] = []
    changed: dict[uuid.UUID, states.StateRow] = {}
    alert_jobs: list[tuple[AlertRequest, ScanItem, BadgeHit | None]] = []
    late: dict[uuid.UUID, datetime] = {}  # members with a tap decided after later check-ins
    for item in sorted(fresh, key=lambda i: (i.at, i.order)):
        hit = hit_of[item.scan.event_id]
        decision = await _decide_one(
            tx, item, hit, locked, history, context.holders, context.device_status, policy
        )
        row = _row_for(item, hit, decision)
        if row is not None:
            new_rows.append(row)
            if row.member_id is not None:
                history.add(row.member_id, LastCheckin(row.direction, row.at))
                state = locked[row.member_id]
                if state.at is not None and row.at < state.at:
                    if row.member_id not in context.holders:
                        late.setdefault(row.member_id, row.at)
                else:
                    state.direction, state.at, state.checkin_id = row.direction, row.at, row.id
                    changed[row.member_id] = state
        alert_jobs.extend((a, item, hit) for a in decision.alerts)
        decided.append(_stored(item, hit, decision, row))
        outcome.results[decision.result.value] += 1
        if log.isEnabledFor(logging.DEBUG):
            # The hot path logs only at DEBUG; the event id is the scan's correlation id.
            log.debug(
                "scan_decided",
                extra={
                    "correlation_id": item.scan.event_id,
                    "device_id": item.parsed.device_id,
                    "result": decision.result.value,
                    "reason": decision.reason.value if decision.reason else None,
                },
            )
    corrected: list[checkins.NewCheckin] = []
    if late:
        corrected = await _realign(tx, late, new_rows, decided, locked, changed, outcome)
    for request, item, hit in alert_jobs:
        raised = await alert_store.raise_alert(
            tx.session,
            request,
            now=now,
            limit=policy.alert_limit,
            source=item.parsed.device_id,
            badge_serial=hit.view.serial if hit else item.scan.uid,
            member_id=hit.view.member_id if hit else None,
            details={"event_id": item.scan.event_id, "device_id": item.parsed.device_id},
            correlation_id=item.scan.event_id,
            relay_delay_s=SELF_PUBLISH_GRACE_S,
        )
        if raised.queued is not None:
            outcome.queue_outbox([raised.queued.id], [raised.queued.message])
    visits = [(r.visitor_id, r.at) for r in new_rows if r.visitor_id is not None]
    if visits:
        await visitor_store.sign_out_by_badge_scan(tx.session, visits)
    messages = _events_of(new_rows, hit_of)  # the rows were decided in event-time order
    if corrected:
        # Merged in event-time order, so a consumer keeping the last message per member ends
        # on the newest.
        paired = [
            *zip(new_rows, messages, strict=True),
            *zip(corrected, _events_of(corrected, hit_of, corrected=True), strict=True),
        ]
        messages = [m for _, m in sorted(paired, key=lambda pair: pair[0].at)]
    left: dict[uuid.UUID, datetime] = {}
    for r in [*new_rows, *corrected]:
        if r.direction is Direction.OUT and r.member_id is not None:
            left[r.member_id] = max(r.at, left.get(r.member_id, r.at))
    if tx.optimistic and building.needs_queries(
        decided, new_rows, settled=context.building_settled
    ):
        raise NeedsLock("building events to queue")
    ids: list[int] = []
    if decided:  # a batch of nothing but redeliveries has nothing to write
        ids = await scan_io.write_batch(
            tx,
            scan_io.BatchWrites(
                checkins=new_rows,
                states=list(changed.values()),
                decisions=decided,
                left=left,
                outbox=messages,
            ),
            relay_delay_s=SELF_PUBLISH_GRACE_S,
            read=context,
            now=now,
        )
    outcome.queue_outbox(ids, messages)
    await building.after_scans(
        tx,
        decided,
        new_rows,
        now=now,
        on=on,
        settled=context.building_settled,
        outcome=outcome,
    )
    outcome.changed_members.update(changed)
    outcome.retained.extend(_presence_of(changed, hit_of))
    if changed or any(r.visitor_id is not None for r in new_rows):
        outcome.presence_changed = True
    outcome.feedback.extend(feedback_for(d) for d in decided)
    for _, scan in scans:
        if scan.event_id in stored:
            outcome.feedback.append(feedback_for(stored[scan.event_id]))
            outcome.results["redelivered"] += 1


async def _realign(
    tx: BatchTx,
    late: dict[uuid.UUID, datetime],
    new_rows: list[checkins.NewCheckin],
    decided: list[events.StoredDecision],
    locked: dict[uuid.UUID, states.StateRow],
    changed: dict[uuid.UUID, states.StateRow],
    outcome: BatchOutcome,
) -> list[checkins.NewCheckin]:
    """Realign the check-ins after each late tap; return the stored rows that changed.

    The batch's own rows, their decisions and counts, and the members' states are corrected
    in place, so the readers are answered with the final directions.
    """
    realigned = await realign.realign_late(tx.session, late, new_rows)
    flipped = {
        new.id: new
        for old, new in zip(new_rows, realigned.rows, strict=True)
        if new.direction is not old.direction
    }
    new_rows[:] = realigned.rows
    for i, stored in enumerate(decided):
        row = flipped.get(stored.checkin_id) if stored.checkin_id else None
        if row is None:
            continue
        result = ScanResult.CHECKED_IN if row.direction is Direction.IN else ScanResult.CHECKED_OUT
        outcome.results[stored.result] -= 1
        outcome.results[result.value] += 1
        decided[i] = dataclasses.replace(stored, result=result.value)
    for member_id, last in realigned.latest.items():
        state = locked[member_id]
        state.direction, state.at, state.checkin_id = last.direction, last.at, last.id
        changed[member_id] = state
    return realigned.corrected


def _presence_of(
    changed: dict[uuid.UUID, states.StateRow],
    hit_of: dict[str, BadgeHit | None],
) -> list[Outgoing]:
    """Each changed member's retained presence, from the batch's own rows (no query)."""
    views = {
        hit.view.member_id: hit
        for hit in hit_of.values()
        if hit is not None and hit.view.member_id is not None
    }
    out = []
    for member_id, state in changed.items():
        hit = views[member_id]
        present = state.direction is Direction.IN and hit.view.member_status is MemberStatus.ACTIVE
        payload = fast_json.member_presence(  # as `presence.presence_of(...).to_bytes()`
            member_id=member_id,
            state="in" if present else "out",
            since=state.at,
            display_name=hit.view.member_label,
            division=hit.division,
        )
        out.append(Outgoing(topics.presence_member(member_id), payload, 1, True))
    return out


async def _decide_one(
    tx: BatchTx,
    item: ScanItem,
    hit: BadgeHit | None,
    locked: dict[uuid.UUID, states.StateRow],
    history: _History,
    holders: set[uuid.UUID],
    device_status: dict[str, str],
    policy: IngestPolicy,
) -> ScanDecision:
    status = device_status.get(item.parsed.device_id, "pending")
    if status == "disabled" or (status == "pending" and not policy.accept_unregistered):
        alert = AlertRequest(
            AlertType.READER_UNREGISTERED,
            Severity.WARNING,
            item.parsed.device_id,
            f"Scan from a reader that is not accepted: {item.parsed.device_id} ({status})",
        )
        return ScanDecision(ScanResult.REJECTED, RejectReason.READER_NOT_ACCEPTED, alerts=(alert,))
    member_id = hit.view.member_id if hit else None
    last: LastCheckin | None = None
    following = None
    if member_id is not None:
        state = locked[member_id]
        last = state.last()
        if last is not None and item.at < last.at:
            # An out-of-order (replayed) event: toggle against history at its own time (§2.11.7).
            db_last = await states.latest_checkin_before(tx.session, member_id, item.at)
            batch_last = history.latest(member_id, item.at)
            options = [r for r in (db_last, batch_last) if r is not None]
            last = max(options, key=lambda r: r.at) if options else None
            later = [
                t
                for t in (
                    await states.earliest_checkin_after(tx.session, member_id, item.at),
                    history.earliest_after(member_id, item.at),
                )
                if t is not None
            ]
            following = min(later) if later else None
    return decide(
        hit.view if hit else None,
        uid=item.scan.uid,
        at=item.at,
        last=last,
        holds_lockup=member_id in holders,
        policy=policy.scan,
        following=following,
    )


def _row_for(
    item: ScanItem, hit: BadgeHit | None, decision: ScanDecision
) -> checkins.NewCheckin | None:
    if decision.direction is None or hit is None:
        return None
    view = hit.view
    return checkins.NewCheckin(
        id=uuid.uuid4(),
        at=item.at,
        direction=decision.direction,
        source=item.parsed.device_id,
        method=Method.BADGE,
        member_id=None if decision.signs_out_visitor else view.member_id,
        visitor_id=view.visitor_id if decision.signs_out_visitor else None,
        badge_id=view.badge_id,
        device_id=item.parsed.device_id,
        event_id=item.scan.event_id,
        clock_suspect=item.clock_suspect,
        replayed=item.scan.replayed,
    )


def _stored(
    item: ScanItem,
    hit: BadgeHit | None,
    decision: ScanDecision,
    row: checkins.NewCheckin | None,
) -> events.StoredDecision:
    return events.StoredDecision(
        event_id=item.scan.event_id,
        device_id=item.parsed.device_id,
        result=decision.result.value,
        reason=decision.reason.value if decision.reason else None,
        display=hit.view.member_label or None if hit else None,
        member_id=hit.view.member_id if hit else None,
        checkin_id=row.id if row else None,
        event_at=item.at,
        received_at=item.parsed.inbound.received_at,
        clock_suspect=item.clock_suspect,
    )


def _events_of(
    rows: list[checkins.NewCheckin],
    hit_of: dict[str, BadgeHit | None],
    *,
    corrected: bool = False,
) -> list[Outgoing]:
    """The `checkins/events` message of each check-in (a new one's audit entry is in SQL)."""
    if not rows:
        return []
    messages: list[Outgoing] = []
    holders = {h.view.member_id: h for h in hit_of.values() if h is not None} if corrected else {}
    for row in rows:
        hit = holders.get(row.member_id) if corrected else hit_of.get(row.event_id or "")
        payload = fast_json.checkin_event(  # CheckinEvent(...).to_bytes(), without the model
            id=row.id,
            member_id=row.member_id,
            visitor_id=row.visitor_id,
            display_name=hit.view.member_label if hit else "",
            division=hit.division if hit else None,
            direction=row.direction.value,
            at=row.at,
            source=row.source,
            method=row.method.value,
            device_id=row.device_id,
            event_id=row.event_id,
            replayed=row.replayed,
            corrected=corrected,
        )
        messages.append(Outgoing(topics.CHECKIN_EVENTS, payload, 1, False, row.event_id))
    return messages
