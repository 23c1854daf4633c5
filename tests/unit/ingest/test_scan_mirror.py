"""The single worker's mirror answers only when it holds every input of a batch's read."""

import uuid
from datetime import UTC, date, datetime, timedelta

from ingest.stages.mirror import ScanMirror
from ingest.stages.scan_io import Prefetch
from shared.domain.checkin import Direction
from shared.domain.lockup import BuildingStatus
from shared.store.badges import BadgeHit, badge_hit
from shared.store.states import StateRow

TODAY = date(2026, 11, 26)
AT = datetime(2026, 11, 26, 18, 0, tzinfo=UTC)


def _hit(serial: str, member_id: uuid.UUID | None) -> BadgeHit:
    assignment = "member" if member_id else "unassigned"
    status = "active" if member_id else None
    return badge_hit(
        (uuid.uuid4(), serial, "active", assignment, member_id, status, "Smith", "OPS", None)
    )


def _read(
    *, version: int, hits: list[BadgeHit], states: list[tuple[object, ...]], devices: dict[str, str]
) -> Prefetch:
    return Prefetch(
        stored={},
        device_status=devices,
        hits={h.view.serial: h for h in hits},
        locked={},
        holders=set(),
        building=BuildingStatus.OPEN,
        dds_active=True,
        read_states=list(states),
        inputs_version=version,
    )


def _learnt() -> tuple[ScanMirror, uuid.UUID]:
    member = uuid.uuid4()
    mirror = ScanMirror()
    read = _read(
        version=7,
        hits=[_hit("AA01", member)],
        states=[(member, "in", AT, uuid.uuid4())],
        devices={"r1": "active"},
    )
    mirror.learn(read, serials=["AA01", "0000000170"], on=TODAY)
    return mirror, member


def test_an_empty_mirror_answers_nothing() -> None:
    assert ScanMirror().answer(device_ids=[], serials=[], on=TODAY) is None


def test_it_answers_what_it_learnt_including_a_serial_known_to_be_no_badge() -> None:
    mirror, member = _learnt()
    known = mirror.answer(device_ids=["r1"], serials=["AA01", "0000000170"], on=TODAY)
    assert known is not None
    assert set(known.hits) == {"AA01"} and known.device_status == {"r1": "active"}
    assert known.locked[member].direction is Direction.IN and known.inputs_version == 7
    assert known.stored == {} and known.read_states[0][1] == "in"


def test_anything_unknown_or_another_day_means_a_read() -> None:
    mirror, _ = _learnt()
    assert mirror.answer(device_ids=["r2"], serials=["AA01"], on=TODAY) is None
    assert mirror.answer(device_ids=["r1"], serials=["BB02"], on=TODAY) is None
    assert mirror.answer(device_ids=["r1"], serials=["AA01"], on=TODAY + timedelta(days=1)) is None


def test_the_states_it_hands_out_are_copies() -> None:
    mirror, member = _learnt()
    first = mirror.answer(device_ids=["r1"], serials=["AA01"], on=TODAY)
    assert first is not None
    first.locked[member].direction = Direction.OUT  # the decisions update theirs in place
    again = mirror.answer(device_ids=["r1"], serials=["AA01"], on=TODAY)
    assert again is not None and again.locked[member].direction is Direction.IN


def test_committed_states_are_answered_next_and_forgotten_ones_need_a_read() -> None:
    mirror, member = _learnt()
    later, checkin = AT + timedelta(hours=1), uuid.uuid4()
    mirror.remember([StateRow(member, Direction.OUT, later, checkin)])
    known = mirror.answer(device_ids=["r1"], serials=["AA01"], on=TODAY)
    assert known is not None and known.read_states == [(member, "out", later, checkin)]
    mirror.forget([member])
    assert mirror.answer(device_ids=["r1"], serials=["AA01"], on=TODAY) is None
    assert len(mirror) == 0


def test_a_read_at_a_new_version_drops_what_was_learnt_before() -> None:
    mirror, _ = _learnt()
    other = uuid.uuid4()
    newer = _read(
        version=8,
        hits=[_hit("CC03", other)],
        states=[(other, None, None, None)],
        devices={"r1": "active"},
    )
    mirror.learn(newer, serials=["CC03"], on=TODAY)
    assert mirror.version == 8
    assert mirror.answer(device_ids=["r1"], serials=["AA01"], on=TODAY) is None  # from v7
    assert mirror.answer(device_ids=["r1"], serials=["CC03"], on=TODAY) is not None
    mirror.clear()
    assert mirror.version is None and len(mirror) == 0
