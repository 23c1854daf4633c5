"""The scan stage's database round trips: one read and one write per batch.

`prefetch` registers and marks the batch's readers as seen, finds stored decisions, looks the
badges up, creates and locks the members' state rows (in member-id order) and reads the
building's lockup cycle and today's DDS row, all in one statement. `write_batch` inserts the
check-ins, decisions, audit entries (built from the check-ins in SQL) and outbox messages, saves member states and ends the live
Duty Watch coverage of members who left, again in one statement. They keep the semantics of
the store functions the other edges use (`shared.store.devices.touch_devices`,
`states.lock_member_states`, `checkins.insert_checkins`, `outbox.enqueue`, `audit.record`).
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from ingest.stages.batch_tx import BatchTx, DriverStatement
from shared.domain.checkin import Direction
from shared.domain.dds import DdsStatus
from shared.domain.duty_watch import LiveEndReason
from shared.domain.lockup import BuildingStatus
from shared.store import badges
from shared.store.badges import BadgeHit
from shared.store.checkins import NewCheckin
from shared.store.events import StoredDecision
from shared.store.outbox import Outgoing
from shared.store.states import StateRow

_PREFETCH_SQL = DriverStatement.from_named(
    """
    WITH dev AS (
        INSERT INTO devices (id, status, online, last_seen_at)
        SELECT unnest(CAST(:devices AS text[])), 'pending', true, :now
        ON CONFLICT (id) DO UPDATE SET last_seen_at = EXCLUDED.last_seen_at, online = true,
            offline_since = NULL
        RETURNING id, status
    ), hit AS (
        {badge_lookup}
    ), st AS (
        INSERT INTO member_states (member_id)
        SELECT DISTINCT member_id FROM hit WHERE member_status IS NOT NULL ORDER BY member_id
        ON CONFLICT (member_id) DO UPDATE SET member_id = EXCLUDED.member_id
        RETURNING member_id, direction, at, checkin_id
    )
    SELECT
        ARRAY(SELECT row(id, status) FROM dev) AS devices,
        ARRAY(
            SELECT row(event_id, device_id, result, reason, display, member_id, checkin_id,
                       event_at, received_at, clock_suspect)
            FROM unnest(CAST(:events AS text[])) AS wanted(id)
            CROSS JOIN LATERAL (
                SELECT * FROM processed_events WHERE event_id = wanted.id LIMIT 1
            ) e
        ) AS decisions,
        ARRAY(
            SELECT row(id, serial_number, status, assignment_type, member_id, member_status,
                       display_name, division_code, visitor_id)
            FROM hit
        ) AS badges,
        ARRAY(SELECT row(member_id, direction, at, checkin_id) FROM st) AS states,
        (SELECT row(building_status, holder_id) FROM lockup_cycles WHERE is_active
         ORDER BY created_at DESC LIMIT 1) AS cycle,
        (SELECT status FROM dds_assignments
         WHERE operational_date = :on AND status IN ('pending', 'active')
         ORDER BY created_at DESC, accepted_at DESC NULLS LAST LIMIT 1) AS dds_status
    """.replace("{badge_lookup}", badges.BADGE_LOOKUP_SQL)
)


@dataclass(slots=True)
class Prefetch:
    """What a batch's decisions need, read in one round trip."""

    stored: dict[str, StoredDecision]
    device_status: dict[str, str]
    hits: dict[str, BadgeHit]
    locked: dict[uuid.UUID, StateRow]
    holders: set[uuid.UUID]
    building: BuildingStatus
    dds_active: bool

    @property
    def building_settled(self) -> bool:
        """True when the building is open and today's DDS has accepted: no prompts needed."""
        return self.building is not BuildingStatus.SECURED and self.dds_active


async def prefetch(
    tx: BatchTx,
    *,
    event_ids: Sequence[str],
    device_ids: Sequence[str],
    serials: Sequence[str],
    now: datetime,
    on: date,
) -> Prefetch:
    """Read (and lock) everything the batch's decisions need."""
    row = await tx.one(
        _PREFETCH_SQL,
        {
            "devices": sorted(set(device_ids)),
            "now": now,
            "events": list(event_ids),
            "serials": sorted(set(serials)),
            "on": on,
        },
    )
    stored = {d[0]: StoredDecision(*d) for d in row["decisions"]}
    hits = {b[1]: badges.badge_hit(b) for b in row["badges"]}
    locked = {
        s[0]: StateRow(s[0], Direction(s[1]) if s[1] else None, s[2], s[3]) for s in row["states"]
    }
    cycle = row["cycle"]
    holder = cycle[1] if cycle is not None else None
    return Prefetch(
        stored=stored,
        device_status={d[0]: d[1] for d in row["devices"]},
        hits=hits,
        locked=locked,
        holders={holder} if holder else set(),
        building=BuildingStatus(cycle[0]) if cycle is not None else BuildingStatus.SECURED,
        dds_active=row["dds_status"] == DdsStatus.ACTIVE.value,
    )


_WRITE_SQL = DriverStatement.from_named(
    """
    WITH r AS (
        SELECT * FROM unnest(
            CAST(:c_id AS uuid[]), CAST(:c_at AS timestamptz[]), CAST(:c_member AS uuid[]),
            CAST(:c_visitor AS uuid[]), CAST(:c_badge AS uuid[]), CAST(:c_dir AS text[]),
            CAST(:c_source AS text[]), CAST(:c_method AS text[]), CAST(:c_device AS text[]),
            CAST(:c_event AS text[]), CAST(:c_suspect AS boolean[]),
            CAST(:c_replayed AS boolean[]))
            AS u(id, at, member_id, visitor_id, badge_id, direction, source, method, device_id,
                 event_id, clock_suspect, replayed)
    ), c AS (
        INSERT INTO checkins (id, at, member_id, visitor_id, badge_id, direction, source, method,
                              device_id, event_id, clock_suspect, replayed)
        SELECT * FROM r
    ), s AS (
        -- The rows exist and are locked (prefetch); an upsert finds each by its key, where an
        -- UPDATE ... FROM unnest() is planned as a scan of the whole table.
        INSERT INTO member_states (member_id, direction, at, checkin_id)
        SELECT * FROM unnest(CAST(:s_member AS uuid[]), CAST(:s_dir AS text[]),
                             CAST(:s_at AS timestamptz[]), CAST(:s_checkin AS uuid[]))
        ON CONFLICT (member_id) DO UPDATE SET direction = EXCLUDED.direction,
            at = EXCLUDED.at, checkin_id = EXCLUDED.checkin_id, updated_at = now()
    ), p AS (
        INSERT INTO processed_events (event_id, device_id, result, reason, display, member_id,
                                      checkin_id, event_at, received_at, clock_suspect)
        SELECT * FROM unnest(
            CAST(:p_event AS text[]), CAST(:p_device AS text[]), CAST(:p_result AS text[]),
            CAST(:p_reason AS text[]), CAST(:p_display AS text[]), CAST(:p_member AS uuid[]),
            CAST(:p_checkin AS uuid[]), CAST(:p_event_at AS timestamptz[]),
            CAST(:p_received AS timestamptz[]), CAST(:p_suspect AS boolean[]))
    ), a AS (
        -- Each check-in's audit entry (`checkin_scan`), its event id as the correlation id.
        INSERT INTO audit_log (id, action, entity_type, entity_id, actor_type, actor_id, details,
                               correlation_id)
        SELECT gen_random_uuid(), 'checkin_scan', 'checkin', CAST(r.id AS text),
               CASE WHEN r.member_id IS NOT NULL THEN 'member' ELSE 'visitor' END,
               coalesce(r.member_id, r.visitor_id),
               jsonb_build_object('event_id', r.event_id, 'device_id', r.device_id,
                                  'direction', r.direction, 'replayed', r.replayed),
               r.event_id
        FROM r
    ), w AS (
        UPDATE live_duty_assignments l SET ended_at = u.at, ended_reason = :w_reason
        FROM unnest(CAST(:w_member AS uuid[]), CAST(:w_at AS timestamptz[])) AS u(member_id, at)
        WHERE l.ended_at IS NULL AND l.member_id = u.member_id AND l.started_at <= u.at
    ), o AS (
        INSERT INTO outbox (topic, payload, qos, retain, correlation_id, relay_after)
        SELECT u.topic, u.payload, u.qos, u.retain, u.correlation_id,
               now() + make_interval(secs => :o_delay)
        FROM unnest(CAST(:o_topic AS text[]), CAST(:o_payload AS bytea[]),
                    CAST(:o_qos AS integer[]), CAST(:o_retain AS boolean[]),
                    CAST(:o_correlation AS text[]))
             WITH ORDINALITY AS u(topic, payload, qos, retain, correlation_id, n)
        ORDER BY u.n
        RETURNING id
    )
    SELECT ARRAY(SELECT id FROM o ORDER BY id) AS outbox_ids
    """
)


@dataclass(slots=True)
class BatchWrites:
    """Everything a batch writes, gathered while deciding."""

    checkins: list[NewCheckin]
    states: list[StateRow]
    decisions: list[StoredDecision]
    left: dict[uuid.UUID, datetime]
    outbox: list[Outgoing]


async def write_batch(tx: BatchTx, writes: BatchWrites, *, relay_delay_s: float) -> list[int]:
    """Write the batch in one statement; return the outbox ids in message order.

    A decision for an event another worker committed meanwhile raises IntegrityError (the
    apply stage retries the batch, which then sees the stored decision).
    """
    rows, states, decided = writes.checkins, writes.states, writes.decisions
    params: dict[str, Any] = {
        "c_id": [r.id for r in rows],
        "c_at": [r.at for r in rows],
        "c_member": [r.member_id for r in rows],
        "c_visitor": [r.visitor_id for r in rows],
        "c_badge": [r.badge_id for r in rows],
        "c_dir": [r.direction.value for r in rows],
        "c_source": [r.source for r in rows],
        "c_method": [r.method.value for r in rows],
        "c_device": [r.device_id for r in rows],
        "c_event": [r.event_id for r in rows],
        "c_suspect": [r.clock_suspect for r in rows],
        "c_replayed": [r.replayed for r in rows],
        "s_member": [s.member_id for s in states],
        "s_dir": [s.direction.value if s.direction else None for s in states],
        "s_at": [s.at for s in states],
        "s_checkin": [s.checkin_id for s in states],
        "p_event": [d.event_id for d in decided],
        "p_device": [d.device_id for d in decided],
        "p_result": [d.result for d in decided],
        "p_reason": [d.reason for d in decided],
        "p_display": [d.display for d in decided],
        "p_member": [d.member_id for d in decided],
        "p_checkin": [d.checkin_id for d in decided],
        "p_event_at": [d.event_at for d in decided],
        "p_received": [d.received_at for d in decided],
        "p_suspect": [d.clock_suspect for d in decided],
        "w_reason": LiveEndReason.MEMBER_CHECKOUT.value,
        "w_member": list(writes.left),
        "w_at": list(writes.left.values()),
        "o_delay": relay_delay_s,
        "o_topic": [m.topic for m in writes.outbox],
        "o_payload": [m.payload for m in writes.outbox],
        "o_qos": [m.qos for m in writes.outbox],
        "o_retain": [m.retain for m in writes.outbox],
        "o_correlation": [m.correlation_id for m in writes.outbox],
    }
    result = await tx.one(_WRITE_SQL, params)
    return list(result["outbox_ids"])
