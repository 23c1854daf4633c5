"""`POST /api/reports/<type>?format=json|csv|pdf`: the reports of domain.md §8 (Command level).

Each request is written to `report_audit_log`. CSV and PDF come back as attachments; the JSON
body is the same result they are rendered from.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response

from api.deps import Actor, ClockDep, SessionDep, StateDep, require_level
from api.reports.context import load_context
from api.reports.run import ReportOutput, run_report
from api.schemas.common import errors
from api.schemas.report_results import (
    DailyCheckinReport,
    LockupSummaryReport,
    PresenceOverTimeReport,
    ReportResult,
    RosterReport,
    TrainingNightReport,
    VisitorSummaryReport,
)
from api.schemas.reports import (
    BmqRequest,
    DailyCheckinRequest,
    LockupSummaryRequest,
    OutputFormat,
    PresenceOverTimeRequest,
    ReportRequest,
    ReportType,
    RosterRequest,
    TrainingNightRequest,
    VisitorSummaryRequest,
)
from shared.domain.auth import Level, Scope

router = APIRouter(prefix="/api/reports", tags=["reports"])
Attendance = Annotated[Actor, Depends(require_level(Level.COMMAND, scope=Scope.CHECKINS_READ))]
People = Annotated[Actor, Depends(require_level(Level.COMMAND, scope=Scope.MEMBERS_READ))]
Visits = Annotated[Actor, Depends(require_level(Level.COMMAND, scope=Scope.VISITORS_READ))]
Format = Annotated[OutputFormat, Query(alias="format")]
FILES: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {}, "application/pdf": {}}, "description": "The report"},
    **errors(404, 422),
}


async def _run(
    report_type: ReportType,
    request: ReportRequest,
    output_format: OutputFormat,
    actor: Actor,
    session: SessionDep,
    state: StateDep,
    clock: ClockDep,
) -> ReportResult | Response:
    ctx = await load_context(session, state.settings, now=clock.now())
    out: ReportOutput = await run_report(
        session,
        report_type,
        request,
        ctx,
        output_format=output_format,
        actor_type=actor.kind,
        actor_id=actor.actor_id,
    )
    if out.content is None:
        return out.result
    disposition = f'attachment; filename="{out.filename}"'
    return Response(
        out.content, media_type=out.media_type, headers={"Content-Disposition": disposition}
    )


@router.post("/training-night-attendance", response_model=TrainingNightReport, responses=FILES)
async def training_night_attendance(
    body: TrainingNightRequest,
    actor: Attendance,
    session: SessionDep,
    state: StateDep,
    clock: ClockDep,
    output_format: Format = OutputFormat.JSON,
) -> ReportResult | Response:
    """Who attended training nights, with percentages, flags and trend (§8.2)."""
    return await _run(
        ReportType.TRAINING_NIGHT_ATTENDANCE, body, output_format, actor, session, state, clock
    )


@router.post("/bmq-attendance", response_model=TrainingNightReport, responses=FILES)
async def bmq_attendance(
    body: BmqRequest,
    actor: Attendance,
    session: SessionDep,
    state: StateDep,
    clock: ClockDep,
    output_format: Format = OutputFormat.JSON,
) -> ReportResult | Response:
    """Attendance of a BMQ course on its own days and times (§8.2 step 6)."""
    return await _run(ReportType.BMQ_ATTENDANCE, body, output_format, actor, session, state, clock)


@router.post("/daily-checkin", response_model=DailyCheckinReport, responses=FILES)
async def daily_checkin(
    body: DailyCheckinRequest,
    actor: Attendance,
    session: SessionDep,
    state: StateDep,
    clock: ClockDep,
    output_format: Format = OutputFormat.JSON,
) -> ReportResult | Response:
    """FT staff present/absent and reserve present on one operational day (§8.1)."""
    return await _run(ReportType.DAILY_CHECKIN, body, output_format, actor, session, state, clock)


@router.post("/personnel-roster", response_model=RosterReport, responses=FILES)
async def personnel_roster(
    body: RosterRequest,
    actor: People,
    session: SessionDep,
    state: StateDep,
    clock: ClockDep,
    output_format: Format = OutputFormat.JSON,
) -> ReportResult | Response:
    """Active members by seniority or name (§8.1)."""
    return await _run(
        ReportType.PERSONNEL_ROSTER, body, output_format, actor, session, state, clock
    )


@router.post("/visitor-summary", response_model=VisitorSummaryReport, responses=FILES)
async def visitor_summary(
    body: VisitorSummaryRequest,
    actor: Visits,
    session: SessionDep,
    state: StateDep,
    clock: ClockDep,
    output_format: Format = OutputFormat.JSON,
) -> ReportResult | Response:
    """Visits with counts by type and organisation (§8.1)."""
    return await _run(ReportType.VISITOR_SUMMARY, body, output_format, actor, session, state, clock)


@router.post("/presence-over-time", response_model=PresenceOverTimeReport, responses=FILES)
async def presence_over_time(
    body: PresenceOverTimeRequest,
    actor: Attendance,
    session: SessionDep,
    state: StateDep,
    clock: ClockDep,
    output_format: Format = OutputFormat.JSON,
) -> ReportResult | Response:
    """Members and visitors in the building per hour, for a day or a week."""
    return await _run(
        ReportType.PRESENCE_OVER_TIME, body, output_format, actor, session, state, clock
    )


@router.post(
    "/lockup-summary", response_model=LockupSummaryReport, responses={**FILES, **errors(503)}
)
async def lockup_summary(
    body: LockupSummaryRequest,
    actor: Attendance,
    session: SessionDep,
    state: StateDep,
    clock: ClockDep,
    output_format: Format = OutputFormat.JSON,
) -> ReportResult | Response:
    """Lockup cycles and DDS per operational day (§6.6)."""
    return await _run(ReportType.LOCKUP_SUMMARY, body, output_format, actor, session, state, clock)
