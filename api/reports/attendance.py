"""Training-night and BMQ attendance reports: load → `shared.domain.attendance` → result (§8.2)."""

import asyncio
import uuid
from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from api.reports.context import ReportContext
from api.schemas.report_results import (
    AttendanceRow,
    AttendanceSummary,
    DivisionAttendance,
    MemberRef,
    NightOut,
    NightTurnout,
    PeriodOut,
    Thresholds,
    TrainingNightReport,
)
from api.schemas.reports import (
    MAX_DATE,
    MAX_PERIOD_DAYS,
    MIN_DATE,
    BmqRequest,
    OrganizationOption,
    Period,
    TrainingNightRequest,
)
from shared.domain import training_calendar as cal
from shared.domain.attendance import (
    AttendanceFlag,
    AttendancePolicy,
    AttendanceStatus,
    MemberAttendance,
    MemberInput,
    OperationalDays,
    Trend,
    compute_attendance,
    presence_intervals,
)
from shared.domain.report_settings import SortOrder, attendance_policy, format_date
from shared.errors import InvalidInput, NotFound
from shared.store import bmq as bmq_store
from shared.store import reports as report_store
from shared.store import training_calendar as calendar_store
from shared.store.reports import FT_STAFF, RESERVE, ReportMember


def check_span(start_on: date, end_on: date) -> None:
    """Refuse periods outside the dates reports handle.

    A stored training year or course may predate the request validation.
    """
    if (
        not (MIN_DATE <= start_on <= end_on <= MAX_DATE)
        or (end_on - start_on).days > MAX_PERIOD_DAYS
    ):
        raise InvalidInput("invalid_period", "A report period is 1970-2100 and at most three years")


async def resolve_period(
    session: AsyncSession, request: TrainingNightRequest, ctx: ReportContext
) -> tuple[date, date, str]:
    """Turn the requested period into dates; all but `custom` need a current training year."""
    if request.period is Period.CUSTOM and request.period_start and request.period_end:
        return request.period_start, request.period_end, "Custom period"
    year = await calendar_store.find_current_training_year(session)
    if year is None:
        raise NotFound("no_current_training_year", "Set a current training year first")
    if request.period is Period.CURRENT_YEAR:
        return year.start_on, year.end_on, f"Training year {year.name}"
    if request.period is Period.LAST_QUARTER:
        return (*cal.last_quarter(ctx.today), "Last quarter")
    return (*cal.last_month(ctx.today), "Last month")


def row_sort_key(order: SortOrder) -> Callable[[MemberRef], tuple[str, int, str, str]]:
    """Key for: division then seniority (`ranks.display_order` desc), seniority, or name."""

    def key(row: MemberRef) -> tuple[str, int, str, str]:
        last, first = row.last_name.lower(), row.first_name.lower()
        if order is SortOrder.ALPHABETICAL:
            return ("", 0, last, first)
        if order is SortOrder.RANK:
            return ("", -row.rank_order, last, first)
        return (row.division_name or "\uffff", -row.rank_order, last, first)

    return key


def sort_rows(rows: list[AttendanceRow], order: SortOrder) -> list[AttendanceRow]:
    """Rows in the requested order."""
    return sorted(rows, key=row_sort_key(order))


def summarize(rows: Sequence[AttendanceRow]) -> AttendanceSummary:
    """Totals for a set of members."""
    calculated = [r for r in rows if r.status is AttendanceStatus.CALCULATED]
    percentages = [r.percentage for r in calculated if r.percentage is not None]
    attended = sum(r.attended for r in rows)
    possible = sum(r.possible for r in rows)
    return AttendanceSummary(
        members=len(rows),
        calculated=len(calculated),
        new=sum(r.status is AttendanceStatus.NEW for r in rows),
        insufficient_data=sum(r.status is AttendanceStatus.INSUFFICIENT_DATA for r in rows),
        average_percentage=round(sum(percentages) / len(percentages), 1) if percentages else None,
        attendance_rate=round(100.0 * attended / possible, 1) if possible else None,
        warning=sum(r.flag is AttendanceFlag.WARNING for r in rows),
        critical=sum(r.flag is AttendanceFlag.CRITICAL for r in rows),
        trending_down=sum(r.trend is Trend.DOWN for r in rows),
    )


def by_division(rows: Sequence[AttendanceRow]) -> list[DivisionAttendance]:
    """One summary per division, in division-name order (members without one last)."""
    groups: dict[tuple[str, str | None], list[AttendanceRow]] = {}
    for row in rows:
        groups.setdefault((row.division_name or "~No division", row.division_code), []).append(row)
    return [
        DivisionAttendance(
            division_code=code, division_name=name.lstrip("~"), summary=summarize(members)
        )
        for (name, code), members in sorted(groups.items())
    ]


def turnout(
    windows: Sequence[cal.NightWindow],
    results: Sequence[MemberAttendance],
    joined: dict[uuid.UUID, date],
    now: datetime,
) -> list[NightTurnout]:
    """Per night: members attended out of members eligible (joined and night over)."""
    counts: dict[date, int] = {}
    for result in results:
        for on in result.attended_on:
            counts[on] = counts.get(on, 0) + 1
    nights = []
    for window in windows:
        if window.end_at > now:
            continue
        eligible = sum(1 for joined_on in joined.values() if joined_on <= window.on)
        attended = counts.get(window.on, 0)
        percentage = round(100.0 * attended / eligible, 1) if eligible else None
        nights.append(
            NightTurnout(on=window.on, attended=attended, eligible=eligible, percentage=percentage)
        )
    return nights


def attendance_row(
    member: ReportMember,
    result: MemberAttendance,
    *,
    bmq_enrolled: bool,
    windows: Sequence[cal.NightWindow] | None,
) -> AttendanceRow:
    """Shape one member's result."""
    nights = None
    if windows is not None:
        attended = set(result.attended_on)
        nights = [
            NightOut(on=w.on, attended=w.on in attended)
            for w in windows
            if w.on >= member.joined_on
        ]
    return AttendanceRow(
        member_id=member.member_id,
        service_number=member.service_number,
        rank=member.rank,
        rank_order=member.rank_order,
        display_name=member.display_name,
        last_name=member.last_name,
        first_name=member.first_name,
        division_code=member.division_code,
        division_name=member.division_name,
        member_type=member.member_type,
        joined_on=member.joined_on,
        attended=result.attended,
        possible=result.possible,
        percentage=None if result.percentage is None else round(result.percentage, 1),
        status=result.status,
        flag=result.flag,
        trend=result.trend,
        delta=None if result.delta is None else round(result.delta, 1),
        bmq_enrolled=bmq_enrolled,
        nights=nights,
    )


async def member_inputs(
    session: AsyncSession,
    members: Sequence[ReportMember],
    *,
    start_at: datetime,
    end_at: datetime,
    ctx: ReportContext,
    nights: Sequence[date] | None = None,
    joined: dict[uuid.UUID, date] | None = None,
) -> list[MemberInput]:
    """Load check-ins and build each member's presence intervals.

    Events before `start_at` never matter: presence ends at each operational day's rollover,
    and `start_at` is a rollover instant. With `nights`, only their operational days are read:
    a window lies inside its night's operational day, and so does any presence overlapping it.
    """
    ctx.progress("loading check-ins")
    spans = None
    if nights is not None:
        spans = [
            (ctx.day_start(n), ctx.day_start(n + timedelta(days=1))) for n in sorted(set(nights))
        ]
    events = await report_store.presence_events(
        session, [m.member_id for m in members], start_at=start_at, end_at=end_at, within=spans
    )
    ctx.progress("building presence intervals")
    days = OperationalDays.covering(
        ctx.local(start_at).date() - timedelta(days=1),
        ctx.local(end_at).date(),
        tz=ctx.tz,
        rollover=ctx.rollover,
    )

    def build() -> list[MemberInput]:
        inputs = []
        for member in members:
            intervals = presence_intervals(
                events.get(member.member_id, []),
                tz=ctx.tz,
                rollover=ctx.rollover,
                now=ctx.now,
                days=days,
            )
            joined_on = (joined or {}).get(member.member_id, member.joined_on)
            inputs.append(MemberInput(member.member_id, joined_on, intervals))
        return inputs

    # Pure CPU work: off the event loop so a large report does not stall other requests.
    return await asyncio.to_thread(build)


def _windows(
    nights: Sequence[date], start: time, end: time, ctx: ReportContext
) -> list[cal.NightWindow]:
    return cal.night_windows(nights, start=start, end=end, tz=ctx.tz, rollover=ctx.rollover)


async def training_night_report(
    session: AsyncSession, request: TrainingNightRequest, ctx: ReportContext
) -> TrainingNightReport:
    """Training-night attendance for the requested period and members (§8.2)."""
    schedule = ctx.settings.schedule
    handling = ctx.settings.member_handling
    start_on, end_on, label = await resolve_period(session, request, ctx)
    check_span(start_on, end_on)
    prev_start, prev_end = cal.previous_period(start_on, end_on)
    ctx.progress("loading calendar")
    calendar = await calendar_store.load_calendar(session, prev_start, end_on)
    weekdays = [schedule.training_night_day]
    nights = cal.night_dates(start_on, end_on, weekdays=weekdays, calendar=calendar)
    prev_nights = cal.night_dates(prev_start, prev_end, weekdays=weekdays, calendar=calendar)
    start, end = schedule.training_night_start, schedule.training_night_end
    windows = _windows(nights, start, end, ctx)
    prev_windows = _windows(prev_nights, start, end, ctx)

    ctx.progress("loading members")
    include_ft = (
        handling.include_ft_staff if request.include_ft_staff is None else request.include_ft_staff
    )
    option = request.organization_option
    member_types = (
        RESERVE + FT_STAFF
        if include_ft or option is OrganizationOption.SPECIFIC_MEMBER
        else RESERVE
    )
    members = await report_store.report_members(
        session,
        tz=ctx.tz.key,
        member_types=member_types,
        division_id=request.division_id if option is OrganizationOption.SPECIFIC_DIVISION else None,
        member_id=request.member_id if option is OrganizationOption.SPECIFIC_MEMBER else None,
    )
    if option is OrganizationOption.SPECIFIC_MEMBER and not members:
        raise NotFound("member_not_found", "No active member with that id in the report's scope")

    inputs = await member_inputs(
        session,
        members,
        start_at=ctx.day_start(prev_start),
        end_at=ctx.day_start(end_on + timedelta(days=1)),
        ctx=ctx,
        nights=prev_nights + nights,
    )
    ctx.progress("computing attendance")
    policy = attendance_policy(ctx.settings)
    as_of = min(end_on, ctx.today)
    results = await asyncio.to_thread(
        compute_attendance, inputs, windows, prev_windows, now=ctx.now, as_of=as_of, policy=policy
    )

    show_bmq = handling.show_bmq_badge if request.show_bmq_badge is None else request.show_bmq_badge
    on_bmq = (
        await bmq_store.members_on_active_courses(session, [m.member_id for m in members])
        if show_bmq
        else set()
    )
    detail = windows if option is OrganizationOption.SPECIFIC_MEMBER else None
    rows = [
        attendance_row(m, r, bmq_enrolled=m.member_id in on_bmq, windows=detail)
        for m, r in zip(members, results, strict=True)
    ]
    order = request.sort_order or ctx.settings.formatting.default_sort_order
    if option in (OrganizationOption.GROUPED_BY_DIVISION, OrganizationOption.SEPARATED_BY_DIVISION):
        order = SortOrder.DIVISION_RANK
    fmt = ctx.settings.formatting.date_format
    return TrainingNightReport(
        report="training-night-attendance",
        title="Training night attendance",
        generated_at=ctx.now,
        period=PeriodOut(
            start_on=start_on,
            end_on=end_on,
            label=f"{label}: {format_date(start_on, fmt)} – {format_date(end_on, fmt)}",
        ),
        previous_period=PeriodOut(start_on=prev_start, end_on=prev_end, label="Previous period"),
        organization_option=option.value,
        thresholds=_thresholds(policy, start, end, weekdays),
        nights=turnout(windows, results, {i.member_id: i.joined_on for i in inputs}, ctx.now),
        summary=summarize(rows),
        divisions=by_division(rows),
        members=sort_rows(rows, order),
    )


def _thresholds(
    policy: AttendancePolicy, start: time, end: time, weekdays: Sequence[cal.Weekday]
) -> Thresholds:
    return Thresholds(
        warning=policy.warning_threshold,
        critical=policy.critical_threshold,
        minimum_presence_minutes=policy.minimum_presence_min,
        window_start=start,
        window_end=end,
        weekdays=[w.value for w in weekdays],
    )


async def bmq_report(
    session: AsyncSession, request: BmqRequest, ctx: ReportContext
) -> TrainingNightReport:
    """BMQ attendance on the course's own days and times (§8.2 step 6).

    Sessions count from each member's enrolment date; there is no "new member" grace period on
    a course, and no trend (a course has no previous period).
    """
    course = await bmq_store.get_course(session, request.course_id)
    check_span(course.start_on, course.end_on)
    weekdays = [cal.Weekday(day) for day in course.training_days]
    # §8.2 step 6 defines sessions as course dates on the training days, with no exclusions.
    sessions = cal.night_dates(
        course.start_on, course.end_on, weekdays=weekdays, calendar=cal.TrainingCalendar()
    )
    windows = _windows(sessions, course.training_start, course.training_end, ctx)
    enrollments = await bmq_store.list_enrollments(session, course_id=course.id)
    wanted = {"enrolled", "completed"} | ({"withdrawn"} if request.include_withdrawn else set())
    enrolled_on = {
        e.member_id: ctx.local(e.enrolled_at).date() for e in enrollments if e.status in wanted
    }
    ctx.progress("loading members")
    option = request.organization_option
    everyone = await report_store.report_members(
        session,
        tz=ctx.tz.key,
        member_types=RESERVE + FT_STAFF,
        division_id=request.division_id if option is OrganizationOption.SPECIFIC_DIVISION else None,
        member_id=request.member_id if option is OrganizationOption.SPECIFIC_MEMBER else None,
    )
    members = [m for m in everyone if m.member_id in enrolled_on]
    joined = {m.member_id: max(enrolled_on[m.member_id], course.start_on) for m in members}
    inputs = await member_inputs(
        session,
        members,
        start_at=ctx.day_start(course.start_on),
        end_at=ctx.day_start(course.end_on + timedelta(days=1)),
        ctx=ctx,
        nights=sessions,
        joined=joined,
    )
    ctx.progress("computing attendance")
    base = attendance_policy(ctx.settings, bmq=True)
    policy = AttendancePolicy(
        warning_threshold=base.warning_threshold,
        critical_threshold=base.critical_threshold,
        minimum_presence_min=base.minimum_presence_min,
        grace_weeks=0,
        minimum_nights=base.minimum_nights,
        stable_band=base.stable_band,
    )
    as_of = min(course.end_on, ctx.today)
    results = await asyncio.to_thread(
        compute_attendance, inputs, windows, [], now=ctx.now, as_of=as_of, policy=policy
    )
    detail = windows if option is OrganizationOption.SPECIFIC_MEMBER else None
    rows = [
        attendance_row(m, r, bmq_enrolled=True, windows=detail)
        for m, r in zip(members, results, strict=True)
    ]
    fmt = ctx.settings.formatting.date_format
    label = (
        f"{course.name}: {format_date(course.start_on, fmt)} – {format_date(course.end_on, fmt)}"
    )
    return TrainingNightReport(
        report="bmq-attendance",
        title=f"BMQ attendance — {course.name}",
        generated_at=ctx.now,
        period=PeriodOut(start_on=course.start_on, end_on=course.end_on, label=label),
        previous_period=None,
        organization_option=option.value,
        thresholds=_thresholds(policy, course.training_start, course.training_end, weekdays),
        nights=turnout(windows, results, joined, ctx.now),
        summary=summarize(rows),
        divisions=by_division(rows),
        members=sort_rows(rows, SortOrder.DIVISION_RANK),
    )
