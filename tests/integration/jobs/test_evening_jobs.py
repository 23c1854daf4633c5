"""Lockup reminders (22:00/23:00) and the Duty Watch start check (19:00) as jobs (§4.2, §5.4)."""

from datetime import date, time, timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ingest.jobs import duty_watch_check, lockup_reminders, rollover, scheduler
from shared.domain.lockup import ReminderPhase
from tests.fixtures.factories import make_member
from tests.fixtures.operations import POLICY, at_time, check_in, local, schedule

TUESDAY, WEDNESDAY, MONDAY = date(2026, 11, 24), date(2026, 11, 25), date(2026, 11, 23)


async def alerts(sm: async_sessionmaker[AsyncSession]) -> list[tuple[str, str, str]]:
    async with sm() as s:
        rows = await s.execute(
            text("SELECT alert_type, severity, message FROM security_alerts ORDER BY created_at")
        )
        return [(r[0], r[1], r[2]) for r in rows]


async def open_building(sm: async_sessionmaker[AsyncSession], on: date, *, holder: bool) -> None:
    await rollover.run_once(sm, POLICY, now=POLICY.rollover_instant(on))
    async with sm.begin() as s:
        member = await make_member(s, last_name="Keeper")
        await s.execute(
            text(
                "UPDATE lockup_cycles SET building_status = 'open', holder_id = :h WHERE is_active"
            ),
            {"h": member.id if holder else None},
        )


async def test_reminders_warn_at_22_then_escalate_at_23(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    sm = sessionmaker
    await open_building(sm, TUESDAY, holder=True)
    warning_at = at_time(TUESDAY, time(22, 0))

    early = await lockup_reminders.run_once(
        sm, POLICY, ReminderPhase.WARNING, now=warning_at - timedelta(seconds=1)
    )
    first = await lockup_reminders.run_once(
        sm, POLICY, ReminderPhase.WARNING, now=warning_at + timedelta(seconds=30)
    )
    again = await lockup_reminders.run_once(
        sm, POLICY, ReminderPhase.WARNING, now=warning_at + timedelta(minutes=5)
    )
    critical = await lockup_reminders.run_once(
        sm, POLICY, ReminderPhase.CRITICAL, now=at_time(TUESDAY, time(23, 0))
    )

    assert early is None and again is None
    assert first is not None and critical is not None
    raised = await alerts(sm)
    assert [(t, sev) for t, sev, _ in raised] == [
        ("lockup_reminder", "warning"),
        ("lockup_not_executed", "critical"),
    ]
    assert "S1 Keeper, J holds lockup" in raised[0][2]


async def test_a_secured_building_raises_no_reminder(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    sm = sessionmaker
    await rollover.run_once(sm, POLICY, now=POLICY.rollover_instant(TUESDAY))

    ran = await scheduler.run_due(sm, POLICY, now=at_time(TUESDAY, time(23, 5)))

    assert ran == ["aggregate_refresh", "lockup_warning", "lockup_critical"]
    assert await alerts(sm) == []


async def test_unassigned_open_building_is_critical_at_22(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    sm = sessionmaker
    await open_building(sm, TUESDAY, holder=False)

    await lockup_reminders.run_once(
        sm, POLICY, ReminderPhase.WARNING, now=at_time(TUESDAY, time(22, 1))
    )

    assert [(t, s) for t, s, _ in await alerts(sm)] == [("lockup_not_executed", "critical")]


async def test_duty_watch_check_flags_a_missing_position_and_an_absent_member(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    sm = sessionmaker
    await rollover.run_once(sm, POLICY, now=POLICY.rollover_instant(TUESDAY))
    async with sm.begin() as s:
        team = {
            code: await make_member(s, last_name=name)
            for code, name in (
                ("SWK", "Senior"),
                ("DSWK", "Deputy"),
                ("QM", "Quarter"),
                ("APS", "Sentry"),
                ("APS2", "Sentinel"),
            )
        }
        await schedule(
            s,
            "DUTY_WATCH",
            MONDAY,
            [(m.id, code.rstrip("2")) for code, m in team.items()],  # no BM
        )
        for code, m in team.items():
            if code != "APS2":  # the second APS stays home
                await check_in(s, m.id, local(2026, 11, 24, 18, 30))
        await s.execute(
            text(
                "UPDATE lockup_cycles SET building_status = 'open', holder_id = :h WHERE is_active"
            ),
            {"h": team["SWK"].id},
        )
    start = at_time(TUESDAY, time(19, 0))

    assert await duty_watch_check.run_once(sm, POLICY, now=start - timedelta(minutes=1)) is None
    raised = await duty_watch_check.run_once(sm, POLICY, now=start + timedelta(seconds=10))
    again = await duty_watch_check.run_once(sm, POLICY, now=start + timedelta(minutes=1))

    assert again is None and raised is not None
    assert [(t, s, m) for t, s, m in await alerts(sm)] == [
        ("duty_watch_missing", "warning", "Duty Watch Incomplete: BM"),
        (
            "duty_watch_not_checked_in",
            "warning",
            "Duty Watch members not checked in: S1 Sentinel, J (APS)",
        ),
    ]


async def test_no_duty_watch_check_on_a_wednesday(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    sm = sessionmaker
    await rollover.run_once(sm, POLICY, now=POLICY.rollover_instant(WEDNESDAY))

    assert await duty_watch_check.run_once(sm, POLICY, now=at_time(WEDNESDAY, time(19, 0))) is None
    assert await alerts(sm) == []
