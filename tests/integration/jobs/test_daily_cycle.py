"""A whole operational day over MQTT and HTTP, with the ingest and the API on one frozen clock.

Morning: first tap into a secured building → responsibility event; the DDS accepts → lockup
moves to them and the building opens. Afternoon: the DDS taps out → `lockup_held`, transfers
lockup, taps out. Evening: the 19:00 Duty Watch check, the 22:00/23:00 reminders, lockup
execution. 03:00: the rollover forces the straggler out and starts a new secured day.
"""

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.app import create_app
from ingest.jobs import rollover
from shared.clock import FrozenClock
from shared.contracts import topics
from tests.fixtures.auth import login_headers
from tests.fixtures.factories import MadeMember
from tests.fixtures.ingest import make_settings, start_ingest
from tests.fixtures.mqtt import MqttProbe, Received, unique_name
from tests.fixtures.operations import POLICY, grant, local, schedule
from tests.fixtures.scans import scan_payload, scan_topic
from tests.fixtures.services import BrokerServer

MONDAY, TUESDAY, WEDNESDAY = date(2026, 11, 23), date(2026, 11, 24), date(2026, 11, 25)
WAIT = 30.0  # generous: the machine is shared with other test runs


@dataclass
class Day:
    """The test's world: clock, broker probe, reader, HTTP client, people."""

    clock: FrozenClock
    probe: MqttProbe
    device: str
    http: httpx.AsyncClient
    people: dict[str, tuple[dict[str, str], MadeMember]] = field(default_factory=dict)
    seq: int = 0

    def member(self, name: str) -> MadeMember:
        return self.people[name][1]

    def headers(self, name: str) -> dict[str, str]:
        return self.people[name][0]

    async def at(self, when: datetime) -> None:
        self.clock.set(when)

    async def tap(self, name: str) -> str:
        """Tap a badge on the reader and return the feedback result."""
        self.seq += 1
        self.clock.advance(timedelta(seconds=10))  # well clear of the duplicate window
        uid = self.member(name).uid
        await self.probe.publish(
            scan_topic(self.device),
            scan_payload(self.device, uid, seq=self.seq, at=self.clock.now()),
        )
        event_id = f"{self.device}:0badc0de:{self.seq}"
        reply = await self.probe.until(
            topics.feedback(self.device), lambda m: m.json()["event_id"] == event_id, timeout=WAIT
        )
        return str(reply.json()["result"])

    async def building(self, topic: str, check: object) -> dict[str, object]:
        """Wait for a building message satisfying `check(payload)`."""
        found = await self.probe.until(
            topic,
            lambda m: bool(m.payload) and check(m.json()),  # type: ignore[operator]
            timeout=WAIT,
        )
        return dict(found.json())

    async def alert(self, severity: str, alert_type: str, contains: str) -> Received:
        return await self.probe.until(
            topics.alert(severity, alert_type),
            lambda m: contains in m.json()["message"],
            timeout=WAIT,
        )


def ref_id(payload: dict[str, object], key: str) -> str | None:
    value = payload.get(key)
    return str(value["member_id"]) if isinstance(value, dict) else None


@contextlib.asynccontextmanager
async def http_client(settings: object, clock: FrozenClock) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, clock=clock)  # type: ignore[arg-type]
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client,
    ):
        yield client


@pytest.fixture
async def day(
    database_url: str,
    broker_server: BrokerServer,
    sessionmaker: async_sessionmaker[AsyncSession],
    probe: MqttProbe,
    request: pytest.FixtureRequest,
) -> AsyncIterator[Day]:
    clock = FrozenClock(local(2026, 11, 24, 6, 0))
    people: dict[str, tuple[dict[str, str], MadeMember]] = {}
    roles = {
        "dds": ("Duty", ["DDS"]),
        "swk": ("Senior", ["SWK"]),
        "dswk": ("Deputy", []),
        "qm": ("Quarter", []),
        "aps1": ("Sentry", []),
        "aps2": ("Sentinel", []),
        "next": ("Nextweek", ["DDS"]),
    }
    for key, (last_name, codes) in roles.items():
        people[key] = await login_headers(
            sessionmaker, level=1, now=clock.now(), last_name=last_name
        )
        async with sessionmaker.begin() as s:
            await grant(s, people[key][1].id, *codes)
    async with sessionmaker.begin() as s:
        await schedule(s, "DDS", MONDAY, [(people["dds"][1].id, None)])
        await schedule(s, "DDS", MONDAY + timedelta(days=7), [(people["next"][1].id, None)])
        await schedule(
            s,
            "DUTY_WATCH",
            MONDAY,
            [
                (people["swk"][1].id, "SWK"),
                (people["dswk"][1].id, "DSWK"),
                (people["qm"][1].id, "QM"),
                (people["aps1"][1].id, "APS"),
                (people["aps2"][1].id, "APS"),
            ],  # nobody as BM
        )
    device = unique_name(request, "rdr")
    await probe.subscribe(
        topics.feedback(device),
        "sentinel/v1/building/#",
        "sentinel/v1/alerts/#",
        topics.CHECKIN_EVENTS,
        topics.PRESENCE_SUMMARY,
    )
    settings = make_settings(
        database_url,
        broker_server.url,
        ingest_client_id=unique_name(request, "ingest"),
        scheduler_enabled=True,  # what this test is about (on its frozen clock)
        scheduler_tick_s=0.1,
    )
    async with start_ingest(settings, clock), http_client(settings, clock) as http:
        world = Day(clock, probe, device, http, people)
        # The start-up catch-up rollover opens Tuesday as a secured day with a pending DDS.
        await world.building(
            topics.BUILDING_LOCKUP,
            lambda p: p["operational_date"] == "2026-11-24" and p["building_status"] == "secured",
        )
        yield world


async def test_a_whole_operational_day(
    day: Day, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    dds, swk = day.member("dds"), day.member("swk")

    # 07:30 — the DDS is first in; the building is secured and nobody has accepted DDS.
    await day.at(local(2026, 11, 24, 7, 30))
    assert await day.tap("dds") == "checked_in"
    prompt = await day.building(
        topics.building_event("responsibility_needed"),
        lambda p: p["member"]["member_id"] == str(dds.id),
    )
    assert prompt["needs_building_open"] and prompt["needs_dds"] and prompt["is_first_member"]
    assert prompt["prompt_variant"] == "expected_dds" and prompt["can_accept_dds"]

    reply = await day.http.post("/api/dds/accept", json={}, headers=day.headers("dds"))
    assert reply.status_code == 200, reply.text
    assert reply.json()["status"] == "active" and reply.json()["is_dds_on_site"]
    lockup = await day.building(
        topics.BUILDING_LOCKUP,
        lambda p: p["building_status"] == "open" and ref_id(p, "holder") == str(dds.id),
    )
    assert lockup["operational_date"] == "2026-11-24"
    await day.building(
        topics.BUILDING_DDS,
        lambda p: p["status"] == "active" and ref_id(p, "dds") == str(dds.id),
    )

    # 14:00 — the DDS wants to leave: blocked until lockup is transferred.
    await day.at(local(2026, 11, 24, 14, 0))
    assert await day.tap("swk") == "checked_in"
    assert await day.tap("dds") == "lockup_held"
    held = await day.building(
        topics.building_event("lockup_held"), lambda p: p["member"]["member_id"] == str(dds.id)
    )
    assert [r["member_id"] for r in held["eligible_recipients"]] == [str(swk.id)]  # type: ignore[attr-defined]
    # The DDS may correct attendance, but the lockup holder cannot be checked out by hand.
    refused = await day.http.post(
        "/api/checkins/manual-checkout",
        json={"member_id": str(dds.id), "reason": "leaving"},
        headers=day.headers("dds"),
    )
    assert (refused.status_code, refused.json()["code"]) == (409, "lockup_held")
    reply = await day.http.post(
        "/api/lockup/transfer",
        json={"to_member_id": str(swk.id), "reason": "checkout_transfer"},
        headers=day.headers("dds"),
    )
    assert reply.status_code == 200, reply.text
    await day.building(topics.BUILDING_LOCKUP, lambda p: ref_id(p, "holder") == str(swk.id))
    assert await day.tap("dds") == "checked_out"

    # 18:30 — the watch arrives, except one APS; nobody was scheduled as BM.
    await day.at(local(2026, 11, 24, 18, 30))
    for name in ("dswk", "qm", "aps1"):
        assert await day.tap(name) == "checked_in"
    await day.at(local(2026, 11, 24, 19, 0, 5))
    await day.alert("warning", "duty_watch_missing", "Duty Watch Incomplete: BM")
    await day.alert("warning", "duty_watch_not_checked_in", "S1 Sentinel, J (APS)")

    # 22:00 and 23:00 — still open.
    await day.at(local(2026, 11, 24, 22, 0, 5))
    await day.alert("warning", "lockup_reminder", "S1 Senior, J holds lockup")
    await day.at(local(2026, 11, 24, 23, 0, 5))
    await day.alert("critical", "lockup_not_executed", "Lockup Overdue")

    # 23:10 — the SWK locks up: everyone out, with events and presence.
    await day.at(local(2026, 11, 24, 23, 10))
    reply = await day.http.post("/api/lockup/execute", json={}, headers=day.headers("swk"))
    assert reply.status_code == 200, reply.text
    assert reply.json()["total_checked_out"] == 4
    assert reply.json()["status"]["building_status"] == "secured"
    sources = [
        (
            await day.probe.until(
                topics.CHECKIN_EVENTS,
                lambda m: str(m.json()["source"]).startswith("lockup-"),
                timeout=WAIT,
            )
        ).json()["source"]
        for _ in range(4)
    ]
    assert sorted(sources) == ["lockup-force-checkout"] * 3 + ["lockup-self-checkout"]
    await day.building(
        topics.BUILDING_LOCKUP,
        lambda p: (
            p["building_status"] == "secured"
            and p["holder"] is None
            and ref_id(p, "secured_by") == str(swk.id)
        ),
    )
    summary = await day.probe.until(
        topics.PRESENCE_SUMMARY, lambda m: m.json()["total_present"] == 0, timeout=WAIT
    )
    assert summary.retain or summary.json()["total_present"] == 0

    # 23:40 — the QM comes back for their bag and forgets to tap out.
    await day.at(local(2026, 11, 24, 23, 40))
    assert await day.tap("qm") == "checked_in"

    # 03:00 Wednesday — the rollover.
    await day.at(local(2026, 11, 25, 3, 0, 1))
    await day.alert("warning", "member_missed_checkout", "S1 Quarter, J")
    await day.building(
        topics.BUILDING_LOCKUP,
        lambda p: p["operational_date"] == "2026-11-25" and p["building_status"] == "secured",
    )
    state = await day.building(topics.BUILDING_DDS, lambda p: p["operational_date"] == "2026-11-25")
    assert state["status"] == "pending" and ref_id(state, "dds") == str(dds.id)
    qm = day.member("qm").id
    async with sessionmaker() as s:
        missed = (
            await s.execute(text("SELECT member_id, resolved_by FROM missed_checkouts"))
        ).all()
        assert sorted((str(r.member_id), r.resolved_by) for r in missed) == sorted(
            [(str(qm), "daily_reset")]
            + [(str(day.member(n).id), "lockup_sequence") for n in ("dswk", "qm", "aps1")]
        )
        assert (
            await s.scalar(
                text("SELECT direction FROM member_states WHERE member_id = :m"), {"m": qm}
            )
            == "out"
        )
        before = await s.scalar(text("SELECT count(*) FROM checkins"))

    # Run again, as a second process would: nothing changes.
    assert await rollover.run_once(sessionmaker, POLICY, now=day.clock.now()) is None
    async with sessionmaker() as s:
        assert await s.scalar(text("SELECT count(*) FROM checkins")) == before
        assert await s.scalar(text("SELECT count(*) FROM lockup_cycles WHERE is_active")) == 1

    # Monday of the next week: the handover to next week's DDS is explicit, not automatic.
    await day.at(local(2026, 11, 30, 3, 0, 1))
    handover = await day.building(
        topics.BUILDING_DDS, lambda p: p["operational_date"] == "2026-11-30"
    )
    assert handover["source"] == "handover" and handover["handover"]["pending"]  # type: ignore[index]
    assert ref_id(handover, "dds") == str(dds.id)
    async with sessionmaker() as s:
        rows = await s.scalar(
            text("SELECT count(*) FROM dds_assignments WHERE operational_date = :d"),
            {"d": date(2026, 11, 30)},
        )
    assert rows == 0
