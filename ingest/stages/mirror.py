"""What a single ingest worker's reads said, so most batches are decided without reading.

A batch's decisions read the badges (with their holders), the readers' statuses, the building's
lockup cycle and DDS, and the members' state rows (`scan_io.prefetch`). With one worker (no
share group) almost all of it changes only through that worker's own writes, so the mirror
keeps what earlier reads and the worker's own writes said, and answers a batch whose every
input it holds: one round trip less per batch. A write's states go in as it is sent, so the
next batch can be decided while it is in flight (`turns.py`); a write that fails makes the
mirror forget them.

It is never trusted. The optimistic write re-checks the state rows the decisions used
(revision 0009) and the version of everything else (`scan_inputs`, revision 0010); a batch
decided from a stale mirror fails as a whole and is applied again in a locked transaction.
After such a conflict it forgets the batch's members (a state row changed: another writer,
the rollover, an admin) or is emptied (anything else), and refills from the next reads. With a
share group the other workers change the states all the time, so there is no mirror
(`for_settings`).
"""

import logging
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from ingest.dberrors import is_connection_error
from ingest.stages import scan_io
from ingest.stages.batch_tx import BatchTx, DriverStatement, NeedsLock
from ingest.stages.scan_io import Prefetch
from shared.domain.checkin import Direction
from shared.domain.lockup import BuildingStatus
from shared.settings import Settings
from shared.store.badges import BadgeHit
from shared.store.states import StateRow

log = logging.getLogger(__name__)

# A full load at start reads every badge in one statement; beyond this many the mirror fills
# from the batches' reads instead.
LOAD_MAX_BADGES = 20_000


@dataclass(frozen=True, slots=True)
class _Day:
    """The building as read for one operational day."""

    on: date
    building: BuildingStatus
    holders: frozenset[uuid.UUID]
    dds_active: bool


class ScanMirror:
    """Answers to earlier reads at one `scan_inputs` version, and the states written since."""

    def __init__(self) -> None:
        self.version: int | None = None
        self._hits: dict[str, BadgeHit | None] = {}  # serial → badge, None: no such badge
        self._devices: dict[str, str] = {}  # reader id → status
        # member id → the state row as stored: (member_id, direction, at, checkin_id)
        self._states: dict[uuid.UUID, tuple[Any, ...]] = {}
        self._day: _Day | None = None
        # reader id → the `now` of this worker's last write that marked it as seen
        self._marked: dict[str, datetime] = {}

    def answer(
        self, *, device_ids: Sequence[str], serials: Sequence[str], on: date
    ) -> Prefetch | None:
        """What the batch's read would return, or None if the mirror lacks any of it.

        Stored decisions are not mirrored: the answer says none, and the write's key on
        `processed_events` refuses a redelivery (the locked retry then answers it).
        """
        day = self._day
        if self.version is None or day is None or day.on != on:
            return None
        try:
            device_status = {d: self._devices[d] for d in device_ids}
            found = [self._hits[s] for s in serials]
        except KeyError:
            return None
        hits = {hit.view.serial: hit for hit in found if hit is not None}
        read_states = []
        for member_id in {h.view.member_id for h in hits.values() if h.view.member_id}:
            row = self._states.get(member_id)
            if row is None:
                return None
            read_states.append(row)
        return Prefetch(
            stored={},
            device_status=device_status,
            hits=hits,
            locked={row[0]: _state_of(row) for row in read_states},
            holders=set(day.holders),
            building=day.building,
            dds_active=day.dds_active,
            read_states=read_states,
            inputs_version=self.version,
        )

    def learn(self, read: Prefetch, *, serials: Iterable[str], on: date) -> None:
        """Keep what an optimistic read returned for these serials (and a newer version)."""
        if read.inputs_version != self.version:
            self.clear()
            self.version = read.inputs_version
        for serial in serials:
            self._hits[serial] = read.hits.get(serial)
        self._devices.update(read.device_status)
        for row in read.read_states:
            self._states[row[0]] = row
        self._day = _Day(on, read.building, frozenset(read.holders), read.dds_active)

    def remember(self, states: Iterable[StateRow]) -> None:
        """The worker's own write of these member states is on its way.

        Kept ahead of the commit, so the next batch is decided from them while the write is in
        flight (`turns.py`); a write that fails makes the mirror forget them.
        """
        for s in states:
            self._states[s.member_id] = s.stored()

    def marks_due(self, device_ids: Iterable[str], now: datetime) -> bool:
        """False if this worker's writes marked each of these readers less than SEEN_EVERY ago.

        The write would then leave their marks as they are (`scan_io.SEEN_EVERY`). A mark so
        kept is at most twice SEEN_EVERY old: the write that made it may have found a mark
        younger than SEEN_EVERY and left it.
        """
        due = now - scan_io.SEEN_EVERY
        for device_id in device_ids:
            at = self._marked.get(device_id)
            if at is None or at <= due:
                return True
        return False

    def marked(self, device_ids: Iterable[str], now: datetime) -> None:
        """A write that marks these readers as seen, decided at `now`, committed."""
        for device_id in device_ids:
            self._marked[device_id] = now

    def forget(self, member_ids: Iterable[uuid.UUID]) -> None:
        """Drop these members' states (a locked batch changed them; the next read says how)."""
        for member_id in member_ids:
            self._states.pop(member_id, None)

    def clear(self) -> None:
        """Drop everything (a write found the mirror stale)."""
        self.version = None
        self._hits.clear()
        self._devices.clear()
        self._states.clear()
        self._day = None
        self._marked.clear()

    def __len__(self) -> int:
        """How many member states it holds."""
        return len(self._states)


def _state_of(row: tuple[Any, ...]) -> StateRow:
    """A fresh state object (the decisions update theirs in place)."""
    member_id, direction, at, checkin_id = row
    return StateRow(member_id, Direction(direction) if direction else None, at, checkin_id)


def for_settings(settings: Settings) -> ScanMirror | None:
    """A mirror for a single worker; none when workers share the readers' topics."""
    return ScanMirror() if settings.ingest_share_group is None else None


_INVENTORY_SQL = DriverStatement.from_named(
    """
    SELECT ARRAY(SELECT serial_number FROM badges ORDER BY serial_number LIMIT :limit) AS serials,
           ARRAY(SELECT id FROM devices ORDER BY id) AS devices
    """
)


async def fill(tx: BatchTx, *, now: datetime, on: date) -> None:
    """Read every badge, reader and member state into the transaction's mirror, emptied first.

    At start: a unit in service has every member's state row, so from then on a batch reads
    only after a change the mirror does not know about. Beyond LOAD_MAX_BADGES it fills from the
    batches' reads instead.
    """
    mirror = tx.mirror
    if mirror is None:
        return
    mirror.clear()
    started = time.perf_counter()
    row = await tx.one(_INVENTORY_SQL, {"limit": LOAD_MAX_BADGES + 1})
    if len(row["serials"]) > LOAD_MAX_BADGES:
        log.info("mirror_fill_skipped", extra={"badges_over": LOAD_MAX_BADGES})
        return
    try:
        await scan_io.prefetch(
            tx, event_ids=[], device_ids=row["devices"], serials=row["serials"], now=now, on=on
        )
        log.info(
            "mirror_filled",
            extra={
                "badges": len(row["serials"]),
                "member_states": len(mirror),
                "ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )
    except NeedsLock:
        mirror.clear()  # a reader removed since the inventory: the batches' reads fill it
    except Exception as exc:
        # Serving matters more than a full mirror: a read over the command timeout (asyncpg
        # cancels it and the connection stays usable) or an unexpected error leaves it empty.
        if is_connection_error(exc) and not isinstance(exc, TimeoutError):
            raise
        log.warning("mirror_fill_failed", exc_info=True)
        mirror.clear()
