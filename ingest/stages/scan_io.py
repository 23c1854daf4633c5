"""The scan stage's database round trips: one read (unless the mirror answers) and one write.

`prefetch` finds stored decisions, looks the badges up, reads the readers, the members' state
rows, the building's lockup cycle, today's DDS row and the `scan_inputs` version, all in one
statement; locked, it also registers and marks the readers as seen and creates and locks the
state rows (in member-id order). A single worker's mirror (`mirror.py`) answers instead when it
holds every input. `write_batch` inserts the check-ins, decisions, audit entries (built from
the check-ins in SQL) and outbox messages, saves member states and ends the live Duty Watch
coverage of members who left, again in one statement; optimistic, it first checks what the
decisions read. They keep the semantics of the store functions the other edges use
(`shared.store.devices.touch_devices`, `states.lock_member_states`,
`checkins.insert_checkins`, `outbox.enqueue`, `audit.record`). The write sends each table's
rows as one array of composite rows.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from ingest import metrics
from ingest.stages.batch_tx import BatchTx, DriverStatement, NeedsLock
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

_PREFETCH_TAIL = """
    SELECT
        -- The state rows are locked before the readers' rows, as in the optimistic write
        -- (the select list is evaluated in order), so two workers never wait on each other.
        {states} AS states,
        {devices} AS devices,
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
        (SELECT row(building_status, holder_id) FROM lockup_cycles WHERE is_active
         ORDER BY created_at DESC LIMIT 1) AS cycle,
        (SELECT status FROM dds_assignments
         WHERE operational_date = :on AND status IN ('pending', 'active')
         ORDER BY created_at DESC, accepted_at DESC NULLS LAST LIMIT 1) AS dds_status,
        (SELECT version FROM scan_inputs WHERE id) AS inputs_version
"""

# Locked: registers and marks the readers as seen, creates and locks the members' state rows.
_PREFETCH_LOCKED_SQL = DriverStatement.from_named(
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
    """.replace("{badge_lookup}", badges.BADGE_LOOKUP_SQL)
    + _PREFETCH_TAIL.replace("{devices}", "ARRAY(SELECT row(id, status) FROM dev)").replace(
        "{states}", "ARRAY(SELECT row(member_id, direction, at, checkin_id) FROM st)"
    )
)

# Optimistic: reads only; the write marks the readers seen and checks the states it read.
_PREFETCH_READ_SQL = DriverStatement.from_named(
    """
    WITH hit AS (
        {badge_lookup}
    )
    """.replace("{badge_lookup}", badges.BADGE_LOOKUP_SQL)
    + _PREFETCH_TAIL.replace(
        "{devices}",
        """ARRAY(
            SELECT row(d.id, d.status)
            FROM unnest(CAST(:devices AS text[])) AS w(id)
            CROSS JOIN LATERAL (SELECT id, status FROM devices WHERE id = w.id LIMIT 1) d
        )""",
    ).replace(
        "{states}",
        """ARRAY(
            SELECT row(s.member_id, s.direction, s.at, s.checkin_id)
            FROM (SELECT DISTINCT member_id FROM hit WHERE member_status IS NOT NULL) h
            CROSS JOIN LATERAL (
                SELECT * FROM member_states WHERE member_id = h.member_id LIMIT 1
            ) s
        )""",
    )
)


# An optimistic batch marks a reader as seen only when its mark is older than this: the mark
# is for the fleet watcher (offline after three missed heartbeats), and a row written by every
# batch is a row two workers' batches queue on.
SEEN_EVERY = timedelta(seconds=1)


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
    # Optimistic only: the state rows as read (the write checks them), and the version of
    # everything else the decisions read (`scan_inputs`, revision 0010).
    read_states: list[tuple[Any, ...]] = field(default_factory=list)
    inputs_version: int | None = None

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
    """Read (and, in a locked transaction, lock) everything the batch's decisions need.

    Optimistic, the worker's mirror answers instead when it holds every input (no round trip,
    nothing known about stored decisions: the write's key refuses a redelivery); a reader never
    seen or a member without a state row yet needs the locked transaction (NeedsLock): that is
    where they are created.
    """
    params: dict[str, Any] = {
        "devices": sorted(set(device_ids)),
        "events": list(event_ids),
        "serials": sorted(set(serials)),
        "on": on,
    }
    mirror = tx.mirror
    if mirror is not None:
        known = mirror.answer(device_ids=params["devices"], serials=params["serials"], on=on)
        metrics.MIRROR_ANSWERS.labels("hit" if known else "miss").inc()
        if known is not None:
            return known
    if tx.optimistic:
        row = await tx.one(_PREFETCH_READ_SQL, params)
    else:
        row = await tx.one(_PREFETCH_LOCKED_SQL, params | {"now": now})
    stored = {d[0]: StoredDecision(*d) for d in row["decisions"]}
    hits = {b[1]: badges.badge_hit(b) for b in row["badges"]}
    locked = {
        s[0]: StateRow(s[0], Direction(s[1]) if s[1] else None, s[2], s[3]) for s in row["states"]
    }
    read_states: list[tuple[Any, ...]] = []
    if tx.optimistic:
        if len(row["devices"]) < len(params["devices"]):
            raise NeedsLock("a reader seen for the first time")
        read_states = [tuple(s) for s in row["states"]]
        for hit in hits.values():
            member_id = hit.view.member_id
            if member_id is not None and member_id not in locked:
                # No state row yet: fine for a decision that changes nothing; a check-in
                # needs the locked path to create the row (see the optimistic write).
                locked[member_id] = StateRow(member_id, None, None, None)
    cycle = row["cycle"]
    holder = cycle[1] if cycle is not None else None
    read = Prefetch(
        read_states=read_states,
        inputs_version=row["inputs_version"],
        stored=stored,
        device_status={d[0]: d[1] for d in row["devices"]},
        hits=hits,
        locked=locked,
        holders={holder} if holder else set(),
        building=BuildingStatus(cycle[0]) if cycle is not None else BuildingStatus.SECURED,
        dds_active=row["dds_status"] == DdsStatus.ACTIVE.value,
    )
    if mirror is not None:
        mirror.learn(read, serials=params["serials"], on=on)
    return read


_WRITE_CTES = """
    WITH r AS (
        {checkins}
    ), c AS (
        INSERT INTO checkins (id, at, member_id, visitor_id, badge_id, direction, source, method,
                              device_id, event_id, clock_suspect, replayed)
        SELECT * FROM r
    ), s AS (
        -- The rows exist and are locked (the locked prefetch, or `g` below); an upsert finds
        -- each by its key, where an UPDATE ... FROM unnest() is planned as a scan of the whole
        -- table.
        INSERT INTO member_states (member_id, direction, at, checkin_id)
        {states}
        ON CONFLICT (member_id) DO UPDATE SET direction = EXCLUDED.direction,
            at = EXCLUDED.at, checkin_id = EXCLUDED.checkin_id, updated_at = now()
    ), p AS (
        INSERT INTO processed_events (event_id, device_id, result, reason, display, member_id,
                                      checkin_id, event_at, received_at, clock_suspect)
        {decisions}
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
        FROM {outbox}
             WITH ORDINALITY AS u(topic, payload, qos, retain, correlation_id, n)
        ORDER BY u.n
        RETURNING id
    )
"""

# The write's rows: one array of rows of a composite type per table (migration 0012). Against
# one array per column this is cheaper for every batch size, in the worker (asyncpg checks
# each array element against the `collections.abc` classes, a row once) and in the server
# (deploy/README.md §8.4).
_ROW_SOURCES = {
    "{checkins}": "SELECT * FROM unnest(CAST(:checkins AS sentinel_checkin_row[]))",
    "{states}": "SELECT * FROM unnest(CAST(:states AS sentinel_state_row[]))",
    "{decisions}": "SELECT * FROM unnest(CAST(:decisions AS sentinel_decision_row[]))",
    "{outbox}": "unnest(CAST(:outbox AS sentinel_outbox_row[]))",
    "{guard}": "unnest(CAST(:guard AS sentinel_state_row[]))",
}


def _write_statement(sql: str) -> DriverStatement:
    """The statement with each table's rows taken from its argument."""
    for placeholder, source in _ROW_SOURCES.items():
        sql = sql.replace(placeholder, source)
    return DriverStatement.from_named(sql)


_WRITE_LOCKED = _write_statement(
    _WRITE_CTES + "SELECT ARRAY(SELECT id FROM o ORDER BY id) AS outbox_ids"
)

# The optimistic write's two conflicts (SQLSTATE 40001), told apart by their messages: only the
# batch's members changed, or anything else the decisions read.
STATE_CONFLICT = "a member state changed since the batch read it"
INPUTS_CONFLICT = "a reader, a badge or the building changed since the batch read it"

# Optimistic: `g` locks the state rows the batch was decided from (in member-id order) and
# keeps those still as they were read; if one changed meanwhile, or a reader's status did
# (`gd`), the whole statement fails (40001). A member's first state row is created by the locked
# path (NeedsLock), which locks all of a batch's rows in one pass in member-id order, as
# `lock_member_states` does: creating them here, after `g`, could take two workers' locks in
# opposite orders.
_GUARD_CTES = """
    , g AS (
        SELECT ms.member_id
        FROM {guard}
             WITH ORDINALITY AS e(member_id, direction, at, checkin_id, n)
        CROSS JOIN LATERAL (
            SELECT member_id FROM member_states
            WHERE member_id = e.member_id AND direction IS NOT DISTINCT FROM e.direction
              AND at IS NOT DISTINCT FROM e.at AND checkin_id IS NOT DISTINCT FROM e.checkin_id
            FOR UPDATE
        ) ms
        ORDER BY e.n
    ), gd AS (
        -- The readers' status as the batch read it (a reader disabled meanwhile fails the
        -- write; no lock: the same as an admin disabling it a moment after the write).
        SELECT d.id
        FROM unnest(CAST(:gd_id AS text[]), CAST(:gd_status AS text[])) AS e(id, status)
        CROSS JOIN LATERAL (
            SELECT id FROM devices WHERE id = e.id AND status = e.status LIMIT 1
        ) d
    )
"""

# A reader's last-seen mark only when it is older than SEEN_EVERY (or it was marked offline):
# the mark is for the fleet watcher, and a row written by every batch is a row two workers'
# batches queue on. A single worker leaves this part out while its own marks of the batch's
# readers are that recent (`ScanMirror.marks_due`): the statement does the same then, and an
# UPDATE that changes nothing still costs the server a tenth of a one-scan write.
_MARK_CTE = """
    , dev AS (
        UPDATE devices SET last_seen_at = :now, online = true, offline_since = NULL
        WHERE id = ANY(CAST(:gd_id AS text[]))
          AND (NOT online OR last_seen_at IS NULL OR last_seen_at <= :seen_before)
    )
"""

_GUARD_SELECT = """
    SELECT CASE WHEN (SELECT count(*) FROM g) <> :g_count
                THEN CASE WHEN sentinel_conflict('{state}') THEN CAST(NULL AS bigint[]) END
                -- the readers, badges, members, visitors, the building: as read
                WHEN (SELECT count(*) FROM gd) <> :gd_count
                     OR (SELECT version FROM scan_inputs WHERE id)
                        IS DISTINCT FROM CAST(:inputs_version AS bigint)
                THEN CASE WHEN sentinel_conflict('{inputs}') THEN CAST(NULL AS bigint[]) END
                ELSE ARRAY(SELECT id FROM o ORDER BY id) END AS outbox_ids
    """.replace("{state}", STATE_CONFLICT).replace("{inputs}", INPUTS_CONFLICT)

_WRITE_OPTIMISTIC = _write_statement(_WRITE_CTES + _GUARD_CTES + _MARK_CTE + _GUARD_SELECT)
# The same without the readers' marks, which are recent (`_MARK_CTE`).
_WRITE_OPTIMISTIC_MARKED = _write_statement(_WRITE_CTES + _GUARD_CTES + _GUARD_SELECT)


@dataclass(slots=True)
class BatchWrites:
    """Everything a batch writes, gathered while deciding."""

    checkins: list[NewCheckin]
    states: list[StateRow]
    decisions: list[StoredDecision]
    left: dict[uuid.UUID, datetime]
    outbox: list[Outgoing]


async def write_batch(
    tx: BatchTx,
    writes: BatchWrites,
    *,
    relay_delay_s: float,
    read: Prefetch,
    now: datetime,
    marks: bool | None = None,
) -> list[int]:
    """Write the batch in one statement; return the outbox ids in message order.

    Optimistic, the statement marks the batch's readers as seen (`_MARK_CTE`) when `marks`
    says so; None: unless the mirror says this worker's own marks are recent.

    A decision for an event another worker committed meanwhile raises IntegrityError (the
    apply stage retries the batch, which then sees the stored decision). Optimistic, a member
    state changed since `read` raises asyncpg's SerializationError and writes nothing.
    """
    params = _row_params(writes)
    params |= {
        "w_reason": LiveEndReason.MEMBER_CHECKOUT.value,
        "w_member": list(writes.left),
        "w_at": list(writes.left.values()),
        "o_delay": relay_delay_s,
    }
    if not tx.optimistic:
        result = await tx.one(_WRITE_LOCKED, params)
        return list(result["outbox_ids"])
    guard = sorted(read.read_states, key=lambda s: s[0])
    had_row = {s[0] for s in guard}
    if any(s.member_id not in had_row for s in writes.states):
        raise NeedsLock("a member's first state row")
    params |= {
        "guard": guard,
        "g_count": len(guard),
        "gd_id": list(read.device_status),
        "gd_status": list(read.device_status.values()),
        "gd_count": len(read.device_status),
        "inputs_version": read.inputs_version,
    }
    await tx.before_write(writes.states, had_row)
    mirror = tx.mirror
    readers = params["gd_id"]
    if marks is None:
        marks = mirror is None or mirror.marks_due(readers, now)
    if marks:
        params |= {"now": now, "seen_before": now - SEEN_EVERY}
    result = await tx.one(_WRITE_OPTIMISTIC if marks else _WRITE_OPTIMISTIC_MARKED, params)
    tx.mark_written()
    if marks and mirror is not None:
        mirror.marked(readers, now)
    return list(result["outbox_ids"])


def _row_params(writes: BatchWrites) -> dict[str, Any]:
    """The check-ins, states, decisions and outbox messages as rows (migration 0012's types)."""
    return {
        "checkins": [
            (
                r.id,
                r.at,
                r.member_id,
                r.visitor_id,
                r.badge_id,
                r.direction.value,
                r.source,
                r.method.value,
                r.device_id,
                r.event_id,
                r.clock_suspect,
                r.replayed,
            )
            for r in writes.checkins
        ],
        "states": [s.stored() for s in writes.states],
        "decisions": [
            (
                d.event_id,
                d.device_id,
                d.result,
                d.reason,
                d.display,
                d.member_id,
                d.checkin_id,
                d.event_at,
                d.received_at,
                d.clock_suspect,
            )
            for d in writes.decisions
        ],
        "outbox": [(m.topic, m.payload, m.qos, m.retain, m.correlation_id) for m in writes.outbox],
    }


async def warm_up(tx: BatchTx, *, now: datetime, on: date) -> None:
    """Run the optimistic statements once with nothing in them (writes nothing).

    At start, so the connection, its prepared statements and their plans exist before the first
    tap (its answer is not slowed by them, and the memory is taken once, up front).
    """
    read = await prefetch(tx, event_ids=[], device_ids=[], serials=[], now=now, on=on)
    empty = BatchWrites(checkins=[], states=[], decisions=[], left={}, outbox=[])
    for marks in (True, False):  # both forms of the optimistic write
        await write_batch(tx, empty, relay_delay_s=0, read=read, now=now, marks=marks)
